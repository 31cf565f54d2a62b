"""What a filter's value may be before it reaches the database, as pydantic types.

A value the database cannot take fails inside the query, and for a streamed export that
happens after the response has begun: the client gets a truncated file. So every filter is
checked here first and refused with a 422 that names it: text with a NUL byte or another
control character (PostgreSQL refuses NUL; nobody types the others), a record number beyond
what an INTEGER column holds, a day outside the years Passage can count in.
"""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from app.db import MAX_DATABASE_INT
from app.i18n import _

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
_CONTROL = frozenset(chr(c) for c in (*range(0x20), 0x7F)) - {"\t"}


def _plain_text(value: str) -> str:
    if any(c in _CONTROL for c in value):
        raise PydanticCustomError(
            "control_character", _("Remove the control characters (such as NUL) from the text"))
    return value


def _record_id(value: int) -> int:
    if not 1 <= value <= MAX_DATABASE_INT:
        raise PydanticCustomError(
            "record_id", _("Use a record number from 1 to {largest}"), {"largest": MAX_DATABASE_INT}
        )
    return value


def check_day(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise PydanticCustomError(
            "day_out_of_range", _("Use a date between {earliest} and {latest}"),
            {"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()})
    return value


def _moment(value: datetime) -> datetime:
    # checked in UTC: a moment near either end must stay a moment once converted
    check_day(value.astimezone(UTC) if value.utcoffset() is not None else value)
    return check_day(value)


PlainText = Annotated[str, AfterValidator(_plain_text)]
RecordId = Annotated[int, AfterValidator(_record_id)]
FilterDay = Annotated[date, AfterValidator(check_day)]
FilterMoment = Annotated[datetime, AfterValidator(_moment)]
