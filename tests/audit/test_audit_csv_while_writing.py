"""The audit log's CSV export reads like every other export: while a long one streams, other
people's writes go on. On SQLite the export used to hold the database's one write lock until
its last byte, and a sign-in during it failed with "database is locked"."""

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import insert, select

from app.audit.models import AuditEvent
from app.db import make_engine
from tests.live import start_server, stop_server

EVENTS = 60_000  # some 8 MB of CSV: far more than the sockets buffer, so the export is
# still streaming when the second request comes
PASSWORD = "audit export password 1234"


@pytest.fixture
def served(fresh_database_url, tmp_path):
    engine = make_engine(fresh_database_url)
    start = datetime(2025, 10, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(insert(AuditEvent), [
            {"at": start + timedelta(seconds=n), "actor_id": 7, "actor_username": "naw",
             "role": "caseworker", "organization_id": None, "action": "person.read",
             "entity_type": "person", "entity_id": str(n), "client_address": "10.0.0.7",
             "outcome": "success", "detail": {"view": "page"}}
            for n in range(EVENTS)])
    server = start_server(fresh_database_url, tmp_path / "serve.log")
    server.create_user("audit-admin", "admin", "Tak Coordination Office", PASSWORD,
                       global_admin=True)
    yield server, engine
    stop_server(server)
    engine.dispose()


def _token(base_url: str) -> httpx.Response:
    return httpx.post(base_url + "/api/v1/auth/token",
                      data={"username": "audit-admin", "password": PASSWORD}, timeout=60)


def test_a_sign_in_during_a_long_audit_export_is_written_at_once(served):
    server, engine = served
    headers = {"Authorization": f"Bearer {_token(server.base_url).json()['access_token']}"}
    with httpx.stream("GET", server.base_url + "/admin/audit.csv", headers=headers,
                      params={"action": "person.read", "from": "", "to": ""},
                      timeout=60) as export:
        assert export.status_code == 200
        chunks = export.iter_bytes()
        body = [next(chunks)]  # the export is under way, and not read any further for now

        started = time.monotonic()
        second = _token(server.base_url)  # writes a session row and an audit event
        waited = time.monotonic() - started
        assert second.status_code == 200, second.text
        assert waited < 5, f"the sign-in waited {waited:.1f} s on the export"

        body.extend(chunks)
    rows = list(csv.DictReader(io.StringIO(b"".join(body).decode("utf-8-sig"))))
    assert len(rows) == EVENTS
    assert rows[0]["entity_id"] == str(EVENTS - 1)  # newest first

    with engine.connect() as connection:
        deadline = time.monotonic() + 10
        while True:  # the export's own event is written as its last byte leaves
            exported = connection.execute(select(AuditEvent.detail).where(
                AuditEvent.action == "audit.export")).scalars().all()
            if exported or time.monotonic() > deadline:
                break
            time.sleep(0.1)
            connection.rollback()
    assert [d["rows"] for d in exported] == [EVENTS]
