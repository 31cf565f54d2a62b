"""Roster import: a CSV or XLSX list of people who crossed, recorded all at once.

All or nothing: every row is checked first and a roster with any bad row writes nothing and
answers 422 with every error as {row, column, message} (rows as a spreadsheet numbers them,
the header is row 1). A good roster is written in the caller's transaction with bulk inserts:
a handful of statements for 20,000 rows. Importing a roster again creates no new crossings
(same person, time and crossing point); people already known are matched, not duplicated.
Messages never repeat the values of a row: they may be names or document numbers."""

import base64
import binascii
import csv
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql as pgsql
from sqlalchemy import JSON, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.config import get_settings
from app.crossings.filters import use_custom_plans
from app.crossings.models import Crossing
from app.crossings.schemas import ImportReport, RosterError, assume_local
from app.crossings.service import compound_ids_by_name
from app.db import utcnow
from app.errors import AppError, Conflict, InvalidInput, TooLarge
from app.nationalities.service import resolve_nationality
from app.people import service as people_service
from app.people.models import Person
from app.people.schemas import EARLIEST_BIRTH, Sex

ROSTER_COLUMNS: tuple[str, ...] = (
    "given_name", "family_name", "sex", "date_of_birth", "age_estimate", "nationality",
    "document_number", "crossed_at", "crossing_point", "compound",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("group_reference",)
REQUIRED_COLUMNS: tuple[str, ...] = ("given_name", "nationality", "crossed_at", "crossing_point")
MAX_LENGTHS = {"given_name": 200, "family_name": 200, "document_number": 64,
               "crossing_point": 200, "group_reference": 100}
MAX_HEADER_COLUMNS = 200
XLSX_MAGIC = b"PK\x03\x04"
# an XLSX is a zip: refuse one that inflates beyond this many times the upload limit
MAX_XLSX_INFLATION = 20
SEX_WORDS = {"female": Sex.FEMALE, "f": Sex.FEMALE, "male": Sex.MALE, "m": Sex.MALE,
             "other": Sex.OTHER, "unknown": Sex.UNKNOWN, "": Sex.UNKNOWN}
WRITE_BATCH = 2000
# the roster page carries a checked file to its Import button in a hidden field: a form field
# may hold at most 1 MiB, so a larger file is chosen again instead
CARRY_LIMIT = 900_000

Progress = Callable[[str, int, int], None]


class RosterInvalid(AppError):
    """422 whose detail is every error of the roster, as {row, column, message}."""

    status_code = 422

    def __init__(self, errors: list[RosterError]):
        super().__init__([e.model_dump() for e in errors])
        self.errors = errors


@dataclass
class Roster:
    """Rows as read from a file (or built by the demo), before any checking."""

    rows: list[tuple[int, dict[str, Any]]]  # (spreadsheet row number, value by column)
    columns: tuple[str, ...]  # the known columns the header has
    file_format: str = "rows"
    header_errors: list[RosterError] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    number: int
    identity: people_service.Identity
    given_name: str
    family_name: str
    sex: str
    crossed_at: datetime  # UTC
    crossing_point: str
    compound_id: int | None
    group_reference: str | None


# --- reading ---

def read_roster(content: bytes, *, max_bytes: int | None = None,
                max_rows: int | None = None) -> Roster:
    """Parse a CSV (UTF-8, with or without BOM; comma, semicolon or tab) or XLSX roster."""
    settings = get_settings()
    max_bytes = settings.max_upload_bytes if max_bytes is None else max_bytes
    max_rows = settings.max_roster_rows if max_rows is None else max_rows
    if len(content) > max_bytes:
        raise TooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MB; "
                       "split the roster into smaller files")
    if not content.strip():
        raise InvalidInput("The file is empty", field="file")
    if content.startswith(XLSX_MAGIC):
        return _roster_from(_xlsx_rows(content, max_bytes), max_rows, "xlsx")
    return _roster_from(_csv_rows(content), max_rows, "csv")


