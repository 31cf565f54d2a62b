"""The people search and a person's page: they show cases beside the people."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.deps import ActorDep, SessionDep
from app.forms import error_list, form_page
from app.i18n import N_, Labels
from app.labels import OUTCOME_LABELS, SEX_LABELS, SUGGESTION_LABELS
from app.nationalities.service import list_nationalities
from app.pages import people
from app.pagination import PageDep, PageParams
from app.people import identity
from app.people import service as people_service
from app.people.deps import READ_PEOPLE, CurrentPerson
from app.web import redirect, render

pages = APIRouter(include_in_schema=False)

FIRST_PAGE = PageParams(limit=50, offset=0)


SEARCH_LABELS = Labels(
    {"name": N_("Name"), "nationality": N_("Nationality"), "document": N_("Document number"),
     "reference": N_("Case reference")}
)


def _people_page(request: Request, session, *, query: people.SearchQuery | None = None,
                 page: PageParams = FIRST_PAGE, form: dict | None = None,
                 errors: dict[str, str] | None = None):
    """The people search; with errors, the search as typed (`form`) and no search made."""
    actor = request.state.actor
    errors = errors or {}
    if query is None or errors:
        query = people.SearchQuery()
    rows, total = people.search_people(session, actor=actor, query=query, page=page)
    form = form if errors else {"name": query.name, "nationality": query.nationality_code,
                                "document": query.document, "reference": query.reference}
    return render(request, "people/index.html", {
        "people": rows, "total": total, "page": page, "query": query, "form": form,
        "errors": errors, "error_list": error_list(errors, SEARCH_LABELS),
        "cases": people.open_cases_by_person(session, actor=actor,
                                             person_ids=[p.id for p in rows]),
        "nationality_choices": [(n.code, n.name) for n in list_nationalities(session)],
    })


def _search_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _people_page(request, session, form=form, errors=errors)


@pages.get("/people", dependencies=[READ_PEOPLE, form_page(_search_again)])
def people_page(
    request: Request, session: SessionDep, page: PageDep,
    name: Annotated[str, Query(max_length=200)] = "",
    nationality: Annotated[str, Query(max_length=2)] = "",
    reference: Annotated[str, Query(max_length=32)] = "",
    document: Annotated[str, Query(max_length=64)] = "",
):
    query = people.SearchQuery(name=name, nationality_code=nationality or None,
                               reference=reference, document=document)
    return _people_page(request, session, query=query, page=page)


@pages.get("/people/{person_id}", dependencies=[READ_PEOPLE])
def person_page(request: Request, session: SessionDep, actor: ActorDep,
                person: CurrentPerson, person_id: int):
    if person.id != person_id:
        # a merged record: its id leads to the record it was merged into
        return redirect(f"/people/{person.id}")
    page = people.person_page(session, actor=actor, person=person)
    return render(request, "people/detail.html", {
        "page": page, "person": page.person, "sexes": SEX_LABELS,
        "via_labels": identity.VIA_LABELS, "suggestion_labels": SUGGESTION_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "may_edit_names": people_service.may_update(actor, person)})
