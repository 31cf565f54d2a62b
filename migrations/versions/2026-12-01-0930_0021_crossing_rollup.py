"""the nationality counts' rollup (issue 18 part 3): crossing_days (the crossings of each
local day by direction, nationality and sex; with the people's first and last crossings) and
crossing_repeats (crossings whose person's previous crossing was fewer than 92 days before),
each for any point and compound, each point and each compound; the people who crossed in a
range of up to 92 days are the range's crossings less its repeats (app.crossings.rollup).
The crossings already recorded are counted here.

Revision ID: 0021_crossing_rollup
Revises: 0020_published_months
Create Date: 2026-12-01 09:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021_crossing_rollup'
down_revision: str | None = '0020_published_months'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('crossing_days',
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('crossing_point', sa.String(length=200), nullable=False),
    sa.Column('compound_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('nationality_code', sa.String(length=2), nullable=False),
    sa.Column('crossings_female', sa.Integer(), nullable=False),
    sa.Column('crossings_male', sa.Integer(), nullable=False),
    sa.Column('crossings_other', sa.Integer(), nullable=False),
    sa.Column('crossings_unknown', sa.Integer(), nullable=False),
    sa.Column('firsts_female', sa.Integer(), nullable=False),
    sa.Column('firsts_male', sa.Integer(), nullable=False),
    sa.Column('firsts_other', sa.Integer(), nullable=False),
    sa.Column('firsts_unknown', sa.Integer(), nullable=False),
    sa.Column('lasts_female', sa.Integer(), nullable=False),
    sa.Column('lasts_male', sa.Integer(), nullable=False),
    sa.Column('lasts_other', sa.Integer(), nullable=False),
    sa.Column('lasts_unknown', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('direction', 'crossing_point', 'compound_id', 'day', 'nationality_code', name=op.f('pk_crossing_days'))
    )
    op.create_table('crossing_repeats',
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('crossing_point', sa.String(length=200), nullable=False),
    sa.Column('compound_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('previous_day', sa.Date(), nullable=False),
    sa.Column('nationality_code', sa.String(length=2), nullable=False),
    sa.Column('female', sa.Integer(), nullable=False),
    sa.Column('male', sa.Integer(), nullable=False),
    sa.Column('other', sa.Integer(), nullable=False),
    sa.Column('unknown', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('direction', 'crossing_point', 'compound_id', 'day', 'previous_day', 'nationality_code', name=op.f('pk_crossing_repeats'))
    )
    dialect = op.get_bind().dialect.name
    for statement in _count_statements(dialect):
        op.execute(statement)
    if dialect == 'postgresql':  # the planner's statistics of the rows just counted
        op.execute('ANALYZE crossing_days')
        op.execute('ANALYZE crossing_repeats')


# app.crossings.rollup.rebuild_statements as it stood at this revision (a migration keeps its
# own): every crossing counted, by Thai day (UTC+7 all year; SQLite has no zones)
SEXES = ("female", "male", "other", "unknown")
WINDOW_DAYS = 92


def _count_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        day = "(timezone('Asia/Bangkok', c.crossed_at))::date"
        gap = "day - previous_day"
    else:
        day = "date(c.crossed_at, '+420 minutes')"
        gap = "julianday(day) - julianday(previous_day)"
    crossing = (f"c.person_id, c.id, c.crossed_at, c.direction, {day} AS day, "
                "coalesce(p.nationality_code, '') AS nationality_code, "
                "CASE WHEN p.sex IN ('female', 'male', 'other') THEN p.sex ELSE 'unknown' END "
                "AS sex FROM crossings c JOIN people p ON p.id = c.person_id "
                "AND p.merged_into_id IS NULL")
    kinds = ", ".join(f"{k}_{s}" for k in ("crossings", "firsts", "lasts") for s in SEXES)
    counted = ", ".join(
        f"sum(CASE WHEN sex = '{sex}'{extra} THEN 1 ELSE 0 END)"
        for extra in ("", " AND previous_day IS NULL", " AND is_last = 1") for sex in SEXES)
    by_sex = ", ".join(f"sum(CASE WHEN sex = '{s}' THEN 1 ELSE 0 END)" for s in SEXES)
    return [
        f"""CREATE TEMPORARY TABLE rollup_sequence AS
        SELECT direction, crossing_point, compound_id, day, nationality_code, sex,
               lag(day) OVER w AS previous_day,
               CASE WHEN lead(id) OVER w IS NULL THEN 1 ELSE 0 END AS is_last
        FROM (SELECT '' AS crossing_point, 0 AS compound_id, {crossing}
              UNION ALL
              SELECT c.crossing_point, 0, {crossing}
              UNION ALL
              SELECT '', c.compound_id, {crossing} WHERE c.compound_id IS NOT NULL) AS f
        WINDOW w AS (PARTITION BY person_id, direction, crossing_point, compound_id
                     ORDER BY crossed_at, id)""",  # noqa: S608 (constants, no input)
        f"""INSERT INTO crossing_days (direction, crossing_point, compound_id, day,
            nationality_code, {kinds})
        SELECT direction, crossing_point, compound_id, day, nationality_code, {counted}
        FROM rollup_sequence
        GROUP BY direction, crossing_point, compound_id, day, nationality_code
        ORDER BY direction, crossing_point, compound_id, day, nationality_code""",  # noqa: S608
        f"""INSERT INTO crossing_repeats (direction, crossing_point, compound_id, day,
            previous_day, nationality_code, {', '.join(SEXES)})
        SELECT direction, crossing_point, compound_id, day, previous_day, nationality_code,
               {by_sex}
        FROM rollup_sequence WHERE previous_day IS NOT NULL AND {gap} < {WINDOW_DAYS}
        GROUP BY direction, crossing_point, compound_id, day, previous_day, nationality_code
        ORDER BY direction, crossing_point, compound_id, day, previous_day,
                 nationality_code""",  # noqa: S608
        "DROP TABLE rollup_sequence",
    ]


def downgrade() -> None:
    op.drop_table('crossing_repeats')
    op.drop_table('crossing_days')
