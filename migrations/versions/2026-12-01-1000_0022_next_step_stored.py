"""the next step a case waits for, kept on the case (issue 18): cases.next_step (the step
apart from follow-ups falling due), cases.waiting_on (the local day the wait for it began)
and cases.follow_up_due_on (the earliest open follow-up, once only follow-ups and referrals
remain), filled for the cases already there by one UPDATE over their facts — the decision of
app.cases.next_step.decide, frozen here in SQL — and the work queue's indexes on them, of
an organisation (caseworkers) and of all (coordinators).

Revision ID: 0022_next_step_stored
Revises: 0021_crossing_rollup
Create Date: 2026-12-01 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022_next_step_stored'
down_revision: str | None = '0021_crossing_rollup'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ZONE = 'Asia/Bangkok'  # app.clock.LOCAL_TZ: UTC+7 all year


def _local_day(moment: str, dialect: str) -> str:
    if dialect == 'postgresql':
        return f"(timezone('{ZONE}', {moment}))::date"
    return f"date({moment}, '+420 minutes')"


def fill_statement(dialect: str) -> str:
    """Every case's next step from its rows: closed; else an interview, a decision, a pending
    referral, nothing, in that order; and the day each wait began."""
    day = lambda moment: _local_day(moment, dialect)  # noqa: E731
    return f"""
        UPDATE cases SET next_step = f.step, waiting_on = f.waiting_on,
                         follow_up_due_on = f.due_on
        FROM (
            SELECT c.id,
                   CASE WHEN c.status = 'closed' THEN 'closed'
                        WHEN i.case_id IS NULL THEN 'interview'
                        WHEN d.case_id IS NULL THEN 'decide'
                        WHEN r.referred_at IS NOT NULL THEN 'referral'
                        ELSE 'none' END AS step,
                   CASE WHEN c.status = 'closed' THEN NULL
                        WHEN i.case_id IS NULL THEN {day('c.created_at')}
                        WHEN d.case_id IS NULL THEN {day('s.screened_at')}
                        WHEN r.referred_at IS NOT NULL THEN {day('r.referred_at')}
                        END AS waiting_on,
                   CASE WHEN c.status <> 'closed' AND i.case_id IS NOT NULL
                             AND d.case_id IS NOT NULL THEN fu.due_on END AS due_on
            FROM cases AS c
            LEFT JOIN (SELECT DISTINCT case_id FROM interviews) AS i ON i.case_id = c.id
            LEFT JOIN (SELECT DISTINCT case_id FROM determinations) AS d ON d.case_id = c.id
            LEFT JOIN (SELECT case_id, max(created_at) AS screened_at FROM screenings
                       GROUP BY case_id) AS s ON s.case_id = c.id
            LEFT JOIN (SELECT case_id, min(updated_at) AS referred_at FROM referrals
                       WHERE status = 'pending' GROUP BY case_id) AS r ON r.case_id = c.id
            LEFT JOIN (SELECT case_id, min(due_on) AS due_on FROM follow_ups
                       WHERE NOT done AND dropped_at IS NULL GROUP BY case_id) AS fu
                   ON fu.case_id = c.id
        ) AS f
        WHERE f.id = cases.id
    """


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('next_step', sa.String(length=16), nullable=False,
                                   server_default='interview'))
        batch.add_column(sa.Column('waiting_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('follow_up_due_on', sa.Date(), nullable=True))
    op.execute(fill_statement(op.get_bind().dialect.name))
    # made after the fill: one build rather than an update of each entry
    op.create_index('ix_cases_organization_id_next_step_waiting_on', 'cases',
                    ['organization_id', 'next_step', 'waiting_on'], unique=False)
    op.create_index('ix_cases_organization_id_follow_up_due_on', 'cases',
                    ['organization_id', 'follow_up_due_on'], unique=False)
    # the same of every organisation (coordinators)
    op.create_index('ix_cases_next_step_waiting_on', 'cases', ['next_step', 'waiting_on'],
                    unique=False)
    op.create_index('ix_cases_follow_up_due_on', 'cases', ['follow_up_due_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cases_follow_up_due_on', table_name='cases')
    op.drop_index('ix_cases_next_step_waiting_on', table_name='cases')
    op.drop_index('ix_cases_organization_id_follow_up_due_on', table_name='cases')
    op.drop_index('ix_cases_organization_id_next_step_waiting_on', table_name='cases')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('follow_up_due_on')
        batch.drop_column('waiting_on')
        batch.drop_column('next_step')
