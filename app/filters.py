"""The pieces every filter is made of: "blank means none" and a range of days, with its SQL.

A filter form sends every field, the empty ones as "": an empty field is no filter, never an
error. Days are whole local (Thai) days, as a border post and an office count them."""

from datetime import UTC, date, datetime
from typing import Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import ColumnElement

from app.bounds import FilterDay, FilterMoment
from app.clock import local_day_end, local_day_start
from app.i18n import _


def blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


# `Annotated[int | None, Blank]`: "" and "  " are None before the type is checked
Blank = BeforeValidator(blank_is_none)


def _parse_day(value: Any) -> Any:
    """A day typed as 2025-10-25; refused in words rather than in pydantic's."""
    value = blank_is_none(value)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(_("Enter a date like 2025-10-25")) from None
    return value


class DateRange(BaseModel):
    """A range of whole local days, both ends included: `from` and `to` in a query."""

    # "ignore": the same query string carries paging and the export format
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", populate_by_name=True)

    date_from: FilterDay | None = Field(default=None, alias="from",
                                        description="First day (Thai time), inclusive")
    date_to: FilterDay | None = Field(default=None, alias="to",
                                      description="Last day (Thai time), inclusive")

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        return _parse_day(value)

    @field_validator("date_to")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and _start(value) < _start(start):
            raise ValueError(_("The end date is before the start date"))
        return value

    def conditions(self, column) -> list[ColumnElement[bool]]:
        """SQL conditions keeping the rows whose `column` (a UTC moment) is in the range."""
        conditions: list[ColumnElement[bool]] = []
        if self.date_from is not None:
            conditions.append(column >= _start(self.date_from))
        if self.date_to is not None:
            conditions.append(column < _end(self.date_to))
        return conditions

    def dates_as_audit(self) -> dict:
        return {"from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None}

    def dates_as_query(self) -> dict[str, str]:
        """The ends that are set, as query parameters (for paging and download links)."""
        return {k: v for k, v in self.dates_as_audit().items() if v is not None}


def _start(bound: date) -> datetime:
    if isinstance(bound, datetime):
        return bound
    return local_day_start(bound)


def _end(bound: date) -> datetime:
    # a day includes all of itself; a moment is where the range stops
    if isinstance(bound, datetime):
        return bound
    return local_day_end(bound)


def _parse_moment(value: Any) -> Any:
    """A day (2025-10-25) or a moment (2025-10-25T03:00:00Z; UTC when it has no offset)."""
    value = blank_is_none(value)
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) == 10:
        return _parse_day(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(_("Enter a date like 2025-10-25, or a date and time like "
                         "2025-10-25T14:30:00+07:00")) from None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


class MomentRange(DateRange):
    """A DateRange whose ends may also be exact moments (the audit log's API): a day is the
    whole local day, `to` a moment is exclusive."""

    date_from: FilterMoment | FilterDay | None = Field(
        default=None, alias="from", description="From this day (YYYY-MM-DD) or date-time")
    date_to: FilterMoment | FilterDay | None = Field(
        default=None, alias="to",
        description="Up to and including this day, or before this date-time")

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        return _parse_moment(value)

