"""The work queue as it was computed before the next step was stored on the case (issue 18):
each case's next step and the start of its wait by correlated subqueries over its rows, and
the queue's order by them. The tests hold what is stored, and the queue that reads it, to
this."""

from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, literal
from sqlmodel import Session, select

from app.auth import access
from app.cases.lifecycle import active_condition
from app.cases.models import Case, Determination, FollowUp, Interview, Screening
from app.cases.next_step import NextStep
from app.clock import local_date, local_day
from app.people.models import Person
from app.referrals.models import Referral

STEP_ORDER = [NextStep.INTERVIEW, NextStep.DECIDE, NextStep.FOLLOW_UP, NextStep.REFERRAL,
              NextStep.NONE, NextStep.CLOSED]


def expressions(today: date):
    interviewed = exists().where(Interview.case_id == Case.id)
    decided = exists().where(Determination.case_id == Case.id)
    due = and_(FollowUp.case_id == Case.id, FollowUp.done.is_(False),
               FollowUp.dropped_at.is_(None), FollowUp.due_on <= today)
    pending = and_(Referral.case_id == Case.id, Referral.status == "pending")
    next_step = case(
        (~active_condition(), literal(NextStep.CLOSED.value)),
        (~interviewed, literal(NextStep.INTERVIEW.value)),
        (~decided, literal(NextStep.DECIDE.value)),
        (exists().where(due), literal(NextStep.FOLLOW_UP.value)),
        (exists().where(pending), literal(NextStep.REFERRAL.value)),
        else_=literal(NextStep.NONE.value))
    screened_at = (select(func.max(Screening.created_at))
                   .where(Screening.case_id == Case.id).scalar_subquery())
    due_since = select(func.min(FollowUp.due_on)).where(due).scalar_subquery()
    referred_at = select(func.min(Referral.updated_at)).where(pending).scalar_subquery()
    return next_step, {
        NextStep.INTERVIEW: Case.created_at, NextStep.DECIDE: screened_at,
        NextStep.FOLLOW_UP: due_since, NextStep.REFERRAL: referred_at}


def _day(since: datetime | date | None) -> date | None:
    return local_date(since) if isinstance(since, datetime) else since


def next_steps(session: Session, today: date) -> dict[int, tuple[str, date | None]]:
    """Every case's next step `today` and the local day its wait began."""
    step, since_by_step = expressions(today)
    rows = session.exec(select(Case.id, step, *since_by_step.values())).all()
    found = {}
    for case_id, value, *since in rows:
        since_of = dict(zip(since_by_step, since, strict=True))
        found[case_id] = (value, _day(since_of.get(NextStep(value))))
    return found


def _order(sort: str, step, since_by_step) -> list:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "waiting":
        day = case(*((step == s.value, since_by_step[s] if s is NextStep.FOLLOW_UP
                      else local_day(since_by_step[s])) for s in since_by_step), else_=None)
        idle = case((step == NextStep.NONE.value, 1), (step == NextStep.CLOSED.value, 2),
                    else_=0)
        return [idle, day.desc() if descending else day.asc()]
    column = {
        "name": func.lower(Person.given_name + " " + Person.family_name),
        "nationality": Person.nationality_code,
        "status": Case.status,
        "next": case(*((step == s.value, i) for i, s in enumerate(STEP_ORDER)), else_=99),
        "opened": Case.created_at,
        "reference": Case.reference,
    }[key]
    if key == "opened":
        descending = not descending
    return [column.desc() if descending else column.asc()]


def queue(session: Session, *, actor, today: date, next_step: NextStep | None = None,
          sort: str = "waiting") -> list[tuple[int, str]]:
    """The cases the queue listed, in its order: the id of each, its next step and the local
    day its wait began."""
    step, since_by_step = expressions(today)
    statement = (select(Case.id, step, *since_by_step.values())
                 .join(Person, Person.id == Case.person_id).where(access.visible(actor, Case)))
    if next_step is not None:
        statement = statement.where(step == next_step.value)
    statement = statement.order_by(*_order(sort, step, since_by_step), Case.id.desc())
    listed = []
    for case_id, value, *since in session.exec(statement).all():
        since_of = dict(zip(since_by_step, since, strict=True))
        listed.append((case_id, value, _day(since_of.get(NextStep(value)))))
    return listed


