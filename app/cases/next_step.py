"""The next step a case waits for, kept on the case so that the work queue filters, sorts and
pages by columns of one table (issue 18: computed per case by correlated subqueries, the
queue filtered by next step took seconds over 300,000 cases).

The next step, in the order a case meets them: an intake interview; a determination; a
follow-up due (today or before); a referral the receiving service has not answered; nothing.
A closed case waits for nothing.

`decide` is the one decision: pure, from the facts of a case to what is stored of it.
`refresh` reads those facts and stores the decision; every write that changes a fact calls it
in its own transaction (insert_case, interviews, re-screening, determinations, status
changes, follow-ups, referrals — so the repatriation's follow-ups too). Follow-ups fall due
with the calendar, not with a write: what is stored is the step the case waits for apart
from its follow-ups (`next_step`, never follow_up) and, while only follow-ups can come before
that step (a referral, or nothing), the day its earliest open follow-up falls due
(`follow_up_due_on`); from that day the case waits for the follow-up (`current`, and
`current_condition` in SQL). `waiting_on` is the local day the wait for the stored step
began, which the queue shows and sorts by.

The same refresh keeps the case's current suggestion and latest determination's outcome
(`latest_suggestion`, `latest_outcome`, as app.cases.latest defines them): the writes that
change them are among those that call it, and the outcome counts and statistics then count
cases by two columns of the case rather than by two correlated subqueries per case.

Referrals live above cases: app.referrals.queue says, with `register_referrals`, when a
case's pending referrals began to wait.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, func, or_, update
from sqlalchemy.orm import attributes
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from app.cases.latest import latest_value
from app.cases.models import Case, Determination, FollowUp, Interview, Screening
from app.cases.schemas import CaseStatus
from app.clock import local_date


class NextStep(StrEnum):
    INTERVIEW = "interview"
    DECIDE = "decide"
    FOLLOW_UP = "follow_up"
    REFERRAL = "referral"
    NONE = "none"
    CLOSED = "closed"


# the stored steps a follow-up falling due comes before
AFTER_FOLLOW_UPS = (NextStep.REFERRAL, NextStep.NONE)


@dataclass(frozen=True)
class Facts:
    """What a case's next step follows from."""

    closed: bool
    opened_at: datetime
    interviewed: bool
    decided: bool
    screened_at: datetime | None  # the case's newest suggestion
    referred_at: datetime | None  # its earliest pending referral's last change; None: none
    follow_up_due_on: date | None  # its earliest follow-up neither done nor dropped


@dataclass(frozen=True)
class Stored:
    """What is kept on the case (the columns of the same names)."""

    next_step: NextStep
    waiting_on: date | None
    follow_up_due_on: date | None


def decide(facts: Facts) -> Stored:
    """The next step of a case with these facts, as stored (pure: no session, no clock)."""
    if facts.closed:
        return Stored(NextStep.CLOSED, None, None)
    if not facts.interviewed:
        return Stored(NextStep.INTERVIEW, local_date(facts.opened_at), None)
    if not facts.decided:
        return Stored(NextStep.DECIDE,
                      local_date(facts.screened_at) if facts.screened_at else None, None)
    if facts.referred_at is not None:
        return Stored(NextStep.REFERRAL, local_date(facts.referred_at), facts.follow_up_due_on)
    return Stored(NextStep.NONE, None, facts.follow_up_due_on)


def new_case(opened_at: datetime) -> Stored:
    """A case just opened: nothing recorded yet."""
    return decide(Facts(closed=False, opened_at=opened_at, interviewed=False, decided=False,
                        screened_at=None, referred_at=None, follow_up_due_on=None))


def current(next_step: str, follow_up_due_on: date | None, today: date) -> NextStep:
    """The step a case waits for `today`, from what is stored of it."""
    if follow_up_due_on is not None and follow_up_due_on <= today:
        return NextStep.FOLLOW_UP
    return NextStep(next_step)


def waiting_since(step: NextStep, waiting_on: date | None,
                  follow_up_due_on: date | None) -> date | None:
    """The local day the case began to wait for `step` (its current one)."""
    return follow_up_due_on if step is NextStep.FOLLOW_UP else waiting_on


# --- the same in SQL, over the stored columns (the queue's filters and sorts) ---

def _due(today: date) -> ColumnElement[bool]:
    return Case.follow_up_due_on <= today


def current_condition(step: NextStep, today: date) -> ColumnElement[bool]:
    """SQL: the case waits for `step` today (what `current` says), in the form the indexes on
    (organization_id, next_step, waiting_on) and (organization_id, follow_up_due_on) serve."""
    if step is NextStep.FOLLOW_UP:
        return _due(today)
    if step in AFTER_FOLLOW_UPS:
        return and_(Case.next_step == step.value,
                    or_(Case.follow_up_due_on.is_(None), Case.follow_up_due_on > today))
    return Case.next_step == step.value


def current_step(today: date) -> ColumnElement[str]:
    """SQL: the step the case waits for today."""
    return case((_due(today), NextStep.FOLLOW_UP.value), else_=Case.next_step)


