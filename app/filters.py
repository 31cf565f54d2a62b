"""Filters shared by lists and exports."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class DateRange(BaseModel):
    """A range of whole local (Thai) days, both ends included; `from` and `to` in a query."""

    # "ignore": the same query string carries paging and the export format
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", populate_by_name=True)

    date_from: date | None = Field(default=None, alias="from")
    date_to: date | None = Field(default=None, alias="to")

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _blank_date_is_none(cls, value):
        return None if value == "" else value

    @field_validator("date_to")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and value < start:
            raise ValueError("The end date is before the start date")
        return value

    def dates_as_audit(self) -> dict:
        return {"from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None}
