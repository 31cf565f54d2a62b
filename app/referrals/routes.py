from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.auth.permissions import Permission
from app.deps import ActorDep, SessionDep, require
from app.errors import Conflict, InvalidInput
from app.forms import app_error_fields, form_errors
from app.pagination import Page, PageDep, PageParams
from app.referrals import service
from app.referrals.schemas import (
    ACTION_LABELS,
    MAX_NOTES,
    MAX_RECIPIENT,
    MAX_STATUS_NOTE,
    SERVICE_LABELS,
    STATUS_LABELS,
    ReferralCreate,
    ReferralFilters,
    ReferralRead,
    ReferralService,
    ReferralStatus,
    ReferralStatusUpdate,
    next_statuses,
)
from app.web import redirect, render

api = APIRouter(prefix="/api/v1", tags=["referrals"])
pages = APIRouter(include_in_schema=False)

READ_REFERRALS = require(Permission.REFERRAL_READ_OWN_ORG, Permission.REFERRAL_READ_ALL)
ReferralFiltersDep = Annotated[ReferralFilters, Query()]
BOARD_PAGE_SIZE = 50


@api.post("/cases/{case_id}/referrals", response_model=ReferralRead, status_code=201,
          dependencies=[require(Permission.REFERRAL_CREATE)])
def create_referral(session: SessionDep, actor: ActorDep, case_id: int,
                    referral_in: ReferralCreate) -> ReferralRead:
    """Refer the person of one of your organisation's cases to a service. Without
    `consent_to_share` the referral is anonymous."""
    return service.create_referral(session, actor=actor, case_id=case_id,
                                   referral_in=referral_in)


@api.get("/referrals", response_model=Page[ReferralRead], dependencies=[READ_REFERRALS])
def list_referrals(session: SessionDep, actor: ActorDep, filters: ReferralFiltersDep,
                   page: PageDep) -> Page[ReferralRead]:
    rows, total = service.list_referrals(session, actor=actor, filters=filters, page=page)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@api.get("/referrals/{referral_id}", response_model=ReferralRead,
         dependencies=[READ_REFERRALS])
def read_referral(session: SessionDep, actor: ActorDep, referral_id: int) -> ReferralRead:
    return service.get_referral(session, actor=actor, referral_id=referral_id)


@api.patch("/referrals/{referral_id}", response_model=ReferralRead,
           dependencies=[require(Permission.REFERRAL_UPDATE_STATUS)])
def update_referral(session: SessionDep, actor: ActorDep, referral_id: int,
                    update_in: ReferralStatusUpdate) -> ReferralRead:
    """Move the status on: pending → accepted or declined, accepted → completed (409
    otherwise). Every change is kept with who made it and when."""
    return service.update_status(session, actor=actor, referral_id=referral_id,
                                 update_in=update_in)


@api.get("/referrals/{referral_id}/letter.pdf", dependencies=[READ_REFERRALS],
         response_class=Response,
         responses={200: {"content": {"application/pdf": {}}}})
