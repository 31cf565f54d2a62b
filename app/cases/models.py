from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from app.db import Timestamped, utcnow


class Case(Timestamped, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        # an organisation's cases newest first: the case list and its pages
        Index("ix_cases_organization_id_id", "organization_id", "id"),
        # the people of an organisation's cases (whom its caseworkers see), from the index
        Index("ix_cases_organization_id_person_id", "organization_id", "person_id"),
        # the work queue: an organisation's cases waiting for one step, longest first (and,
        # waiting for nothing, newest first: no day, by id)
        Index("ix_cases_organization_id_next_step_waiting_on", "organization_id", "next_step",
              "waiting_on", "id"),
        # ... and those whose follow-up is due, soonest due first
        Index("ix_cases_organization_id_follow_up_due_on", "organization_id",
              "follow_up_due_on", "id"),
        # the same of every organisation (coordinators)
        Index("ix_cases_next_step_waiting_on", "next_step", "waiting_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=32, unique=True)  # PSG-2025-000123
    person_id: int = Field(foreign_key="people.id", index=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True)
    assigned_to_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    # the current status, kept by app.cases.lifecycle alone (with a CaseStatusChange each
    # time); lists and filters read it here rather than from the history
    status: str = Field(default="open", sa_type=String(32), index=True)
    closure_reason: str | None = Field(default=None, sa_type=String(32), index=True)
    # the step the case waits for, kept by app.cases.next_step (refresh) at every write that
    # changes it; from follow_up_due_on on, a follow-up comes first (next_step.current)
    next_step: str = Field(default="interview", sa_type=String(16),
                           sa_column_kwargs={"server_default": "interview"})
    waiting_on: date | None = None  # the local day the wait for next_step began
    follow_up_due_on: date | None = Field(default=None, index=True)  # the earliest open
    # follow-up, once decided
    # the case's current suggestion and its latest determination's outcome (app.cases.latest
    # defines both), kept with the next step by the same refresh: the outcome counts and the
    # statistics count cases by them, and the case list shows them
    latest_suggestion: str | None = Field(default=None, sa_type=String(32))
    latest_outcome: str | None = Field(default=None, sa_type=String(32))
    # the person agreed that their identifying details go with the case when it is shared
    # in the field's standards (HTCDS); recorded like a referral's consent_to_share
    consent_to_share: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # HTCDS fields received with an imported case that Passage has no place for, given back
    # as received when the case is exported again (app.reports.htcds)
    htcds_fields: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))


class CaseStatusChange(SQLModel, table=True):
    """One change of a case's status: who, when and why. Never rewritten."""

    __tablename__ = "case_status_changes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    from_status: str | None = Field(default=None, sa_type=String(32))
    to_status: str = Field(sa_type=String(32))
    event: str = Field(sa_type=String(32))  # opened, determination, closed, reopened
    reason: str | None = Field(default=None, sa_type=String(32))  # closing only
    note: str = Field(default="", sa_type=Text)
    determination_id: int | None = Field(default=None, foreign_key="determinations.id")
    changed_by_id: int | None = Field(default=None, foreign_key="users.id")
    changed_at: datetime = Field(default_factory=utcnow, index=True)


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    conducted_at: datetime
    language: str = Field(default="", max_length=100)
    interpreter_used: bool = False
    consent_given: bool
    recruited_on: date | None = None
    narrative: str = Field(default="", sa_type=Text)
    section_notes: dict[str, str] = Field(default_factory=dict,
                                          sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)


class InterviewAnswer(SQLModel, table=True):
    __tablename__ = "interview_answers"

    interview_id: int = Field(foreign_key="interviews.id", primary_key=True)
    code: str = Field(max_length=8, primary_key=True)
    answer: str = Field(sa_type=String(8))  # yes, no, unknown


class Screening(SQLModel, table=True):
    """A rules version's suggestion for one interview; never rewritten. A newer rules version
    adds its suggestion beside the older ones (one per interview and version)."""

    __tablename__ = "screenings"
    __table_args__ = (
        UniqueConstraint("interview_id", "rules_version",
                         name="uq_screenings_interview_id_rules_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interviews.id")
    case_id: int = Field(foreign_key="cases.id", index=True)
    classification: str = Field(sa_type=String(32), index=True)
    rules_version: int
    age_group: str = Field(sa_type=String(16))
    result: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Determination(SQLModel, table=True):
    __tablename__ = "determinations"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    screening_id: int | None = Field(default=None, foreign_key="screenings.id")
    outcome: str = Field(sa_type=String(32), index=True)
    rationale: str = Field(default="", sa_type=Text)
    decided_by_id: int = Field(foreign_key="users.id")
    decided_at: datetime = Field(default_factory=utcnow, index=True)


class FollowUp(Timestamped, table=True):
    """A dated task on a case: "Review the support plan" by 8 November."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        # the work queue: one person's open follow-ups, soonest due first
        Index("ix_follow_ups_assigned_to_id_done_due_on", "assigned_to_id", "done", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    title: str = Field(max_length=200)
    due_on: date = Field(index=True)
    assigned_to_id: int | None = Field(default=None, foreign_key="users.id")
    note: str = Field(default="", sa_type=Text)
    done: bool = False
    done_at: datetime | None = None
    done_by_id: int | None = Field(default=None, foreign_key="users.id")
    # dropped: no longer needed (a proposal the caseworker does not want, say); kept, not deleted
    dropped_at: datetime | None = None
    dropped_by_id: int | None = Field(default=None, foreign_key="users.id")
    proposed: bool = False  # proposed by Passage when a determination was recorded
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