def _thai(day: date, hour: int) -> datetime:
    from datetime import time

    from app.clock import LOCAL_TZ

    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL_TZ)


def make_varied_cases(session: Session, *, organization, caseworker, today: date) -> list:
    """Cases of `organization` in every state a next step follows from: waiting for each step,
    follow-ups done, dropped, due before and after `today` and referrals pending or answered
    beside them, a closed case with everything, a decision without an interview; times at
    06:00 Thai time (the UTC day before) and ties of days."""
    from datetime import timedelta

    from tests import factories

    names = iter(["Aung", "Bui", "Chen", "Dewi", "Esra", "Farah", "Gita", "Hana", "Ivan",
                  "Joy", "Kyaw", "Lan", "Mya", "Nam", "Oun", "Pim", "Quan", "Rin"])
    nationalities = iter(["MM", "VN", "CN", "ID", "TR", "PK", "IN", "JP", "RU", "PH", "MM",
                          "LA", "MM", "VN", "KH", "TH", "VN", "JP"])
    cases = []

    def days(n: int) -> date:
        return today + timedelta(days=n)

    def opened(ago: int, **kw):
        person = factories.make_person(session, organization=organization,
                                       given_name=next(names), family_name="Queue",
                                       nationality_code=next(nationalities))
        case = factories.make_case(session, person=person, organization=organization,
                                   assigned_to=caseworker, **kw)
        case.created_at = _thai(days(-ago), 6)
        session.add(case)
        cases.append(case)
        return case

    def screened(case, ago: int):
        return factories.make_screening(session, case=case, created_by=caseworker,
                                        at=_thai(days(-ago), 6))

    def decided(case, ago: int, outcome: str = "trafficking_victim"):
        factories.make_determination(session, case=case, outcome=outcome,
                                     decided_by=caseworker, screening=screened(case, ago + 1),
                                     at=_thai(days(-ago), 9))

    def referred(case, ago: int, status: str = "pending"):
        factories.make_referral(session, case=case, created_by=caseworker, status=status,
                                at=_thai(days(-ago), 6))

    def follow_up(case, due: int, **kw):
        factories.make_follow_up(session, case=case, title="Call", due_on=days(due), **kw)

    opened(12)
    opened(12)  # the same day: the newer case first
    screened(opened(30), 3)
    twice = opened(40)
    screened(twice, 20)
    screened(twice, 5)
    decided(opened(50), 10, "undetermined")
    follow_up(due_past := opened(60), -2)
    decided(due_past, 30)
    follow_up(due_later := opened(61), 5)
    decided(due_later, 30)
    settled = opened(62)
    decided(settled, 30)
    follow_up(settled, -9, done=True)
    follow_up(settled, -4, dropped_at=_thai(days(-3), 8))
    follow_up(settled, 10)
    waiting = opened(70)
    decided(waiting, 40)
    referred(waiting, 20)
    referred(waiting, 8)
    referred(waiting, 25, "accepted")
    both = opened(71)
    decided(both, 40)
    referred(both, 20)
    follow_up(both, -1)
    referral_first = opened(72)
    decided(referral_first, 40)
    referred(referral_first, 20)
    follow_up(referral_first, 3)
    answered = opened(73)
    decided(answered, 40)
    referred(answered, 20, "accepted")
    closed = opened(80, status="closed")
    decided(closed, 60)
    referred(closed, 50)
    follow_up(closed, -5)
    unheard = opened(90, status="determined")  # a decision imported without an interview
    factories.make_determination(session, case=unheard, outcome="trafficking_victim",
                                 decided_by=caseworker, at=_thai(days(-89), 9))
    follow_up(opened(15), -1)  # a follow-up before the interview: the interview first
    session.flush()
    return cases