def waiting_day(today: date) -> ColumnElement[date]:
    """SQL: the local day the case began to wait for its current step."""
    return case((_due(today), Case.follow_up_due_on), else_=Case.waiting_on)


# --- reading the facts and storing the decision ---

_referrals: list[Callable[[], ColumnElement]] = []


def register_referrals(referred_at: Callable[[], ColumnElement]) -> None:
    """`referred_at()`: SQL, correlated to Case, of when the case's earliest pending referral
    last changed (NULL when none is pending). Registered by app.referrals.queue."""
    _referrals[:] = [referred_at]
    _statements.clear()


def _facts_statement():
    if not _referrals:
        raise RuntimeError("app.referrals.queue is not imported: the next step of a case "
                           "cannot see its referrals")
    interviewed = exists().where(Interview.case_id == Case.id)
    decided = exists().where(Determination.case_id == Case.id)
    screened_at = (select(func.max(Screening.created_at)).where(Screening.case_id == Case.id)
                   .scalar_subquery())
    due_on = (select(func.min(FollowUp.due_on))
              .where(FollowUp.case_id == Case.id, FollowUp.done.is_(False),
                     FollowUp.dropped_at.is_(None)).scalar_subquery())
    return select(Case.id, Case.status, Case.created_at, interviewed, decided, screened_at,
                  _referrals[0](), due_on,
                  latest_value(Screening, "classification"), latest_value(Determination, "outcome"),
                  *_KEPT)


# what refresh keeps on the case, in the order _kept_values gives them
_KEPT = (Case.next_step, Case.waiting_on, Case.follow_up_due_on, Case.latest_suggestion,
         Case.latest_outcome)


def _kept_values(row) -> tuple:
    stored = decide(facts_of(row))
    return (stored.next_step.value, stored.waiting_on, stored.follow_up_due_on, row[8], row[9])


def facts_of(row) -> Facts:
    _id, status, opened_at, interviewed, decided, screened_at, referred_at, due_on = row[:8]
    return Facts(closed=status == CaseStatus.CLOSED, opened_at=opened_at,
                 interviewed=bool(interviewed), decided=bool(decided), screened_at=screened_at,
                 referred_at=referred_at, follow_up_due_on=due_on)


# built once (SQLAlchemy keeps a statement's cache key on it): a write's refresh would
# otherwise spend more on building its statements than on running them
_statements: dict[str, object] = {}


def _built(name: str, build: Callable[[], object]):
    if name not in _statements:
        _statements[name] = build()
    return _statements[name]


def _lock_statement():
    # FOR NO KEY UPDATE: the write has already added its interview, screening or referral,
    # whose foreign key holds a KEY SHARE lock on the case; FOR UPDATE would wait for another
    # writer's KEY SHARE while that writer waited for ours (two interviews saved on one case
    # at once: a deadlock, 503). This lock still lets one refresh of a case in at a time.
    return (select(Case.id).where(Case.id.in_(bindparam("b_ids", expanding=True)))
            .order_by(Case.id).with_for_update(key_share=True))


def _facts_of_statement():
    return _facts_statement().where(Case.id.in_(bindparam("b_ids", expanding=True)))


def _store_statement():
    # updated_at kept: the next step follows from other rows; the case itself is as it was
    return (update(Case).where(Case.id == bindparam("b_id"))
            .values({column: bindparam(f"b_{column.key}") for column in _KEPT}
                    | {Case.updated_at: Case.updated_at}))


def refresh(session: Session, case_ids: Iterable[int] | None = None) -> int:
    """Store the next step of the cases `case_ids` (every case when None: the demo and the
    benchmark data, after loading) as their rows now are; returns how many changed. Called
    last by a write, in its transaction: the cases' rows are locked first (PostgreSQL), so
    that two writes on one case at once decide one after the other, each on the other's
    facts."""
    session.flush()
    if case_ids is None:
        rows = session.exec(_built("facts", _facts_statement))
    else:
        ids = sorted(set(case_ids))
        if not ids:
            return 0
        session.exec(_built("lock", _lock_statement), params={"b_ids": ids}).all()
        rows = session.exec(_built("facts_of", _facts_of_statement), params={"b_ids": ids})
    changed: dict[int, tuple] = {}
    for row in rows:
        kept = _kept_values(row)
        if kept != tuple(row[10:]):
            changed[row[0]] = kept
    if changed:
        session.connection().execute(_built("store", _store_statement), [
            {"b_id": case_id, **{f"b_{c.key}": v for c, v in zip(_KEPT, kept, strict=True)}}
            for case_id, kept in changed.items()])
        for case_id, kept in changed.items():  # the session's copy of the case, if it holds
            held = session.identity_map.get(identity_key(Case, case_id))  # one, as stored
            if held is not None:
                for column, value in zip(_KEPT, kept, strict=True):
                    attributes.set_committed_value(held, column.key, value)
    return len(changed)