def referral_letter(session: SessionDep, actor: ActorDep, referral_id: int) -> Response:
    """A one-page letter to the recipient. An anonymous referral's letter names no one."""
    pdf = service.referral_letter(session, actor=actor, referral_id=referral_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="referral-{referral_id}.pdf"'})


# --- pages ------------------------------------------------------------------------------

def _board_query(raw: dict[str, str]) -> str:
    return urlencode({k: v for k, v in raw.items() if v})


def _tab_links(raw: dict[str, str]) -> dict[str, str]:
    """The board's address for each status tab, other filters kept ("" is every status)."""
    links = {}
    for status in ["", *(s.value for s in ReferralStatus)]:
        query = _board_query({**raw, "status": status})
        links[status] = "/referrals" + (f"?{query}" if query else "")
    return links


def _render_board(request: Request, session, actor, raw: dict[str, str], offset: int, *,
                  errors: dict[str, str] | None = None, status_code: int = 200):
    errors = dict(errors or {})
    try:
        filters = ReferralFilters.model_validate(raw)
    except ValidationError as exc:
        errors.update({"from" if k == "date_from" else "to" if k == "date_to" else k: v
                       for k, v in form_errors(exc).items()})
        filters = ReferralFilters()
        status_code = 422
    page = PageParams(limit=BOARD_PAGE_SIZE, offset=offset)
    rows, total = service.list_referrals(session, actor=actor, filters=filters, page=page)
    counts = service.status_counts(session, actor=actor, filters=filters)
    query = _board_query(raw)
    return render(request, "referrals/board.html", {
        "referrals": rows, "total": total, "counts": counts, "form": raw, "errors": errors,
        "error_list": [{"field": k, "message": v} for k, v in errors.items()],
        "services": list(ReferralService), "statuses": list(ReferralStatus),
        "service_labels": SERVICE_LABELS, "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS, "next_statuses": next_statuses,
        "offset": offset, "limit": BOARD_PAGE_SIZE, "query": query,
        "back": "/referrals" + (f"?{query}" if query else ""), "tab_links": _tab_links(raw),
        "max_status_note": MAX_STATUS_NOTE,
    }, status_code=status_code)


@pages.get("/referrals", dependencies=[READ_REFERRALS])
def referral_board(request: Request, session: SessionDep, actor: ActorDep,
                   status: Annotated[str, Query(max_length=16)] = "",
                   service_: Annotated[str, Query(alias="service", max_length=16)] = "",
                   recipient: Annotated[str, Query(max_length=MAX_RECIPIENT)] = "",
                   from_: Annotated[str, Query(alias="from", max_length=10)] = "",
                   to: Annotated[str, Query(max_length=10)] = "",
                   case_id: Annotated[str, Query(max_length=12)] = "",
                   offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    raw = {"status": status, "service": service_, "recipient": recipient, "from": from_,
           "to": to, "case_id": case_id}
    return _render_board(request, session, actor, raw, offset)


def _safe_back(back: str) -> str:
    # only ever back to the board itself: never an address from elsewhere
    if back.startswith("/referrals") and not back.startswith("//") and "\\" not in back:
        return back
    return "/referrals"


@pages.post("/referrals/{referral_id}/status",
            dependencies=[require(Permission.REFERRAL_UPDATE_STATUS)])
def change_status(request: Request, session: SessionDep, actor: ActorDep, referral_id: int,
                  status: Annotated[str, Form(max_length=16)] = "",
                  note: Annotated[str, Form(max_length=MAX_STATUS_NOTE)] = "",
                  back: Annotated[str, Form(max_length=600)] = "/referrals"):
    back = _safe_back(back)
    try:
        service.update_status(session, actor=actor, referral_id=referral_id,
                              update_in=ReferralStatusUpdate(status=status, note=note))
    except ValidationError as exc:
        return _render_board(request, session, actor, {}, 0, errors=form_errors(exc),
                             status_code=422)
    except Conflict as exc:
        session.rollback()
        return _render_board(request, session, actor, {}, 0,
                             errors={"status": str(exc.detail).removeprefix("status: ")},
                             status_code=409)
    return redirect(back)


def _render_new(request: Request, session, actor, case_id: int, *, form=None, errors=None,
                status_code: int = 200):
    case = service.case_to_refer(session, actor=actor, case_id=case_id)
    errors = errors or {}
    return render(request, "referrals/new.html", {
        "case": case, "form": form or {}, "errors": errors,
        "error_list": [{"field": k, "message": v} for k, v in errors.items()],
        "service_choices": [(s.value, SERVICE_LABELS[s]) for s in ReferralService],
        "max_notes": MAX_NOTES, "max_recipient": MAX_RECIPIENT,
    }, status_code=status_code)


@pages.get("/cases/{case_id}/referrals/new", dependencies=[require(Permission.REFERRAL_CREATE)])
def new_referral_page(request: Request, session: SessionDep, actor: ActorDep, case_id: int):
    return _render_new(request, session, actor, case_id)


@pages.post("/cases/{case_id}/referrals", dependencies=[require(Permission.REFERRAL_CREATE)])
def create_referral_from_form(
    request: Request, session: SessionDep, actor: ActorDep, case_id: int,
    service_: Annotated[str, Form(alias="service", max_length=32)] = "",
    recipient: Annotated[str, Form(max_length=MAX_RECIPIENT)] = "",
    consent_to_share: Annotated[str, Form(max_length=8)] = "",
    notes: Annotated[str, Form(max_length=MAX_NOTES)] = "",
):
    form = {"service": service_, "recipient": recipient, "notes": notes,
            "consent_to_share": consent_to_share == "yes"}
    try:
        referral_in = ReferralCreate(**form)
        service.create_referral(session, actor=actor, case_id=case_id,
                                referral_in=referral_in)
    except ValidationError as exc:
        errors = form_errors(exc)
        if "service" in errors:
            errors["service"] = "Choose the service the person is referred to"
        return _render_new(request, session, actor, case_id, form=form, errors=errors,
                           status_code=422)
    except InvalidInput as exc:
        session.rollback()
        return _render_new(request, session, actor, case_id, form=form,
                           errors=app_error_fields(exc), status_code=422)
    return redirect(f"/cases/{case_id}#referrals")
