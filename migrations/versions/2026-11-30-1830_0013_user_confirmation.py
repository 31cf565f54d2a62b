"""user confirmation and set-password codes (issue 10, part 4): an administrator never sets a
usable password but gets a one-time code the user redeems (set_password_codes, only its hash);
a user an administrator created, moved or gave another role awaits the confirmation of a
caseworker or coordinator of the organisation (users.awaiting_confirmation); Passage-wide
administration is a flag given at the command line (users.global_admin).

Users already there are confirmed, and no one is a Passage-wide administrator: after the
upgrade an administrator manages only the users of their own organisation until the operator
runs `passage grant-global-admin USERNAME`.

Revision ID: 0013_user_confirmation
Revises: 0012_repatriation
Create Date: 2026-11-30 17:18:54.897403
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013_user_confirmation'
down_revision: str | None = '0012_repatriation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('set_password_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_set_password_codes_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_set_password_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_password_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_set_password_codes_code_hash'))
    )
    with op.batch_alter_table('set_password_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_password_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('global_admin', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('awaiting_confirmation', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('awaiting_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_confirmed_by_id_users'), 'users', ['confirmed_by_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('awaiting_reason')
        batch_op.drop_column('awaiting_confirmation')
        batch_op.drop_column('global_admin')

    with op.batch_alter_table('set_password_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_password_codes_user_id'))

    op.drop_table('set_password_codes')
