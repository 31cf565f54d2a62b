from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.clock import local_today
from app.filters import blank_is_none

Language = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


EARLIEST_BIRTH = date(1900, 1, 1)


class PersonCreate(BaseModel):
    """A person as registered by hand or taken from a roster row (DESIGN.md field names)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    given_name: str = Field(min_length=1, max_length=200)
    family_name: str = Field(default="", max_length=200)
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

    @field_validator("nationality_code")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth(cls, value: date | None) -> date | None:
        if value is not None and not (EARLIEST_BIRTH <= value <= local_today()):
            raise ValueError("Date of birth must be after 1900 and not in the future")
        return value


class PersonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    given_name: str
    family_name: str
    sex: str
    date_of_birth: date | None
    age_estimate: int | None
    nationality_code: str | None
    document_number: str | None
    phone: str | None
    languages: list[str]
    registered_by_organization_id: int
    created_at: datetime
