"""HTCDS import: an HTCDS case sheet (the standard's case-sheet columns in row 1, its labels
row optional below) becomes people and cases of the importing caseworker's organisation.

Checked all or nothing: every error as {row, column, message}, rows numbered as the
spreadsheet shows them; nothing is written while one remains. A dry run checks and counts
and writes nothing. People are matched as registration matches them (app.people.identity):
the organisation's own record of the same person is used; another organisation's is linked,
never opened, and the answer says nothing of it. A row whose person already has a case of
the organisation adds nothing, so importing a sheet again adds nothing.

What becomes what (the reverse of app.reports.htcds): prs_FirstName, prs_SecondName,
prs_Birthdate, prs_Gender, prs_Citizenship (the first code), prs_MobilePhone (else
prs_HomePhone) → the person; con_Consent → the case's consent_to_share;
vic_TraffickingStatus Actual/NotA → a determination (trafficking_victim / willing_worker,
rationale "Imported from HTCDS"), Possible → none; cas_Status Closed/ClosedReferred → the case
closed, for the reason cas_ReasonForCaseClosure names (referred_elsewhere for ClosedReferred
when it names none). Every other non-empty field is kept on the case as received and given
back when the case is exported.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth.permissions import Permission, can
from app.cases import lifecycle
from app.cases import service as cases_service
from app.cases.models import Case, Determination
from app.cases.schemas import CaseClose
from app.clock import local_today
from app.config import get_settings
from app.crossings.importer import RosterInvalid
from app.crossings.schemas import RosterError
from app.errors import InvalidInput, PermissionDenied, TooLarge
from app.i18n import _
from app.labels import CLOSURE_REASON_LABELS
from app.nationalities.service import nationality_names
from app.people import identity
from app.people import service as people_service
from app.people.identity import Identity
from app.people.schemas import PersonCreate
from app.reports import htcds

XLSX_MAGIC = b"PK\x03\x04"
MAX_TEXT = 2000
# the fields Passage reads into its own records; the rest are kept as received
READ = frozenset({"cas_CaseOwner", "con_Consent", "prs_FirstName", "prs_SecondName",
                  "prs_Birthdate", "prs_Gender", "prs_Citizenship", "prs_MobilePhone",
                  "vic_TraffickingStatus", "cas_Status", "cas_ReasonForCaseClosure"})
# derived from the determination on export: kept only when the import does not derive them
DERIVED = frozenset({"vic_TraffickinStatusDecisionMakingOrg", "vic_TypeOfExploitation",
                     "vic_ForcedLabourIndustry"})
TRUE = {"true", "yes", "1", "y"}
FALSE = {"false", "no", "0", "n", ""}
# the closure reason in words (as exported), or its value
REASONS = {**{label.casefold(): reason
              for reason, label in CLOSURE_REASON_LABELS.english().items()},
           **{reason: reason for reason in CLOSURE_REASON_LABELS}}


class HtcdsImportReport(BaseModel):
    dry_run: bool
    rows: int = Field(description="Rows read (the labels row and blank rows left out)")
    cases_created: int
    already_there: int = Field(description="Rows whose person already has a case of your "
                                           "organisation, or repeated in the sheet")
    errors: list[RosterError] = Field(default_factory=list)


@dataclass
class _Row:
    number: int
    person: PersonCreate
    consent: bool
    outcome: str | None
    closure: str | None
    received: dict[str, str] = field(default_factory=dict)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(content: bytes) -> list[tuple[int, list[str]]]:
    """(spreadsheet row number, cells as text) of a CSV (UTF-8) or XLSX file."""
    settings = get_settings()
    if len(content) > settings.max_upload_bytes:
        raise TooLarge(
            _("The file is larger than %(value)s MB")
            % {"value": settings.max_upload_bytes // (1024 * 1024)}
        )
    if not content.strip():
        raise InvalidInput(_("The file is empty"), field="file")
    if content.startswith(XLSX_MAGIC):
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # a damaged or disguised file: say so, never a 500
            raise InvalidInput(_("The file could not be read as an XLSX workbook"),
                               field="file") from error
        sheet = book.worksheets[0]
        rows = [(n, [_text(v) for v in values])
                for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
        book.close()
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InvalidInput(_("The file is neither UTF-8 CSV nor XLSX"), field="file") from error
        rows = [(n, [_text(v) for v in values])
                for n, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]
    if len(rows) > settings.max_roster_rows + 2:
        raise TooLarge(
            _("The sheet has more than %(max_roster_rows)s rows")
            % {"max_roster_rows": settings.max_roster_rows}
        )
    return rows


def _columns(header: list[str]) -> tuple[dict[int, str], list[RosterError]]:
    known = set(htcds.SHEET_COLUMNS) | set(htcds.SHEET_SPELLING)
    columns: dict[int, str] = {}
    errors = []
    for index, name in enumerate(header):
        if not name:
            continue
        if name not in known:
            errors.append(RosterError(row=1, column=name,
                                      message="Not a column of the HTCDS case sheet"))
            continue
        columns[index] = htcds.SHEET_SPELLING.get(name, name)
    if "prs_FirstName" not in columns.values():
        errors.append(RosterError(row=1, column="prs_FirstName",
                                  message="The sheet needs this column: Passage registers "
                                          "people by name"))
    return columns, errors


class _Checker:
    def __init__(self, codes: set[str]):
        self.codes = codes
        self.errors: list[RosterError] = []

    def error(self, number: int, column: str, message: str) -> None:
        self.errors.append(RosterError(row=number, column=column, message=message))

    def check(self, number: int, values: dict[str, str]) -> _Row | None:
        before = len(self.errors)
        for name, value in values.items():
            if len(value) > MAX_TEXT:
                self.error(
                    number, name, _("Longer than %(limit)s characters") % {"limit": MAX_TEXT}
                )
        born = None
        if values.get("prs_Birthdate"):
            try:
                born = date.fromisoformat(values["prs_Birthdate"][:10])
            except ValueError:
                self.error(number, "prs_Birthdate", _("Not a date (YYYY-MM-DD)"))
        gender = values.get("prs_Gender", "")
        if gender and gender not in htcds.SEXES:
            self.error(number, "prs_Gender", _("Not a value of the HTCDS gender picklist: ")
                       + ", ".join(htcds.GENDERS.values()))
        citizenship = [c.strip().upper() for c in values.get("prs_Citizenship", "").split(";")
                       if c.strip()]
        for code in citizenship:
            if code not in self.codes:
                self.error(
                    number,
                    "prs_Citizenship",
                    _("%(code)s is not an ISO 3166-1 code") % {"code": code},
                )
        consent = values.get("con_Consent", "").casefold()
        if consent not in TRUE | FALSE:
            self.error(number, "con_Consent", _("Must be true or false"))
        status = values.get("vic_TraffickingStatus", "")
        if status and status not in (*htcds.OUTCOMES, htcds.POSSIBLE):
            self.error(number, "vic_TraffickingStatus", _("Not a value of the HTCDS picklist: ")
                       + ", ".join([*htcds.OUTCOMES, htcds.POSSIBLE]))
        case_status = values.get("cas_Status", "") or htcds.ACTIVE
        closure = None
        if case_status not in ("Active", "FollowUp", htcds.CLOSED, htcds.CLOSED_REFERRED):
            self.error(number, "cas_Status", _("Not a value of the HTCDS picklist: Active, "
                       "FollowUp, Closed, ClosedReferred"))
        elif case_status in (htcds.CLOSED, htcds.CLOSED_REFERRED):
            said = values.get("cas_ReasonForCaseClosure", "").casefold()
            closure = REASONS.get(said)
            if closure is None and case_status == htcds.CLOSED_REFERRED and not said:
                closure = htcds.REFERRED_ELSEWHERE
            if closure is None:
                self.error(number, "cas_ReasonForCaseClosure",
                           _("A closed case needs its reason, one of: ")
                           + ", ".join(CLOSURE_REASON_LABELS.english().values()))
        try:
            person = PersonCreate(
                given_name=values.get("prs_FirstName", ""),
                family_name=values.get("prs_SecondName", ""),
                sex=htcds.SEXES.get(gender, "unknown"), date_of_birth=born,
                nationality_code=citizenship[0] if citizenship else None,
                phone=values.get("prs_MobilePhone") or values.get("prs_HomePhone") or None)
        except ValidationError as invalid:
            names = {"given_name": "prs_FirstName", "family_name": "prs_SecondName",
                     "date_of_birth": "prs_Birthdate", "phone": "prs_MobilePhone"}
            for problem in invalid.errors():
                where = str(problem["loc"][0]) if problem["loc"] else ""
                self.error(number, names.get(where, where), problem["msg"])
            return None
        if len(self.errors) > before:
            return None
        outcome = htcds.OUTCOMES.get(status)
        received = {name: value for name, value in values.items()
                    if value and name not in READ
                    and not (name in DERIVED and outcome == "trafficking_victim")}
        if not values.get("prs_MobilePhone") and values.get("prs_HomePhone"):
            received.pop("prs_HomePhone")  # read as the person's phone
        return _Row(number=number, person=person, consent=consent in TRUE, outcome=outcome,
                    closure=closure, received=received)


def import_sheet(session: Session, *, actor: Actor, content: bytes,
                 dry_run: bool = False) -> HtcdsImportReport:
    if not can(actor, Permission.HTCDS_EXCHANGE):
        raise PermissionDenied(action="import.htcds", entity_type="case")
    records = read_sheet(content)
    if not records or not any(records[0][1]):
        raise InvalidInput(_("The sheet has no header row"), field="file")
    columns, errors = _columns(records[0][1])
    if errors:  # the rows are read by the header: nothing more is said until it is right
        raise RosterInvalid(errors)
    body = records[1:]
    if body and _is_labels(body[0][1], columns):
        body = body[1:]
    checker = _Checker(set(nationality_names(session)))
    rows: list[_Row] = []
    for number, cells in body:
        if not any(cells):
            continue
        values = {name: cells[i] if i < len(cells) else "" for i, name in columns.items()}
        row = checker.check(number, values)
        if row is not None:
            rows.append(row)
    errors += checker.errors
    if errors:
        raise RosterInvalid(errors)
    if not rows:
        raise InvalidInput(_("The sheet has a header but no rows of cases below it"), field="file")
    created = already = 0
    matches = identity.match_people(session, actor=actor,
                                    identities=[Identity.of(r.person) for r in rows],
                                    today=local_today())
    seen: dict[tuple, int | None] = {}
    for row, match in zip(rows, matches, strict=True):
        key = Identity.of(row.person).person_key
        if key in seen:
            already += 1
            continue
        person_id = match.own
        if person_id is not None and _has_case(session, actor, person_id):
            seen[key] = person_id
            already += 1
            continue
        created += 1
        if dry_run:
            seen[key] = person_id
            continue
        if person_id is None:
            person = people_service.create_person(session, actor=actor, person_in=row.person)
            person_id = person.id
            if match.other is not None:
                identity.record_link(session, actor=actor, person_id=match.other,
                                     via="registration", own_person_id=person_id)
        seen[key] = person_id
        _write_case(session, actor, person_id, row)
    audit.record(session, actor=actor, action="import.htcds", entity_type="case",
                 detail={"dry_run": dry_run, "rows": len(rows), "cases_created": created,
                         "already_there": already})
    return HtcdsImportReport(dry_run=dry_run, rows=len(rows), cases_created=created,
                             already_there=already)


LABELS = {"prs_FirstName": "First Name", "cas_CaseOwner": "Case Owner",
          "prs_SecondName": "Second Name"}


def _is_labels(cells: list[str], columns: dict[int, str]) -> bool:
    """The optional second row: the case sheet's labels under its names."""
    return any(i < len(cells) and cells[i] == LABELS.get(name) for i, name in columns.items())


def _has_case(session: Session, actor: Actor, person_id: int) -> bool:
    return session.exec(select(Case.id).where(
        Case.person_id == person_id, Case.organization_id == actor.organization_id)).first() \
        is not None


def _write_case(session: Session, actor: Actor, person_id: int, row: _Row) -> None:
    case = cases_service.insert_case(session, actor=actor, person_id=person_id,
                                     assigned_to_id=actor.user_id)
    case.consent_to_share = row.consent
    case.htcds_fields = row.received or None
    session.add(case)
    session.flush()
    if row.outcome is not None:
        determination = Determination(case_id=case.id, outcome=row.outcome,
                                      rationale="Imported from HTCDS",
                                      decided_by_id=actor.user_id)
        session.add(determination)
        session.flush()
        lifecycle.after_determination(session, case=case, outcome=row.outcome,
                                      determination_id=determination.id, actor=actor)
    if row.closure is not None:
        lifecycle.close_case(session, actor=actor, case_id=case.id,
                             close_in=CaseClose(reason=row.closure,
                                                note="Imported from HTCDS"))
