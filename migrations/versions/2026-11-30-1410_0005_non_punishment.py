"""non-punishment: detention record of a case and the letters made from it (issue 15)

One detention record per case (detained, charged, by whom, where, since when, for what), and a
row for every non-punishment letter made from it, so that coordinators can see who is still
waiting for one.

Revision ID: 0005_non_punishment
Revises: 0004_sign_in_throttle
Create Date: 2026-11-30 14:10:06.959655
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005_non_punishment'
down_revision: str | None = '0004_sign_in_throttle'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('detentions',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('detained', sa.Boolean(), nullable=False),
    sa.Column('charged', sa.Boolean(), nullable=False),
    sa.Column('authority', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('grounds', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('consent_to_share', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_detentions_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_detentions_created_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_detentions_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_detentions')),
    sa.UniqueConstraint('case_id', name=op.f('uq_detentions_case_id'))
    )
    op.create_table('non_punishment_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('detention_id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=True),
    sa.Column('determination_id', sa.Integer(), nullable=True),
    sa.Column('authority', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('names_person', sa.Boolean(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_non_punishment_letters_case_id_cases')),
    sa.ForeignKeyConstraint(['detention_id'], ['detentions.id'], name=op.f('fk_non_punishment_letters_detention_id_detentions')),
    sa.ForeignKeyConstraint(['determination_id'], ['determinations.id'], name=op.f('fk_non_punishment_letters_determination_id_determinations')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_non_punishment_letters_issued_by_id_users')),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], name=op.f('fk_non_punishment_letters_screening_id_screenings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_non_punishment_letters'))
    )
    with op.batch_alter_table('non_punishment_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_non_punishment_letters_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_non_punishment_letters_issued_at'), ['issued_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('non_punishment_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_non_punishment_letters_issued_at'))
        batch_op.drop_index(batch_op.f('ix_non_punishment_letters_case_id'))

    op.drop_table('non_punishment_letters')
    op.drop_table('detentions')
