"""The standards' own files, as published in ../shared/standards/ (beside the repository)."""

import csv
from functools import cache
from pathlib import Path

STANDARDS = Path(__file__).resolve().parents[2].parent / "shared" / "standards"


def _rows(path: Path) -> list[list[str]]:
    assert path.exists(), f"{path} is missing: the standards are read from ../shared/standards"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@cache
def ctdc_columns() -> list[tuple[str, str]]:
    """(name, data type) of the data dictionary's columns, in order."""
    rows = _rows(STANDARDS / "ctdc" / "data-dictionary-2018-main.csv")
    return [(r[0].strip(), r[1].strip()) for r in rows[1:] if r and r[0].strip()]


@cache
def ctdc_lookups() -> dict[str, set[str]]:
    """Each lookup's codes ("Gender", "Age range 2", "Age category", "Country", ...)."""
    lookups: dict[str, set[str]] = {}
    current = None
    for row in _rows(STANDARDS / "ctdc" / "data-dictionary-2018-lookups.csv"):
        if not row:
            continue
        if row[0].strip():
            current = row[0].strip()
            lookups[current] = set()
        elif current and len(row) > 1 and row[1].strip():
            lookups[current].add(row[1].strip())
    return lookups


@cache
def htcds_fields() -> dict[str, dict]:
    """Field name with prefix → {"type", "values"} (picklist value names)."""
    fields = {}
    for row in _rows(STANDARDS / "htcds" / "field-standards-2.0.csv")[1:]:
        if len(row) > 7 and row[6].strip() and row[6].strip() != "N/A":
            values = [v.strip() for v in (row[9] if len(row) > 9 else "").splitlines()
                      if v.strip()]
            fields[row[6].strip()] = {"type": row[7].strip(), "values": values}
    return fields


@cache
def htcds_case_sheet() -> tuple[list[str], list[str]]:
    """The case sheet's column names (row 1) and labels (row 2), as published."""
    rows = _rows(STANDARDS / "htcds" / "case-sheet-2.0.csv")
    return rows[0], rows[1]
