"""Pages that show several domains at once: the home page, the case page (with its crossings,
referrals and detention record) and the forms on it, the non-punishment letters to make."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool

from app.auth import access, confirmation
from app.auth.permissions import Permission, can
from app.cases import determinations, follow_ups, lifecycle
from app.cases.deps import CurrentCase
from app.cases.models import Case
from app.cases.routes import READ_CASE
from app.cases.schemas import (
    MAX_FOLLOW_UP_NOTE,
    MAX_FOLLOW_UP_TITLE,
    MAX_RATIONALE,
    MAX_STATUS_NOTE,
    CaseClose,
    CaseReopen,
    DeterminationCreate,
    FollowUpState,
    Outcome,
)
from app.clock import local_today
from app.deps import ActorDep, OptionalUser, SessionDep, require
from app.detention import service as detention_service
from app.detention.schemas import MAX_NOTE as MAX_DETENTION_NOTE
from app.detention.schemas import DetentionCreate
from app.forms import error_list, form_page, parse_form
from app.i18n import N_, Labels, _
from app.labels import (
    CASE_STATUS_LABELS,
    CLOSURE_REASON_LABELS,
    CONSENT_LABELS,
    EMERGENCY_DOCUMENT_LABELS,
    FEAR_OF_RETURN_LABELS,
    GROUNDS_LABELS,
    NEXT_STEP_LABELS,
    OUTCOME_LABELS,
    PROTECTION_OUTCOME_LABELS,
    REPATRIATION_STAGE_LABELS,
    SUGGESTION_LABELS,
    TRAVEL_DOCUMENT_LABELS,
)
from app.pages.case_page import case_page, describe_screening
from app.pages.case_queue import home_queue
from app.pagination import PageParams
from app.repatriation import service as repatriation_service
from app.repatriation.schemas import STEPS, RepatriationCreate, RepatriationUpdate
from app.screening.catalogue import DIMENSIONS, indicators_of
from app.web import redirect, render

pages = APIRouter(include_in_schema=False)
HOME_QUEUE = PageParams(limit=5, offset=0)


@pages.get("/")
def home(request: Request, session: SessionDep, user: OptionalUser):
    if user is None:
        return redirect("/login")
    actor = request.state.actor
    awaiting = None
    if can(user, Permission.NON_PUNISHMENT_LETTER):
        awaiting = detention_service.awaiting_letter_count(session, actor=actor)
    queue = queue_counts = None
    if can(user, Permission.FOLLOW_UP_WRITE):
        # the caseworker's own work queue, overdue first
        queue, _total = follow_ups.list_follow_ups(
            session, actor=actor, page=HOME_QUEUE, assigned_to_id=actor.user_id,
            states=(FollowUpState.OVERDUE, FollowUpState.DUE))
        queue_counts = follow_ups.queue_counts(session, actor=actor)
    to_confirm = None
    if can(user, Permission.USER_CONFIRM):
        to_confirm = confirmation.awaiting_count(session, actor=actor)
    cases = cases_total = None
    if can(user, Permission.CASE_WRITE):
        cases, cases_total = home_queue(session, actor=actor)
    return render(request, "home/index.html", {
        "awaiting_letters": awaiting, "queue": queue, "queue_counts": queue_counts,
        "to_confirm": to_confirm, "cases": cases, "cases_total": cases_total,
        "next_step_labels": NEXT_STEP_LABELS})


@pages.get("/non-punishment", dependencies=[require(Permission.NON_PUNISHMENT_LETTER)])
def awaiting_letters_page(request: Request, session: SessionDep, actor: ActorDep):
    return render(request, "detention/awaiting.html", {
        "count": detention_service.awaiting_letter_count(session, actor=actor),
        "rows": detention_service.awaiting_letters(session, actor=actor),
        "grounds_labels": GROUNDS_LABELS})


DETERMINATION_LABELS = Labels({"outcome": N_("Determination"), "rationale": N_("Rationale")})


def render_case(request: Request, session, case: Case, *, form=None, errors=None,
                detention_form=None, status_form=None, follow_up_form=None, rep_form=None,
                labels=DETERMINATION_LABELS, error_prefix: str = "f-"):
    page = case_page(session, actor=request.state.actor, case=case)
    errors = errors or {}
    return render(request, "cases/detail.html", {
        "page": page, "case": page.case, "person": page.person,
        "table": describe_screening(page.latest) if page.latest else [],
        "sections": [(d, indicators_of(d.code)) for d in DIMENSIONS],
        "suggestion_labels": SUGGESTION_LABELS, "outcome_labels": OUTCOME_LABELS,
        "outcomes": list(Outcome),
        "form": form or {}, "errors": errors,
        "error_list": error_list(errors, labels, id_prefix=error_prefix),
        "max_rationale": MAX_RATIONALE,
        "detention_form": detention_form, "grounds_labels": GROUNDS_LABELS,
        "max_detention_note": MAX_DETENTION_NOTE,
        "follow_up_form": follow_up_form, "max_follow_up_title": MAX_FOLLOW_UP_TITLE,
        "max_follow_up_note": MAX_FOLLOW_UP_NOTE, "today": local_today(),
        "status_form": status_form, "status_labels": CASE_STATUS_LABELS,
        "closure_reasons": list(CLOSURE_REASON_LABELS.items()),
        "closure_labels": CLOSURE_REASON_LABELS, "max_status_note": MAX_STATUS_NOTE,
        "rep_form": rep_form, "rep_labels": REPATRIATION_WORDS,
    })


def _case_of_path(request: Request, session) -> Case:
    # the case page shown again after a refused form is read as the page is
    return access.get_visible(session, request.state.actor, Case,
                              int(request.path_params["case_id"]), action="case.read")


def _determination_again(request: Request, session, form: dict, errors: dict[str, str]):
    return render_case(request, session, _case_of_path(request, session), form=form,
                        errors=errors)


@pages.get("/cases/{case_id}", dependencies=[READ_CASE])
def case_detail_page(request: Request, session: SessionDep, case: CurrentCase):
    return render_case(request, session, case)


@pages.post("/cases/{case_id}/determination",
            dependencies=[require(Permission.DETERMINATION_WRITE),
                          form_page(_determination_again)])
def determine(session: SessionDep, actor: ActorDep, case_id: int,
              outcome: Annotated[str, Form(max_length=32)] = "",
              rationale: Annotated[str, Form(max_length=MAX_RATIONALE)] = "",
              screening_id: Annotated[str, Form(max_length=20)] = ""):
    determination_in = parse_form(DeterminationCreate, {
        "outcome": outcome, "rationale": rationale,
        "screening_id": int(screening_id) if screening_id.isdigit() else None},
        messages={"outcome": _("Choose the determination")})
    determinations.record_determination(session, actor=actor, case_id=case_id,
                                        determination_in=determination_in)
    return redirect(f"/cases/{case_id}#determination")


STATUS_LABELS = Labels({"reason": N_("Reason"), "note": N_("Note")})


def _status_again(request: Request, session, form: dict, errors: dict[str, str]):
    return render_case(request, session, _case_of_path(request, session), errors=errors,
                       status_form=form, labels=STATUS_LABELS, error_prefix="s-")


@pages.post("/cases/{case_id}/close",
            dependencies=[require(Permission.CASE_WRITE), form_page(_status_again)])
def close_case(session: SessionDep, actor: ActorDep, case_id: int,
               reason: Annotated[str, Form(max_length=40)] = "",
               note: Annotated[str, Form(max_length=10_000)] = ""):
    close_in = parse_form(
        CaseClose,
        {"reason": reason or None, "note": note},
        messages={
            "reason": _("Choose one of the listed reasons"),
            "note": _("At most %(limit)s characters")
            % {"limit": MAX_STATUS_NOTE},
        },
    )
    lifecycle.close_case(session, actor=actor, case_id=case_id, close_in=close_in)
    return redirect(f"/cases/{case_id}#status")


@pages.post("/cases/{case_id}/reopen",
            dependencies=[require(Permission.CASE_WRITE), form_page(_status_again)])
def reopen_case(session: SessionDep, actor: ActorDep, case_id: int,
                note: Annotated[str, Form(max_length=10_000)] = ""):
    reopen_in = parse_form(
        CaseReopen,
        {"note": note},
        messages={
            "note": _("At most %(limit)s characters")
            % {"limit": MAX_STATUS_NOTE}
        },
    )
    lifecycle.reopen_case(session, actor=actor, case_id=case_id, reopen_in=reopen_in)
    return redirect(f"/cases/{case_id}#status")


DETENTION_LABELS = Labels({"authority": N_("Authority"), "place": N_("Place"), "since": N_("Since"),
                    "grounds": N_("For"), "note": N_("Note")})
DETENTION_CHECKBOXES = ("detained", "charged", "consent_to_share")
# what the detention form says for each field the schema refuses, in words
DETENTION_MESSAGES = Labels({
    "since": N_("Write the date as year-month-day, for example 2025-10-23"),
    "grounds": N_("Choose one of the listed grounds, or \"Not known\""),
    "authority": N_("At most 200 characters"),
    "place": N_("At most 200 characters"),
})


def _detention_again(request: Request, session, form: dict, errors: dict[str, str]):
    # an unticked box is not sent at all: shown again unticked, not as stored
    form = {**form, **{name: form.get(name) == "yes" for name in DETENTION_CHECKBOXES}}
    return render_case(request, session, _case_of_path(request, session), errors=errors,
                        detention_form=form, labels=DETENTION_LABELS)


@pages.post("/cases/{case_id}/detention",
            dependencies=[require(Permission.DETENTION_WRITE), form_page(_detention_again)])
def record_detention(session: SessionDep, actor: ActorDep, case_id: int,
                     detained: Annotated[str, Form(max_length=8)] = "",
                     charged: Annotated[str, Form(max_length=8)] = "",
                     authority: Annotated[str, Form(max_length=1000)] = "",
                     place: Annotated[str, Form(max_length=1000)] = "",
                     since: Annotated[str, Form(max_length=40)] = "",
                     grounds: Annotated[str, Form(max_length=40)] = "",
                     note: Annotated[str, Form(max_length=10_000)] = "",
                     consent_to_share: Annotated[str, Form(max_length=8)] = ""):
    """The case page's detention form: recorded the first time, changed after."""
    detention_in = parse_form(DetentionCreate, {
        "detained": detained == "yes", "charged": charged == "yes", "authority": authority,
        "place": place, "since": since or None, "grounds": grounds or None, "note": note,
        "consent_to_share": consent_to_share == "yes"}, messages={
            **DETENTION_MESSAGES,
            "note": _("At most %(limit)s characters") % {"limit": MAX_DETENTION_NOTE}})
    detention_service.save_detention(session, actor=actor, case_id=case_id,
                                     detention_in=detention_in)
    return redirect(f"/cases/{case_id}#detention")


