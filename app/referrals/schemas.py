"""Referrals as the API reads and writes them, and the status rules."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.bounds import PlainText, RecordId
from app.filters import DateRange, blank_is_none

MAX_RECIPIENT = 200
MAX_NOTES = 4000
MAX_STATUS_NOTE = 1000


class ReferralService(StrEnum):
    SHELTER = "shelter"
    MEDICAL = "medical"
    LEGAL = "legal"
    PSYCHOSOCIAL = "psychosocial"
    REPATRIATION = "repatriation"
    EMBASSY = "embassy"
    OTHER = "other"


class ReferralStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"


# pending -> accepted | declined; accepted -> completed. Declined and completed are final.
TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.PENDING: frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DECLINED}),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.COMPLETED}),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.COMPLETED: frozenset(),
}

def next_statuses(status: str) -> list[ReferralStatus]:
    """The statuses a referral in `status` may move to, in a stable order."""
    try:
        allowed = TRANSITIONS[ReferralStatus(status)]
    except ValueError:
        return []
    return [s for s in ReferralStatus if s in allowed]


class ReferralCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    service: ReferralService
    recipient: str = Field(min_length=1, max_length=MAX_RECIPIENT,
                           description="The organisation or person the referral goes to")
    consent_to_share: bool = Field(
        default=False,
        description="Whether the person agreed to share who they are with the recipient. "
                    "Without it the referral is anonymous: no name, date of birth, document "
                    "number, phone or notes in any letter or export.")
    notes: str = Field(default="", max_length=MAX_NOTES)


class ReferralStatusUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    status: ReferralStatus
    note: str = Field(default="", max_length=MAX_STATUS_NOTE)


class StatusChangeRead(BaseModel):
    from_status: str | None
    to_status: str
    note: str
    changed_by: str | None
    changed_at: datetime


class ReferralRead(BaseModel):
    id: int
    case_id: int
    case_reference: str
    organization_id: int
    organization: str
    service: str
    recipient: str
    consent_to_share: bool
    notes: str
    status: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    history: list[StatusChangeRead] = []


class ReferralFilters(DateRange):
    """The filters of the referral board and of the referral report. Dates are whole local
    (Thai) days of when the referral was made, both ends included."""

    status: ReferralStatus | None = None
    service: ReferralService | None = None
    recipient: PlainText | None = Field(default=None, max_length=MAX_RECIPIENT,
                                        description="Part of the recipient's name, any case")
    case_id: RecordId | None = Field(default=None, description="One case's referrals")

    _blank = field_validator("status", "service", "recipient", "case_id",
                             mode="before")(blank_is_none)

    def as_audit(self) -> dict:
        """The filters as kept in the audit event: no free text, which could name a person."""
        return {**self.dates_as_audit(),
                "status": self.status.value if self.status else None,
                "service": self.service.value if self.service else None,
                "recipient_filter": bool(self.recipient), "case_id": self.case_id}
