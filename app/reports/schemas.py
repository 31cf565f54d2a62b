"""Export formats and filters."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class CtdcFormat(StrEnum):
    CSV = "csv"


class CaseDateFilters(BaseModel):
    """Cases registered in a range of whole local (Thai) days, both ends included."""

    # "ignore": the same query string carries the format
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if value == "" else value

    @field_validator("date_to")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and value < start:
            raise ValueError("The end date is before the start date")
        return value

    def as_audit(self) -> dict:
        return {"from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None}