# --- the repatriation of a case (app.repatriation), on its page -----------------------------

class _RepatriationWords:
    """The words of the case page's repatriation section."""

    steps = [s.value for s in STEPS]
    stage = REPATRIATION_STAGE_LABELS
    consent = CONSENT_LABELS
    fear = FEAR_OF_RETURN_LABELS
    protection = PROTECTION_OUTCOME_LABELS
    document = TRAVEL_DOCUMENT_LABELS
    emergency = EMERGENCY_DOCUMENT_LABELS

    def back_choices(self, stage: str) -> list[tuple[str, str]]:
        earlier = self.steps[:self.steps.index(stage)] if stage in self.steps else []
        return [*((s, _("Back to: %(stage)s") % {"stage": self.stage[s]})
                  for s in reversed(earlier)),
                ("cancelled", _("Cancel the repatriation"))]


REPATRIATION_WORDS = _RepatriationWords()
REPATRIATION_FIELDS = ("consent_to_return", "consent_to_return_on",
                       "consent_to_share_with_embassy", "consent_to_share_on", "fear_of_return",
                       "fear_of_return_note", "travel_document_status", "emergency_document",
                       "emergency_document_number", "emergency_document_issued_on",
                       "name_latin", "place_of_origin")
REPATRIATION_LABELS = Labels({
    "consent_to_return": N_("Consent to return"), "consent_to_return_on": N_("Given on"),
    "consent_to_share_with_embassy": N_("Consent to share with the embassy"),
    "consent_to_share_on": N_("Given on"), "fear_of_return": N_("Fear of return"),
    "fear_of_return_note": N_("What they fear"), "protection_outcome": N_("Protection assessment"),
    "protection_rationale": N_("Rationale of the assessment"),
    "travel_document_status": N_("Travel document"), "emergency_document": N_("Emergency document"),
    "emergency_document_number": N_("Its number"), "emergency_document_issued_on": N_("Issued on"),
    "name_latin": N_("Name in Latin letters"), "place_of_origin": N_("Place of origin"),
    "stage": N_("Go to"), "note": N_("Why"), "form": N_("Repatriation")})
