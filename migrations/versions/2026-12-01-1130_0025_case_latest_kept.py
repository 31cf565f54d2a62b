"""the case's current suggestion and latest determination's outcome, kept on the case (issue
18): the coordinators' outcome counts and statistics read them per case through two correlated
subqueries, 2.6–2.9 s over 300,000 cases and 30 s and more under 100 users. Kept from now on
by app.cases.next_step.refresh with the next step; filled here for the cases already there
by app.cases.latest's definitions, frozen in SQL: the suggestion on the case's latest
interview, of the newest rules version; the determination recorded last (the highest id).

Revision ID: 0025_case_latest_kept
Revises: 0024_queue_indexes_by_id
Create Date: 2026-12-01 11:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0025_case_latest_kept'
down_revision: str | None = '0024_queue_indexes_by_id'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Set-based (each table read once, numbered per case), not a correlated subquery per case: the
# same result, and it needs no index (scripts/bench_data.py fills 300,000 cases while the
# secondary indexes are off; the subqueries took minutes there). UPDATE ... FROM: PostgreSQL,
# and SQLite from 3.33.
FILL = (
    """
    UPDATE cases SET latest_suggestion = kept.classification
    FROM (SELECT case_id, classification,
                 ROW_NUMBER() OVER (PARTITION BY case_id
                                    ORDER BY interview_id DESC, rules_version DESC) AS n
          FROM screenings) AS kept
    WHERE kept.case_id = cases.id AND kept.n = 1
    """,
    """
    UPDATE cases SET latest_outcome = kept.outcome
    FROM (SELECT case_id, outcome,
                 ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY id DESC) AS n
          FROM determinations) AS kept
    WHERE kept.case_id = cases.id AND kept.n = 1
    """,
)


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('latest_suggestion', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('latest_outcome', sa.String(length=32), nullable=True))
    for statement in FILL:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('latest_outcome')
        batch.drop_column('latest_suggestion')
