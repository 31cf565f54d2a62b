"""The demo data set, as a coordinator finds it: the ordinary spread of overrides raises no
flag, and re-screening it with rules version 2 adds exactly what the dry run counted, beside
the stored suggestions, which stay as they were."""

import pytest
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.auth.models import User
from app.cases.models import Screening
from app.db import make_engine
from app.integrity import rescreen
from app.integrity.stats import integrity_report
from tests.conftest import rolled_back, transactional_session


@pytest.fixture(scope="module")
def demo(demo_database):
    """The run's demo database (tests/conftest.py), which other tests read too: what a test
    here writes goes in a transaction it rolls back."""
    assert demo_database.first_load.returncode == 0, demo_database.first_load.stderr
    engine = make_engine(demo_database.url)
    yield engine
    engine.dispose()


def _coordinator(session) -> Actor:
    user = session.exec(select(User).where(User.role == "coordinator")).first()
    return Actor.of(user, "127.0.0.1")


def test_the_demos_ordinary_spread_raises_no_flag(demo):
    with Session(demo) as session:
        report = integrity_report(session, actor=_coordinator(session), threshold=5)
        session.rollback()
    assert report.overall.cases >= 400
    assert report.overall.overrides >= 1  # the demo has a few overrides...
    assert report.flags == []  # ...spread as in ordinary work
    orgs = [b for b in report.breakdowns if b.by == "organization"][0].rows
    assert len(orgs) == 2


def test_rescreening_the_demo_adds_what_the_dry_run_counted_and_changes_nothing(demo):
    # the database is shared: everything is written in a transaction rolled back at the end
    with rolled_back(demo) as connection:
        with transactional_session(connection) as session:
            before = {s.id: (s.interview_id, s.case_id, s.classification, s.rules_version,
                             s.age_group, s.result, s.created_at)
                      for s in session.exec(select(Screening)).all()}
            actor = _coordinator(session)
            preview = rescreen.preview(session, actor=actor, rules_version=2)
            session.commit()
        assert preview.screened > 0 and preview.interviews == len(before)
        with transactional_session(connection) as session:
            applied = rescreen.apply(session, actor=actor, rules_version=2)
            session.commit()
        assert applied.model_dump(exclude={"applied"}) == preview.model_dump(exclude={"applied"})
        with transactional_session(connection) as session:
            after = {s.id: (s.interview_id, s.case_id, s.classification, s.rules_version,
                            s.age_group, s.result, s.created_at)
                     for s in session.exec(select(Screening)).all()}
            [event] = session.exec(select(AuditEvent)
                                   .where(AuditEvent.action == "screening.rescreen")).all()
        assert {i: after[i] for i in before} == before
        new = [row for i, row in after.items() if i not in before]
        assert len(new) == preview.screened
        assert all(row[3] == 2 for row in new)
        moved = sum(m.interviews for m in preview.moves if m.from_suggestion != m.to_suggestion)
        assert moved == preview.moved
        assert event.actor_id == actor.user_id and event.detail["added"] == len(new)