REPATRIATION_MESSAGES = Labels({
    "consent_to_return_on": N_("Write the date as year-month-day, for example 2025-10-28"),
    "consent_to_share_on": N_("Write the date as year-month-day, for example 2025-10-28"),
    "emergency_document_issued_on": N_("Write the date as year-month-day, for example 2025-11-01"),
    "protection_rationale": N_("Say why: what was asked and what was found"),
})


def _repatriation_again(request: Request, session, form: dict, errors: dict[str, str]):
    return render_case(request, session, _case_of_path(request, session), errors=errors,
                       rep_form=form, labels=REPATRIATION_LABELS, error_prefix="r-")


@pages.post("/cases/{case_id}/repatriation",
            dependencies=[require(Permission.REPATRIATION_WRITE),
                          form_page(_repatriation_again)])
def start_repatriation(session: SessionDep, actor: ActorDep, case_id: int):
    repatriation_service.create_repatriation(session, actor=actor, case_id=case_id,
                                             rep_in=RepatriationCreate())
    return redirect(f"/cases/{case_id}#repatriation")


@pages.post("/cases/{case_id}/repatriation/details",
            dependencies=[require(Permission.REPATRIATION_WRITE),
                          form_page(_repatriation_again)])
async def change_repatriation(request: Request, session: SessionDep, actor: ActorDep,
                              case_id: int):
    form = await request.form()
    values = {name: str(form.get(name, ""))[:5000] for name in REPATRIATION_FIELDS}
    body = {name: (value or None) if name.endswith("_on") or name == "travel_document_status"
            else value for name, value in values.items()}
    outcome = str(form.get("protection_outcome", ""))[:40]
    if outcome:
        body["protection_assessment"] = {
            "outcome": outcome, "rationale": str(form.get("protection_rationale", ""))[:6000]}
    if body.get("travel_document_status") is None:
        body.pop("travel_document_status")
    note = str(form.get("note", ""))[:5000]
    if note:
        body["note"] = note
    update_in = parse_form(RepatriationUpdate, body, messages=REPATRIATION_MESSAGES,
                           rename={"outcome": "protection_outcome",
                                   "rationale": "protection_rationale"})
    await run_in_threadpool(repatriation_service.update_repatriation, session, actor=actor,
                            case_id=case_id, update_in=update_in)
    return redirect(f"/cases/{case_id}#repatriation")


@pages.post("/cases/{case_id}/repatriation/stage",
            dependencies=[require(Permission.REPATRIATION_WRITE),
                          form_page(_repatriation_again)])
def move_repatriation(session: SessionDep, actor: ActorDep, case_id: int,
                      stage: Annotated[str, Form(max_length=40)] = "",
                      note: Annotated[str, Form(max_length=10_000)] = ""):
    update_in = parse_form(RepatriationUpdate, {"stage": stage or None, "note": note},
                           messages={"stage": _("Choose a stage"), "note": _("At most 2,000 "
                                                                        "characters")})
    repatriation_service.update_repatriation(session, actor=actor, case_id=case_id,
                                             update_in=update_in)
    return redirect(f"/cases/{case_id}#repatriation")
