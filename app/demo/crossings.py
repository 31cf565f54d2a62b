"""Demo people and crossings, from the seeded roster generator."""

from datetime import datetime

from sqlmodel import Session, func, select

from app.compounds.models import Compound
from app.crossings.models import Crossing
from app.demo.roster import generate_roster
from app.nationalities.service import resolve_nationality
from app.people.models import Person
from app.people.service import name_key

ROSTER_SEED = 2025
ROSTER_SIZE = 1500


def load_crossings(session: Session, *, users, orgs, echo) -> None:
    border = users["border"]
    already = session.exec(
        select(func.count()).select_from(Crossing)
        .where(Crossing.recorded_by_organization_id == border.organization_id)
    ).one()
    if already:
        echo(f"Crossings already loaded: {already}")
        return
    compounds = {c.name: c.id for c in session.exec(select(Compound)).all()}
    rows = generate_roster(size=ROSTER_SIZE, seed=ROSTER_SEED)
    for row in rows:
        person = Person(
            given_name=row["given_name"], family_name=row["family_name"],
            name_key=name_key(row["given_name"], row["family_name"]),
            sex=row["sex"] or "unknown",
            date_of_birth=datetime.fromisoformat(row["date_of_birth"]).date()
            if row["date_of_birth"] else None,
            age_estimate=int(row["age_estimate"]) if row["age_estimate"] else None,
            nationality_code=resolve_nationality(row["nationality"]),
            document_number=row["document_number"] or None,
            registered_by_organization_id=border.organization_id, created_by_id=border.id,
        )
        session.add(person)
        session.flush()
        session.add(Crossing(
            person_id=person.id, crossed_at=datetime.fromisoformat(row["crossed_at"]),
            crossing_point=row["crossing_point"], compound_id=compounds.get(row["compound"]),
            recorded_by_organization_id=border.organization_id, created_by_id=border.id,
        ))
    session.flush()
    echo(f"People and crossings loaded: {len(rows)}")
