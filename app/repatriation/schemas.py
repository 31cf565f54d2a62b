"""The repatriation and the batch as the API reads and writes them (DESIGN.md field names)."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.bounds import PlainText, RecordId

MAX_NOTE = 2_000
MAX_RATIONALE = 5_000

CountryCode = Annotated[PlainText, StringConstraints(min_length=2, max_length=2, to_upper=True)]


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_ASKED = "not_asked"


class ProtectionOutcome(StrEnum):
    REFERRED_TO_UNHCR = "referred_to_unhcr"  # the person is not to be returned
    CLEARED = "cleared"


class TravelDocument(StrEnum):
    WITH_PERSON = "with_person"
    HELD_BY_COMPOUND = "held_by_compound"
    LOST = "lost"
    HELD_BY_AUTHORITIES = "held_by_authorities"
    NONE = "none"


class EmergencyDocument(StrEnum):
    NOT_NEEDED = "not_needed"
    REQUESTED = "requested"
    ISSUED = "issued"


class Stage(StrEnum):
    PLANNING = "planning"
    EMBASSY_NOTIFIED = "embassy_notified"
    NATIONALITY_VERIFIED = "nationality_verified"
    DOCUMENTS_READY = "documents_ready"
    EXIT_CLEARED = "exit_cleared"
    DEPARTED = "departed"
    RECEIVED = "received"
    CANCELLED = "cancelled"


# the steps in their order (cancelled is not a step)
STEPS: tuple[Stage, ...] = tuple(s for s in Stage if s is not Stage.CANCELLED)


class BatchMode(StrEnum):
    FLIGHT = "flight"
    LAND = "land"
    SEA = "sea"


class BatchStage(StrEnum):
    PLANNED = "planned"
    EXIT_CLEARED = "exit_cleared"
    DEPARTED = "departed"
    RECEIVED = "received"


class ProtectionAssessment(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: ProtectionOutcome
    rationale: PlainText = Field(min_length=1, max_length=MAX_RATIONALE,
                                 description="Why: what was asked, what was found")


class RepatriationFields(BaseModel):
    """Every field a caseworker records; a PATCH sends the ones it changes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    destination_country: CountryCode | None = Field(
        default=None, description="ISO 3166-1 alpha-2; the person's nationality when left out")
    name_latin: PlainText | None = Field(
        default=None, max_length=400,
        description="The name in Latin letters, as the travel document spells it")
    place_of_origin: PlainText | None = Field(default=None, max_length=200,
                                              description="Home town or province, if known")
    consent_to_return: Answer | None = None
    consent_to_return_on: date | None = Field(default=None, description="When it was given")
    consent_to_share_with_embassy: Answer | None = None
    consent_to_share_on: date | None = None
    fear_of_return: Answer | None = Field(
        default=None, description="Whether the person fears returning (non-refoulement)")
    fear_of_return_note: PlainText | None = Field(default=None, max_length=MAX_NOTE)
    protection_assessment: ProtectionAssessment | None = Field(
        default=None, description="Required before a repatriation with a fear of return "
                                  "goes past planning; only 'cleared' lets it go on")
    travel_document_status: TravelDocument | None = None
    emergency_document: EmergencyDocument | None = None
    emergency_document_number: PlainText | None = Field(default=None, max_length=64)
    emergency_document_issued_on: date | None = None


class RepatriationCreate(RepatriationFields):
    pass


class RepatriationUpdate(RepatriationFields):
    stage: Stage | None = Field(default=None, description="The next step (one at a time), "
                                "an earlier one with a note, or cancelled with a note")
    note: PlainText | None = Field(default=None, max_length=MAX_NOTE,
                                   description="Why: required to step back or cancel")
    batch_id: RecordId | None = Field(default=None, description="Join a batch; null to leave")


class StageChangeRead(BaseModel):
    from_stage: str | None
    to_stage: str
    note: str
    changed_by: str | None
    changed_at: datetime


