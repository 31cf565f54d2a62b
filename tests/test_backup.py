"""`passage backup` and `passage restore`, through the real command on a real database (SQLite,
or PostgreSQL with pg_dump and pg_restore when PASSAGE_TEST_DATABASE_URL points at a server):
every row and the audit log come back, the restored database serves sign-in, and a restore
never lands on a database that holds data unless forced."""

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, select
from sqlmodel import Session

from app import audit
from app.audit.models import AuditEvent
from app.db import make_engine
from tests import factories
from tests.live import PASSAGE, serve_in_thread, stop_server

PASSWORD = factories.DEFAULT_PASSWORD


def passage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PASSAGE, *args], text=True, capture_output=True, timeout=300,
                          env={**os.environ, "PASSAGE_DATABASE_URL": database_url})


def snapshot(url: str) -> tuple[dict[str, int], list[tuple]]:
    """Rows per table, and the whole audit log, as the database holds them."""
    from sqlalchemy import func, table

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            counts = {name: conn.execute(select(func.count()).select_from(table(name)))
                      .scalar_one() for name in inspect(conn).get_table_names()}
        with Session(engine) as session:
            events = [(e.id, e.at, e.actor_id, e.actor_username, e.action, e.entity_type,
                       e.entity_id, e.outcome, e.detail)
                      for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
                      .scalars()]
    finally:
        engine.dispose()
    return counts, events


@pytest.fixture
def populated(fresh_database_url):
    """A database with people, cases, referrals, crossings and their audit events."""
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        org = factories.make_organization(session, name="Border Care Foundation")
        caseworker, _ = factories.make_user(session, role="caseworker", organization=org,
                                            username="naw")
        for given in ("สมชาย", "Zarni", "王芳"):
            person = factories.make_person(session, organization=org, given_name=given)
            case = factories.make_case(session, person=person, organization=org,
                                       assigned_to=caseworker)
            factories.make_referral(session, case=case, created_by=caseworker)
        audit.record(session, actor=audit.Actor.of(caseworker), action="person.read",
                     entity_type="person", entity_id=person.id, detail={"note": "ไทย"})
        session.commit()
        case_id = case.id
    engine.dispose()
    return fresh_database_url, case_id


def test_backup_and_restore_keep_every_row_and_the_audit_log_and_serve_sign_in(
        populated, empty_database_url, tmp_path):
    source_url, case_id = populated
    before_counts, before_events = snapshot(source_url)
    backup_file = tmp_path / "passage.backup"

    made = passage(source_url, "backup", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert backup_file.stat().st_size > 0
    assert f"{sum(before_counts.values())} rows" in made.stdout
    # the backup is in the source's own audit log, with the file's digest
    _, source_events = snapshot(source_url)
    assert source_events[:-1] == before_events
    recorded = source_events[-1]
    assert recorded[4] == "database.backup"
    assert recorded[8]["sha256"] == hashlib.sha256(backup_file.read_bytes()).hexdigest()

    restored = passage(empty_database_url, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    after_counts, after_events = snapshot(empty_database_url)
    assert after_events[:-1] == before_events  # every event, as it was, ids and times kept
    assert after_events[-1][4] == "database.restore"
    assert after_events[-1][8]["forced"] is False
    assert after_counts == {**before_counts, "audit_events": before_counts["audit_events"] + 1}

    # the app as `passage serve` serves it, in a thread of this process (tests/live.py): the
    # subject here is the restored database, not the command that serves it
    server = serve_in_thread(empty_database_url)
    try:
        with httpx.Client(base_url=server.base_url) as http:
            token = http.post("/api/v1/auth/token", data={"username": "naw", "password": PASSWORD})
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert http.get("/api/v1/me", headers=headers).json()["username"] == "naw"
            case = http.get(f"/api/v1/cases/{case_id}", headers=headers)
            assert case.status_code == 200
            # new rows take new ids after the restored ones (sequences came back too)
            again = http.post("/api/v1/auth/token", data={"username": "naw", "password": PASSWORD})
            assert again.status_code == 200
    finally:
        stop_server(server)
    _, served_events = snapshot(empty_database_url)
    assert served_events[:len(after_events)] == after_events
    assert [e[0] for e in served_events] == sorted({e[0] for e in served_events})


def test_restore_refuses_a_database_that_holds_data_unless_forced(populated, tmp_path):
    url, _ = populated
    backup_file = tmp_path / "passage.backup"
    assert passage(url, "backup", str(backup_file)).returncode == 0
    engine = make_engine(url)
    with Session(engine) as session:
        factories.make_user(session, role="admin", username="written-after-the-backup")
        session.commit()
    engine.dispose()
    counts_now, events_now = snapshot(url)

    refused = passage(url, "restore", str(backup_file))
    assert refused.returncode == 2
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert snapshot(url) == (counts_now, events_now)  # untouched

    forced = passage(url, "restore", "--force", str(backup_file))
    assert forced.returncode == 0, forced.stderr
    counts, events = snapshot(url)
    assert counts["users"] == counts_now["users"] - 1
    restore_event = events[-1]
    assert restore_event[4] == "database.restore"
    assert restore_event[8]["forced"] is True
    assert restore_event[8]["replaced_audit_events"] == len(events_now)


def test_restore_refuses_a_file_that_is_not_a_passage_backup(empty_database_url, tmp_path):
    noise = tmp_path / "noise.backup"
    noise.write_bytes(os.urandom(4096))
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    for file, words in ((noise, "not a Passage backup"),
                        (foreign, "not a Passage backup" if "sqlite" in empty_database_url
                         else "is a sqlite backup; the database is postgresql")):
        result = passage(empty_database_url, "restore", str(file))
        assert result.returncode == 2
        assert words in result.stderr
    if "sqlite" in empty_database_url:
        assert not Path(empty_database_url.split("///", 1)[1]).exists()
    else:
        engine = make_engine(empty_database_url)
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
        engine.dispose()


def test_backup_never_overwrites_and_a_failed_backup_leaves_no_file(populated, tmp_path):
    url, _ = populated
    existing = tmp_path / "kept.backup"
    existing.write_bytes(b"an earlier backup")
    refused = passage(url, "backup", str(existing))
    assert refused.returncode == 2 and "exists" in refused.stderr
    assert existing.read_bytes() == b"an earlier backup"

    unreachable = ("postgresql://postgres@127.0.0.1:1/nothing" if url.startswith("postgresql")
                   else f"sqlite:///{tmp_path / 'missing' / 'nothing.db'}")
    failed = passage(unreachable, "backup", str(tmp_path / "new.backup"))
    assert failed.returncode == 2 and "Error:" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == ["kept.backup"]
