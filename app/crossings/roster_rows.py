"""Checking a roster's rows: each row's values turned into a RosterRow, every error collected
as {row, column, message}. Messages never repeat the values of a row: they may be names or
document numbers."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.clock import assume_local
from app.crossings.roster_files import REQUIRED_COLUMNS
from app.crossings.roster_xlsx import CellProblem
from app.crossings.schemas import LATEST_CROSSING_AHEAD, RosterError, crossing_time_problem
from app.db import utcnow
from app.i18n import _
from app.nationalities.service import resolve_nationality
from app.people import service as people_service
from app.people.identity import Identity
from app.people.latin import is_latin
from app.people.schemas import EARLIEST_BIRTH, LATIN_MESSAGE, Sex

MAX_LENGTHS = {"given_name": 200, "family_name": 200, "given_name_latin": 200,
               "family_name_latin": 200, "document_number": 64,
               "crossing_point": 200, "group_reference": 100}
SEX_WORDS = {"female": Sex.FEMALE, "f": Sex.FEMALE, "male": Sex.MALE, "m": Sex.MALE,
             "other": Sex.OTHER, "unknown": Sex.UNKNOWN, "": Sex.UNKNOWN}
# a file with more problems than this is most likely the wrong file: listing every one would
# cost the server more memory than the file itself
MAX_LISTED_ERRORS = 1000
# what is left of C0 controls once whitespace is collapsed, and DEL
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class RosterRow:
    number: int
    identity: Identity
    given_name: str
    family_name: str
    sex: str
    crossed_at: datetime  # UTC
    crossing_point: str
    compound_id: int | None
    group_reference: str | None
    direction: str = "entry"
    given_name_latin: str = ""
    family_name_latin: str = ""


class RowChecker:
    """Turns raw rows into RosterRows, collecting every error. Nationality names and compound
    names are resolved once per distinct value, not once per row."""

    def __init__(self, compounds: dict[str, int], columns: tuple[str, ...]):
        self.compounds = compounds
        self.columns = columns
        self.nationalities: dict[str, str | None] = {}
        self.now = utcnow()
        self.latest = self.now + LATEST_CROSSING_AHEAD
        self.errors: list[RosterError] = []
        self.problems = 0  # listed or not
        self.first_unlisted_row: int | None = None
        self.current: dict[str, Any] = {}  # the row being checked

    def error(self, number: int, column: str, message: str) -> None:
        self.problems += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(RosterError(row=number, column=column, message=message,
                                           value=self._shown(column)))
        elif self.first_unlisted_row is None:
            self.first_unlisted_row = number

    def all_errors(self) -> list[RosterError]:
        """The errors listed, and a last line counting those that are not."""
        if self.first_unlisted_row is None:
            return self.errors
        unlisted = self.problems - len(self.errors)
        return [*self.errors, RosterError(
            row=self.first_unlisted_row, column=None,
            message=f"{unlisted:,} more problems from this row on are not listed: correct "
                    "those above and check the file again")]

    def _shown(self, column: str) -> str | None:
        """The cell of the row being checked, as the page may show it beside its error."""
        value = self.current.get(column) if column else None
        if value is None or isinstance(value, CellProblem):
            return None
        text = " ".join(str(value).split())
        return CONTROL_CHARACTER.sub("\ufffd", text)[:80] or None

    def text(self, number: int, values: dict[str, Any], column: str) -> str:
        value = values.get(column)
        if isinstance(value, CellProblem):
            self.error(number, column, value.message)
            return ""
        if value is None:
            text = ""
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))  # a number typed into a spreadsheet cell
        else:
            text = " ".join(str(value).split())
        if CONTROL_CHARACTER.search(text):
            self.error(number, column, _("Holds a control character (such as a NUL byte) that "
                       "cannot be stored: type the value again"))
            return ""
        if column in REQUIRED_COLUMNS and not text and column in self.columns:
            self.error(number, column, "Required")
        limit = MAX_LENGTHS.get(column)
        if limit and len(text) > limit:
            self.error(number, column, _("Longer than %(limit)s characters") % {"limit": limit})
        return text

    def check(self, number: int, values: dict[str, Any]) -> RosterRow | None:
        self.current = values
        before = self.problems
        given = self.text(number, values, "given_name")
        family = self.text(number, values, "family_name")
        sex = SEX_WORDS.get(self.text(number, values, "sex").lower())
        if sex is None:
            self.error(number, "sex", _("Use female, male, other or unknown"))
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
                self.error(number, "compound", _("No compound of this name in Passage; "
                           "check the spelling or ask a coordinator to add it"))
        group = self.text(number, values, "group_reference") or None
        direction = self.text(number, values, "direction").lower() or "entry"
        if direction not in ("entry", "exit"):
            self.error(number, "direction", _("Use entry or exit (or leave it empty: entry)"))
        latin = {}
        for column in ("given_name_latin", "family_name_latin"):
            latin[column] = self.text(number, values, column)
            if not is_latin(latin[column]):
                self.error(number, column, _(LATIN_MESSAGE))
        if self.problems > before:
            return None
        identity = Identity(
            name_key=people_service.name_key(given, family), nationality_code=nationality,
            date_of_birth=born, age_estimate=age, document_number=document)
        return RosterRow(number, identity, given, family, sex.value, crossed_at, point,
                         compound_id, group, direction, **latin)

    def nationality(self, number: int, values: dict[str, Any]) -> str | None:
        text = self.text(number, values, "nationality")
        if not text:
            return None
        if text not in self.nationalities:
            self.nationalities[text] = resolve_nationality(text)
        code = self.nationalities[text]
        if code is None:
            self.error(number, "nationality",
                       _("Not a nationality Passage knows: use the two-letter country code "
                       "(IN) or the English name (India)"))
        return code

    def crossed_at(self, number: int, values: dict[str, Any]) -> datetime | None:
        value = values.get("crossed_at")
        if isinstance(value, datetime):
            parsed: datetime | None = value
        elif isinstance(value, date):
            parsed = datetime(value.year, value.month, value.day)
        else:
            text = self.text(number, values, "crossed_at")
            if not text:
                return None
            parsed = _parse_datetime(text)
            if parsed is None:
                self.error(number, "crossed_at", _("Not a date and time: write it as "
                           "2025-10-21 14:30 (Thai time) or 2025-10-21T14:30+07:00"))
                return None
        moment = assume_local(parsed)
        problem = crossing_time_problem(moment, now=self.now)
        if problem:
            self.error(number, "crossed_at", problem)
            return None
        return moment.astimezone(UTC)

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
                self.error(number, "date_of_birth", _("Not a date: write it as 1998-03-14"))
                return None
        if born < EARLIEST_BIRTH:
            self.error(number, "date_of_birth", _("Before 1900"))
        elif born > (crossed_at.date() if crossed_at else self.latest.date()):
            self.error(number, "date_of_birth", _("After the crossing"))
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
            self.error(number, "age_estimate", _("Not an age in whole years (0 to 120)"))
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

