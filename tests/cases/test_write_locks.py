"""A read while a write lands, and two writes on one case at once (PostgreSQL). Each write
adds its row first (an interview, whose
foreign key takes a KEY SHARE lock on the case row) and then stores the case's next step,
locking the case. The second refresh waits for the first; neither waits for the other's
foreign-key lock, which made a deadlock of two interviews saved on one case together
(PostgreSQL chose a victim after a second: 503 to one caseworker, found by wrk posting
interviews to one case from 8 connections).

On a database of their own with two real sessions, not the tests' one shared connection."""

import threading
from datetime import UTC, datetime

from sqlmodel import Session, func, select

from app.cases import next_step
from app.cases.models import Case, Interview
from app.db import make_engine
from tests import factories


def test_two_interviews_saved_on_one_case_at_once_wait_in_turn_without_a_deadlock(
        postgresql_url):
    engine = make_engine(postgresql_url)
    try:
        with Session(engine) as setup:
            case, worker = _case_of_a_caseworker(setup, "Lock Desk")
            setup.commit()
            case_id, worker_id = case.id, worker.id
            assert case.next_step == "interview"
        first, second = Session(engine), Session(engine)
        for writer in (first, second):  # both interviews added: two KEY SHARE locks
            writer.add(Interview(case_id=case_id, conducted_at=datetime.now(UTC),
                                 consent_given=True, created_by_id=worker_id))
            writer.flush()
        failures: list[BaseException] = []

        def first_refreshes_and_commits():
            try:
                next_step.refresh(first, [case_id])
                first.commit()
            except BaseException as failure:  # noqa: BLE001 (reported by the test below)
                failures.append(failure)
                first.rollback()

        thread = threading.Thread(target=first_refreshes_and_commits)
        thread.start()
        thread.join(timeout=10)
        try:
            assert not thread.is_alive(), (
                "the first writer's lock on the case waits for the second's foreign-key lock")
            assert failures == []
            next_step.refresh(second, [case_id])  # waits for nothing now: the first is done
            second.commit()
        finally:
            second.rollback()
            thread.join()
            first.close()
            second.close()
        with Session(engine) as check:
            interviews = check.exec(select(func.count()).select_from(Interview)
                                    .where(Interview.case_id == case_id)).one()
            assert interviews == 2
            assert check.get(Case, case_id).next_step != "interview"
    finally:
        engine.dispose()


def test_a_case_read_while_an_interview_is_saved_shows_the_interviews_it_read_screened(
        postgresql_url):
    """The case read (GET /api/v1/cases/{id}, the case page) reads the screenings, then the
    interviews; on PostgreSQL each statement sees what was committed before it began, and an
    interview saved in between came without the screening read before it: 500 (KeyError)
    three times in a 10-minute load run at 100 users. The read shows the interviews of the
    screenings it read."""
    from app.audit.service import Actor
    from app.cases.interviews import interviews_of, screenings_of

    engine = make_engine(postgresql_url)
    try:
        with Session(engine) as setup:
            case, worker = _case_of_a_caseworker(setup, "Read Desk")
            first = factories.make_screening(setup, case=case, created_by=worker)
            setup.commit()
            case_id, first_interview = case.id, first.interview_id
            actor = Actor.of(worker)
        with Session(engine) as reader:
            screenings = screenings_of(reader, case_id)
            with Session(engine) as writer:  # a caseworker saves a second interview meanwhile
                factories.make_screening(writer, case=writer.get(Case, case_id))
                writer.commit()
            interviews = interviews_of(reader, case_id, actor, screenings)
            assert [i.id for i in interviews] == [first_interview]
            assert len(interviews_of(reader, case_id, actor)) == 2  # read again: both
    finally:
        engine.dispose()


def _case_of_a_caseworker(session: Session, desk: str):
    """A new case assigned to a caseworker of a new organisation: (case, caseworker)."""
    org = factories.make_organization(session, name=desk)
    worker, _ = factories.make_user(session, role="caseworker", organization=org)
    person = factories.make_person(session, organization=org)
    return factories.make_case(session, person=person, organization=org,
                               assigned_to=worker), worker
