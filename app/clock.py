"""Passage's clock. Times are stored in UTC; people read them, and count days, in Thai time:
a border post's "today" and a filter's "25 October" are local days."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

LOCAL_TZ = ZoneInfo("Asia/Bangkok")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_now() -> datetime:
    return utcnow().astimezone(LOCAL_TZ)


def local_today() -> date:
    return local_now().date()


def local_date(moment: datetime) -> date:
    """The local day a stored (aware) moment falls on."""
    return moment.astimezone(LOCAL_TZ).date()


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def local_day_end(day: date) -> datetime:
    """The first moment after the local day: ranges of days end before it."""
    return local_day_start(day + timedelta(days=1))


def assume_local(moment: datetime) -> datetime:
    """A time typed without a zone is Thai time."""
    return moment.replace(tzinfo=LOCAL_TZ) if moment.utcoffset() is None else moment


# --- the local day in SQL ------------------------------------------------------------------

class local_day(FunctionElement):  # an SQL function, named as one
    """The local (Thai) day a stored moment falls on, in SQL: what local_date() is in Python,
    so that a query sorts or groups by the days a page shows, not by UTC days (07:00 Thai
    time is midnight UTC: a moment before it is the day before in UTC)."""

    type = Date()
    inherit_cache = True
    name = "local_day"


def _fixed_offset_minutes() -> int:
    """The zone's offset from UTC in minutes; Thai time keeps one all year (no summer time), so
    a database without time zones (SQLite) shifts by it."""
    winter, summer = (datetime(2025, 1, 15, tzinfo=LOCAL_TZ).utcoffset(),
                      datetime(2025, 7, 15, tzinfo=LOCAL_TZ).utcoffset())
    if winter != summer:
        raise RuntimeError("LOCAL_TZ changes its offset: SQLite's local_day needs the zone")
    return int(winter.total_seconds() // 60)


@compiles(local_day)
def _local_day_default(element, compiler, **kw) -> str:
    # SQLite stores the UTC moment as text; date() with a modifier shifts it to the local day
    moment = compiler.process(element.clauses, **kw)
    return f"date({moment}, '{_fixed_offset_minutes():+d} minutes')"


@compiles(local_day, "postgresql")
def _local_day_postgresql(element, compiler, **kw) -> str:
    # a timestamptz read in the zone, then its date
    moment = compiler.process(element.clauses, **kw)
    return f"(timezone('{LOCAL_TZ.key}', {moment}))::date"
