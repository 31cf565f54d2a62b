"""screenings: one per interview and rules version, so that re-screening adds beside (issue 15)

A newer rules version adds its suggestion for an interview next to the older ones; the stored
suggestions are never rewritten. Downgrading keeps each interview's first suggestion and
removes the later ones, unless a determination or a letter answered one of them (then it
stops: those records would lose the suggestion they answered).

Revision ID: 0007_screenings_per_version
Revises: 0006_sign_in_by_address
Create Date: 2026-11-30 14:53:14.452257
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007_screenings_per_version'
down_revision: str | None = '0006_sign_in_by_address'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_screenings_interview_id'), type_='unique')
        batch_op.create_unique_constraint('uq_screenings_interview_id_rules_version', ['interview_id', 'rules_version'])



LATER_SUGGESTIONS = """
    FROM screenings WHERE id NOT IN (
        SELECT min(id) FROM screenings GROUP BY interview_id)"""


def downgrade() -> None:
    bind = op.get_bind()
    answered = bind.execute(sa.text(
        "SELECT count(*) FROM screenings s WHERE s.id NOT IN (SELECT min(id) FROM screenings "
        "GROUP BY interview_id) AND (EXISTS (SELECT 1 FROM determinations d WHERE "
        "d.screening_id = s.id) OR EXISTS (SELECT 1 FROM non_punishment_letters l WHERE "
        "l.screening_id = s.id))")).scalar_one()
    if answered:
        raise RuntimeError(
            f"{answered} suggestions of a newer rules version have been answered by a "
            "determination or a letter; downgrading would take them away")
    bind.execute(sa.text("DELETE" + LATER_SUGGESTIONS))
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_constraint('uq_screenings_interview_id_rules_version', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_screenings_interview_id'), ['interview_id'])

