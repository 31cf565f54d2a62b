"""sign-in throttling: recent failures per name, and locks (issue 6)

Both tables hold a keyed hash of the attempted name, never the name as typed. Failures are
pruned as they stop counting; a lock row is reused by later locks of the same name.

Revision ID: 0004_sign_in_throttle
Revises: 0003_audit_append_only
Create Date: 2026-11-25 15:53:17.057745
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004_sign_in_throttle'
down_revision: str | None = '0003_audit_append_only'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sign_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failures_name_hash_at', ['name_hash', 'at'], unique=False)

    op.create_table('sign_in_locks',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('locked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('lifted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_sign_in_locks_lifted_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_locks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_locks')),
    sa.UniqueConstraint('name_hash', name=op.f('uq_sign_in_locks_name_hash'))
    )
    with op.batch_alter_table('sign_in_locks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_locks_locked_until'), ['locked_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_locks_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_in_locks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_locks_user_id'))
        batch_op.drop_index(batch_op.f('ix_sign_in_locks_locked_until'))

    op.drop_table('sign_in_locks')
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_name_hash_at')

    op.drop_table('sign_in_failures')
