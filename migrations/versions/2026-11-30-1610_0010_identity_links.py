"""identity links: a record matched to a person another organisation registered

Matching an identity no longer opens the other organisation's record: the record made by the
organisation that matched it is kept, and a row here says the two are likely one person.

Revision ID: 0010_identity_links
Revises: 0009_follow_ups
Create Date: 2026-11-30 16:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010_identity_links'
down_revision: str | None = '0009_follow_ups'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'identity_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('own_person_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('via', sa.String(length=16), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_identity_links_case_id_cases')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_identity_links_created_by_id_users')),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_identity_links_organization_id_organizations')),
        sa.ForeignKeyConstraint(['own_person_id'], ['people.id'],
                                name=op.f('fk_identity_links_own_person_id_people')),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_identity_links_person_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_links')),
    )
    with op.batch_alter_table('identity_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_links_organization_id'),
                              ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_links_own_person_id'),
                              ['own_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_links_person_id'),
                              ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('identity_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_links_person_id'))
        batch_op.drop_index(batch_op.f('ix_identity_links_own_person_id'))
        batch_op.drop_index(batch_op.f('ix_identity_links_organization_id'))
    op.drop_table('identity_links')
