"""Follow-ups: dated tasks on a case, and each caseworker's work queue.

`add_follow_up` is the one way a follow-up is made: by a caseworker (the API and the case
page), by Passage when a determination is recorded (PROPOSALS: the caseworker may change or
drop them), and by other features that give a case work to do (re-screening, say). A
follow-up is never deleted: it is done, or dropped when no longer needed.

The work queue holds the follow-ups not done and not dropped of cases that are not closed,
overdue first: closing a case takes its follow-ups out of the queue, reopening it brings them
back.
"""

from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, func, or_
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import User
from app.auth.permissions import Permission, can
from app.auth.service import display_names
from app.cases import next_step
from app.cases.lifecycle import active_condition, refuse_if_closed
from app.cases.models import Case, FollowUp
from app.cases.schemas import FollowUpCreate, FollowUpRead, FollowUpState, FollowUpUpdate, Outcome
from app.clock import local_date, local_today, utcnow
from app.errors import field_error
from app.i18n import _
from app.pagination import PageParams, paginate
from app.web import format_date

# (title, days after the determination) Passage proposes for each outcome
PROPOSALS: dict[str, tuple[tuple[str, int], ...]] = {
    Outcome.TRAFFICKING_VICTIM: (("Check that the referrals were taken up", 7),
                                 ("Review the support plan", 14)),
    Outcome.WILLING_WORKER: (("Check how the way home is going", 14),),
    Outcome.UNDETERMINED: (("Complete the assessment and decide", 7),),
}


def state_of(follow_up: FollowUp, today: date) -> FollowUpState:
    if follow_up.dropped_at is not None:
        return FollowUpState.DROPPED
    if follow_up.done:
        return FollowUpState.DONE
    if follow_up.due_on < today:
        return FollowUpState.OVERDUE
    return FollowUpState.DUE


WAITING = (FollowUpState.OVERDUE, FollowUpState.DUE)


def _waiting() -> ColumnElement[bool]:
    """SQL: the follow-ups neither done nor dropped of cases that are not closed (the work
    queue). The case is looked up by the follow-up's own (correlated): the database reads the
    cases of the follow-ups at hand, where `case_id IN (the cases not closed)` read every
    case (a quarter of a million at national scale, for a caseworker's few hundred)."""
    return and_(FollowUp.done.is_(False), FollowUp.dropped_at.is_(None),
                exists().where(Case.id == FollowUp.case_id, active_condition()))


def _due(state: FollowUpState, today: date) -> ColumnElement[bool]:
    return FollowUp.due_on < today if state is FollowUpState.OVERDUE else FollowUp.due_on >= today


def state_condition(state: FollowUpState, today: date) -> ColumnElement[bool]:
    """SQL: the follow-ups in `state` today. Due and overdue count only those of cases that
    are not closed (the work queue)."""
    if state is FollowUpState.DROPPED:
        return FollowUp.dropped_at.isnot(None)
    if state is FollowUpState.DONE:
        return and_(FollowUp.done.is_(True), FollowUp.dropped_at.is_(None))
    return and_(_waiting(), _due(state, today))


def states_condition(states: tuple[FollowUpState, ...], today: date) -> ColumnElement[bool]:
    """SQL: the follow-ups in any of `states` today; the waiting ones' condition once, outside
    the OR (the database joins the cases only for a condition that every row must meet)."""
    waiting = [s for s in states if s in WAITING]
    parts = [state_condition(s, today) for s in states if s not in WAITING]
    if len(waiting) == len(WAITING):
        parts.append(_waiting())
    elif waiting:
        parts.append(and_(_waiting(), _due(waiting[0], today)))
    return or_(*parts)


# --- making and changing ---

def _check_due_on(case: Case, due_on: date) -> None:
    opened = local_date(case.created_at)
    if due_on < opened:
        raise field_error(
            "due_on",
            _("The follow-up cannot be due before the case was opened (%(format_date)s)")
            % {"format_date": format_date(opened)},
        )


