"""Export formats and filters."""

from enum import StrEnum

from app.filters import DateRange


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class CtdcFormat(StrEnum):
    CSV = "csv"


class CaseDateFilters(DateRange):
    """Cases registered in a range of whole local (Thai) days, both ends included."""

    def as_audit(self) -> dict:
        return self.dates_as_audit()
