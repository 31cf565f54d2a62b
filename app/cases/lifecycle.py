"""A case's status and its history: `open` (no determination yet), `determined`, `closed`.

This module is the one place that changes Case.status. Each change adds a CaseStatusChange
(who, when, why) in the same transaction, and is made conditional on the status just read, so
that two people closing the same case at once cannot both win.

The status of a case that is not closed follows from its latest determination: `determined`
once someone has decided trafficking_victim or willing_worker, `open` before that or while the
latest determination is `undetermined`. A closed case takes nothing new (interview,
determination, referral, follow-up) until it is reopened.
"""

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.service import display_names
from app.cases import next_step
from app.cases.latest import latest_row
from app.cases.models import Case, CaseStatusChange, Determination
from app.cases.schemas import (
    CaseClose,
    CaseReopen,
    CaseStatus,
    ClosureReason,
    Outcome,
    StatusChangeRead,
)
from app.clock import utcnow
from app.errors import Conflict, field_error
from app.i18n import N_, _
from app.labels import CLOSURE_REASON_LABELS


class Event:
    """Why a status changed, as the history names it."""

    OPENED = "opened"
    DETERMINATION = "determination"
    CLOSED = "closed"
    REOPENED = "reopened"


CLOSED_MESSAGE = N_("The case is closed: reopen it before recording anything new")


def is_active(status: str) -> bool:
    """Whether a case in `status` is still being worked on (not closed)."""
    return status != CaseStatus.CLOSED


def active_condition() -> ColumnElement[bool]:
    """SQL: the case is not closed."""
    return Case.status != CaseStatus.CLOSED.value


def status_for_outcome(outcome: str | None) -> CaseStatus:
    """The status of a case that is not closed, given its latest determination's outcome."""
    if outcome is None or outcome == Outcome.UNDETERMINED:
        return CaseStatus.OPEN
    return CaseStatus.DETERMINED


def refuse_if_closed(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_(CLOSED_MESSAGE))


# --- HTCDS (IOM's Human Trafficking Case Data Standard 2.0, cas_Status) ---

def htcds_case_status(status: str, closure_reason: str | None) -> str:
    """The HTCDS case status of a Passage status: a case with no determination yet is
    `Active`; a determined case is in `FollowUp` (support, referrals, the way home); a closed
    case is `Closed`, or `ClosedReferred` when it goes on with another organisation."""
    if status == CaseStatus.CLOSED:
        if closure_reason == ClosureReason.REFERRED_ELSEWHERE:
            return "ClosedReferred"
        return "Closed"
    if status == CaseStatus.DETERMINED:
        return "FollowUp"
    return "Active"


def htcds_closure_reason(closure_reason: str | None) -> str:
    """cas_ReasonForCaseClosure (free text in the standard): the reason in words."""
    if closure_reason is None:
        return ""
    return CLOSURE_REASON_LABELS.get(closure_reason, closure_reason)


# --- changing the status ---

def _change(session: Session, *, case: Case, to: CaseStatus, event: str, actor: Actor,
            reason: str | None = None, note: str = "",
            determination_id: int | None = None) -> CaseStatusChange:
    session.flush()
    current = case.status
    changed = session.connection().execute(
        update(Case).where(and_(Case.id == case.id, Case.status == current))
        .values(status=to.value, closure_reason=reason, updated_at=utcnow()))
    if changed.rowcount != 1:
        raise Conflict(_("The case was changed by someone else meanwhile; reload it and try "
                       "again"))
    session.refresh(case)
    change = CaseStatusChange(case_id=case.id, from_status=current, to_status=to.value,
                              event=event, reason=reason, note=note,
                              determination_id=determination_id,
                              changed_by_id=actor.user_id, changed_at=utcnow())
    session.add(change)
    session.flush()
    next_step.refresh(session, [case.id])
    return change


