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

FILL = """
    UPDATE cases SET
        latest_suggestion = (SELECT s.classification FROM screenings AS s
                             WHERE s.case_id = cases.id
                             ORDER BY s.interview_id DESC, s.rules_version DESC LIMIT 1),
        latest_outcome = (SELECT d.outcome FROM determinations AS d
                          WHERE d.case_id = cases.id ORDER BY d.id DESC LIMIT 1)
    WHERE EXISTS (SELECT 1 FROM screenings AS s WHERE s.case_id = cases.id)
       OR EXISTS (SELECT 1 FROM determinations AS d WHERE d.case_id = cases.id)
"""


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('latest_suggestion', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('latest_outcome', sa.String(length=32), nullable=True))
    op.execute(FILL)


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('latest_outcome')
        batch.drop_column('latest_suggestion')
