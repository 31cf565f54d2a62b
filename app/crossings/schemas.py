import re
from datetime import UTC, date, datetime, time, timedelta

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.clock import assume_local
from app.crossings.direction import Direction
from app.filters import blank_is_none
from app.i18n import _
from app.nationalities.service import resolve_nationality
from app.people.schemas import PersonCreate, Sex

EARLIEST_CROSSING = datetime(2000, 1, 1, tzinfo=UTC)
# a border post's clock may run ahead, or its day start before Passage's: a day of leeway
LATEST_CROSSING_AHEAD = timedelta(days=1)
NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?\s*")


def crossing_time_problem(moment: datetime, *, now: datetime | None = None) -> str | None:
    """Why nobody can have crossed at `moment` (timezone-aware), or None: the one rule for
    single crossings and rosters. Compared without conversion, so that year 1 or 9999 with
    any offset is refused rather than overflowing."""
    if moment < EARLIEST_CROSSING:
        return _("Before the year 2000")
    if moment > (now or datetime.now(UTC)) + LATEST_CROSSING_AHEAD:
        return _("In the future")
    return None


class CrossingCreate(BaseModel):
    """One crossing: of a person already known (`person_id`) or described inline (`person`),
    who is then matched with the people Passage knows or registered."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    person_id: int | None = None
    person: PersonCreate | None = None
    crossed_at: datetime = Field(description="ISO 8601; without an offset, Thai local time")
    crossing_point: str = Field(min_length=1, max_length=200)
    compound_id: int | None = None
    group_reference: str | None = Field(default=None, max_length=100)
    direction: Direction = Field(default=Direction.ENTRY,
                                 description="entry (into Thailand, the default) or exit")

    @field_validator("crossed_at", mode="before")
    @classmethod
    def _not_a_number(cls, value):
        # pydantic would read a number as seconds since 1970
        if isinstance(value, int | float) or (isinstance(value, str) and NUMBER.fullmatch(value)):
            raise ValueError(_("Not a date and time: write it as 2025-10-21T14:30+07:00"))
        return value

    @field_validator("crossed_at")
    @classmethod
    def _possible(cls, value: datetime) -> datetime:
        value = assume_local(value)
        problem = crossing_time_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    _blank = field_validator("group_reference", mode="before")(blank_is_none)

    @model_validator(mode="after")
    def _one_person(self) -> "CrossingCreate":
        if (self.person_id is None) == (self.person is None):
            raise ValueError(_("Give either person_id or person, not both"))
        return self


class CrossingForm(BaseModel):
    """The quick crossing form: a person described inline, the nationality as a code or an
    English name, the day and the time in separate fields (Thai time)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    given_name: str = Field(min_length=1, max_length=200)
    family_name: str = Field(default="", max_length=200)
    sex: Sex = Sex.UNKNOWN
    date_of_birth: date | None = None
    age_estimate: int | None = Field(default=None, ge=0, le=120)
    nationality: str = Field(min_length=2, max_length=100)
    document_number: str | None = Field(default=None, max_length=64)
    crossed_time: time  # before crossed_on, whose check needs it
    crossed_on: date
    crossing_point: str = Field(min_length=1, max_length=200)
    compound_id: int | None = None
    group_reference: str | None = Field(default=None, max_length=100)
    direction: Direction = Direction.ENTRY

    _blank = field_validator("date_of_birth", "age_estimate", "compound_id", "document_number",
                             "group_reference", mode="before")(blank_is_none)

    @field_validator("crossed_on")
    @classmethod
    def _possible(cls, value: date, info: ValidationInfo) -> date:
        if "crossed_time" in info.data:
            problem = crossing_time_problem(
                assume_local(datetime.combine(value, info.data["crossed_time"])))
            if problem:
                raise ValueError(problem)
        return value

    @field_validator("nationality")
    @classmethod
    def _known(cls, value: str) -> str:
        code = resolve_nationality(value)
        if code is None:
            raise ValueError(_("Not a nationality Passage knows: use the two-letter code (IN) "
                             "or the English name (India)"))
        return code

    def crossing_in(self) -> "CrossingCreate":
        person = PersonCreate(
            given_name=self.given_name, family_name=self.family_name, sex=self.sex,
            date_of_birth=self.date_of_birth, age_estimate=self.age_estimate,
            nationality_code=self.nationality, document_number=self.document_number)
        return CrossingCreate(person=person, crossed_at=datetime.combine(
            self.crossed_on, self.crossed_time), crossing_point=self.crossing_point,
            compound_id=self.compound_id, group_reference=self.group_reference,
            direction=self.direction)


class CrossingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    crossed_at: datetime
    crossing_point: str
    compound_id: int | None
    group_reference: str | None
    direction: str
    recorded_by_organization_id: int
    created_at: datetime


class RosterError(BaseModel):
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1")
    column: str | None
    message: str
    # the cell as it was in the file, for the uploader's page only: never in an API answer
    value: str | None = Field(default=None, exclude=True)


class ImportReport(BaseModel):
    dry_run: bool
    rows: int = Field(description="Rows read, blank rows left out")
    people: int = Field(description="Distinct people the roster names")
    crossings_created: int
    crossings_skipped: int = Field(description="Already recorded, or repeated in the roster")
    errors: list[RosterError] = Field(default_factory=list)


class SexCounts(BaseModel):
    female: int = 0
    male: int = 0
    other: int = 0
    unknown: int = 0


class NationalityCount(BaseModel):
    code: str | None = Field(description="ISO 3166-1 alpha-2; null when not recorded")
    name: str
    count: int
    by_sex: SexCounts | None = None


class NationalityStats(BaseModel):
    total: int
    rows: list[NationalityCount]
    by_sex: SexCounts | None = None
