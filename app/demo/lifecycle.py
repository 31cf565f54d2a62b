"""Demo case lifecycles: cases at every stage of the pipeline. Some cases just opened (no
interview yet); some determined cases closed, for every reason, most of them because the
person went home; the follow-ups Passage proposed at each determination, most done by now, a
few still due or overdue in each caseworker's queue; two records of one person merged into
one, twice. Seeded, and idempotent: once a demo case is closed, nothing is added.

Everything goes through the services the API uses (closing, follow-ups, merging), then is
dated back to the weeks after each determination."""

import random
from datetime import datetime, time, timedelta

from sqlmodel import Session, func, select

from app.audit.service import Actor
from app.cases import lifecycle
from app.cases import service as cases_service
from app.cases.follow_ups import PROPOSALS, add_follow_up
from app.cases.models import Case, CaseStatusChange, Determination, FollowUp
from app.cases.schemas import CaseClose, CaseStatus, ClosureReason
from app.clock import LOCAL_TZ, local_date, local_today
from app.crossings import rollup
from app.crossings.models import Crossing
from app.people import merge
from app.people.models import Person
from app.people.schemas import PersonMergeCreate
from app.people.service import latin_key, name_key

SEED = 2025
JUST_OPENED = 12  # cases with no interview yet
# how many determined cases are closed for each reason
CLOSED = {
    ClosureReason.REPATRIATED: 45, ClosureReason.RELOCATED: 4,
    ClosureReason.LOCAL_INTEGRATION: 5, ClosureReason.REFERRED_ELSEWHERE: 8,
    ClosureReason.DECLINED_ASSISTANCE: 7, ClosureReason.LOST_CONTACT: 10,
    ClosureReason.DUPLICATE_RECORD: 3, ClosureReason.DECEASED: 2,
}
NOTES = {
    ClosureReason.REPATRIATED: "Flew home with an emergency travel document; met by family.",
    ClosureReason.RELOCATED: "Resettled through UNHCR.",
    ClosureReason.LOCAL_INTEGRATION: "Work permit granted; lives with a cousin in Mae Sot.",
    ClosureReason.REFERRED_ELSEWHERE: "Case taken on by Safe Return Legal Aid in Bangkok.",
    ClosureReason.DECLINED_ASSISTANCE: "Thanked us and asked not to be contacted again.",
    ClosureReason.LOST_CONTACT: "No answer by phone or at the shelter for three weeks.",
    ClosureReason.DUPLICATE_RECORD: "Same person as another case of ours.",
    ClosureReason.DECEASED: "Died in hospital; the family was told through the embassy.",
}
# each demo caseworker's queue today: (days from today, title)
QUEUE = ((-6, "Call the embassy about the travel document"),
         (-2, "Visit the shelter: check the medical appointment happened"),
         (0, "Ask the family whether they can meet the flight"),
         (3, "Review the support plan"),
         (10, "Check that the referrals were taken up"))
DAYS = {title: days for proposals in PROPOSALS.values() for title, days in proposals}


def _noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=LOCAL_TZ)


def load_lifecycle(session: Session, *, users, orgs, echo) -> None:
    caseworkers = [users["caseworker"], users["caseworker2"]]
    ngo_ids = [u.organization_id for u in caseworkers]
    already = session.exec(select(func.count()).select_from(Case).where(
        Case.organization_id.in_(ngo_ids), Case.status == CaseStatus.CLOSED.value)).one()
    if already:
        echo(f"Case lifecycles already loaded: {already} closed cases")
        return
    rng = random.Random(SEED)
    actors = {u.organization_id: Actor.of(u, "cli") for u in caseworkers}
    _settle_follow_ups(session, rng)
    opened = _open_cases(session, rng, users, actors)
    closed = _close_cases(session, rng, actors)
    queued = _queues(session, caseworkers, actors)
    merged = _merge_duplicates(session, users, actors)
    session.flush()
    echo(f"Case lifecycles: {opened} cases just opened, {closed} closed "
         f"({len(CLOSED)} reasons), {queued} follow-ups waiting in the caseworkers' queues, "
         f"{merged} duplicate records merged")


def _settle_follow_ups(session: Session, rng: random.Random) -> None:
    """The follow-ups proposed at the demo's determinations, due as many days after the
    determination as proposed, and done by now, most of them on time."""
    decided = {case_id: at for case_id, at in session.exec(
        select(Determination.case_id, func.max(Determination.decided_at))
        .group_by(Determination.case_id))}
    for follow_up in session.exec(select(FollowUp).where(FollowUp.proposed.is_(True))):
        day = local_date(decided[follow_up.case_id]) + timedelta(
            days=DAYS.get(follow_up.title, 14))
        follow_up.due_on = day
        follow_up.created_at = follow_up.updated_at = decided[follow_up.case_id]
        follow_up.done = True
        follow_up.done_at = _noon(day + timedelta(days=rng.randint(-3, 4)))
        follow_up.done_by_id = follow_up.assigned_to_id
        session.add(follow_up)
    session.flush()


