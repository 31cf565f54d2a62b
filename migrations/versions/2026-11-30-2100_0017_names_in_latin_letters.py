"""names across scripts (issue 16, part 4): a person's names in Latin letters
(people.given_name_latin, people.family_name_latin; optional) and the key the duplicate check
and the search compare them by (people.name_key_latin: the Latin forms, else the names
transliterated with anyascii when they are not in Latin letters). The people already recorded
get their key from their names; their Latin forms stay empty until someone records them.

Revision ID: 0017_names_in_latin_letters
Revises: 0016_safeguard
Create Date: 2026-11-30 21:00:00
"""
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from anyascii import anyascii

revision: str = '0017_names_in_latin_letters'
down_revision: str | None = '0016_safeguard'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def _is_latin(text: str) -> bool:
    return all(not ch.isalpha() or ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")
               for ch in text)


def _key(given: str, family: str) -> str:
    # app.people.service.latin_key as it stood at this revision (a migration keeps its own)
    def transliterate(text: str) -> str:
        text = " ".join(text.split())
        return "" if not text or _is_latin(text) else " ".join(anyascii(text).split())[:200]

    g, f = transliterate(given), transliterate(family)
    if not (g or f):
        return ""
    text = f"{g or given} {f or family}"
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed
                       if not (unicodedata.combining(ch) and ch < "\u0370"))
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())[:400]


def upgrade() -> None:
    with op.batch_alter_table('people') as batch_op:
        batch_op.add_column(sa.Column('given_name_latin', sqlmodel.sql.sqltypes.AutoString(
            length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('family_name_latin', sqlmodel.sql.sqltypes.AutoString(
            length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('name_key_latin', sqlmodel.sql.sqltypes.AutoString(
            length=400), nullable=False, server_default=''))
    people = sa.table('people', sa.column('id', sa.Integer), sa.column('given_name', sa.String),
                      sa.column('family_name', sa.String),
                      sa.column('name_key_latin', sa.String))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(sa.select(people.c.id, people.c.given_name,
                                            people.c.family_name)
                                  .where(people.c.id > last).order_by(people.c.id)
                                  .limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1].id
        keys = [{"pid": r.id, "key": _key(r.given_name, r.family_name or "")} for r in rows]
        keys = [k for k in keys if k["key"]]
        if keys:
            connection.execute(people.update().where(people.c.id == sa.bindparam("pid"))
                               .values(name_key_latin=sa.bindparam("key")), keys)


def downgrade() -> None:
    with op.batch_alter_table('people') as batch_op:
        batch_op.drop_column('name_key_latin')
        batch_op.drop_column('family_name_latin')
        batch_op.drop_column('given_name_latin')
