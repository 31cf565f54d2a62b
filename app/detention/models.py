from datetime import date, datetime

from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from app.db import Timestamped, utcnow


class Detention(Timestamped, table=True):
    """Whether the person of a case is detained or charged, by whom, where, since when and
    for what. One record per case, corrected in place (every change audited)."""

    __tablename__ = "detentions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    detained: bool = False
    charged: bool = False
    authority: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200)
    since: date | None = None
    grounds: str | None = Field(default=None, sa_type=String(32))
    note: str = Field(default="", sa_type=Text)
    # the person agreed that the letter name them to the authority
    consent_to_share: bool = False
    created_by_id: int = Field(foreign_key="users.id")
    updated_by_id: int = Field(foreign_key="users.id")


class NonPunishmentLetter(SQLModel, table=True):
    """One non-punishment letter made for a case: what it stated and who made it, when."""

    __tablename__ = "non_punishment_letters"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    detention_id: int = Field(foreign_key="detentions.id")
    screening_id: int | None = Field(default=None, foreign_key="screenings.id")
    determination_id: int | None = Field(default=None, foreign_key="determinations.id")
    authority: str = Field(default="", max_length=200)
    names_person: bool = False
    issued_by_id: int = Field(foreign_key="users.id")
    issued_at: datetime = Field(default_factory=utcnow, index=True)
