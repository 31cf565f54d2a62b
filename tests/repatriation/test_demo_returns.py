"""The demo's returns home: two Indian flights, a Philippine flight, a Chinese batch by land
waiting at the border, people waiting for emergency documents, and people who fear returning,
none of whom is in a batch or a manifest; every departed member has one exit crossing."""

from datetime import date

from sqlmodel import Session, func, select

from app.audit.service import Actor
from app.auth.models import User
from app.crossings.models import Crossing
from app.db import make_engine
from app.repatriation.batches import manifest_of
from app.repatriation.models import Repatriation, RepatriationBatch, RepatriationExit


def test_the_demo_carries_people_home_and_no_one_into_danger(demo_database):
    assert demo_database.first_load.returncode == 0, demo_database.first_load.stderr
    engine = make_engine(demo_database.url)
    try:
        with Session(engine) as session:
            batches = {b.name: b for b in session.exec(select(RepatriationBatch)).all()}
            sizes = dict(session.exec(select(Repatriation.batch_id, func.count())
                                      .group_by(Repatriation.batch_id)).all())
            first, second = (batches[f"Indian Air Force flight {n}"] for n in (1, 2))
            assert (first.departs_on, second.departs_on) == (date(2025, 11, 6),
                                                             date(2025, 11, 10))
            assert 240 <= sizes[first.id] <= 280 and 170 <= sizes[second.id] <= 205
            assert {b.nationality_code: b.mode for b in batches.values()} == {
                "IN": "flight", "PH": "flight", "CN": "land"}
            land = next(b for b in batches.values() if b.mode == "land")
            assert land.stage == "exit_cleared"
            # every departed member has exactly one exit crossing; counts by direction agree
            gone = session.exec(select(func.count()).select_from(Repatriation).where(
                Repatriation.batch_id.isnot(None),
                Repatriation.stage.in_(("departed", "received")))).one()
            exits = session.exec(select(func.count()).select_from(RepatriationExit)).one()
            crossings = session.exec(select(func.count()).select_from(Crossing).where(
                Crossing.direction == "exit")).one()
            assert gone == exits == crossings
            waiting = session.exec(select(func.count()).select_from(Repatriation).where(
                Repatriation.emergency_document == "requested")).one()
            assert waiting >= 10
            fearful = session.exec(select(Repatriation).where(
                Repatriation.fear_of_return == "yes")).all()
            outcomes = sorted(str(r.protection_outcome) for r in fearful)
            assert outcomes.count("referred_to_unhcr") >= 3 and outcomes.count("cleared") == 1
            assert outcomes.count("None") >= 1
            assert all(r.batch_id is None for r in fearful if r.protection_outcome != "cleared")
            coordinator = session.exec(select(User).where(User.username == "coordinator")).one()
            actor = Actor.of(coordinator)
            for batch in batches.values():
                manifest = manifest_of(session, actor=actor, batch_id=batch.id)
                assert len(manifest.rows) + manifest.withheld == sizes[batch.id]
            session.rollback()
    finally:
        engine.dispose()
