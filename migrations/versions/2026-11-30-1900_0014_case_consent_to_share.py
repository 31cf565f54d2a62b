"""case consent to share and received HTCDS fields (issue 17): cases.consent_to_share (the
person agreed that their identifying details go with the case in HTCDS exchanges; false for
every case already there) and cases.htcds_fields (what an HTCDS import brought that Passage
has no place for, given back on export).

Revision ID: 0014_case_consent_to_share
Revises: 0013_user_confirmation
Create Date: 2026-11-30 19:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014_case_consent_to_share'
down_revision: str | None = '0013_user_confirmation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('consent_to_share', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('htcds_fields', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('htcds_fields')
        batch.drop_column('consent_to_share')
