from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request

from app.auth.permissions import Permission
from app.deps import ActorDep, SessionDep, require
from app.forms import error_list, form_page, parse_form
from app.i18n import N_, Labels, _
from app.labels import ACTION_LABELS, SERVICE_LABELS, STATUS_LABELS
from app.pagination import OffsetQuery, Page, PageDep, PageParams
from app.referrals import service
from app.referrals.deps import CurrentReferral
from app.referrals.schemas import (
    MAX_NOTES,
    MAX_RECIPIENT,
    MAX_STATUS_NOTE,
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
def read_referral(session: SessionDep, actor: ActorDep,
                  referral: CurrentReferral) -> ReferralRead:
    return service.read_referral(session, actor=actor, referral=referral)


@api.patch("/referrals/{referral_id}", response_model=ReferralRead,
           dependencies=[require(Permission.REFERRAL_UPDATE_STATUS)])
def update_referral(session: SessionDep, actor: ActorDep, referral_id: int,
                    update_in: ReferralStatusUpdate) -> ReferralRead:
    """Move the status on: pending → accepted or declined, accepted → completed (409
    otherwise). Every change is kept with who made it and when."""
    return service.update_status(session, actor=actor, referral_id=referral_id,
                                 update_in=update_in)


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


FILTER_LABELS = Labels(
    {
        "status": N_("Status"),
        "service": N_("Service"),
        "recipient": N_("Recipient"),
        "from": N_("Referred from"),
        "to": N_("Referred until"),
        "case_id": N_("Case"),
    }
)
FORM_LABELS = Labels({"service": N_("Service"), "recipient": N_("Recipient"), "notes": N_("Notes"),
               "consent_to_share": N_("Consent"), "status": N_("Status"), "note": N_("Note")})
BOARD_FIELDS = ("status", "service", "recipient", "from", "to", "case_id")


def _render_board(request: Request, session, *, filters: ReferralFilters | None = None,
                  raw: dict[str, str] | None = None, offset: int = 0,
                  errors: dict[str, str] | None = None, moved: ReferralRead | None = None):
    """The board; with errors, the filters as typed (`raw`) and no filter applied."""
    actor = request.state.actor
    errors = errors or {}
    raw = {k: (raw or {}).get(k, "") for k in BOARD_FIELDS}
    if filters is None or errors:
        filters = ReferralFilters()
    page = PageParams(limit=BOARD_PAGE_SIZE, offset=offset)
    rows, total = service.list_referrals(session, actor=actor, filters=filters, page=page)
    counts = service.status_counts(session, actor=actor, filters=filters)
    query = _board_query(raw)
    return render(request, "referrals/board.html", {
        "referrals": rows, "total": total, "counts": counts, "form": raw, "errors": errors,
        "error_list": error_list(errors, {**FILTER_LABELS, **FORM_LABELS}),
        "statuses": list(ReferralStatus),
        "status_choices": [(s.value, STATUS_LABELS[s]) for s in ReferralStatus],
        "service_choices": [(s.value, SERVICE_LABELS[s]) for s in ReferralService],
        "service_labels": SERVICE_LABELS, "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS, "next_statuses": next_statuses,
        "offset": offset, "limit": BOARD_PAGE_SIZE, "query": query,
        "back": "/referrals" + (f"?{query}" if query else ""), "tab_links": _tab_links(raw),
        "max_status_note": MAX_STATUS_NOTE, "moved": moved,
    })


def _board_again(request: Request, session, form: dict, errors: dict[str, str]):
    # a GET shows its own filters again; a move made from the board shows the whole board
    raw = form if request.method == "GET" else {}
    return _render_board(request, session, raw=raw, errors=errors)


@pages.get("/referrals", dependencies=[READ_REFERRALS, form_page(_board_again)])
def referral_board(request: Request, session: SessionDep, filters: ReferralFiltersDep,
                   offset: OffsetQuery = 0):
    return _render_board(request, session, filters=filters, raw=dict(request.query_params),
                         offset=offset, moved=_moved(request, session))


def _moved(request: Request, session) -> ReferralRead | None:
    """The referral just moved from the board (`moved` in the address the move redirects to),
    for the confirmation that names it; nothing for one the reader may not see."""
    moved = request.query_params.get("moved", "")
    if not moved.isdigit():
        return None
    return service.visible_referral(session, actor=request.state.actor, referral_id=int(moved))


def _safe_back(back: str) -> str:
    # only ever back to the board itself: never an address from elsewhere
    if back.startswith("/referrals") and not back.startswith("//") and "\\" not in back:
        return back
    return "/referrals"


@pages.post("/referrals/{referral_id}/status",
            dependencies=[require(Permission.REFERRAL_UPDATE_STATUS), form_page(_board_again)])
def change_status(session: SessionDep, actor: ActorDep, referral_id: int,
                  status: Annotated[str, Form(max_length=16)] = "",
                  note: Annotated[str, Form(max_length=MAX_STATUS_NOTE)] = "",
                  back: Annotated[str, Form(max_length=600)] = "/referrals"):
    update_in = parse_form(ReferralStatusUpdate, {"status": status, "note": note})
    service.update_status(session, actor=actor, referral_id=referral_id, update_in=update_in)
    back = _safe_back(back)
    # the board says which referral moved, and where to (post, redirect, get)
    return redirect(f"{back}{'&' if '?' in back else '?'}moved={referral_id}")


def _render_new(request: Request, session, case_id: int, *, form=None, errors=None):
    case = service.case_to_refer(session, actor=request.state.actor, case_id=case_id)
    errors = errors or {}
    return render(request, "referrals/new.html", {
        "case": case, "form": form or {}, "errors": errors,
        "error_list": error_list(errors, FORM_LABELS),
        "service_choices": [(s.value, SERVICE_LABELS[s]) for s in ReferralService],
        "max_notes": MAX_NOTES, "max_recipient": MAX_RECIPIENT,
    })


def _new_referral_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _render_new(request, session, int(request.path_params["case_id"]), form=form,
                       errors=errors)


@pages.get("/cases/{case_id}/referrals/new", dependencies=[require(Permission.REFERRAL_CREATE)])
def new_referral_page(request: Request, session: SessionDep, case_id: int):
    return _render_new(request, session, case_id)


@pages.post("/cases/{case_id}/referrals", dependencies=[require(Permission.REFERRAL_CREATE),
                                                        form_page(_new_referral_again)])
def create_referral_from_form(
    session: SessionDep, actor: ActorDep, case_id: int,
    service_: Annotated[str, Form(alias="service", max_length=32)] = "",
    recipient: Annotated[str, Form(max_length=MAX_RECIPIENT)] = "",
    consent_to_share: Annotated[str, Form(max_length=8)] = "",
    notes: Annotated[str, Form(max_length=MAX_NOTES)] = "",
):
    referral_in = parse_form(ReferralCreate, {
        "service": service_, "recipient": recipient, "notes": notes,
        "consent_to_share": consent_to_share == "yes"},
        messages={"service": _("Choose the service the person is referred to")})
    service.create_referral(session, actor=actor, case_id=case_id, referral_in=referral_in)
    return redirect(f"/cases/{case_id}#referrals")