def roster_from_dicts(rows: Iterable[Mapping[str, Any]]) -> Roster:
    """A roster from rows keyed by column name (the demo's generator): row 2 onwards."""
    rows = list(rows)
    columns = tuple(dict.fromkeys(_column_name(c) for r in rows[:1] for c in r))
    return _with_header(columns, [(n, {_column_name(k): v for k, v in r.items()})
                                  for n, r in enumerate(rows, start=2)], "rows")


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file is neither an XLSX workbook nor a UTF-8 CSV file; "
                           "save it as CSV UTF-8 or XLSX", field="file") from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise InvalidInput(f"Row {reader.line_num} of the file cannot be read as CSV",
                           field="file") from None


def _xlsx_rows(content: bytes, max_bytes: int) -> Iterator[tuple[Any, ...]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > MAX_XLSX_INFLATION * max_bytes:
            raise TooLarge("The workbook is too large once unpacked; "
                           "split the roster into smaller files")
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InvalidInput("The file is not a readable XLSX workbook", field="file") from None
    try:
        sheet = workbook.worksheets[0]
        width = None
        for values in sheet.iter_rows(values_only=True):
            if width is None:
                width = min(_last_filled(values), MAX_HEADER_COLUMNS)
            yield values[:width]
    finally:
        workbook.close()


def _last_filled(values: tuple[Any, ...]) -> int:
    for index in range(len(values), 0, -1):
        if values[index - 1] not in (None, ""):
            return index
    return 0


def _column_name(value: Any) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def _roster_from(records: Iterator[Any], max_rows: int, file_format: str) -> Roster:
    header = next(records, None)
    if header is None:
        raise InvalidInput("The file is empty", field="file")
    names = [_column_name(v) for v in header[:MAX_HEADER_COLUMNS]]
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in ROSTER_COLUMNS + OPTIONAL_COLUMNS:
            positions.setdefault(name, index)
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, record in enumerate(records, start=2):
        if not any(v not in (None, "") and not (isinstance(v, str) and not v.strip())
                   for v in record):
            continue  # a blank row: spreadsheets are full of them
        if len(rows) >= max_rows:
            raise TooLarge(f"The roster has more than {max_rows:,} rows; "
                           "split it into smaller files")
        rows.append((number, {name: record[i] if i < len(record) else None
                              for name, i in positions.items()}))
    return _with_header(tuple(positions), rows, file_format)


def _with_header(columns: tuple[str, ...], rows, file_format: str) -> Roster:
    errors = [RosterError(row=1, column=c, message="The header has no such column; "
                          "it is required")
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
        raise InvalidInput("The checked roster did not come back whole; upload it again",
                           field="file") from None
    if inflater.unconsumed_tail or len(content) > limit:
        raise TooLarge(f"The file is larger than {limit // (1024 * 1024)} MB")
    return content


# --- checking ---

class _Checker:
    """Turns raw rows into _Rows, collecting every error. Nationality names and compound
    names are resolved once per distinct value, not once per row."""

    def __init__(self, compounds: dict[str, int], columns: tuple[str, ...]):
        self.compounds = compounds
        self.columns = columns
        self.nationalities: dict[str, str | None] = {}
        self.latest = utcnow() + timedelta(days=1)
        self.errors: list[RosterError] = []

    def error(self, number: int, column: str, message: str) -> None:
        self.errors.append(RosterError(row=number, column=column, message=message))

    def text(self, number: int, values: dict[str, Any], column: str) -> str:
        value = values.get(column)
        if value is None:
            text = ""
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))  # a number typed into a spreadsheet cell
        else:
            text = " ".join(str(value).split())
        if column in REQUIRED_COLUMNS and not text and column in self.columns:
            self.error(number, column, "Required")
        limit = MAX_LENGTHS.get(column)
        if limit and len(text) > limit:
            self.error(number, column, f"Longer than {limit} characters")
        return text

    def check(self, number: int, values: dict[str, Any]) -> _Row | None:
        before = len(self.errors)
        given = self.text(number, values, "given_name")
        family = self.text(number, values, "family_name")
        sex = SEX_WORDS.get(self.text(number, values, "sex").lower())
        if sex is None:
            self.error(number, "sex", "Use female, male, other or unknown")
        nationality = self.nationality(number, values)
        document = people_service.normalize_document_number(
            self.text(number, values, "document_number"))
        crossed_at = self.crossed_at(number, values)
        born = self.date_of_birth(number, values, crossed_at)
        age = self.age_estimate(number, values)
        point = self.text(number, values, "crossing_point")
        compound_id = None
        compound = self.text(number, values, "compound")
        if compound:
            compound_id = self.compounds.get(compound.casefold())
            if compound_id is None:
                self.error(number, "compound", "No compound of this name in Passage; "
                           "check the spelling or ask a coordinator to add it")
        group = self.text(number, values, "group_reference") or None
        if len(self.errors) > before:
            return None
        identity = people_service.Identity(
            name_key=people_service.name_key(given, family), nationality_code=nationality,
            date_of_birth=born, age_estimate=age, document_number=document)
        return _Row(number, identity, given, family, sex.value, crossed_at, point,
                    compound_id, group)

    def nationality(self, number: int, values: dict[str, Any]) -> str | None:
        text = self.text(number, values, "nationality")
        if not text:
            return None
        if text not in self.nationalities:
            self.nationalities[text] = resolve_nationality(text)
        code = self.nationalities[text]
        if code is None:
            self.error(number, "nationality",
                       "Not a nationality Passage knows: use the two-letter country code "
                       "(IN) or the English name (India)")
        return code

    def crossed_at(self, number: int, values: dict[str, Any]) -> datetime | None:
        value = values.get("crossed_at")
        if isinstance(value, datetime):
            moment = assume_local(value)
        elif isinstance(value, date):
            moment = assume_local(datetime(value.year, value.month, value.day))
        else:
            text = self.text(number, values, "crossed_at")
            if not text:
                return None
            moment = _parse_datetime(text)
            if moment is None:
                self.error(number, "crossed_at", "Not a date and time: write it as "
                           "2025-10-21 14:30 (Thai time) or 2025-10-21T14:30+07:00")
                return None
        moment = moment.astimezone(UTC)
        if moment > self.latest:
            self.error(number, "crossed_at", "In the future")
            return None
        if moment.year < 2000:
            self.error(number, "crossed_at", "Before the year 2000")
            return None
        return moment

    def date_of_birth(self, number: int, values: dict[str, Any],
                      crossed_at: datetime | None) -> date | None:
        value = values.get("date_of_birth")
        if isinstance(value, datetime):
            born = value.date()
        elif isinstance(value, date):
            born = value
        else:
            text = self.text(number, values, "date_of_birth")
            if not text:
                return None
            born = _parse_date(text)
            if born is None:
                self.error(number, "date_of_birth", "Not a date: write it as 1998-03-14")
                return None
        if born < EARLIEST_BIRTH:
            self.error(number, "date_of_birth", "Before 1900")
        elif born > (crossed_at.date() if crossed_at else self.latest.date()):
            self.error(number, "date_of_birth", "After the crossing")
        else:
            return born
        return None

    def age_estimate(self, number: int, values: dict[str, Any]) -> int | None:
        text = self.text(number, values, "age_estimate")
        if not text:
            return None
        try:
            age = int(text)
        except ValueError:
            age = -1
        if not 0 <= age <= 120:
            self.error(number, "age_estimate", "Not an age in whole years (0 to 120)")
            return None
        return age


