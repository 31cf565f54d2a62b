"""A case's repatriation, the stages it went through, the embassy batches people travel in,
and the exit crossing recorded for each person a batch carried out of the country."""

from datetime import date, datetime

from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from app.db import Timestamped, utcnow


class RepatriationBatch(Timestamped, table=True):
    """A group of one nationality going home together (a flight, a bus, a boat)."""

    __tablename__ = "repatriation_batches"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    nationality_code: str = Field(foreign_key="nationalities.code", max_length=2, index=True)
    departs_on: date = Field(index=True)
    mode: str = Field(sa_type=String(16))  # flight, land, sea
    carrier_reference: str = Field(default="", max_length=100)
    exit_point: str = Field(default="", max_length=200)  # where the exits are recorded
    # the border organisation whose officials read its departure list and record its exits
    border_organization_id: int | None = Field(default=None, foreign_key="organizations.id",
                                               index=True)
    # planned, then as its members move together: exit_cleared, departed, received
    stage: str = Field(default="planned", sa_type=String(32), index=True)
    created_by_id: int = Field(foreign_key="users.id")
    updated_by_id: int = Field(foreign_key="users.id")


class Repatriation(Timestamped, table=True):
    """The journey home of the person of one case. One per case, changed in place; each
    change of stage kept as a RepatriationStageChange."""

    __tablename__ = "repatriations"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    destination_country: str = Field(foreign_key="nationalities.code", max_length=2,
                                     index=True)
    # the name as the travel document spells it in Latin letters (for the embassy)
    name_latin: str = Field(default="", max_length=400)
    place_of_origin: str = Field(default="", max_length=200)  # home town, province
    consent_to_return: str = Field(default="not_asked", sa_type=String(16))
    consent_to_return_on: date | None = None
    consent_to_share_with_embassy: str = Field(default="not_asked", sa_type=String(16))
    consent_to_share_on: date | None = None
    # the non-refoulement safeguard
    fear_of_return: str = Field(default="not_asked", sa_type=String(16), index=True)
    fear_of_return_note: str = Field(default="", sa_type=Text)
    # when the fear was last recorded (said yes, or its note changed while yes): an
    # assessment older than this did not assess it (null: recorded before this was kept)
    fear_of_return_recorded_at: datetime | None = None
    protection_outcome: str | None = Field(default=None, sa_type=String(32))
    protection_rationale: str = Field(default="", sa_type=Text)
    protection_assessed_by_id: int | None = Field(default=None, foreign_key="users.id")
    protection_assessed_at: datetime | None = None
    travel_document_status: str | None = Field(default=None, sa_type=String(32))
    emergency_document: str = Field(default="not_needed", sa_type=String(16))
    emergency_document_number: str = Field(default="", max_length=64)
    emergency_document_issued_on: date | None = None
    stage: str = Field(default="planning", sa_type=String(32), index=True)
    cancel_reason: str = Field(default="", sa_type=Text)
    batch_id: int | None = Field(default=None, foreign_key="repatriation_batches.id",
                                 index=True)
    created_by_id: int = Field(foreign_key="users.id")
    updated_by_id: int = Field(foreign_key="users.id")


class RepatriationStageChange(SQLModel, table=True):
    """One step of a repatriation: from which stage to which, who, when and why. Never
    rewritten."""

    __tablename__ = "repatriation_stage_changes"

    id: int | None = Field(default=None, primary_key=True)
    repatriation_id: int = Field(foreign_key="repatriations.id", index=True)
    from_stage: str | None = Field(default=None, sa_type=String(32))
    to_stage: str = Field(sa_type=String(32))
    note: str = Field(default="", sa_type=Text)
    batch_id: int | None = Field(default=None, foreign_key="repatriation_batches.id")
    changed_by_id: int | None = Field(default=None, foreign_key="users.id")
    changed_at: datetime = Field(default_factory=utcnow, index=True)


class ProtectionAssessmentRecord(SQLModel, table=True):
    """Every protection assessment recorded on a repatriation, the superseded ones too (the
    repatriation's protection_* columns hold the latest). Never rewritten."""

    __tablename__ = "repatriation_assessments"

    id: int | None = Field(default=None, primary_key=True)
    repatriation_id: int = Field(foreign_key="repatriations.id", index=True)
    outcome: str = Field(sa_type=String(32))
    rationale: str = Field(sa_type=Text)
    fear_of_return: str = Field(sa_type=String(16))  # the fear as it stood when assessed
    assessed_by_id: int | None = Field(default=None, foreign_key="users.id")
    assessed_at: datetime = Field(default_factory=utcnow)


class RepatriationExit(SQLModel, table=True):
    """The exit crossing recorded for a repatriation: at most one (unique), so that marking
    a batch departed twice, or ticking a person and then the batch, records it once."""

    __tablename__ = "repatriation_exits"

    id: int | None = Field(default=None, primary_key=True)
    repatriation_id: int = Field(foreign_key="repatriations.id", unique=True)
    crossing_id: int = Field(foreign_key="crossings.id", unique=True)
    batch_id: int | None = Field(default=None, foreign_key="repatriation_batches.id",
                                 index=True)
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id")
    recorded_at: datetime = Field(default_factory=utcnow)
