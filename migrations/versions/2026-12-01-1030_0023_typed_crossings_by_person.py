"""the crossings a person's record may be opened by (issue 18): each person's typed-in
crossings by the organisation that recorded them (person_id, recorded_by_organization_id,
leaving out exits ticked on a departure list, which open nothing). A border official's people
search asks, for each person whose name matches, whether their organisation typed in one of
their crossings (app.people.access): read from this index alone, instead of every crossing
of the person from the table.

Revision ID: 0023_typed_crossings_by_person
Revises: 0022_next_step_stored
Create Date: 2026-12-01 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023_typed_crossings_by_person'
down_revision: str | None = '0022_next_step_stored'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPED_IN = sa.text('from_departure_list IS false')


def upgrade() -> None:
    op.create_index('ix_crossings_typed_by_person', 'crossings',
                    ['person_id', 'recorded_by_organization_id'], unique=False,
                    postgresql_where=TYPED_IN, sqlite_where=TYPED_IN)


def downgrade() -> None:
    op.drop_index('ix_crossings_typed_by_person', table_name='crossings')