def _parse_datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%d %b %Y %H:%M", "%d %b %Y %H:%M:%S", "%d %b %Y"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%d %b %Y").date()
    except ValueError:
        return None


# --- importing ---

def import_file(session: Session, *, actor: Actor, content: bytes, dry_run: bool = False,
                progress: Progress | None = None) -> ImportReport:
    """Read a CSV or XLSX roster file and import it (see import_roster)."""
    if progress:
        progress("Reading the file", 0, 1)
    roster = read_roster(content)
    if progress:
        progress("Reading the file", 1, 1)
    return import_roster(session, actor=actor, roster=roster, dry_run=dry_run,
                         progress=progress)


def import_roster(session: Session, *, actor: Actor, roster: Roster, dry_run: bool = False,
                  progress: Progress | None = None) -> ImportReport:
    """Check every row, then (unless dry_run) write the new people and crossings.
    Raises RosterInvalid (422) listing every error; nothing is written then."""
    progress = progress or (lambda stage, done, total: None)
    # the batched lookups run one statement dozens of times: generic plans would scan
    use_custom_plans(session)
    total = len(roster.rows)
    checker = _Checker(compound_ids_by_name(session), roster.columns)
    rows: list[_Row] = []
    for index, (number, values) in enumerate(roster.rows, start=1):
        row = checker.check(number, values)
        if row is not None:
            rows.append(row)
        if index % 1000 == 0 or index == total:
            progress("Checking rows", index, total)
    errors = roster.header_errors + checker.errors
    if errors:
        raise RosterInvalid(errors)

    # One person per identity within the roster, then matched with the people already known.
    people, person_of_row = _people_in_roster(rows)
    if not dry_run:
        people_service.lock_matching(session)
    progress("Matching people", 0, len(people))
    known = people_service.find_known_people(session, [p.identity for p in people])
    progress("Matching people", len(people), len(people))
    recorded = _recorded_crossings(session, {pid for pid in known if pid is not None})

    new_crossings: list[tuple[int, _Row]] = []  # (person index, row)
    seen: set[tuple] = set()
    skipped = 0
    for row, person_index in zip(rows, person_of_row, strict=True):
        key = (person_index, row.crossed_at, row.crossing_point)
        known_id = known[person_index]
        if key in seen or (known_id is not None
                           and (known_id, row.crossed_at, row.crossing_point) in recorded):
            skipped += 1
            continue
        seen.add(key)
        new_crossings.append((person_index, row))

    created = [i for i, pid in enumerate(known) if pid is None]
    report = ImportReport(dry_run=dry_run, rows=total, people_created=len(created),
                          people_matched=len(people) - len(created),
                          crossings_created=len(new_crossings), crossings_skipped=skipped)
    if not dry_run:
        _write(session, actor=actor, people=people, known=known, created=created,
               new_crossings=new_crossings, progress=progress)
    audit.record(session, actor=actor,
                 action="crossing.import_checked" if dry_run else "crossing.import",
                 entity_type="roster",
                 detail={"format": roster.file_format,
                         **report.model_dump(exclude={"errors", "dry_run"})})
    return report