class ProtectionAssessmentRead(BaseModel):
    outcome: str
    rationale: str
    assessed_by: str | None
    assessed_at: datetime | None
    fear_of_return: str | None = Field(
        default=None, description="In the history: the fear as it stood when assessed")
    outdated: bool = Field(default=False, description=(
        "True when a fear of return was recorded after it, or a later assessment superseded "
        "it: it no longer counts for the safeguard, and a new assessment is needed"))


class RepatriationRead(BaseModel):
    id: int
    case_id: int
    destination_country: str
    name_latin: str
    place_of_origin: str
    consent_to_return: str
    consent_to_return_on: date | None
    consent_to_share_with_embassy: str
    consent_to_share_on: date | None
    fear_of_return: str
    fear_of_return_note: str
    fear_of_return_recorded_at: datetime | None = Field(
        description="When the fear was last recorded; an assessment must be newer")
    protection_assessment: ProtectionAssessmentRead | None = Field(
        description="The latest assessment (outdated: it does not count, a new one is needed)")
    protection_assessments: list[ProtectionAssessmentRead] = Field(
        description="Every assessment recorded, oldest first, the superseded ones too")
    travel_document_status: str | None
    emergency_document: str
    emergency_document_number: str
    emergency_document_issued_on: date | None
    stage: str
    cancel_reason: str
    batch_id: int | None
    next_stage: str | None
    missing: list[str] = Field(description="What the next step still needs, in words")
    closure_offered: str | None = Field(
        description="'repatriated' once the person was received at home and the case is "
                    "still open")
    history: list[StageChangeRead]
    created_at: datetime
    updated_at: datetime


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: PlainText = Field(min_length=1, max_length=200)
    nationality_code: CountryCode
    departs_on: date
    mode: BatchMode
    carrier_reference: PlainText = Field(default="", max_length=100)
    exit_point: PlainText = Field(default="", max_length=200,
                                  description="Where the exits are recorded (an airport, a "
                                              "bridge)")
    border_organization_id: RecordId | None = Field(
        default=None, description="The border organisation at the exit point: only its "
                                  "officials read the departure list and record the exits")


class BatchUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    stage: BatchStage | None = Field(default=None, description="Moves every member at once")
    note: PlainText = Field(default="", max_length=MAX_NOTE)
    border_organization_id: RecordId | None = Field(
        default=None, description="Hand the departure list to this border organisation")


class BatchCounts(BaseModel):
    members: int
    consent_to_share: int
    withheld: int
    exits_recorded: int


class BatchMember(BaseModel):
    repatriation_id: int
    case_id: int | None = Field(description="Null for the roles that do not open cases")
    case_reference: str | None
    given_name: str
    family_name: str
    name_latin: str
    stage: str
    document: str
    exit_recorded: bool


class BatchRead(BaseModel):
    id: int
    name: str
    nationality_code: str
    departs_on: date
    mode: str
    carrier_reference: str
    exit_point: str
    border_organization_id: int | None
    border_organization: str | None
    stage: str
    counts: BatchCounts
    members: list[BatchMember] = Field(description="The members whose cases you may open")
    created_at: datetime
    created_by: str | None = Field(default=None, description="Who made the batch (full name)")
    updated_at: datetime | None = None
    updated_by: str | None = Field(default=None,
                                   description="Who last changed the batch (full name)")


class BatchSummary(BaseModel):
    id: int
    name: str
    nationality_code: str
    departs_on: date
    mode: str
    stage: str
    members: int


class DepartureRow(BaseModel):
    """A line of the departure list: the name and document, nothing else of the case."""

    repatriation_id: int
    given_name: str
    family_name: str
    name_latin: str
    document: str
    cleared: bool
    exit_recorded: bool


class DepartureList(BaseModel):
    batch_id: int
    name: str
    nationality_code: str
    departs_on: date
    mode: str
    exit_point: str
    border_organization: str | None
    stage: str
    people: list[DepartureRow]


class ExitRead(BaseModel):
    repatriation_id: int
    crossing_id: int
    crossed_at: datetime
    crossing_point: str
    created: bool = Field(description="False when the exit was already recorded")


class ExitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repatriation_id: RecordId
