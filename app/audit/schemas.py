from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.web import LOCAL_TZ

OUTCOMES = ("success", "failure", "denied", "locked")


def _moment(value: Any, *, end_of_day: bool) -> Any:
    """A date alone means the whole day in Thailand (the times the pages show); a date-time
    without an offset is UTC."""
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("Use a date like 2025-10-25 or a date-time") from None
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(), tzinfo=LOCAL_TZ)
    return value


class AuditFilter(BaseModel):
    """Filters of the audit log; every one optional. `to` is inclusive for a date, exclusive
    for a date-time."""

    model_config = ConfigDict(populate_by_name=True, str_strip_whitespace=True)

    from_: datetime | None = Field(default=None, alias="from",
                                   description="From this date (YYYY-MM-DD) or date-time")
    to: datetime | None = Field(default=None,
                                description="Up to and including this date, or before this "
                                            "date-time")
    actor: str | None = Field(default=None, max_length=150,
                              description="The acting user's username or id")
    action: str | None = Field(default=None, max_length=64,
                               description="An action, e.g. person.read; a trailing * matches "
                                           "a prefix (auth.*)")
    entity_type: str | None = Field(default=None, max_length=64)
    entity_id: str | None = Field(default=None, max_length=64)
    outcome: str | None = Field(default=None, max_length=16,
                                description="success, failure, denied or locked")

    @field_validator("from_", mode="before")
    @classmethod
    def _from_date(cls, value: Any) -> Any:
        return _moment(value, end_of_day=False)

    @field_validator("to", mode="before")
    @classmethod
    def _to_date(cls, value: Any) -> Any:
        return _moment(value, end_of_day=True)

    @field_validator("from_", "to")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value

    @field_validator("actor", "action", "entity_type", "entity_id", "outcome", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, value: str | None) -> str | None:
        if value is not None and value not in OUTCOMES:
            raise ValueError("Outcome must be one of " + ", ".join(OUTCOMES))
        return value

    def query_params(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for paging and CSV links)."""
        values = {"from": self.from_, "to": self.to, "actor": self.actor,
                  "action": self.action, "entity_type": self.entity_type,
                  "entity_id": self.entity_id, "outcome": self.outcome}
        return {k: v.isoformat() if isinstance(v, datetime) else v
                for k, v in values.items() if v is not None}


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_username: str | None
    role: str | None
    organization_id: int | None
    organization: str | None = None
    action: str
    entity_type: str | None
    entity_id: str | None
    client_address: str | None
    outcome: str
    detail: dict[str, Any]
