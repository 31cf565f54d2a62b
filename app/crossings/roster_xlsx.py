"""A bounded reader of the first sheet of an XLSX workbook, for rosters.

An XLSX file is a zip of XML parts, and a small file can unpack to gigabytes or declare a
million rows by sixteen thousand columns. Before anything is parsed, every part's declared size
and compression ratio is checked; the parts read are then streamed through expat, counting the
bytes actually unpacked, so the memory and time an import takes are bounded by the caps below
whatever the file. Cells beyond the roster's widest header are never kept; a long run of empty
rows ends the reading.

A cell whose stored value cannot be what the workbook says it is (text in a number cell, a date
out of any calendar) becomes a CellProblem, so the checks report it with its row and column."""

import io
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from posixpath import join, normpath
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from app.errors import InvalidInput, TooLarge
from app.i18n import N_, _, format_number

MB = 1024 * 1024
MAX_PARTS = 1000
# what a roster of 20,000 rows needs, with room to spare: the sheet is streamed and never held
# whole; the shared strings are held, so their part and their count are capped tighter
MAX_SHEET_BYTES = 48 * MB
MAX_SHARED_STRINGS_BYTES = 24 * MB
MAX_SHARED_STRINGS = 500_000
MAX_SMALL_PART_BYTES = 4 * MB  # workbook, relationships, styles
# XML compresses well, but not a thousandfold: a part over RATIO_FLOOR unpacking to more than
# MAX_RATIO times its packed size is a zip bomb
MAX_RATIO = 100
RATIO_FLOOR = MB
MAX_CELL_CHARS = 32_767  # the most a spreadsheet cell holds
MAX_ROW_NUMBER = 1_048_576  # the last row a spreadsheet has
CHUNK = 64 * 1024

BAD_CHARACTER = {expat.errors.codes[expat.errors.XML_ERROR_BAD_CHAR_REF],
                 expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]}
CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
NOT_READABLE = N_("The file is not a readable XLSX workbook")


@dataclass(frozen=True, slots=True)
class CellProblem:
    """A cell whose stored value is damaged; the message says what is wrong, in plain words."""

    message: str


def xlsx_rows(content: bytes, *, max_columns: int,
              empty_run: int) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) of each row of the first sheet that has cells, in sheet order;
    values hold at most `max_columns` cells. After `empty_run` rows in a row without a value
    the rows end; a value after them is refused, so that nothing is silently left out."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidInput(_(NOT_READABLE), field="file") from None
    with archive:
        _check_sizes(archive)
        workbook = _Workbook(archive)
        sheet = _SheetReader(workbook.shared_strings(), workbook.date_styles,
                             workbook.epoch, max_columns=max_columns, empty_run=empty_run)
        yield from _stream(archive, workbook.sheet, MAX_SHEET_BYTES, sheet)


def _check_sizes(archive: zipfile.ZipFile) -> None:
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise InvalidInput(
            _("%(problem)s: it holds %(len)s parts")
            % {"problem": _(NOT_READABLE), "len": format_number(len(parts))},
            field="file",
        )
    for part in parts:
        size, packed = part.file_size, part.compress_size
        if size > MAX_SHEET_BYTES:
            raise _too_large(part.filename, size, MAX_SHEET_BYTES)
        if size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1):
            raise TooLarge(
                _(
                    "The workbook unpacks to far more than its size: its part %(filename)s grows "
                    "from %(mb)s to %(mb2)s, as damaged or hostile files do. Save the roster "
                    "again as XLSX or CSV and import that"
                )
                % {"filename": part.filename, "mb": _mb(packed), "mb2": _mb(size)}
            )


def _too_large(part: str, size: int | None, limit: int) -> TooLarge:
    """`size` as the archive declares it, or None when the part unpacked past `limit`."""
    if size is None:
        return TooLarge(
            _(
                "The workbook is too large once unpacked: its part %(part)s holds more than "
                "%(limit)s. Save the roster sheet alone as XLSX or CSV and import that"
            )
            % {"part": part, "limit": _mb(limit)}
        )
    return TooLarge(
        _(
            "The workbook is too large once unpacked: its part %(part)s holds %(size)s, more than "
            "a roster needs (%(limit)s at most). Save the roster sheet alone as XLSX or CSV and "
            "import that"
        )
        % {"part": part, "size": _mb(size), "limit": _mb(limit)}
    )


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size >= MB else f"{max(size // 1024, 1):,} KB"


