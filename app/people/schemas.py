from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.bounds import RecordId
from app.clock import local_today
from app.filters import blank_is_none
from app.i18n import N_, _
from app.people.latin import is_latin

Language = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


EARLIEST_BIRTH = date(1900, 1, 1)
LATIN_MESSAGE = N_("Latin letters only (A to Z, accents allowed)")


def latin_only(value: str) -> str:
    if not is_latin(value):
        raise ValueError(_(LATIN_MESSAGE))
    return value


LATIN_DESCRIPTION = ("The name in Latin letters, when it is written in another script (as the "
                     "person or their documents spell it); optional")


class PersonCreate(BaseModel):
    """A person as registered by hand or taken from a roster row (DESIGN.md field names)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    given_name: str = Field(min_length=1, max_length=200)
    family_name: str = Field(default="", max_length=200)
    given_name_latin: str = Field(default="", max_length=200, description=LATIN_DESCRIPTION)
    family_name_latin: str = Field(default="", max_length=200, description=LATIN_DESCRIPTION)
    sex: Sex = Sex.UNKNOWN
    date_of_birth: date | None = None
    age_estimate: int | None = Field(default=None, ge=0, le=120)
    nationality_code: str | None = Field(default=None, min_length=2, max_length=2,
                                         description="ISO 3166-1 alpha-2")
    document_number: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=64)
    languages: list[Language] = Field(default_factory=list, max_length=20)

    _blank = field_validator("nationality_code", "document_number", "phone",
                             mode="before")(blank_is_none)
    _latin = field_validator("given_name_latin", "family_name_latin")(latin_only)

    @field_validator("nationality_code")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth(cls, value: date | None) -> date | None:
        if value is not None and not (EARLIEST_BIRTH <= value <= local_today()):
            raise ValueError(_("Date of birth must be after 1900 and not in the future"))
        return value


class PersonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    given_name: str
    family_name: str
    given_name_latin: str
    family_name_latin: str
    sex: str
    date_of_birth: date | None
    age_estimate: int | None
    nationality_code: str | None
    document_number: str | None
    phone: str | None
    languages: list[str]
    registered_by_organization_id: int
    created_at: datetime


class PersonUpdate(BaseModel):
    """A person's names corrected by the organisation that registered them: in their own
    script and in Latin letters. Fields left out stay as they are."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    given_name: str | None = Field(default=None, min_length=1, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    given_name_latin: str | None = Field(default=None, max_length=200,
                                         description=LATIN_DESCRIPTION)
    family_name_latin: str | None = Field(default=None, max_length=200,
                                          description=LATIN_DESCRIPTION)

    @field_validator("given_name_latin", "family_name_latin")
    @classmethod
    def _latin(cls, value: str | None) -> str | None:
        return latin_only(value) if value is not None else value


# --- merging two records of one person ---

MAX_MERGE_NOTE = 2_000


class PersonMergeCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    # optional here so that a missing one is refused in words by the service
    duplicate_id: RecordId | None = Field(default=None,
                                          description="The record merged into this one: its "
                                                 "crossings and cases move here and it is "
                                                 "kept as a tombstone pointing here")
    note: str = Field(default="", max_length=MAX_MERGE_NOTE)


class PersonMergeUndo(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    note: str = Field(default="", max_length=MAX_MERGE_NOTE)


class PersonMergeRead(BaseModel):
    id: int
    survivor_id: int
    duplicate_id: int
    note: str
    merged_by: str | None
    merged_at: datetime
    moved: dict[str, int] = Field(description="How many rows of each kind moved to the "
                                              "survivor (crossings, cases)")
    removed_crossings: int = Field(description="Crossings of the duplicate that the survivor "
                                               "already had (same moment and point): kept "
                                               "with the merge, put back by an undo")
    filled: list[str] = Field(description="Fields the survivor lacked, taken from the "
                                          "duplicate")
    undone_at: datetime | None
    undone_by: str | None
    undo_note: str
    undoable: bool
    blocked_by: int | None = Field(description="The later merge of either record that must be "
                                               "undone first")
