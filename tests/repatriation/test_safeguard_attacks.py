"""The non-refoulement safeguard under attack: each test is one of the security tester's
breaks, played again. While fear_of_return is `yes` and no assessment clears it, the
repatriation goes no further than planning and the person is in no batch and no manifest."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.config import get_settings
from app.db import make_engine
from app.main import create_app
from app.repatriation.models import Repatriation, RepatriationExit
from tests import factories

PASSWORD = factories.DEFAULT_PASSWORD


# --- 1. a fear of return recorded while the batch departs (PostgreSQL, real connections) ---

@pytest.fixture
def postgresql_url(fresh_database_url):
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("row locks between two connections: PostgreSQL only (SQLite has one "
                    "writer at a time)")
    return fresh_database_url


def _token(client: TestClient, username: str) -> dict:
    response = client.post("/api/v1/auth/token", data={"username": username,
                                                        "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_fear_recorded_while_the_batch_departs_is_never_overwritten(postgresql_url):
    engine = make_engine(postgresql_url)
    with Session(engine) as s:
        ngo = factories.make_organization(s, name="Race Care")
        caseworker, _ = factories.make_user(s, role="caseworker", organization=ngo,
                                            username="race-caseworker")
        coordinator, _ = factories.make_user(
            s, role="coordinator", organization=factories.make_organization(
                s, name="Race Coordination"), username="race-coordinator")
        rounds = []
        for round_ in range(4):
            batch = factories.make_batch(s, created_by=coordinator, stage="exit_cleared")
            cases = []
            for n in range(8):
                person = factories.make_person(s, organization=ngo,
                                               given_name=f"Race{round_}x{n}")
                case = factories.make_case(s, person=person, organization=ngo,
                                           assigned_to=caseworker)
                factories.make_repatriation(s, case=case, created_by=caseworker,
                                            stage="exit_cleared", batch_id=batch.id)
                cases.append(case.id)
            rounds.append((batch.id, cases))
        s.commit()

    settings = get_settings().model_copy(update={"database_url": postgresql_url})
    fear_seen: dict[int, str] = {}  # case id: the stage the fear's PATCH answered with
    with TestClient(create_app(settings)) as client:
        worker = _token(client, "race-caseworker")
        coordinating = _token(client, "race-coordinator")
        for batch_id, case_ids in rounds:
            barrier = threading.Barrier(len(case_ids) + 1)

            def fear(case_id: int, barrier=barrier) -> None:
                barrier.wait()
                response = client.patch(f"/api/v1/cases/{case_id}/repatriation",
                                        headers=worker, json={"fear_of_return": "yes"})
                assert response.status_code == 200, response.text
                fear_seen[case_id] = response.json()["stage"]

            def depart(batch_id=batch_id, barrier=barrier) -> int:
                barrier.wait()
                return client.patch(f"/api/v1/repatriation-batches/{batch_id}",
                                    headers=coordinating,
                                    json={"stage": "departed"}).status_code

            with ThreadPoolExecutor(len(case_ids) + 1) as pool:
                moved = pool.submit(depart)
                list(pool.map(fear, case_ids))
                # 409 when every member was held back before the batch moved
                assert moved.result() in (200, 409)

    with Session(engine) as s:
        reps = s.exec(select(Repatriation)).all()
        assert len(reps) == 32
        exits = set(s.exec(select(RepatriationExit.repatriation_id)).all())
        for rep in reps:
            assert rep.fear_of_return == "yes" and rep.protection_outcome is None
            if fear_seen[rep.case_id] == "planning":
                # the fear came first: held back, out of the batch, never departed
                assert rep.stage == "planning" and rep.batch_id is None, rep
                assert rep.id not in exits
            else:
                # the batch left first; the fear was recorded of a person already gone
                assert fear_seen[rep.case_id] == "departed" == rep.stage
                assert rep.id in exits
        departed = s.exec(select(func.count()).select_from(Repatriation)
                          .where(Repatriation.stage == "departed")).one()
        assert departed == len(exits)
    engine.dispose()