def _people_in_roster(rows: list[_Row]) -> tuple[list[_Row], list[int]]:
    """The distinct people of the roster (first row of each) and each row's person index."""
    people: list[_Row] = []
    person_of_row: list[int] = []
    by_document: dict[tuple, int] = {}
    by_person: dict[tuple, list[int]] = {}
    for row in rows:
        identity = row.identity
        index = by_document.get(identity.document_key) if identity.document_key else None
        if index is None:
            index = next((i for i in by_person.get(identity.person_key, ())
                          if identity.same_as(people[i].identity.document_number)), None)
        if index is None:
            index = len(people)
            people.append(row)
            by_person.setdefault(identity.person_key, []).append(index)
        if identity.document_key:
            by_document.setdefault(identity.document_key, index)
        person_of_row.append(index)
    return people, person_of_row


def _recorded_crossings(session: Session, person_ids: set[int]) -> set[tuple]:
    recorded: set[tuple] = set()
    ids = sorted(person_ids)
    for start in range(0, len(ids), people_service.LOOKUP_BATCH):
        chunk = ids[start:start + people_service.LOOKUP_BATCH]
        recorded.update(session.exec(
            select(Crossing.person_id, Crossing.crossed_at, Crossing.crossing_point)
            .where(people_service.one_of(session, Crossing.person_id, chunk))
        ).all())
    return recorded


