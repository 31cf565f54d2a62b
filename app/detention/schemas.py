"""The detention record as the API reads and writes it (DESIGN.md field names)."""

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

MAX_AUTHORITY = 200
MAX_PLACE = 200
MAX_NOTE = 2_000


class Grounds(StrEnum):
    IMMIGRATION_OFFENCE = "immigration_offence"
    CRIME_UNDER_COERCION = "crime_under_coercion"
    OTHER = "other"


class DetentionFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    authority: str = Field(default="", max_length=MAX_AUTHORITY,
                           description="Who holds or charges the person: police, immigration, "
                                       "a court")
    place: str = Field(default="", max_length=MAX_PLACE,
                       description="Where the person is held (an immigration detention "
                                   "centre, a police station)")
    since: date | None = Field(default=None, description="Since when")
    grounds: Grounds | None = Field(default=None, description="For what")
    note: str = Field(default="", max_length=MAX_NOTE)
    consent_to_share: bool = Field(
        default=False,
        description="The person agreed that the non-punishment letter name them to the "
                    "authority; without it the letter gives the case reference only")


class DetentionCreate(DetentionFields):
    detained: bool
    charged: bool = False


class DetentionUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    detained: bool | None = None
    charged: bool | None = None
    authority: str | None = Field(default=None, max_length=MAX_AUTHORITY)
    place: str | None = Field(default=None, max_length=MAX_PLACE)
    since: date | None = None
    grounds: Grounds | None = None
    note: str | None = Field(default=None, max_length=MAX_NOTE)
    consent_to_share: bool | None = None


class LetterRead(BaseModel):
    id: int
    issued_at: datetime
    issued_by: str | None
    authority: str
    names_person: bool


class DetentionRead(BaseModel):
    id: int
    case_id: int
    detained: bool
    charged: bool
    authority: str
    place: str
    since: date | None
    grounds: str | None
    note: str
    consent_to_share: bool
    created_at: datetime
    updated_at: datetime
    updated_by: str | None
    letters: list[LetterRead]
