"""Export formats and filters; the pipeline as the API reads it."""

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from app.filters import DateRange


class Labels(StrEnum):
    """How a report names its columns and values: in words for people (the default), or in
    the machine codes integrators read (`labels=codes`)."""

    WORDS = "words"
    CODES = "codes"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class CtdcFormat(StrEnum):
    CSV = "csv"


class CaseDateFilters(DateRange):
    """Cases registered in a range of whole local (Thai) days, both ends included."""

    def as_audit(self) -> dict:
        return self.dates_as_audit()


# --- the pipeline ---

class PipelineFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


class PipelineColumnRead(BaseModel):
    key: str
    label: str


class PipelineRowRead(BaseModel):
    code: str | None
    name: str
    counts: dict[str, int | str]


class PipelineMonthRead(BaseModel):
    """One calendar month's table, published on its own."""

    month: str = Field(description="The calendar month of the crossings, as 2025-10")
    date_from: date = Field(serialization_alias="from", description="Its first day")
    date_to: date = Field(serialization_alias="to", description="Its last day")
    overall: dict[str, int | str]
    rows: list[PipelineRowRead] = Field(description="By nationality, most crossings first")


class PipelineRead(BaseModel):
    date_from: date | None = Field(serialization_alias="from",
                                   description="The first day counted (Thai time)")
    date_to: date | None = Field(serialization_alias="to",
                                 description="The last day counted (Thai time)")
    exact: bool = Field(description="true (coordinators): the range as asked, as things stand "
                                    "now, in one table. false: one table per completed "
                                    "calendar month of crossings, each stage as it stood when "
                                    "the last month ended, and counts beyond crossings from 0 "
                                    "to threshold - 1 read \"<threshold\" (\"x\": hidden so "
                                    "that those cannot be worked out)")
    threshold: int
    as_of: datetime | None = Field(
        default=None, description="When not exact: only what was recorded before this moment "
                                  "(the start of the current month, Thai time) is counted, "
                                  "crossings included, so the figures stay the same until the "
                                  "next month")
    columns: list[PipelineColumnRead]
    overall: dict[str, int | str] | None = Field(
        description="The table's totals when the answer is one table (exact, or one month); "
                    "null when `months` holds several")
    rows: list[PipelineRowRead] = Field(description="By nationality, most crossings first; "
                                                    "empty when `months` holds several tables")
    months: list[PipelineMonthRead] | None = Field(
        default=None,
        description="null when the answer is one table, in the fields above. Otherwise (not "
                    "exact, a range of more than one month, or none completed yet: []) one "
                    "table per completed month, oldest first; never a total across months")
    repatriation_recorded: bool = Field(description="false: Passage does not record "
                                                    "repatriations yet; their columns are 0")
    note: str = ""
