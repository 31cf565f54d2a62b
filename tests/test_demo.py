"""`passage demo`: seeded, idempotent, one user per role, the KK Park mix of nationalities."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.config import get_settings
from app.db import make_engine, metadata
from app.demo.loader import DEMO_USERS
from app.main import create_app
from app.people.models import Person
from tests.conftest import rolled_back, transactional_session
from tests.crossings.rollup_check import assert_rollup_right
from tests.test_cli import run


def _row_counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        counts = {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                  for name, table in metadata.tables.items()
                  if name not in ("audit_events", "auth_sessions")}
    engine.dispose()
    return counts


def test_demo_loads_once_and_every_demo_user_gets_a_token(demo_database):
    url = demo_database.url
    first = demo_database.first_load
    assert first.returncode == 0, first.stderr
    for demo in DEMO_USERS:
        assert f"{demo.username}" in first.stdout and demo.password in first.stdout
    counts = _row_counts(url)
    assert 1400 <= counts["people"] <= 1600
    # everyone has crossed, but the records merged into another (their crossings moved)
    assert counts["person_merges"] == 2
    assert counts["crossings"] >= counts["people"] - counts["person_merges"]
    assert counts["compounds"] >= 5

    # the other demo tests share this database: a second load must (and does) change nothing
    second = run(url, "demo")
    assert second.returncode == 0, second.stderr
    assert _row_counts(url) == counts

    engine = make_engine(url)
    with engine.connect() as conn:
        by_nationality = dict(conn.execute(
            select(Person.nationality_code, func.count()).group_by(Person.nationality_code)
        ).all())
    assert len(by_nationality) == 28 and None not in by_nationality
    assert by_nationality["IN"] > by_nationality["PH"] > by_nationality["CN"] > 100

    # the demo's writes (a roster, exits, a crossing and two merges) kept the counts' rollup
    with rolled_back(engine) as conn, transactional_session(conn) as session:
        assert_rollup_right(session)

    # signing in writes sessions and audit events: in a transaction rolled back afterwards
    with rolled_back(engine) as conn:
        app = create_app(get_settings(), session_factory=lambda: transactional_session(conn))
        with TestClient(app) as client:
            roles = set()
            for demo in DEMO_USERS:
                response = client.post("/api/v1/auth/token", data={
                    "username": demo.username, "password": demo.password})
                assert response.status_code == 200, demo.username
                me = client.get("/api/v1/me", headers={
                    "Authorization": f"Bearer {response.json()['access_token']}"})
                roles.add(me.json()["role"])
    engine.dispose()
    assert roles == {"caseworker", "border_official", "coordinator", "admin"}
