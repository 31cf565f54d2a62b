"""Roster import: a CSV or XLSX list of people who crossed, recorded all at once.

All or nothing: every row is checked first and a roster with any bad row writes nothing and
answers 422 with every error as {row, column, message} (rows as a spreadsheet numbers them,
the header is row 1). A good roster is written in the caller's transaction with bulk inserts.
Importing a roster again creates no new crossings (same person, time and crossing point);
people already known are matched, not duplicated.

The stages live beside this module: roster_files (reading), roster_rows (checking),
roster_matching (matching) and roster_write (writing)."""

from sqlmodel import Session

from app import audit
from app.audit.service import Actor
from app.crossings.filters import use_custom_plans
from app.crossings.roster_files import Roster, read_roster
from app.crossings.roster_matching import plan_import
from app.crossings.roster_rows import Progress, RosterRow, RowChecker
from app.crossings.roster_write import write_plan
from app.crossings.schemas import ImportReport, RosterError
from app.crossings.service import compound_ids_by_name
from app.errors import AppError


class RosterInvalid(AppError):
    """422 whose detail is every error of the roster, as {row, column, message}."""

    status_code = 422

    def __init__(self, errors: list[RosterError]):
        super().__init__([e.model_dump() for e in errors])
        self.errors = errors


def import_file(session: Session, *, actor: Actor, content: bytes, dry_run: bool = False,
                lock_timeout: float | None = None,
                progress: Progress | None = None) -> ImportReport:
    """Read a CSV or XLSX roster file and import it (see import_roster)."""
    if progress:
        progress("Reading the file", 0, 1)
    roster = read_roster(content)
    if progress:
        progress("Reading the file", 1, 1)
    return import_roster(session, actor=actor, roster=roster, dry_run=dry_run,
                         lock_timeout=lock_timeout, progress=progress)


def import_roster(session: Session, *, actor: Actor, roster: Roster, dry_run: bool = False,
                  lock_timeout: float | None = None,
                  progress: Progress | None = None) -> ImportReport:
    """Check every row, then (unless dry_run) write the new people and crossings.
    Raises RosterInvalid (422) listing every error; nothing is written then.

    The report says nothing of who Passage knew already (app.people.identity): the people the
    roster names, the crossings recorded and those skipped (already on the organisation's
    record, or repeated in the roster). `lock_timeout`: how long to wait for another request
    matching the same people (None: as long as it takes)."""
    progress = progress or (lambda stage, done, total: None)
    # the batched lookups run one statement dozens of times: generic plans would scan
    use_custom_plans(session)
    total = len(roster.rows)
    checker = RowChecker(compound_ids_by_name(session), roster.columns)
    rows: list[RosterRow] = []
    for index, (number, values) in enumerate(roster.rows, start=1):
        row = checker.check(number, values)
        if row is not None:
            rows.append(row)
        if index % 1000 == 0 or index == total:
            progress("Checking rows", index, total)
    errors = roster.header_errors + checker.all_errors()
    if errors:
        raise RosterInvalid(errors)

    plan = plan_import(session, rows, actor=actor, dry_run=dry_run,
                       lock_timeout=lock_timeout, progress=progress)
    report = ImportReport(dry_run=dry_run, rows=total, people=len(plan.people),
                          crossings_created=len(plan.new_crossings),
                          crossings_skipped=plan.skipped)
    if not dry_run:
        write_plan(session, actor=actor, plan=plan, progress=progress)
    audit.record(session, actor=actor,
                 action="crossing.import_checked" if dry_run else "crossing.import",
                 entity_type="roster",
                 detail={"format": roster.file_format,
                         **report.model_dump(exclude={"errors", "dry_run"}),
                         "people_registered": len(plan.created),
                         "records_linked": sum(plan.others[i] is not None
                                               for i in plan.created)})
    return report
