from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlmodel import Session

from app.admin import audit_queries as queries
from app.admin.audit_schemas import OUTCOMES, AuditEventRead, AuditFilter
from app.auth.permissions import Permission
from app.auth.service import display_names
from app.deps import ActorDep, SessionDep, require
from app.forms import error_list, form_page
from app.i18n import N_, Labels
from app.labels import AUDIT_ACTIONS, audit_action_words
from app.pagination import OffsetQuery, Page, PageDep, PageParams, pager
from app.web import render

api = APIRouter(prefix="/api/v1", tags=["audit"])
pages = APIRouter(include_in_schema=False)

AuditFilterDep = Annotated[AuditFilter, Query()]
PAGE_SIZE = 50
FILTER_LABELS = Labels(
    {
        "from": N_("From"),
        "to": N_("To"),
        "actor": N_("Actor"),
        "action": N_("Action"),
        "entity_type": N_("Record type"),
        "entity_id": N_("Record id"),
        "outcome": N_("Outcome"),
    }
)


def _read(event, organization: str | None) -> AuditEventRead:
    return AuditEventRead.model_validate(event).model_copy(update={"organization": organization})


@api.get("/audit", response_model=Page[AuditEventRead],
         dependencies=[require(Permission.AUDIT_READ)])
def list_audit_events(session: SessionDep, actor: ActorDep, filters: AuditFilterDep,
                      page: PageDep) -> Page[AuditEventRead]:
    """The audit log, newest first (administrators: their organisation's staff's events;
    Passage-wide administrators every event). Events hold who did what to which record,
    when and from where; never the personal values themselves."""
    rows, total = queries.list_events(session, actor=actor, filters=filters, page=page)
    return Page(items=[_read(e, org) for e, org in rows], total=total, limit=page.limit,
                offset=page.offset)


def _action_choices(typed: str) -> list[tuple[str, str]]:
    """The actions in words, each kind's "every ... event" first; an action typed in the
    address that the list lacks is kept, so that the filter shown is the one applied."""
    entities = list(dict.fromkeys(a.partition(".")[0] for a in AUDIT_ACTIONS))
    choices = []
    for entity in entities:
        choices.append((f"{entity}.*", audit_action_words(f"{entity}.*")))
        choices += [(a, audit_action_words(a)) for a in AUDIT_ACTIONS
                    if a.startswith(entity + ".")]
    if typed and typed not in dict(choices):
        choices.insert(0, (typed, typed))
    return choices


def render_audit_page(request: Request, session: Session, form: dict, errors: dict[str, str],
                      *, filters: AuditFilter | None = None, offset: int = 0):
    """The audit log page; with errors, the filters as typed and no filter applied."""
    if errors or filters is None:
        filters = AuditFilter()
    page = PageParams(limit=PAGE_SIZE, offset=offset)
    rows, total = queries.list_events(session, actor=request.state.actor, filters=filters,
                                      page=page)
    # the form is re-filled with what was typed, not with the parsed values
    form = {k: v for k, v in form.items() if k in FILTER_LABELS and v}
    query = urlencode(form)
    return render(request, "admin/audit.html", {
        "rows": rows, "total": total,
        # who acted, named as everywhere (full name); the user name recorded stays beside it
        "actor_names": display_names(session, {e.actor_id for e, _ in rows}),
        **pager(offset, PAGE_SIZE, total), "form": form,
        "outcome_choices": [(o, o.capitalize()) for o in OUTCOMES], "query": query,
        "action_choices": _action_choices(form.get("action", "")),
        "audit_action_words": audit_action_words,
        "errors": errors,
        "error_list": error_list(errors, FILTER_LABELS),
    })


@pages.get("/admin/audit",
           dependencies=[require(Permission.AUDIT_READ), form_page(render_audit_page)])
def audit_page(request: Request, session: SessionDep, filters: AuditFilterDep,
               offset: OffsetQuery = 0):
    return render_audit_page(request, session, dict(request.query_params), {},
                             filters=filters, offset=offset)
