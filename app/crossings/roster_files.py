"""Reading a roster file: a CSV or XLSX list of people who crossed, turned into rows of values
by column name, before any checking. Also the packing that carries a checked file through the
roster page's form."""

import base64
import binascii
import csv
import io
import itertools
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.config import get_settings
from app.crossings.roster_xlsx import xlsx_rows
from app.crossings.schemas import RosterError
from app.errors import InvalidInput, TooLarge
from app.i18n import _, format_number

ROSTER_COLUMNS: tuple[str, ...] = (
    "given_name", "family_name", "sex", "date_of_birth", "age_estimate", "nationality",
    "document_number", "crossed_at", "crossing_point", "compound",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("group_reference", "direction", "given_name_latin",
                                     "family_name_latin")
REQUIRED_COLUMNS: tuple[str, ...] = ("given_name", "nationality", "crossed_at", "crossing_point")
# the template the import page offers: every column, and one made-up row to show the forms
TEMPLATE_EXAMPLE: tuple[str, ...] = (
    "Example", "Person", "female", "1998-03-14", "", "Philippines", "P1234567A",
    "2025-10-21 14:30", "Mae Sot Friendship Bridge 2", "", "Boat 3", "entry", "", "",
)


def template_csv() -> bytes:
    """A roster to fill in: the header row and one example row to replace (UTF-8 with a byte
    order mark, so that Excel opens it in the right script)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ROSTER_COLUMNS + OPTIONAL_COLUMNS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
MAX_HEADER_COLUMNS = 200
XLSX_MAGIC = b"PK\x03\x04"
# a run of empty rows this long ends a roster (a value after it is refused, not left out)
EMPTY_RUN = 1000
# the roster page carries a checked file to its Import button in a hidden field: a form field
# may hold at most 1 MiB, so a larger file is chosen again instead
CARRY_LIMIT = 900_000


@dataclass
class Roster:
    """Rows as read from a file (or built by the demo), before any checking."""

    rows: list[tuple[int, dict[str, Any]]]  # (spreadsheet row number, value by column)
    columns: tuple[str, ...]  # the known columns the header has
    file_format: str = "rows"
    header_errors: list[RosterError] = field(default_factory=list)


def read_roster(content: bytes, *, max_bytes: int | None = None,
                max_rows: int | None = None) -> Roster:
    """Parse a CSV (UTF-8, with or without BOM; comma, semicolon or tab) or XLSX roster."""
    settings = get_settings()
    max_bytes = settings.max_upload_bytes if max_bytes is None else max_bytes
    max_rows = settings.max_roster_rows if max_rows is None else max_rows
    if len(content) > max_bytes:
        raise TooLarge(
            _("The file is larger than %(value)s MB; split the roster into smaller files")
            % {"value": max_bytes // (1024 * 1024)}
        )
    if not content.strip():
        raise InvalidInput(_("The file is empty"), field="file")
    if content.startswith(XLSX_MAGIC):
        roster = _roster_from(_xlsx_rows(content), max_rows, "xlsx")
    else:
        roster = _roster_from(_csv_rows(content), max_rows, "csv")
    if not roster.rows and not roster.header_errors:
        raise InvalidInput(_("The file could not be read as a roster: it has a header but no "
                           "rows of people below it"), field="file")
    return roster


def roster_from_dicts(rows: Iterable[Mapping[str, Any]]) -> Roster:
    """A roster from rows keyed by column name (the demo's generator): row 2 onwards."""
    rows = list(rows)
    columns = tuple(dict.fromkeys(_column_name(c) for r in rows[:1] for c in r))
    return _with_header(columns, [(n, {_column_name(k): v for k, v in r.items()})
                                  for n, r in enumerate(rows, start=2)], "rows")


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) of each record; blank records are left out, and after
    EMPTY_RUN of them the rest of the file is only searched for a value, which is refused."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is neither an XLSX workbook nor a UTF-8 CSV file; "
                           "save it as CSV UTF-8 or XLSX"), field="file") from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    lines = io.StringIO(text, newline="")
    # strict: a quote left open must not swallow the rest of the file into one cell
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    empty_rows = 0
    header_read = False
    for number in itertools.count(1):
        starts_on = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(_csv_problem(str(exc), starts_on, reader.line_num),
                               field="file") from None
        if _blank(record):
            empty_rows += 1
            if empty_rows == EMPTY_RUN:
                _refuse_values_after_empty_rows(text, lines.tell(), reader.line_num)
                return
            continue
        if not header_read and any("\n" in v or "\r" in v for v in record):
            raise InvalidInput(_("The file could not be read as a roster: its header row has a "
                               "line break inside quotes (\")"), field="file")
        header_read = True
        empty_rows = 0
        yield number, record


