"""Demo people and crossings: the seeded roster, imported by the border official through the
same code as `POST /api/v1/crossings/import`. A second run matches everyone and skips every
crossing, so it adds nothing."""

from sqlalchemy import update
from sqlmodel import Session

from app.audit.service import Actor
from app.crossings import importer, roster_files
from app.crossings.models import Crossing
from app.demo.roster import generate_roster

ROSTER_SEED = 2025
ROSTER_SIZE = 1500


def load_crossings(session: Session, *, users, orgs, echo) -> None:
    border = users["border"]
    roster = roster_files.roster_from_dicts(generate_roster(size=ROSTER_SIZE, seed=ROSTER_SEED))
    report = importer.import_roster(session, actor=Actor.of(border, "cli"), roster=roster)
    echo(f"Roster imported: {report.rows} rows naming {report.people} people; "
         f"{report.crossings_created} crossings recorded, {report.crossings_skipped} "
         "already on record")


def date_crossings_as_recorded(session: Session, **_) -> None:
    """The demo's story has each crossing recorded as it happened, as a border post records
    them; the load itself happens today. Roles without exact counts read only what was
    recorded before the current month began (app.reports.disclosure), so without this the
    demo's months would show them no one. Idempotent."""
    session.exec(update(Crossing).where(Crossing.created_at > Crossing.crossed_at)
                 .values(created_at=Crossing.crossed_at))
