from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.bounds import PlainText
from app.filters import Blank, MomentRange
from app.i18n import _

OUTCOMES = ("success", "failure", "denied", "locked")


class AuditFilter(MomentRange):
    """Filters of the audit log; every one optional, a blank one is no filter. `to` is
    inclusive for a day, exclusive for a date-time."""

    actor: Annotated[PlainText | None, Blank] = Field(
        default=None, max_length=150, description="The acting user's username or id")
    action: Annotated[PlainText | None, Blank] = Field(
        default=None, max_length=64,
        description="An action, e.g. person.read; a trailing * matches a prefix (auth.*)")
    entity_type: Annotated[PlainText | None, Blank] = Field(default=None, max_length=64)
    entity_id: Annotated[PlainText | None, Blank] = Field(default=None, max_length=64)
    outcome: Annotated[str | None, Blank] = Field(
        default=None, max_length=16, description="success, failure, denied or locked")

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, value: str | None) -> str | None:
        if value is not None and value not in OUTCOMES:
            raise ValueError(_("Outcome must be one of ") + ", ".join(OUTCOMES))
        return value

    def query_params(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for paging and CSV links)."""
        values = {"from": self.date_from, "to": self.date_to, "actor": self.actor,
                  "action": self.action, "entity_type": self.entity_type,
                  "entity_id": self.entity_id, "outcome": self.outcome}
        return {k: v.isoformat() if isinstance(v, date) else v
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
