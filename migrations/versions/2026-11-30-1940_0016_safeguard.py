"""the safeguard's repairs: every protection assessment kept (repatriation_assessments, the
ones already recorded copied in), when a fear of return was last recorded
(repatriations.fear_of_return_recorded_at: an older assessment did not assess it), the
border organisation of a batch (repatriation_batches.border_organization_id: its officials
read its departure list and record its exits), and crossings ticked on a departure list
(crossings.from_departure_list: they open nothing of the person's record).

Revision ID: 0016_safeguard
Revises: 0015_crossings_range_index
Create Date: 2026-11-30 19:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0016_safeguard'
down_revision: str | None = '0015_crossings_range_index'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'repatriation_assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('repatriation_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=32), nullable=False),
        sa.Column('rationale', sa.Text(), nullable=False),
        sa.Column('fear_of_return', sa.String(length=16), nullable=False),
        sa.Column('assessed_by_id', sa.Integer(), nullable=True),
        sa.Column('assessed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assessed_by_id'], ['users.id'],
                                name=op.f('fk_repatriation_assessments_assessed_by_id_users')),
        sa.ForeignKeyConstraint(
            ['repatriation_id'], ['repatriations.id'],
            name=op.f('fk_repatriation_assessments_repatriation_id_repatriations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_repatriation_assessments')))
    with op.batch_alter_table('repatriation_assessments') as batch_op:
        batch_op.create_index(batch_op.f('ix_repatriation_assessments_repatriation_id'),
                              ['repatriation_id'], unique=False)
    op.execute(
        "INSERT INTO repatriation_assessments (repatriation_id, outcome, rationale, "
        "fear_of_return, assessed_by_id, assessed_at) SELECT id, protection_outcome, "
        "protection_rationale, fear_of_return, protection_assessed_by_id, "
        "COALESCE(protection_assessed_at, updated_at) FROM repatriations "
        "WHERE protection_outcome IS NOT NULL ORDER BY id")

    with op.batch_alter_table('repatriations') as batch_op:
        batch_op.add_column(sa.Column('fear_of_return_recorded_at',
                                      sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('repatriation_batches') as batch_op:
        batch_op.add_column(sa.Column('border_organization_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_repatriation_batches_border_organization_id'),
                              ['border_organization_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_repatriation_batches_border_organization_id_organizations'),
            'organizations', ['border_organization_id'], ['id'])

    with op.batch_alter_table('crossings') as batch_op:
        batch_op.add_column(sa.Column('from_departure_list', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('crossings') as batch_op:
        batch_op.drop_column('from_departure_list')
    with op.batch_alter_table('repatriation_batches') as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_repatriation_batches_border_organization_id_organizations'),
            type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_repatriation_batches_border_organization_id'))
        batch_op.drop_column('border_organization_id')
    with op.batch_alter_table('repatriations') as batch_op:
        batch_op.drop_column('fear_of_return_recorded_at')
    with op.batch_alter_table('repatriation_assessments') as batch_op:
        batch_op.drop_index(batch_op.f('ix_repatriation_assessments_repatriation_id'))
    op.drop_table('repatriation_assessments')