def _write(session: Session, *, actor: Actor, people: list[_Row], known: list[int | None],
           created: list[int], new_crossings: list[tuple[int, _Row]],
           progress: Progress) -> None:
    now = utcnow()
    ids = list(known)
    writer = _BulkWriter(session, progress=progress, total=len(created) + len(new_crossings))
    try:
        new_ids = writer.insert(Person.__table__, [
            _person_values(people[i], actor=actor, now=now) for i in created], returning_ids=True)
        for index, new_id in zip(created, new_ids, strict=True):
            ids[index] = new_id
        writer.insert(Crossing.__table__, [
            {"person_id": ids[person_index], "crossed_at": row.crossed_at,
             "crossing_point": row.crossing_point, "compound_id": row.compound_id,
             "group_reference": row.group_reference,
             "recorded_by_organization_id": actor.organization_id,
             "created_by_id": actor.user_id, "created_at": now, "updated_at": now}
            for person_index, row in new_crossings])
    except (IntegrityError, psycopg.IntegrityError):
        raise Conflict("Another import recorded some of these crossings at the same moment; "
                       "import the roster again: what is already recorded is skipped") from None


class _BulkWriter:
    """Inserts many rows in the session's transaction: COPY on PostgreSQL (ids reserved from
    the table's sequence first), batched multi-row INSERT ... RETURNING on SQLite."""

    def __init__(self, session: Session, *, progress: Progress, total: int):
        self.session = session
        self.progress = progress
        self.total = total
        self.done = 0
        self.postgresql = session.get_bind().dialect.name == "postgresql"

    def advance(self, count: int) -> None:
        self.done += count
        self.progress("Writing", self.done, self.total)

    def insert(self, table, rows: list[dict[str, Any]], *,
               returning_ids: bool = False) -> list[int]:
        if not rows:
            return []
        if self.postgresql:
            return self._copy(table, rows, returning_ids=returning_ids)
        ids: list[int] = []
        for start in range(0, len(rows), WRITE_BATCH):
            batch = rows[start:start + WRITE_BATCH]
            statement = insert(table)
            if returning_ids:
                statement = statement.returning(table.c.id, sort_by_parameter_order=True)
                ids.extend(new_id for (new_id,) in self.session.execute(statement, batch))
            else:
                self.session.execute(statement, batch)
            self.advance(len(batch))
        return ids

    def _copy(self, table, rows: list[dict[str, Any]], *, returning_ids: bool) -> list[int]:
        columns = list(rows[0])
        ids: list[int] = []
        if returning_ids:
            ids = list(self.session.execute(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                     "FROM generate_series(1, :n)"),
                {"table": table.name, "n": len(rows)}).scalars())
            columns = ["id", *columns]
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
            pgsql.Identifier(table.name),
            pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns))
        dbapi_connection = self.session.connection().connection.dbapi_connection
        with dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for index, row in enumerate(rows):
                values = [row[c] if c != "id" else ids[index] for c in columns]
                if json_columns:
                    values = [json.dumps(v) if c in json_columns else v
                              for c, v in zip(columns, values, strict=True)]
                copy.write_row(values)
                if (index + 1) % WRITE_BATCH == 0:
                    self.advance(WRITE_BATCH)
        self.advance(len(rows) % WRITE_BATCH)
        return ids


def _person_values(row: _Row, *, actor: Actor, now: datetime) -> dict[str, Any]:
    identity = row.identity
    return {
        "given_name": row.given_name, "family_name": row.family_name,
        "name_key": identity.name_key, "sex": row.sex, "date_of_birth": identity.date_of_birth,
        "age_estimate": identity.age_estimate, "nationality_code": identity.nationality_code,
        "document_number": identity.document_number, "phone": None, "languages": [],
        "registered_by_organization_id": actor.organization_id,
        "created_by_id": actor.user_id, "created_at": now, "updated_at": now,
    }