def _csv_problem(reason: str, starts_on: int, line: int) -> str:
    if reason.startswith("unexpected end of data"):
        return (f"The file could not be read as a roster: the quote (\") opened on line "
                f"{starts_on:,} is never closed")
    if reason.startswith("field larger than field limit"):
        return f"Line {starts_on:,} of the file has a value too long to be part of a roster"
    return (f"Line {line:,} of the file cannot be read as CSV: a quoted value must end with "
            "a quote (\") followed by the separator")


def _refuse_values_after_empty_rows(text: str, position: int, line: int) -> None:
    value = re.compile(r'[^\s,;"]').search(text, position)
    if value is not None:
        line += text.count("\n", position, value.start()) + 1
        raise InvalidInput(
            _(
                "Line %(line)s has values after %(empty_rows)s or more empty rows: delete the "
                "empty rows and import again, so that no row is left out"
            )
            % {"line": format_number(line), "empty_rows": format_number(EMPTY_RUN)},
            field="file",
        )


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    width = None
    for number, values in xlsx_rows(content, max_columns=MAX_HEADER_COLUMNS,
                                    empty_run=EMPTY_RUN):
        if width is None:
            width = _last_filled(values)
        yield number, values[:width]


def _blank(values: list[Any]) -> bool:
    return not any(v not in (None, "") and not (isinstance(v, str) and not v.strip())
                   for v in values)


def _last_filled(values: list[Any]) -> int:
    for index in range(len(values), 0, -1):
        if values[index - 1] not in (None, ""):
            return index
    return 0


def _column_name(value: Any) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def _roster_from(records: Iterator[tuple[int, list[Any]]], max_rows: int,
                 file_format: str) -> Roster:
    first = next(records, None)
    if first is None:
        raise InvalidInput(_("The file is empty"), field="file")
    header_row, header = first
    names = [_column_name(v) for v in header[:MAX_HEADER_COLUMNS]]
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in ROSTER_COLUMNS + OPTIONAL_COLUMNS:
            positions.setdefault(name, index)
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, record in records:
        if _blank(record):
            continue  # a blank row: spreadsheets are full of them
        if len(rows) >= max_rows:
            raise TooLarge(
                _("The roster has more than %(max_rows)s rows; split it into smaller files")
                % {"max_rows": format_number(max_rows)}
            )
        rows.append((number, {name: record[i] if i < len(record) else None
                              for name, i in positions.items()}))
    return _with_header(tuple(positions), rows, file_format, header_row=header_row)


def _with_header(columns: tuple[str, ...], rows, file_format: str, *,
                 header_row: int = 1) -> Roster:
    errors = [RosterError(row=header_row, column=c, message="The header row has no such column: "
                          "add it, it is required")
              for c in REQUIRED_COLUMNS if c not in columns]
    return Roster(rows=rows, columns=columns, file_format=file_format, header_errors=errors)


def pack(content: bytes) -> str | None:
    """The file, compressed, as text for a hidden form field; None when too large."""
    data = base64.b64encode(zlib.compress(content, 6)).decode("ascii")
    return data if len(data) <= CARRY_LIMIT else None


def unpack(data: str) -> bytes:
    limit = get_settings().max_upload_bytes
    try:
        inflater = zlib.decompressobj()
        content = inflater.decompress(base64.b64decode(data, validate=True), limit + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise InvalidInput(_("The checked roster did not come back whole; upload it again"),
                           field="file") from None
    if inflater.unconsumed_tail or len(content) > limit:
        raise TooLarge(
            _("The file is larger than %(value)s MB") % {"value": limit // (1024 * 1024)}
        )
    return content

