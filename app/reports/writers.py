"""Streaming CSV and XLSX writers; every text cell goes through app.cells.neutralise.

Both writers take an iterable of rows and yield bytes, so a report of any length is written in
constant memory: CSV row batches as they come; XLSX through xlsxwriter's constant_memory mode
into an anonymous temporary file, which is then read back in chunks.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

import xlsxwriter

from app.cells import FORMULA_FIRST_CHARACTERS, neutralise
from app.i18n import _

BOM = "\ufeff"
CSV_BATCH_ROWS = 500
READ_CHUNK = 64 * 1024
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header included

Cell = str | int | float | bool | date | datetime | None


def cell_text(value: Cell) -> str:
    """How a value is written in a CSV cell (and in XLSX, for everything but numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """UTF-8 with a byte order mark, so that Excel opens Thai, Burmese and Chinese correctly."""
    buffer = io.StringIO()
    writerow = csv.writer(buffer).writerow
    buffer.write(BOM)
    writerow([neutralise(h) for h in header])
    pending = 0
    first = FORMULA_FIRST_CHARACTERS
    for row in rows:
        # the hot loop of a large report, written out: text is guarded in place; ints,
        # floats and None (as "") go to the csv module as they are
        values = list(row)
        for i, value in enumerate(values):
            cls = value.__class__
            if cls is str:
                if value and value[0] in first:
                    values[i] = "'" + value
            elif cls is not int and cls is not float and value is not None:
                values[i] = cell_text(value)
        writerow(values)
        pending += 1
        if pending >= CSV_BATCH_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(target, header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
               sheet: str = "Report", notes: Sequence[str] = ()) -> int:
    """Write the rows to `target` (a path or a binary file) and return how many there were.

    Every text value goes through write_string after the guard, so nothing is ever stored as
    a formula, a URL or a number that it was not."""
    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "tmpdir": tempfile.gettempdir(),
    })
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    day = workbook.add_format({"num_format": "d mmm yyyy"})
    moment = workbook.add_format({"num_format": "d mmm yyyy hh:mm"})
    worksheet = workbook.add_worksheet(sheet[:31])
    # a sheet a person can use at once: the header stays in view, filters on every column,
    # columns wide enough for their heading (set before the rows: constant_memory)
    for col, name in enumerate(header):
        worksheet.set_column(col, col, min(max(len(name) + 4, 12), 40))
        worksheet.write_string(0, col, neutralise(name), bold)
    worksheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        if count >= XLSX_MAX_ROWS:
            raise ValueError(_("more rows than one XLSX sheet holds"))
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                worksheet.write_number(count, col, value)
            elif isinstance(value, datetime):
                # a date cell Excel can sort and filter; its zone is the one the values
                # were given in (reports give Thai time)
                worksheet.write_datetime(count, col, value.replace(tzinfo=None), moment)
            elif isinstance(value, date):
                worksheet.write_datetime(count, col, datetime(value.year, value.month,
                                                              value.day), day)
            else:
                worksheet.write_string(count, col, cell_text(value))
    if header:
        worksheet.autofilter(0, 0, max(count, 1), len(header) - 1)
    if notes:
        about = workbook.add_worksheet("Notes")
        for line_no, line in enumerate(notes):
            about.write_string(line_no, 0, neutralise(line))
    workbook.close()
    return count


def xlsx_chunks(header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
                sheet: str = "Report", notes: Sequence[str] = ()) -> Iterator[bytes]:
    """The workbook is complete only once every row is in (a zip's directory comes last): it
    is written to an anonymous temporary file, then streamed from there."""
    with tempfile.TemporaryFile(suffix=".xlsx") as spool:
        write_xlsx(spool, header, rows, sheet=sheet, notes=notes)
        spool.seek(0)
        while chunk := spool.read(READ_CHUNK):
            yield chunk