def _open_cases(session: Session, rng: random.Random, users, actors) -> int:
    """Cases opened on people who crossed and have none yet: no interview so far."""
    without_case = session.exec(
        select(Person.id, func.min(Crossing.crossed_at)).join(Crossing, Crossing.person_id
                                                              == Person.id)
        .where(Person.registered_by_organization_id == users["border"].organization_id,
               Person.merged_into_id.is_(None),
               Person.id.not_in(select(Case.person_id)))
        .group_by(Person.id).order_by(Person.id)).all()
    chosen = rng.sample(without_case, min(JUST_OPENED, len(without_case)))
    for person_id, crossed_at in sorted(chosen):
        actor = rng.choice(list(actors.values()))
        cases_service.insert_case(session, actor=actor, person_id=person_id,
                                  assigned_to_id=actor.user_id,
                                  created_at=crossed_at + timedelta(days=rng.randint(2, 20)))
    return len(chosen)


def _close_cases(session: Session, rng: random.Random, actors) -> int:
    determined = session.exec(select(Case).where(
        Case.organization_id.in_(list(actors)),
        Case.status == CaseStatus.DETERMINED.value).order_by(Case.id)).all()
    decided = dict(session.exec(select(Determination.case_id, func.max(Determination.decided_at))
                                .group_by(Determination.case_id)).all())
    pool = rng.sample(list(determined), min(sum(CLOSED.values()), len(determined)))
    closed = 0
    for reason, count in CLOSED.items():
        for case in pool[closed:closed + count]:
            lifecycle.close_case(session, actor=actors[case.organization_id], case_id=case.id,
                                 close_in=CaseClose(reason=reason, note=NOTES[reason]))
            change = session.exec(select(CaseStatusChange).where(
                CaseStatusChange.case_id == case.id).order_by(CaseStatusChange.id.desc())).first()
            change.changed_at = decided[case.id] + timedelta(days=rng.randint(10, 40))
            session.add(change)
        closed += count
    session.flush()
    return closed


def _queues(session: Session, caseworkers, actors) -> int:
    """A few follow-ups waiting for each caseworker today: overdue, due today, due soon."""
    added = 0
    today = local_today()
    for user in caseworkers:
        cases = session.exec(select(Case).where(
            Case.assigned_to_id == user.id, Case.status == CaseStatus.DETERMINED.value)
            .order_by(Case.id).limit(len(QUEUE))).all()
        for case, (days, title) in zip(cases, QUEUE, strict=False):
            add_follow_up(session, case=case, title=title, due_on=today + timedelta(days=days),
                          actor=actors[user.organization_id])
            added += 1
    return added


def _merge_duplicates(session: Session, users, actors) -> int:
    """Two people registered twice, merged by the coordinator: one whose second record the
    other NGO opened a case on (closed as a duplicate record before the merge), one whose
    name a second roster row spelled differently."""
    coordinator = Actor.of(users["coordinator"], "cli")
    second = users["caseworker2"]
    originals = session.exec(
        select(Person).join(Case, Case.person_id == Person.id)
        .where(Case.organization_id == users["caseworker"].organization_id,
               Case.status == CaseStatus.DETERMINED.value, Person.date_of_birth.isnot(None))
        .order_by(Person.id).limit(2)).all()
    merged = 0
    for index, original in enumerate(originals):
        family = original.family_name or original.given_name
        twin = Person(given_name=original.given_name, family_name=family[:-1] or family,
                      name_key=name_key(original.given_name, family[:-1] or family),
                      name_key_latin=latin_key(original.given_name, family[:-1] or family),
                      sex=original.sex, date_of_birth=original.date_of_birth,
                      nationality_code=original.nationality_code,
                      registered_by_organization_id=second.organization_id,
                      created_by_id=second.id, languages=[])
        session.add(twin)
        session.flush()
        if index == 0:
            actor = actors[second.organization_id]
            case = cases_service.insert_case(session, actor=actor, person_id=twin.id,
                                             assigned_to_id=second.id)
            lifecycle.close_case(session, actor=actor, case_id=case.id, close_in=CaseClose(
                reason=ClosureReason.DUPLICATE_RECORD,
                note="Border Care Foundation already works with this person."))
        else:
            first_crossing = session.exec(select(Crossing).where(
                Crossing.person_id == original.id).order_by(Crossing.crossed_at)).first()
            with rollup.kept(session, [twin.id]):
                session.add(Crossing(
                    person_id=twin.id, crossed_at=first_crossing.crossed_at + timedelta(days=9),
                    crossing_point="Mae Sot Friendship Bridge 1",
                    recorded_by_organization_id=users["border"].organization_id,
                    created_by_id=users["border"].id))
        merge.merge_people(session, actor=coordinator, survivor_id=original.id,
                           merge_in=PersonMergeCreate(
                               duplicate_id=twin.id,
                               note="Same person: name misspelt on the second registration."))
        merged += 1
    return merged
