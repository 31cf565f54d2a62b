"""load the ISO 3166-1 countries into nationalities

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

nationalities = sa.table("nationalities", sa.column("code", sa.String), sa.column("name", sa.String))


def upgrade() -> None:
    from app.nationalities.service import iso_countries

    op.bulk_insert(nationalities, [{"code": code, "name": name} for code, name in iso_countries()])


def downgrade() -> None:
    op.execute(nationalities.delete())
