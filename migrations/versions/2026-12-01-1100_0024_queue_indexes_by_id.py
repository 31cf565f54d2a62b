"""the work queue's indexes end with the case's id (issue 18): the cases waiting for nothing
(no day) come newest first from the index itself, and a step's cases of one day in id order,
where a page far down the queue read the cases of its organisation backwards by the primary
key, filtering out those of other steps and organisations.

Revision ID: 0024_queue_indexes_by_id
Revises: 0023_typed_crossings_by_person
Create Date: 2026-12-01 11:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0024_queue_indexes_by_id'
down_revision: str | None = '0023_typed_crossings_by_person'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {  # name: (columns before, columns after)
    'ix_cases_organization_id_next_step_waiting_on': (
        ['organization_id', 'next_step', 'waiting_on'],
        ['organization_id', 'next_step', 'waiting_on', 'id']),
    'ix_cases_organization_id_follow_up_due_on': (
        ['organization_id', 'follow_up_due_on'], ['organization_id', 'follow_up_due_on', 'id']),
    'ix_cases_next_step_waiting_on': (
        ['next_step', 'waiting_on'], ['next_step', 'waiting_on', 'id']),
}


def _make(which: int) -> None:
    for name, columns in INDEXES.items():
        op.drop_index(name, table_name='cases')
        op.create_index(name, 'cases', columns[which], unique=False)


def upgrade() -> None:
    _make(1)


def downgrade() -> None:
    _make(0)
