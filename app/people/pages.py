"""The people pages: search, register (with duplicate warnings before saving), a person."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError

from app.auth.permissions import Permission
from app.deps import ActorDep, SessionDep, require
from app.errors import InvalidInput
from app.forms import app_error_fields, form_errors
from app.labels import OUTCOME_LABELS, SUGGESTION_LABELS
from app.nationalities.service import list_nationalities
from app.pagination import PageDep
from app.people import lookup
from app.people.schemas import PersonCreate, Sex
from app.web import redirect, render

pages = APIRouter(include_in_schema=False)

READ_PEOPLE = require(Permission.PERSON_READ_OWN_ORG, Permission.PERSON_READ_ALL)
PERSON_FIELDS = ("given_name", "family_name", "sex", "date_of_birth", "age_estimate",
                 "nationality_code", "document_number", "phone", "languages")
FIELD_LIMITS = {"given_name": 200, "family_name": 200, "sex": 16, "date_of_birth": 10,
                "age_estimate": 3, "nationality_code": 2, "document_number": 64, "phone": 64,
                "languages": 1100}
SEX_LABELS = {Sex.FEMALE: "Female", Sex.MALE: "Male", Sex.OTHER: "Other",
              Sex.UNKNOWN: "Not known"}


@pages.get("/people", dependencies=[READ_PEOPLE])
def people_page(
    request: Request, session: SessionDep, actor: ActorDep, page: PageDep,
    name: Annotated[str, Query(max_length=200)] = "",
    nationality: Annotated[str, Query(max_length=2)] = "",
    reference: Annotated[str, Query(max_length=32)] = "",
):
    query = lookup.SearchQuery(name=name, nationality_code=nationality or None,
                               reference=reference)
    rows, total = lookup.search_people(session, actor=actor, query=query, page=page)
    return render(request, "people/index.html", {
        "people": rows, "total": total, "page": page, "query": query,
        "cases": lookup.open_cases_by_person(session, actor=actor,
                                             person_ids=[p.id for p in rows]),
        "nationalities": list_nationalities(session),
    })


def _render_form(request: Request, session, *, form=None, errors=None, warnings=None,
                 fingerprint: str = "", status_code: int = 200):
    errors = errors or {}
    return render(request, "people/new.html", {
        "form": form or {}, "errors": errors,
        "error_list": [{"field": k, "message": v} for k, v in errors.items()],
        "warnings": warnings or [], "fingerprint": fingerprint,
        "nationalities": list_nationalities(session), "sexes": SEX_LABELS,
    }, status_code=status_code)


@pages.get("/people/new", dependencies=[require(Permission.PERSON_CREATE)])
def new_person_page(request: Request, session: SessionDep):
    return _render_form(request, session)


def _person_in(form: dict[str, str]) -> PersonCreate:
    values: dict = {k: v for k, v in form.items() if k in PERSON_FIELDS}
    for blank_is_none in ("date_of_birth", "age_estimate"):
        if not values.get(blank_is_none):
            values[blank_is_none] = None
    if not values.get("sex"):
        values["sex"] = Sex.UNKNOWN
    values["languages"] = [part.strip() for part in values.get("languages", "").split(",")
                           if part.strip()]
    return PersonCreate(**values)


@pages.post("/people/new", dependencies=[require(Permission.PERSON_CREATE)])
async def register_person(request: Request, session: SessionDep, actor: ActorDep):
    raw = await request.form()
    form = {name: (raw.get(name) if isinstance(raw.get(name), str) else "")[:limit]
            for name, limit in FIELD_LIMITS.items()}
    confirmed = raw.get("confirmed")
    try:
        registration = lookup.register_from_form(
            session, actor=actor, person_in=_person_in(form),
            confirmed_fingerprint=confirmed if isinstance(confirmed, str) else "")
    except ValidationError as exc:
        return _render_form(request, session, form=form, errors=form_errors(exc),
                            status_code=422)
    except InvalidInput as exc:
        session.rollback()
        return _render_form(request, session, form=form, errors=app_error_fields(exc),
                            status_code=422)
    if registration.person is None:
        # nothing saved yet: the caseworker looks at the likely duplicates first
        return _render_form(request, session, form=form,
                            warnings=registration.possible_duplicates,
                            fingerprint=registration.fingerprint)
    return redirect(f"/people/{registration.person.id}")


@pages.get("/people/{person_id}", dependencies=[READ_PEOPLE])
def person_page(request: Request, session: SessionDep, actor: ActorDep, person_id: int):
    page = lookup.person_page(session, actor=actor, person_id=person_id)
    return render(request, "people/detail.html", {
        "page": page, "person": page.person, "sexes": SEX_LABELS,
        "suggestion_labels": SUGGESTION_LABELS, "outcome_labels": OUTCOME_LABELS})
