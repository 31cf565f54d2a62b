"""Is the nationality counts' rollup right? Two independent checks, used after writes:

- its rows are those counted again from every crossing by app.crossings.rollup.rebuild (set-
  based SQL, another way of counting than the writes' own, undone after the comparison);
- the counts read from it are those of the crossings (the plain SQL of app.crossings.stats,
  people by nationality and sex) for ranges of days around every day crossed, open ranges,
  both directions, points and a compound."""

from datetime import timedelta

from sqlalchemy import select

from app.clock import local_date
from app.crossings import rollup
from app.crossings.direction import Direction
from app.crossings.filters import CrossingFilters
from app.crossings.models import Crossing, CrossingDay, CrossingRepeat
from app.crossings.stats import nationality_counts_statement


def rollup_rows(session) -> dict[tuple, tuple]:
    """Every row with a count, by table and key (a row the writes took back to zero is as
    good as none)."""
    found = {}
    for model in (CrossingDay, CrossingRepeat):
        table = model.__table__
        keys = [c for c in table.columns if c.primary_key]
        counts = [c for c in table.columns if not c.primary_key]
        for row in session.execute(select(*keys, *counts)):
            values = tuple(row[len(keys):])
            if any(values):
                found[(table.name, *row[:len(keys)])] = values
    return found


def _ranges(days: list) -> list[tuple]:
    """Open ranges, and from each day crossed (and the day before the first): that day alone,
    and the longest range the rollup reads."""
    first, last, middle = days[0], days[-1], days[len(days) // 2]
    ranges = [(None, None), (first, None), (middle, None), (None, last), (None, middle)]
    for day in sorted({first - timedelta(days=1), *days}):
        ranges += [(day, day), (day, day + timedelta(days=rollup.WINDOW_DAYS - 1))]
    return ranges


def assert_rollup_right(session) -> None:
    session.flush()
    kept = rollup_rows(session)
    nested = session.begin_nested()
    rollup.rebuild(session)
    rebuilt = rollup_rows(session)
    nested.rollback()
    assert kept == rebuilt, {k: (kept.get(k), rebuilt.get(k))
                             for k in kept.keys() | rebuilt.keys() if kept.get(k) != rebuilt.get(k)}

    crossings = session.execute(select(Crossing.crossed_at, Crossing.crossing_point,
                                       Crossing.compound_id)).all()
    if not crossings:
        return
    days = sorted({local_date(c.crossed_at) for c in crossings})
    points = sorted({c.crossing_point for c in crossings})
    compounds = sorted({c.compound_id for c in crossings if c.compound_id is not None})
    families = [{}, {"direction": Direction.EXIT}, {"nationality": "IN"},
                {"crossing_point": points[0]}, {"crossing_point": points[-1]},
                *({"compound_id": c} for c in compounds[:1])]
    for date_from, date_to in _ranges(days):
        for family in families:
            filters = CrossingFilters(date_from=date_from, date_to=date_to, **family)
            statement = rollup.counts_statement(filters)
            if statement is None:
                continue
            read = [tuple(r) for r in session.execute(statement)]
            plain = [tuple(r) for r in session.execute(
                nationality_counts_statement(filters, by_sex=True))]
            assert read == plain, (date_from, date_to, family)
