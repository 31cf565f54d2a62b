"""the nationality counts' index (issue 18): crossings by direction and time with the person,
so that the people who crossed in a range are read from the index alone (an index-only scan,
no visit to the table's rows); measured with scripts/bench_counts.py at 1,000,000 crossings

Revision ID: 0015_crossings_range_index
Revises: 0014_case_consent_to_share
Create Date: 2026-11-30 19:30:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0015_crossings_range_index'
down_revision: str | None = '0014_case_consent_to_share'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_crossings_direction_crossed_at_person_id', 'crossings',
                    ['direction', 'crossed_at', 'person_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_crossings_direction_crossed_at_person_id', table_name='crossings')
