"""Passage's clock. Times are stored in UTC; people read them, and count days, in Thai time:
a border post's "today" and a filter's "25 October" are local days."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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