def record_opened(session: Session, *, case: Case, actor: Actor) -> CaseStatusChange:
    """The first line of a new case's history."""
    change = CaseStatusChange(case_id=case.id, from_status=None, to_status=case.status,
                              event=Event.OPENED, changed_by_id=actor.user_id,
                              changed_at=case.created_at or utcnow())
    session.add(change)
    session.flush()
    return change


def after_determination(session: Session, *, case: Case, outcome: str, determination_id: int,
                        actor: Actor) -> None:
    """The status a new determination gives the case (it must not be closed)."""
    refuse_if_closed(case)
    wanted = status_for_outcome(outcome)
    if case.status != wanted:
        _change(session, case=case, to=wanted, event=Event.DETERMINATION, actor=actor,
                determination_id=determination_id)
    else:  # the case is decided now, whatever its status
        next_step.refresh(session, [case.id])


def close_case(session: Session, *, actor: Actor, case_id: int, close_in: CaseClose) -> Case:
    """Close a case of the actor's organisation, for a reason, with a note."""
    case = access.get_visible(session, actor, Case, case_id, action="case.close")
    if close_in.reason is None:
        raise field_error("reason", _("Choose why the case is closed: ")
                          + ", ".join(r.value for r in ClosureReason))
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("The case is already closed"))
    change = _change(session, case=case, to=CaseStatus.CLOSED, event=Event.CLOSED,
                     actor=actor, reason=close_in.reason.value, note=close_in.note)
    audit.record(session, actor=actor, action="case.close", entity_type="case",
                 entity_id=case.id, detail={"reason": close_in.reason.value,
                                            "from": change.from_status,
                                            "change_id": change.id})
    return case


def reopen_case(session: Session, *, actor: Actor, case_id: int, reopen_in: CaseReopen) -> Case:
    """Reopen a closed case of the actor's organisation; it takes the status its latest
    determination gives it."""
    case = access.get_visible(session, actor, Case, case_id, action="case.reopen")
    if not reopen_in.note:
        raise field_error("note", _("Say why the case is reopened"))
    if case.status != CaseStatus.CLOSED:
        raise Conflict(_("The case is not closed"))
    other = session.exec(select(Case.reference).where(
        Case.person_id == case.person_id, Case.organization_id == case.organization_id,
        Case.id != case.id, active_condition())).first()
    if other is not None:
        raise Conflict(
            _(
                "Your organisation has another open case for this person (%(other)s); work on "
                "that one, or close it first"
            )
            % {"other": other}
        )
    latest = latest_row(session, Determination, case.id)
    change = _change(session, case=case, to=status_for_outcome(latest.outcome if latest else None),
                     event=Event.REOPENED, actor=actor, note=reopen_in.note)
    audit.record(session, actor=actor, action="case.reopen", entity_type="case",
                 entity_id=case.id, detail={"to": change.to_status, "change_id": change.id})
    return case


# --- reading the history ---

def history_of(session: Session, case_id: int) -> list[StatusChangeRead]:
    """Every status change of the case, oldest first (for pages that audit their own read)."""
    rows = list(session.exec(select(CaseStatusChange).where(CaseStatusChange.case_id == case_id)
                             .order_by(CaseStatusChange.id)).all())
    names = display_names(session, {r.changed_by_id for r in rows})
    return [StatusChangeRead(id=r.id, case_id=r.case_id, from_status=r.from_status,
                             to_status=r.to_status, event=r.event, reason=r.reason, note=r.note,
                             determination_id=r.determination_id, changed_by_id=r.changed_by_id,
                             changed_by=names.get(r.changed_by_id), changed_at=r.changed_at)
            for r in rows]


def case_history(session: Session, *, actor: Actor, case: Case) -> list[StatusChangeRead]:
    """The history of a case the actor may open (CurrentCase); the read is audited."""
    rows = history_of(session, case.id)
    audit.record(session, actor=actor, action="case.history", entity_type="case",
                 entity_id=case.id, detail={"returned": len(rows)})
    return rows
