"""`passage demo`: seeded, idempotent, one user per role, the KK Park mix of nationalities."""

from sqlalchemy import func, select

from app.db import make_engine, metadata
from app.demo.loader import DEMO_USERS
from app.people.models import Person
from tests.test_cli import client_on, run


def _row_counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        counts = {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                  for name, table in metadata.tables.items()
                  if name not in ("audit_events", "auth_sessions")}
    engine.dispose()
    return counts


def test_demo_loads_once_and_every_demo_user_gets_a_token(fresh_database_url):
    first = run(fresh_database_url, "demo")
    assert first.returncode == 0, first.stderr
    for demo in DEMO_USERS:
        assert f"{demo.username}" in first.stdout and demo.password in first.stdout
    counts = _row_counts(fresh_database_url)
    assert 1400 <= counts["people"] <= 1600
    assert counts["crossings"] >= counts["people"]
    assert counts["compounds"] >= 5

    second = run(fresh_database_url, "demo")
    assert second.returncode == 0, second.stderr
    assert _row_counts(fresh_database_url) == counts

    engine = make_engine(fresh_database_url)
    with engine.connect() as conn:
        by_nationality = dict(conn.execute(
            select(Person.nationality_code, func.count()).group_by(Person.nationality_code)
        ).all())
    engine.dispose()
    assert len(by_nationality) == 28 and None not in by_nationality
    assert by_nationality["IN"] > by_nationality["PH"] > by_nationality["CN"] > 100

    with client_on(fresh_database_url) as client:
        roles = set()
        for demo in DEMO_USERS:
            response = client.post("/api/v1/auth/token",
                                   data={"username": demo.username, "password": demo.password})
            assert response.status_code == 200, demo.username
            me = client.get("/api/v1/me", headers={
                "Authorization": f"Bearer {response.json()['access_token']}"})
            roles.add(me.json()["role"])
    assert roles == {"caseworker", "border_official", "coordinator", "admin"}
