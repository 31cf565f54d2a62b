"""sign-in throttling by name and address: failures and locks carry the client's address

A name's failures lock it for the addresses that failed, not for everyone, and an address that
fails on many names is locked for every name (name_hash '*'). Failures and locks only count
for minutes, so the rows of the old scheme (a name locked for everyone) are dropped rather
than guessed at; the audit log keeps their history. The downgrade drops the new rows likewise.

Revision ID: 0006_sign_in_by_address
Revises: 0005_non_punishment
Create Date: 2026-11-30 14:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006_sign_in_by_address'
down_revision: str | None = '0005_non_punishment'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM sign_in_failures")
    op.execute("DELETE FROM sign_in_locks")
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_address',
                                      sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False))
        batch_op.create_index('ix_sign_in_failures_client_address_at',
                              ['client_address', 'at'], unique=False)
    with op.batch_alter_table('sign_in_locks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_address',
                                      sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False))
        batch_op.drop_constraint('uq_sign_in_locks_name_hash', type_='unique')
        batch_op.create_unique_constraint('uq_sign_in_locks_name_hash_client_address',
                                          ['name_hash', 'client_address'])
        batch_op.create_index(batch_op.f('ix_sign_in_locks_client_address'),
                              ['client_address'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM sign_in_failures")
    op.execute("DELETE FROM sign_in_locks")
    with op.batch_alter_table('sign_in_locks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_locks_client_address'))
        batch_op.drop_constraint('uq_sign_in_locks_name_hash_client_address', type_='unique')
        batch_op.create_unique_constraint('uq_sign_in_locks_name_hash', ['name_hash'])
        batch_op.drop_column('client_address')
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_client_address_at')
        batch_op.drop_column('client_address')