def _check_assignee(session: Session, case: Case, user_id: int) -> None:
    user = session.get(User, user_id)
    if (user is None or user.organization_id != case.organization_id or not user.is_active
            or not can(user, Permission.FOLLOW_UP_WRITE)):
        raise field_error("assigned_to_id",
                          _("Must be an active caseworker of the case's organisation"))


def add_follow_up(session: Session, *, case: Case, title: str, due_on: date, actor: Actor,
                  assigned_to_id: int | None = None, note: str = "",
                  proposed: bool = False) -> FollowUp:
    """Add a follow-up to `case`, a case the caller has loaded through the access layer
    (get_visible, CurrentCase) for an actor who may write it. Assigned to `assigned_to_id`
    (a caseworker of the case's organisation), else to the case's caseworker, else to the
    actor. Refused when the case is closed (409) or the day is before the case was opened
    (422, due_on). Audited."""
    refuse_if_closed(case)
    title = title.strip()
    if not title:
        raise field_error("title", _("Say what is to be done"))
    _check_due_on(case, due_on)
    if assigned_to_id is not None:
        _check_assignee(session, case, assigned_to_id)
    follow_up = FollowUp(case_id=case.id, title=title, due_on=due_on,
                         assigned_to_id=assigned_to_id or case.assigned_to_id or actor.user_id,
                         note=note, proposed=proposed, created_by_id=actor.user_id)
    session.add(follow_up)
    session.flush()
    next_step.refresh(session, [case.id])
    audit.record(session, actor=actor, action="follow_up.create", entity_type="case",
                 entity_id=case.id, detail={"follow_up_id": follow_up.id,
                                            "due_on": due_on.isoformat(),
                                            "proposed": proposed})
    return follow_up


def create_follow_up(session: Session, *, actor: Actor, case_id: int,
                     follow_up_in: FollowUpCreate) -> FollowUpRead:
    case = access.get_visible(session, actor, Case, case_id, action="follow_up.create")
    follow_up = add_follow_up(session, case=case, title=follow_up_in.title,
                              due_on=follow_up_in.due_on, actor=actor,
                              assigned_to_id=follow_up_in.assigned_to_id,
                              note=follow_up_in.note)
    return _reads(session, [follow_up])[0]


def propose_after_determination(session: Session, *, case: Case, outcome: str,
                                actor: Actor) -> list[FollowUp]:
    """The usual follow-ups of a new determination, unless the case already has the same
    one waiting; the caseworker may change or drop them."""
    waiting = set(session.exec(select(FollowUp.title).where(
        FollowUp.case_id == case.id, FollowUp.done.is_(False),
        FollowUp.dropped_at.is_(None))).all())
    today = local_today()
    return [add_follow_up(session, case=case, title=title, actor=actor, proposed=True,
                          due_on=today + timedelta(days=days))
            for title, days in PROPOSALS.get(outcome, ()) if title not in waiting]


def update_follow_up(session: Session, *, actor: Actor, follow_up_id: int,
                     update_in: FollowUpUpdate) -> FollowUpRead:
    """Mark done (or not done again), drop (or take back), or change the title, day,
    assignee or note of a follow-up of one of the actor's organisation's cases."""
    follow_up = access.get_visible(session, actor, FollowUp, follow_up_id,
                                   action="follow_up.update")
    case = session.get(Case, follow_up.case_id)
    changes = update_in.model_dump(exclude_unset=True)
    for name in ("done", "dropped", "title", "due_on"):
        if name in changes and changes[name] is None:
            raise field_error(name, _("Leave the field out to keep it as it is"))
    now = utcnow()
    if "title" in changes:
        follow_up.title = changes["title"]
    if "due_on" in changes:
        _check_due_on(case, changes["due_on"])
        follow_up.due_on = changes["due_on"]
    if changes.get("assigned_to_id") is not None:
        _check_assignee(session, case, changes["assigned_to_id"])
        follow_up.assigned_to_id = changes["assigned_to_id"]
    if changes.get("note") is not None:
        follow_up.note = changes["note"]
    if "done" in changes and changes["done"] != follow_up.done:
        follow_up.done = changes["done"]
        follow_up.done_at = now if follow_up.done else None
        follow_up.done_by_id = actor.user_id if follow_up.done else None
    if "dropped" in changes and changes["dropped"] != (follow_up.dropped_at is not None):
        follow_up.dropped_at = now if changes["dropped"] else None
        follow_up.dropped_by_id = actor.user_id if changes["dropped"] else None
    session.add(follow_up)
    session.flush()
    next_step.refresh(session, [case.id])
    audit.record(session, actor=actor, action="follow_up.update", entity_type="case",
                 entity_id=case.id, detail={"follow_up_id": follow_up.id,
                                            "changed": sorted(changes)})
    return _reads(session, [follow_up])[0]


