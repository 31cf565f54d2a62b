"""The audit log is append-only: the application never changes or deletes an event, and the
database itself refuses to (a trigger on PostgreSQL and on SQLite)."""

import re
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEvent
from app.db import make_engine
from app.migrate import downgrade, upgrade

events = AuditEvent.__table__
APP_DIR = Path(__file__).resolve().parents[2] / "app"


def _insert_event(conn) -> int:
    return conn.execute(insert(events).values(action="person.read", entity_type="person",
                                              entity_id="1", outcome="success", detail={})
                        .returning(events.c.id)).scalar_one()


@pytest.mark.parametrize("statement", [
    lambda id_: update(events).where(events.c.id == id_).values(outcome="denied"),
    lambda id_: delete(events).where(events.c.id == id_),
], ids=["update", "delete"])
def test_database_refuses_to_change_or_delete_an_audit_event(connection, statement):
    event_id = _insert_event(connection)
    with pytest.raises(DBAPIError, match="append-only"):
        with connection.begin_nested():
            connection.execute(statement(event_id))
    row = connection.execute(select(events.c.outcome).where(events.c.id == event_id)).one()
    assert row.outcome == "success"


def test_postgresql_refuses_to_truncate_the_audit_log(connection):
    if connection.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has no such statement")
    _insert_event(connection)
    with pytest.raises(DBAPIError, match="append-only"):
        with connection.begin_nested():
            connection.execute(text("TRUNCATE audit_events"))


def test_append_only_migration_downgrades_and_upgrades_again(empty_database_url):
    upgrade(empty_database_url)
    downgrade(empty_database_url, "0002")
    engine = make_engine(empty_database_url)
    with engine.begin() as conn:
        event_id = _insert_event(conn)
        conn.execute(update(events).where(events.c.id == event_id).values(outcome="denied"))
        conn.execute(delete(events).where(events.c.id == event_id))
    engine.dispose()
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with engine.begin() as conn:
        event_id = _insert_event(conn)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(delete(events).where(events.c.id == event_id))
    engine.dispose()


def test_no_application_code_updates_or_deletes_audit_events():
    pattern = re.compile(
        r"(update|delete)\(\s*(AuditEvent|events)\b"
        r"|(UPDATE|DELETE\s+FROM)\s+audit_events"
        r"|session\.delete\(\s*(event|audit)", re.IGNORECASE)
    offenders = [f"{path.relative_to(APP_DIR)}: {m.group(0)}"
                 for path in APP_DIR.rglob("*.py")
                 for m in pattern.finditer(path.read_text())]
    assert offenders == []
