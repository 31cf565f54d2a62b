"""Two writes on one case at once (PostgreSQL): each adds its row first (an interview, whose
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
            org = factories.make_organization(setup, name="Lock Desk")
            worker, _ = factories.make_user(setup, role="caseworker", organization=org)
            person = factories.make_person(setup, organization=org)
            case = factories.make_case(setup, person=person, organization=org,
                                       assigned_to=worker)
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
