"""case status history: every change of a case's status with who, when and why; closure reasons

Cases already on record get the history they imply: an "opened" line at the case's creation
and, for a determined case, a "determination" line at its latest determination (by whoever
recorded it). The downgrade drops the history and the closure reasons; a closed case goes back
to the status its latest determination gives it.

Revision ID: 0008_case_status_history
Revises: 0007_screenings_per_version
Create Date: 2026-11-30 15:21:37.453053
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008_case_status_history'
down_revision: str | None = '0007_screenings_per_version'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('determination_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_status_changes_case_id_cases')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_case_status_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['determination_id'], ['determinations.id'], name=op.f('fk_case_status_changes_determination_id_determinations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_status_changes'))
    )
    with op.batch_alter_table('case_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_status_changes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_status_changes_changed_at'), ['changed_at'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closure_reason', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_closure_reason'), ['closure_reason'], unique=False)

    op.execute("""
        INSERT INTO case_status_changes (case_id, from_status, to_status, event, note,
                                         changed_at)
        SELECT id, NULL, 'open', 'opened', '', created_at FROM cases
    """)
    op.execute("""
        INSERT INTO case_status_changes (case_id, from_status, to_status, event, note,
                                         determination_id, changed_by_id, changed_at)
        SELECT c.id, 'open', 'determined', 'determination', '', d.id, d.decided_by_id,
               d.decided_at
        FROM cases c JOIN determinations d ON d.case_id = c.id
        WHERE c.status = 'determined'
          AND d.id = (SELECT max(d2.id) FROM determinations d2 WHERE d2.case_id = c.id)
    """)


def downgrade() -> None:
    op.execute("""
        UPDATE cases SET status = CASE WHEN EXISTS (
            SELECT 1 FROM determinations d WHERE d.case_id = cases.id
              AND d.outcome <> 'undetermined'
              AND d.id = (SELECT max(d2.id) FROM determinations d2
                          WHERE d2.case_id = cases.id)) THEN 'determined' ELSE 'open' END
        WHERE status = 'closed'
    """)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_closure_reason'))
        batch_op.drop_column('closure_reason')

    with op.batch_alter_table('case_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_status_changes_changed_at'))
        batch_op.drop_index(batch_op.f('ix_case_status_changes_case_id'))

    op.drop_table('case_status_changes')