class _Workbook:
    """Where the first sheet, the shared strings and the styles are, and which styles show a
    number as a date."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.names = set(archive.namelist())
        main = next((target for _, kind, target in self._relationships("_rels/.rels", "")
                     if kind == "officeDocument"), "xl/workbook.xml")
        if main not in self.names:
            raise InvalidInput(
                _("%(problem)s: it has no workbook part") % {"problem": _(NOT_READABLE)},
                field="file",
            )
        folder, file_name = main.rpartition("/")[::2]
        relationships = self._relationships(join(folder, "_rels", file_name + ".rels"), folder)
        first_sheet, date1904 = self._first_sheet(main)
        self.epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
        self.sheet = next((target for rid, _, target in relationships if rid == first_sheet), "")
        if not first_sheet or self.sheet not in self.names:
            raise InvalidInput(
                _("%(problem)s: it has no sheet") % {"problem": _(NOT_READABLE)},
                field="file",
            )
        by_kind = {kind: target for _, kind, target in reversed(relationships)}
        self.strings_part = by_kind.get("sharedStrings")
        if self.strings_part not in self.names:
            self.strings_part = None
        styles = by_kind.get("styles")
        self.date_styles = self._date_styles(styles) if styles in self.names else frozenset()

    def _relationships(self, part: str, folder: str) -> list[tuple[str, str, str]]:
        """(id, type, part) of each relationship a .rels part lists."""
        found: list[tuple[str, str, str]] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                path = normpath(target[1:] if target.startswith("/") else join(folder, target))
                # the type's last word: transitional and strict workbooks differ before it
                kind = attrs.get("Type", "").rpartition("/")[2]
                found.append((attrs.get("Id", ""), kind, path))

        if part in self.names:
            _parse_whole(self.archive, part, start)
        return found

    def _first_sheet(self, part: str) -> tuple[str | None, bool]:
        first: list[str] = []
        date1904: list[bool] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "sheet" and not first:
                first.append(next((v for k, v in attrs.items() if _local(k) == "id"), ""))
            elif local == "workbookPr":
                date1904.append(attrs.get("date1904", "0").lower() in ("1", "true"))

        _parse_whole(self.archive, part, start)
        return (first[0] if first else None), any(date1904)

    def _date_styles(self, part: str) -> frozenset[int]:
        formats: dict[int, str] = dict(BUILTIN_FORMATS)
        cell_formats: list[int] = []
        inside: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "numFmt":
                formats[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                inside.append(local)
            elif local == "xf" and inside:
                cell_formats.append(_int(attrs.get("numFmtId")))

        def end(name: str) -> None:
            if _local(name) == "cellXfs" and inside:
                inside.pop()

        _parse_whole(self.archive, part, start, end)
        return frozenset(style for style, number_format in enumerate(cell_formats)
                         if _shows_a_date(formats.get(number_format)))

    def shared_strings(self) -> list[str | CellProblem]:
        if self.strings_part is None:
            return []
        reader = _SharedStringsReader()
        for _chunk in _stream(self.archive, self.strings_part, MAX_SHARED_STRINGS_BYTES, reader):
            pass
        return reader.strings


def _shows_a_date(number_format: str | None) -> bool:
    return bool(number_format) and (is_date_format(number_format)
                                    or is_timedelta_format(number_format))


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        raise InvalidInput(
            _("%(problem)s: a number in its structure is damaged")
            % {"problem": _(NOT_READABLE)},
            field="file",
        ) from None


class _Handlers:
    """An expat target: the handlers it sets, and the rows ready after each chunk."""

    def install(self, parser) -> None:
        raise NotImplementedError

    def ready(self) -> list[Any]:
        return []

    def where(self) -> str:
        """Where in the part the parser stopped, as a sentence of its own; "" if unknown."""
        return ""


def _new_parser():
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = CHUNK

    def refuse_declarations(*_declaration) -> None:
        # a roster needs no DTD; entity declarations are how XML bombs multiply text
        raise InvalidInput(
            _("%(problem)s: it declares its own XML entities")
            % {"problem": _(NOT_READABLE)},
            field="file",
        )

    parser.StartDoctypeDeclHandler = refuse_declarations
    parser.EntityDeclHandler = refuse_declarations
    return parser


def _parse_whole(archive: zipfile.ZipFile, part: str, start: Callable,
                 end: Callable | None = None) -> None:
    class Whole(_Handlers):
        def install(self, parser) -> None:
            parser.StartElementHandler = start
            if end:
                parser.EndElementHandler = end

    for _chunk in _stream(archive, part, MAX_SMALL_PART_BYTES, Whole()):
        pass


def _stream(archive: zipfile.ZipFile, part: str, limit: int,
            handlers: _Handlers) -> Iterator[Any]:
    """Feed a part to expat chunk by chunk, counting what it really unpacks to; yield what the
    handlers made ready after each chunk."""
    declared = archive.getinfo(part).file_size
    if declared > limit:
        raise _too_large(part, declared, limit)
    parser = _new_parser()
    handlers.install(parser)
    unpacked = 0
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                unpacked += len(chunk)
                if unpacked > limit:
                    raise _too_large(part, None, limit)
                parser.Parse(chunk, False)
                yield from handlers.ready()
            parser.Parse(b"", True)
            yield from handlers.ready()
    except expat.ExpatError as exc:
        if exc.code in BAD_CHARACTER:
            problem = _("The workbook could not be read as a roster: its part %(part)s holds a "
                        "character no workbook may contain (such as a NUL byte).") % {"part": part}
        else:
            # expat's own words for the fault (technical, in English in every language)
            problem = _("The workbook could not be read as a roster: its part %(part)s is "
                        "damaged (%(detail)s).") % {"part": part,
                                                    "detail": expat.ErrorString(exc.code)}
        raise InvalidInput(
            " ".join(filter(None, (problem, handlers.where()))),
            field="file",
        ) from None
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
        zlib.error,
    ):
        # a part that is not the size it declares fails its checksum; encrypted or oddly
        # compressed parts cannot be read either
        raise InvalidInput(
            _("%(problem)s: its part %(part)s is damaged or not the size it declares")
            % {"problem": _(NOT_READABLE), "part": part},
            field="file",
        ) from None


class _SharedStringsReader(_Handlers):
    """The workbook's shared strings: text of <t> in each <si>, phonetic runs left out."""

    def __init__(self):
        self.strings: list[str | CellProblem] = []
        self.text: list[str] | None = None
        self.size = 0
        self.phonetic = 0

    def install(self, parser) -> None:
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            if len(self.strings) >= MAX_SHARED_STRINGS:
                raise TooLarge(
                    _(
                        "The workbook holds more than %(limit)s different texts, "
                        "more than a roster needs. Save the roster sheet alone as XLSX or CSV and "
                        "import that"
                    )
                    % {"limit": format_number(MAX_SHARED_STRINGS)}
                )
            self.text, self.size = [], 0
        elif local == "rPh":
            self.phonetic += 1

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "si" and self.text is not None:
            self.strings.append(_text_value(self.text, self.size))
            self.text = None
        elif local == "rPh":
            self.phonetic -= 1

    def characters(self, data: str) -> None:
        if self.text is not None and not self.phonetic and self.size <= MAX_CELL_CHARS:
            self.text.append(data)
            self.size += len(data)


