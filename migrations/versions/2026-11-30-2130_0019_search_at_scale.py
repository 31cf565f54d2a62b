"""queries that stay fast at national scale (issue 18 part 3): on PostgreSQL, trigram
indexes (pg_trgm, GIN) on the people's name keys, so that a name searched anywhere in the
names (LIKE '%term%') reads the index rather than every person, and the audit log's index on
the actor's name as searched (lower(actor_username), with the time it is ordered by); on
every database, the cases of an organisation newest first (organization_id, id: the case list
and its pages) and the people of an organisation's cases (organization_id, person_id: whom a
caseworker may see, read from the index alone). SQLite keeps its simple paths (no trigram index there).

Revision ID: 0019_search_at_scale
Revises: 0018_preferred_language
Create Date: 2026-11-30 21:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0019_search_at_scale'
down_revision: str | None = '0018_preferred_language'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_cases_organization_id_id', 'cases', ['organization_id', 'id'],
                    unique=False)
    op.create_index('ix_cases_organization_id_person_id', 'cases',
                    ['organization_id', 'person_id'], unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    # a trusted extension since PostgreSQL 13: the database's owner may create it
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.execute('CREATE INDEX ix_people_name_key_trgm ON people '
               'USING gin (name_key gin_trgm_ops)')
    op.execute('CREATE INDEX ix_people_name_key_latin_trgm ON people '
               'USING gin (name_key_latin gin_trgm_ops)')
    op.execute('CREATE INDEX ix_audit_events_actor_name_at ON audit_events '
               '(lower(actor_username), at)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_audit_events_actor_name_at')
        op.execute('DROP INDEX IF EXISTS ix_people_name_key_latin_trgm')
        op.execute('DROP INDEX IF EXISTS ix_people_name_key_trgm')
    op.drop_index('ix_cases_organization_id_person_id', table_name='cases')
    op.drop_index('ix_cases_organization_id_id', table_name='cases')
