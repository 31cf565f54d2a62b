"""person merges: a record merged into another is kept as a tombstone (people.merged_into_id)
and each merge keeps what it moved (person_merges.moved), so that it can be undone

The downgrade drops both: a tombstone becomes an ordinary record again (without the
crossings and cases that moved to its survivor, which stay there).

Revision ID: 0011_person_merges
Revises: 0010_identity_links
Create Date: 2026-11-30 15:34:37.444368
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011_person_merges'
down_revision: str | None = '0010_identity_links'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('person_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survivor_id', sa.Integer(), nullable=False),
    sa.Column('duplicate_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('moved', sa.JSON(), nullable=False),
    sa.Column('merged_by_id', sa.Integer(), nullable=True),
    sa.Column('merged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('undone_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.Column('undo_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['duplicate_id'], ['people.id'], name=op.f('fk_person_merges_duplicate_id_people')),
    sa.ForeignKeyConstraint(['merged_by_id'], ['users.id'], name=op.f('fk_person_merges_merged_by_id_users')),
    sa.ForeignKeyConstraint(['survivor_id'], ['people.id'], name=op.f('fk_person_merges_survivor_id_people')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_person_merges_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_merges'))
    )
    with op.batch_alter_table('person_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_merges_duplicate_id'), ['duplicate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_merges_merged_at'), ['merged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_merges_survivor_id'), ['survivor_id'], unique=False)

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_people_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_people_merged_into_id_people'), 'people', ['merged_into_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_people_merged_into_id_people'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_people_merged_into_id'))
        batch_op.drop_column('merged_into_id')

    with op.batch_alter_table('person_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_merges_survivor_id'))
        batch_op.drop_index(batch_op.f('ix_person_merges_merged_at'))
        batch_op.drop_index(batch_op.f('ix_person_merges_duplicate_id'))

    op.drop_table('person_merges')