# --- reading ---

def _reads(session: Session, rows: list[FollowUp]) -> list[FollowUpRead]:
    today = local_today()
    references = dict(session.exec(select(Case.id, Case.reference).where(
        Case.id.in_({f.case_id for f in rows}))).all()) if rows else {}
    names = display_names(session, {f.assigned_to_id for f in rows}
                          | {f.done_by_id for f in rows})
    return [FollowUpRead(
        id=f.id, case_id=f.case_id, case_reference=references.get(f.case_id, ""),
        title=f.title, due_on=f.due_on, state=state_of(f, today),
        assigned_to_id=f.assigned_to_id, assigned_to=names.get(f.assigned_to_id),
        note=f.note, done=f.done, done_at=f.done_at, done_by=names.get(f.done_by_id),
        dropped=f.dropped_at is not None, proposed=f.proposed, created_at=f.created_at)
        for f in rows]


def follow_ups_of(session: Session, case_id: int) -> list[FollowUpRead]:
    """Every follow-up of the case, soonest due first (for the case page, which audits its
    own read)."""
    rows = list(session.exec(select(FollowUp).where(FollowUp.case_id == case_id)
                             .order_by(FollowUp.due_on, FollowUp.id)).all())
    return _reads(session, rows)


def list_follow_ups(session: Session, *, actor: Actor, page: PageParams,
                    assigned_to_id: int | None = None,
                    states: tuple[FollowUpState, ...] = (FollowUpState.OVERDUE,
                                                          FollowUpState.DUE,
                                                          FollowUpState.DONE),
                    case_id: int | None = None) -> tuple[list[FollowUpRead], int]:
    """The follow-ups the actor may see in any of `states`: overdue first, then by the day
    they are due; done ones last, the latest done first."""
    today = local_today()
    statement = select(FollowUp).where(access.visible(actor, FollowUp),
                                       states_condition(states, today))
    if assigned_to_id is not None:
        statement = statement.where(FollowUp.assigned_to_id == assigned_to_id)
    if case_id is not None:
        statement = statement.where(FollowUp.case_id == case_id)
    waiting_first = case((FollowUp.done.is_(True), 1), else_=0)
    statement = statement.order_by(waiting_first, FollowUp.due_on, FollowUp.done_at.desc(),
                                   FollowUp.id)
    rows, total = paginate(session, statement, page)
    audit.record(session, actor=actor, action="follow_up.list", entity_type="case",
                 detail={"returned": len(rows), "total": total,
                         "states": [s.value for s in states]})
    return _reads(session, rows), total


def queue_counts(session: Session, *, actor: Actor) -> dict[str, int]:
    """How many of the actor's own follow-ups are overdue and due (the home page)."""
    today = local_today()
    counts = {}
    for state in (FollowUpState.OVERDUE, FollowUpState.DUE):
        counts[state.value] = session.exec(
            select(func.count()).select_from(FollowUp).where(
                FollowUp.assigned_to_id == actor.user_id, access.visible(actor, FollowUp),
                state_condition(state, today))).one()
    return counts
