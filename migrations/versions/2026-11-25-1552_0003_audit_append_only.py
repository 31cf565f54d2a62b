"""audit_events is append-only: the database refuses UPDATE and DELETE (issue 6)

PostgreSQL: a trigger function that raises, fired BEFORE UPDATE OR DELETE (per row) and
BEFORE TRUNCATE. SQLite: two triggers with RAISE(ABORT). Nothing in the application updates
or deletes audit events; these make the database refuse it too, whoever asks.

Note for later migrations: Alembic's SQLite batch mode rebuilds a table by copying it, and
the copy has no triggers. A migration that alters audit_events on SQLite must create the
triggers again (call create_triggers() below).

Revision ID: 0003_audit_append_only
Revises: 0002
Create Date: 2026-11-25 15:52:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0003_audit_append_only'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRESQL_UP = (
    """
    CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()
    """,
    """
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()
    """,
)
POSTGRESQL_DOWN = (
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_refuse_change()",
)
SQLITE_UP = (
    """
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE is not allowed'); END
    """,
    """
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE is not allowed'); END
    """,
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
    "DROP TRIGGER IF EXISTS audit_events_no_update",
)


def create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": POSTGRESQL_UP, "sqlite": SQLITE_UP}.get(dialect, ()):
        op.execute(statement)


def upgrade() -> None:
    create_triggers()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": POSTGRESQL_DOWN, "sqlite": SQLITE_DOWN}.get(dialect, ()):
        op.execute(statement)
