"""Cases, interviews, screenings and determinations as the API reads and writes them.

Two readings of a case: CaseDetail (caseworkers of the owning organisation: interviews with
their answers and narratives) and CaseOverview (coordinators: suggestions and determinations,
never answers or narratives). The overview has no `interviews` key at all, so nothing that a
coordinator may not read can slip into it.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.bounds import FilterDay, RecordId
from app.filters import Blank, blank_is_none
from app.i18n import _
from app.screening.catalogue import DIMENSIONS_BY_CODE

MAX_NARRATIVE = 20_000
MAX_NOTE = 2_000
MAX_RATIONALE = 5_000
MAX_STATUS_NOTE = 2_000


class CaseStatus(StrEnum):
    OPEN = "open"  # no determination yet (or "undetermined")
    DETERMINED = "determined"
    CLOSED = "closed"


class ClosureReason(StrEnum):
    REPATRIATED = "repatriated"
    RELOCATED = "relocated"  # a third country, or resettlement
    LOCAL_INTEGRATION = "local_integration"
    REFERRED_ELSEWHERE = "referred_elsewhere"  # the case goes on with another organisation
    DECLINED_ASSISTANCE = "declined_assistance"
    LOST_CONTACT = "lost_contact"
    DUPLICATE_RECORD = "duplicate_record"
    DECEASED = "deceased"


class Outcome(StrEnum):
    TRAFFICKING_VICTIM = "trafficking_victim"
    WILLING_WORKER = "willing_worker"
    UNDETERMINED = "undetermined"


# --- cases ---

class KnownDetails(BaseModel):
    """What the person told the caseworker about themselves: enough to find their record if
    another organisation registered it (a border post's roster, say). A document number alone
    finds no one; the name, the nationality and the date of birth or age must match."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    given_name: str = Field(min_length=1, max_length=200)
    family_name: str = Field(default="", max_length=200)
    nationality_code: str = Field(min_length=2, max_length=2)
    date_of_birth: date | None = None
    # checked when left out too: a date of birth or an age is needed
    age_estimate: int | None = Field(default=None, ge=0, le=120, validate_default=True)
    document_number: str | None = Field(default=None, max_length=64)

    _blank = field_validator("date_of_birth", "age_estimate", "document_number",
                             mode="before")(blank_is_none)

    @field_validator("nationality_code")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("age_estimate")
    @classmethod
    def _birth_or_age(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None and info.data.get("date_of_birth") is None:
            raise ValueError(_("Give the date of birth, or the age if it is not known"))
        return value


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # before person_id, whose check looks at it
    known_details: KnownDetails | None = Field(
        default=None,
        description="Instead of person_id: the person's own details, to find their record "
                    "when another organisation registered it. Each search counts against "
                    "your daily allowance (PASSAGE_CASE_LINKS_PER_DAY), found or not; the "
                    "registering organisation sees that its record was linked")
    person_id: int | None = Field(default=None, ge=1, validate_default=True,
                                  description="A person you may see")
    assigned_to_id: int | None = Field(default=None, ge=1,
                                       description="A caseworker of your organisation; "
                                                   "you when left out")
    consent_to_share: bool = Field(
        default=False, description="The person agreed that their identifying details (name, "
                                   "date of birth, phone) go with the case when it is shared "
                                   "in HTCDS; without it an HTCDS export leaves them out")

    @field_validator("person_id")
    @classmethod
    def _one_person(cls, value: int | None, info: ValidationInfo) -> int | None:
        details = info.data.get("known_details")
        if value is None and details is None and "known_details" in info.data:
            raise ValueError(_("Give the person's id, or their details (known_details)"))
        if value is not None and details is not None:
            raise ValueError(_("Give either person_id or known_details, not both"))
        return value


class CaseRead(BaseModel):
    id: int
    reference: str
    status: str
    person_id: int
    organization_id: int
    organization: str
    assigned_to_id: int | None
    assigned_to: str | None
    created_at: datetime
    closure_reason: str | None = None
    latest_suggestion: str | None = None
    latest_outcome: str | None = None
    consent_to_share: bool = False


class CaseConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consent_to_share: bool = Field(description="The person agreed that their identifying "
                                               "details go with the case in HTCDS exchanges")


# --- status ---

class CaseClose(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # optional here so that a missing reason is refused in words by the service
    reason: ClosureReason | None = Field(default=None, description="Why the case is closed")
    note: str = Field(default="", max_length=MAX_STATUS_NOTE)


class CaseReopen(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(default="", max_length=MAX_STATUS_NOTE,
                      description="Why the case is reopened (required)")


class StatusChangeRead(BaseModel):
    id: int
    case_id: int
    from_status: str | None
    to_status: str
    event: str
    reason: str | None
    note: str
    determination_id: int | None
    changed_by_id: int | None
    changed_by: str | None
    changed_at: datetime


# --- screenings ---

class DimensionRead(BaseModel):
    code: str
    name: str
    present: bool
    # None where the reader may not see indicator answers (coordinators): dimension level only
    yes: dict[str, list[str]] | None = None
    unknown: list[str] | None = None


class ScreeningRead(BaseModel):
    id: int
    interview_id: int
    case_id: int
    classification: str
    rules_version: int
    age_group: str
    age_at_recruitment: int | None
    dimensions: list[DimensionRead]
    unknown: list[str] | None = None
    reasons: list[str]
    created_at: datetime


# --- interviews ---

class InterviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    conducted_at: datetime | None = Field(default=None,
                                          description="When the interview took place; now "
                                                      "when left out")
    language: str = Field(default="", max_length=100)
    interpreter_used: bool = False
    consent_given: bool
    recruited_on: date | None = None
    answers: dict[str, str] = Field(default_factory=dict, max_length=200,
                                    description="Indicator code → yes, no or unknown; a code "
                                                "left out is unknown")
    narrative: str = Field(default="", max_length=MAX_NARRATIVE)
    section_notes: dict[str, str] = Field(default_factory=dict, max_length=20,
                                          description="Dimension code → a short note")

    @field_validator("answers")
    @classmethod
    def _short_keys_and_values(cls, value: dict[str, str]) -> dict[str, str]:
        # the codes and values themselves are checked against the catalogue by the service
        for code, answer in value.items():
            if len(code) > 16 or len(answer) > 16:
                raise ValueError(_("indicator codes and answers are short words"))
        return value

    @field_validator("section_notes")
    @classmethod
    def _known_dimensions(cls, value: dict[str, str]) -> dict[str, str]:
        for code, note in value.items():
            if code not in DIMENSIONS_BY_CODE:
                raise ValueError(_("keys must be dimension codes: ")
                                 + ", ".join(DIMENSIONS_BY_CODE))
            if len(note) > MAX_NOTE:
                raise ValueError(
                    _("a note is at most %(limit)s characters") % {"limit": MAX_NOTE}
                )
        return {code: note.strip() for code, note in value.items() if note.strip()}


class InterviewRead(BaseModel):
    id: int
    case_id: int
    conducted_at: datetime
    language: str
    interpreter_used: bool
    consent_given: bool
    recruited_on: date | None
    answers: dict[str, str]
    narrative: str
    section_notes: dict[str, str]
    created_by: str | None
    created_at: datetime
    screening: ScreeningRead


# --- determinations ---

class DeterminationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Outcome
    rationale: str = Field(default="", max_length=MAX_RATIONALE)
    screening_id: int | None = Field(
        default=None, ge=1,
        description="The suggestion this determination answers; when given and a newer "
                    "interview has been recorded since, the request is refused with 409")


class DeterminationRead(BaseModel):
    id: int
    case_id: int
    screening_id: int | None
    suggestion: str | None
    outcome: str
    rationale: str
    differs_from_suggestion: bool
    decided_by_id: int
    decided_by: str | None
    decided_at: datetime


# --- whole cases ---

class CaseOverview(CaseRead):
    """What a coordinator reads: the case, its suggestions and its determinations."""

    screenings: list[ScreeningRead]
    determinations: list[DeterminationRead]


class CaseDetail(CaseOverview):
    """What the owning organisation's caseworkers read: the overview and the interviews."""

    interviews: list[InterviewRead]


# --- follow-ups ---

MAX_FOLLOW_UP_TITLE = 200
MAX_FOLLOW_UP_NOTE = 2_000


class FollowUpState(StrEnum):
    DUE = "due"  # not done, due today or later
    OVERDUE = "overdue"  # not done, due before today
    DONE = "done"
    DROPPED = "dropped"  # no longer needed


class FollowUpCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=MAX_FOLLOW_UP_TITLE)
    due_on: FilterDay
    assigned_to_id: RecordId | None = Field(
        default=None, description="A caseworker of the case's organisation; the case's "
                                  "caseworker (or you) when left out")
    note: str = Field(default="", max_length=MAX_FOLLOW_UP_NOTE)


class FollowUpUpdate(BaseModel):
    """What a PATCH may change; the fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    done: bool | None = None
    note: str | None = Field(default=None, max_length=MAX_FOLLOW_UP_NOTE)
    title: str | None = Field(default=None, min_length=1, max_length=MAX_FOLLOW_UP_TITLE)
    due_on: FilterDay | None = None
    assigned_to_id: RecordId | None = None
    dropped: bool | None = Field(default=None, description="true: no longer needed (kept, "
                                                          "out of the work queue)")


class FollowUpRead(BaseModel):
    id: int
    case_id: int
    case_reference: str
    title: str
    due_on: date
    state: FollowUpState
    assigned_to_id: int | None
    assigned_to: str | None
    note: str
    done: bool
    done_at: datetime | None
    done_by: str | None
    dropped: bool
    proposed: bool
    created_at: datetime


class FollowUpFilters(BaseModel):
    """The work queue's filters: `assigned_to` is `me` or a user's id; `state` one of due,
    overdue, done, dropped (left out: due, overdue and done)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    assigned_to: Annotated[str | None, Blank] = Field(default=None, max_length=12)
    state: Annotated[FollowUpState | None, Blank] = None
    case_id: Annotated[RecordId | None, Blank] = None

    @field_validator("assigned_to")
    @classmethod
    def _me_or_an_id(cls, value: str | None) -> str | None:
        if value is not None and value != "me" and not (value.isdigit() and int(value) > 0):
            raise ValueError(_("Use \"me\" or a user's number"))
        return value

    def assignee(self, user_id: int | None) -> int | None:
        """The user whose follow-ups are asked for, `me` being `user_id`."""
        if self.assigned_to is None:
            return None
        return user_id if self.assigned_to == "me" else int(self.assigned_to)

    def states(self) -> tuple[FollowUpState, ...]:
        if self.state is not None:
            return (self.state,)
        return (FollowUpState.OVERDUE, FollowUpState.DUE, FollowUpState.DONE)
