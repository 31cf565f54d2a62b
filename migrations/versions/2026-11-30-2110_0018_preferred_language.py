"""each user's preferred language (issue 16): users.preferred_language, a locale code of
app.i18n's registry ("en", "th", "my", "zh_Hans", ...); English for every user already there.

Revision ID: 0018_preferred_language
Revises: 0017_names_in_latin_letters
Create Date: 2026-11-30 21:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018_preferred_language'
down_revision: str | None = '0017_names_in_latin_letters'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('preferred_language', sa.String(length=16), nullable=False,
                                   server_default='en'))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('preferred_language')
