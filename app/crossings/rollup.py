"""The nationality counts' rollup: the people who crossed in a range, by nationality and sex,
read from a few thousand rows whatever the number of crossings (issue 18). Exact, as every
count of crossings is (DESIGN.md).

Distinct people do not add up over days; crossings do. The people who crossed in the days
a..b are exactly the crossings in a..b whose person had no crossing before (in the same
direction) or whose previous one was before a: each person is counted once, by their first
crossing of the range. So

    people(a..b) = crossings(a..b) - repeats(a..b)

where crossings(a..b) adds up CrossingDay's counts of the days, and repeats(a..b) CrossingRepeat's
of the crossings in a..b whose previous crossing was on a day of a..b too: fewer than
WINDOW_DAYS days before, for any range of up to WINDOW_DAYS days (any three calendar
months). A range open at its start counts the people whose first crossing was on or before
b, one open at its end those whose last was on or after a (both kept by CrossingDay).

A filter on a crossing point or a compound changes which crossing is a person's previous
one, so the rollup keeps a family of rows for each: any point and compound ("" and 0), each
point, each compound. A range longer than WINDOW_DAYS, or a point and a compound at once,
is counted from the crossings (app.crossings.stats).

Kept by the writes: every write of crossings, or of the nationality or sex of a person who
crossed, runs inside `kept(session, person_ids)`, which counts what those people contribute
before and after the write and adds the difference. Their rows are locked first (PostgreSQL;
SQLite has one writer at a time), so that two writes for one person cannot both count from
the same "before"."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Select, Table, func, literal, text, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from app.clock import local_date, local_day
from app.crossings.filters import CrossingFilters
from app.crossings.models import Crossing, CrossingDay, CrossingRepeat
from app.nationalities.models import Nationality
from app.people.models import Person
from app.people.schemas import Sex
from app.people.service import LOOKUP_BATCH, one_of

# the longest range (in days, both ends included) read from the rollup: any three calendar
# months. A repeat is kept when the previous crossing was fewer days before.
WINDOW_DAYS = 92
SEXES = tuple(sex.value for sex in Sex)
ANY_POINT = ""  # CrossingDay.crossing_point of the rows of every point
ANY_COMPOUND = 0  # CrossingDay.compound_id of the rows of every compound (ids start at 1)
NO_NATIONALITY = ""  # CrossingDay.nationality_code of the people without one
KINDS = ("crossings", "firsts", "lasts")
DAY_KEY = ("direction", "crossing_point", "compound_id", "day", "nationality_code")
REPEAT_KEY = ("direction", "crossing_point", "compound_id", "day", "previous_day",
              "nationality_code")
DIALECTS = {"postgresql": postgresql.dialect, "sqlite": sqlite.dialect}


# --- what the crossings of some people contribute ---

def _families(crossing_point: str, compound_id: int | None) -> Iterator[tuple[str, int]]:
    yield ANY_POINT, ANY_COMPOUND
    yield crossing_point, ANY_COMPOUND
    if compound_id is not None:
        yield ANY_POINT, compound_id


def contributions(rows: Iterable) -> Counter:
    """The rollup's counts of these crossings, each row (person_id, id, crossed_at, direction,
    crossing_point, compound_id, nationality_code, sex), all the crossings of their people
    (records not merged into another: a merge moves the crossings to the survivor):
    {(CrossingDay, key..., column) or (CrossingRepeat, key..., column): count}."""
    sequences: dict[tuple, list[date]] = defaultdict(list)
    groups: dict[int, tuple[str, str]] = {}
    for row in sorted(rows, key=lambda r: (r.person_id, r.direction, r.crossed_at, r.id)):
        day = local_date(row.crossed_at)
        for point, compound in _families(row.crossing_point, row.compound_id):
            sequences[(row.person_id, row.direction, point, compound)].append(day)
        # people.sex holds the four values of Sex (PersonCreate, rosters, HTCDS imports)
        groups[row.person_id] = (row.nationality_code or NO_NATIONALITY,
                                 row.sex if row.sex in SEXES else Sex.UNKNOWN.value)
    counts: Counter = Counter()
    for (person_id, direction, point, compound), days in sequences.items():
        nationality, sex = groups[person_id]
        for index, day in enumerate(days):
            key = (direction, point, compound, day, nationality)
            counts[(CrossingDay, *key, f"crossings_{sex}")] += 1
            if index == 0:
                counts[(CrossingDay, *key, f"firsts_{sex}")] += 1
            if index == len(days) - 1:
                counts[(CrossingDay, *key, f"lasts_{sex}")] += 1
            if index and (day - days[index - 1]).days < WINDOW_DAYS:
                counts[(CrossingRepeat, direction, point, compound, day, days[index - 1],
                        nationality, sex)] += 1
    return counts


def _crossings_of(session: Session, person_ids: set[int]) -> list:
    ids = sorted(person_ids)
    rows = []
    for start in range(0, len(ids), LOOKUP_BATCH):
        chunk = ids[start:start + LOOKUP_BATCH]
        rows += session.exec(
            select(Crossing.person_id, Crossing.id, Crossing.crossed_at, Crossing.direction,
                   Crossing.crossing_point, Crossing.compound_id, Person.nationality_code,
                   Person.sex)
            .join(Person, Person.id == Crossing.person_id)
            .where(one_of(session, Crossing.person_id, chunk),
                   Person.merged_into_id.is_(None))).all()
    return rows


def _lock(session: Session, person_ids: set[int]) -> None:
    """The people's rows, in the order of their ids, until the transaction ends. FOR NO KEY
    UPDATE: a crossing or a case may still be added for them meanwhile (its foreign key
    takes a KEY SHARE lock), but no other keeper counts them."""
    if session.get_bind().dialect.name != "postgresql" or not person_ids:
        return
    ids = sorted(person_ids)
    for start in range(0, len(ids), LOOKUP_BATCH):
        session.exec(select(Person.id)
                     .where(one_of(session, Person.id, ids[start:start + LOOKUP_BATCH]))
                     .order_by(Person.id).with_for_update(key_share=True)).all()


class Keeper:
    """What some people contributed before a write; `finish` adds the difference after it."""

    def __init__(self, session: Session, person_ids: Iterable[int]):
        self.session = session
        self.person_ids = {pid for pid in person_ids if pid is not None}
        _lock(session, self.person_ids)
        self.before = contributions(_crossings_of(session, self.person_ids))

    def include(self, person_ids: Iterable[int]) -> None:
        """People registered by the write: nothing of theirs was counted before it."""
        self.person_ids.update(person_ids)

    def finish(self) -> None:
        self.session.flush()
        change = contributions(_crossings_of(self.session, self.person_ids))
        change.subtract(self.before)
        add(self.session, change)


@contextmanager
def kept(session: Session, person_ids: Iterable[int]) -> Iterator[Keeper]:
    """Around a write of the crossings of these people, or of their nationality or sex: the
    rollup follows it (nothing is added if the write raises: its transaction is undone)."""
    keeper = Keeper(session, person_ids)
    yield keeper
    keeper.finish()


def add(session: Session, counts: Counter) -> None:
    """Add counts (of contributions()) to the rollup's rows, making the rows missing. Rows in
    the order of their keys, so that two transactions wait for each other, never in a
    circle."""
    rows: dict[type, dict[tuple, Counter]] = {CrossingDay: {}, CrossingRepeat: {}}
    for (model, *key, column), count in counts.items():
        if count:
            rows[model].setdefault(tuple(key), Counter())[column] += count
    dialect = session.get_bind().dialect.name
    for model, key_names in ((CrossingDay, DAY_KEY), (CrossingRepeat, REPEAT_KEY)):
        if not rows[model]:
            continue
        statement, columns = _upsert(dialect, model, key_names)
        session.execute(statement, [{**dict(zip(key_names, key, strict=True)),
                                     **{c: rows[model][key].get(c, 0) for c in columns}}
                                    for key in sorted(rows[model])])


_upserts: dict[tuple[str, type], tuple] = {}


def _upsert(dialect: str, model: type, key_names: tuple[str, ...]):
    """INSERT ... ON CONFLICT adding to the row, with its values given at execution (many
    rows at once): built once, so that SQLAlchemy compiles it once."""
    if (dialect, model) not in _upserts:
        table: Table = model.__table__
        columns = [c.name for c in table.columns if c.name not in key_names]
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(table)
        _upserts[dialect, model] = (statement.on_conflict_do_update(
            index_elements=list(key_names),
            set_={c: table.c[c] + statement.excluded[c] for c in columns}), columns)
    return _upserts[dialect, model]


# --- reading ---

def counts_statement(filters: CrossingFilters) -> Select | None:
    """The people who crossed, by nationality (code NULL: not recorded), with the count of
    each sex, largest first, as app.crossings.stats reads them from the crossings; None when
    the rollup cannot answer (a range longer than WINDOW_DAYS, a point and a compound)."""
    if filters.crossing_point and filters.compound_id is not None:
        return None
    days, repeats = CrossingDay.__table__.c, CrossingRepeat.__table__.c

    def family(c) -> list:
        conditions = [c.direction == filters.direction.value,
                      c.crossing_point == (filters.crossing_point or ANY_POINT),
                      c.compound_id == (filters.compound_id or ANY_COMPOUND)]
        if filters.nationality:
            conditions.append(c.nationality_code == filters.nationality)
        return conditions

    def of_days(kind: str, *conditions):
        return select(days.nationality_code,
                      *(days[f"{kind}_{sex}"].label(sex) for sex in SEXES)
                      ).where(*family(days), *conditions)

    first, last = filters.date_from, filters.date_to
    if first is None and last is None:
        parts = [of_days("firsts")]
    elif first is None:
        parts = [of_days("firsts", days.day <= last)]
    elif last is None:
        parts = [of_days("lasts", days.day >= first)]
    elif (last - first).days < WINDOW_DAYS:
        parts = [of_days("crossings", days.day >= first, days.day <= last),
                 select(repeats.nationality_code, *((-repeats[sex]).label(sex) for sex in SEXES))
                 .where(*family(repeats), repeats.day >= first, repeats.day <= last,
                        repeats.previous_day >= first)]
    else:
        return None
    counted = union_all(*parts).subquery("counted")
    by_sex = {sex: func.sum(counted.c[sex]) for sex in SEXES}
    total = sum(by_sex.values(), start=literal(0))
    # added up by nationality first: a few dozen rows meet the names
    people = (select(counted.c.nationality_code, total.label("count"),
                     *(value.label(sex) for sex, value in by_sex.items()))
              .group_by(counted.c.nationality_code).having(total > 0).subquery("people"))
    return (select(func.nullif(people.c.nationality_code, NO_NATIONALITY)
                   .label("nationality_code"), Nationality.name, people.c["count"],
                   *(people.c[sex] for sex in SEXES))
            .outerjoin_from(people, Nationality,
                            Nationality.code == people.c.nationality_code)
            .order_by(people.c["count"].desc(), Nationality.name))


# --- made again from the crossings (the load of benchmark data; a check) ---

def rebuild_statements(dialect: str) -> list[str]:
    """SQL that empties the rollup and counts every crossing again, set-based (migration
    0021 keeps its own copy); the days are local days (app.clock.local_day)."""
    crossings = Crossing.__table__.alias("c")
    day = local_day(crossings.c.crossed_at).compile(dialect=DIALECTS[dialect]())
    gap = ("day - previous_day" if dialect == "postgresql"
           else "julianday(day) - julianday(previous_day)")
    crossing = (f"c.person_id, c.id, c.crossed_at, c.direction, {day} AS day, "
                "coalesce(p.nationality_code, '') AS nationality_code, "
                "CASE WHEN p.sex IN ('female', 'male', 'other') THEN p.sex ELSE 'unknown' END "
                "AS sex FROM crossings c JOIN people p ON p.id = c.person_id "
                "AND p.merged_into_id IS NULL")
    counted = ", ".join(
        f"sum(CASE WHEN sex = '{sex}'{extra} THEN 1 ELSE 0 END)"
        for extra in ("", " AND previous_day IS NULL", " AND is_last = 1") for sex in SEXES)
    return [
        "DELETE FROM crossing_days",
        "DELETE FROM crossing_repeats",
        "DROP TABLE IF EXISTS rollup_sequence",
        # (S608: SQL made of this module's constants, no input)
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
                     ORDER BY crossed_at, id)""",  # noqa: S608
        f"""INSERT INTO crossing_days (direction, crossing_point, compound_id, day,
            nationality_code, {', '.join(f'{k}_{s}' for k in KINDS for s in SEXES)})
        SELECT direction, crossing_point, compound_id, day, nationality_code, {counted}
        FROM rollup_sequence
        GROUP BY direction, crossing_point, compound_id, day, nationality_code
        ORDER BY direction, crossing_point, compound_id, day, nationality_code""",  # noqa: S608
        f"""INSERT INTO crossing_repeats (direction, crossing_point, compound_id, day,
            previous_day, nationality_code, {', '.join(SEXES)})
        SELECT direction, crossing_point, compound_id, day, previous_day, nationality_code,
               {', '.join(f"sum(CASE WHEN sex = '{s}' THEN 1 ELSE 0 END)" for s in SEXES)}
        FROM rollup_sequence WHERE previous_day IS NOT NULL AND {gap} < {WINDOW_DAYS}
        GROUP BY direction, crossing_point, compound_id, day, previous_day, nationality_code
        ORDER BY direction, crossing_point, compound_id, day, previous_day,
                 nationality_code""",  # noqa: S608
        "DROP TABLE rollup_sequence",
    ]


def rebuild(session: Session) -> None:
    """Count every crossing again (in the session's transaction)."""
    dialect = session.get_bind().dialect.name
    for statement in rebuild_statements(dialect):
        session.execute(text(statement))
    if dialect == "postgresql":  # the planner's statistics of the rows just counted
        session.execute(text("ANALYZE crossing_days"))
        session.execute(text("ANALYZE crossing_repeats"))