def _text_value(parts: list[str], size: int) -> str | CellProblem:
    if size > MAX_CELL_CHARS:
        return CellProblem(f"Longer than a spreadsheet cell holds ({MAX_CELL_CHARS:,} "
                           "characters)")
    return "".join(parts)


class _SheetReader(_Handlers):
    """Rows of a worksheet's <sheetData>, values typed as the workbook says."""

    def __init__(self, strings: list[str | CellProblem], date_styles: frozenset[int],
                 epoch: datetime, *, max_columns: int, empty_run: int):
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.max_columns = max_columns
        self.empty_run = empty_run
        self.parser = None
        self.rows: list[tuple[int, list[Any]]] = []
        self.row_number = 0
        self.values: list[Any] = []
        self.empty_rows = 0  # rows in a row without a value
        self.row_has_value = False  # in any column, kept or not
        self.column = 0
        self.cell: tuple[str, int] | None = None  # (type, style) of the cell being read
        self.text: list[str] | None = None
        self.size = 0
        self.cell_value: str | None = None
        self.inline: list[str] = []
        self.inline_size = 0

    def install(self, parser) -> None:
        self.parser = parser
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters

    def ready(self) -> list[tuple[int, list[Any]]]:
        rows, self.rows = self.rows, []
        return rows

    def where(self) -> str:
        if not self.row_number:
            return ""
        if self.cell:
            return _("The fault is at row %(row)s, column %(column)s.") % {
                "row": format_number(self.row_number), "column": _column_letters(self.column)}
        return _("The fault is at row %(row)s.") % {"row": format_number(self.row_number)}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "c":
            self.column = self._column(attrs.get("r"))
            # cells beyond the widest header are never kept, nor their text collected
            self.cell = ((attrs.get("t", "n"), _int(attrs.get("s")))
                         if self.column <= self.max_columns else None)
            self.cell_value = None
            self.inline, self.inline_size = [], 0
        elif local in ("v", "is"):
            self.row_has_value = True
            if local == "v" and self.cell:
                self.text, self.size = [], 0
        elif local == "t" and self.cell:
            self.text, self.size = [], 0
        elif local == "row":
            reference = attrs.get("r")
            number = _int(reference) if reference else self.row_number + 1
            if not 0 < number <= MAX_ROW_NUMBER:
                raise InvalidInput(
                    _("%(problem)s: it numbers a row %(number)s")
                    % {"problem": _(NOT_READABLE), "number": format_number(number)},
                    field="file",
                )
            self.row_number, self.values, self.column = number, [], 0
            self.row_has_value = False

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "v" and self.text is not None:
            self.cell_value = _text_value(self.text, self.size)  # type: ignore[assignment]
            self.text = None
        elif local == "t" and self.text is not None:
            self.inline.append("".join(self.text))
            self.inline_size += self.size
            self.text = None
        elif local == "c" and self.cell:
            value = self._value()
            if value is not None:
                self.values.extend([None] * (self.column - len(self.values)))
                self.values[self.column - 1] = value
            self.cell = None
        elif local == "row":
            self._end_row()

    def characters(self, data: str) -> None:
        if self.text is not None and self.size <= MAX_CELL_CHARS:
            self.text.append(data)
            self.size += len(data)

    def _column(self, reference: str | None) -> int:
        if not reference:
            return self.column + 1
        match = CELL_REF.match(reference)
        if match is None:
            raise InvalidInput(_("%(problem)s: a cell is named %(name)s")
                               % {"problem": _(NOT_READABLE), "name": repr(reference[:20])},
                               field="file")
        column = 0
        for letter in match.group(1):
            column = column * 26 + ord(letter) - 64
        return column

    def _value(self) -> Any:
        kind, style = self.cell  # type: ignore[misc]
        if kind == "inlineStr":
            return _text_value(self.inline, self.inline_size) if self.inline else None
        raw = self.cell_value
        if raw is None or isinstance(raw, CellProblem):
            return raw
        if kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                return CellProblem("The cell refers to text the workbook does not have")
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.fromisoformat(raw.strip())
            except ValueError:
                return CellProblem("Not a date: the cell's stored date is damaged")
        return self._number(raw, style)

    def _number(self, raw: str, style: int) -> Any:
        raw = raw.strip()
        try:
            number: int | float = (int(raw) if raw.lstrip("-").isdigit() else float(raw))
        except ValueError:
            return CellProblem("The cell holds text where the workbook says a number; "
                               "type the value again")
        if isinstance(number, float) and not math.isfinite(number):
            return CellProblem("Not a number a spreadsheet can hold")
        if style in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (OverflowError, ValueError):
                return CellProblem("Not a date a spreadsheet can hold: the day number "
                                   f"{raw[:20]} is outside any calendar")
        return number

    def _end_row(self) -> None:
        if self.row_has_value:
            self.empty_rows = 0
            if any(v is not None and v != "" for v in self.values):
                self.rows.append((self.row_number, self.values))
        else:
            self.empty_rows += 1
            if self.empty_rows == self.empty_run:
                self._skim()
        self.values = []

    def _skim(self) -> None:
        """After a long run of empty rows only look out for a value, as cheaply as expat
        allows, so that a million declared rows cost little."""
        parser = self.parser

        def start(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "row":
                reference = attrs.get("r")
                self.row_number = _int(reference) if reference else self.row_number + 1
            elif local in ("v", "is"):
                raise InvalidInput(
                    _(
                        "Row %(row_number)s has values after %(empty_run)s or more empty rows: "
                        "delete the empty rows and import again, so that no row is left out"
                    )
                    % {
                        "row_number": format_number(self.row_number),
                        "empty_run": format_number(self.empty_run),
                    },
                    field="file",
                )

        parser.StartElementHandler = start
        parser.EndElementHandler = None
        parser.CharacterDataHandler = None


def _column_letters(index: int) -> str:
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
