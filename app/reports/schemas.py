"""Export formats and filters; the pipeline as the API reads it."""

from datetime import date
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


class PipelineRead(BaseModel):
    date_from: date | None = Field(serialization_alias="from",
                                   description="The first day counted (Thai time)")
    date_to: date | None = Field(serialization_alias="to",
                                 description="The last day counted (Thai time)")
    exact: bool = Field(description="false: whole months, and counts beyond crossings from 0 "
                                    "to threshold - 1 read \"<threshold\" (\"x\": hidden so "
                                    "that those cannot be worked out)")
    threshold: int
    columns: list[PipelineColumnRead]
    overall: dict[str, int | str]
    rows: list[PipelineRowRead] = Field(description="By nationality, most crossings first")
    repatriation_recorded: bool = Field(description="false: Passage does not record "
                                                    "repatriations yet; their columns are 0")
    note: str = ""
