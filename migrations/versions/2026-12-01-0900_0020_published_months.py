"""published months: each completed month's publication to roles without exact counts,
stored at its first reading and read from then on (app.reports.month_store). The key is what
is published (kind), the month, the suppression threshold and the layout of the cells; the
cells are nationality codes and published counts only.

The downgrade drops the table: every month is then published again at its next reading,
from the records as they stand (as before this revision).

Revision ID: 0020_published_months
Revises: 0019_search_at_scale
Create Date: 2026-12-01 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0020_published_months'
down_revision: str | None = '0019_search_at_scale'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('published_months',
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('layout', sa.Integer(), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'month', 'threshold', 'layout',
                            name=op.f('pk_published_months'))
    )


def downgrade() -> None:
    op.drop_table('published_months')
