"""Matching a checked roster with the people and crossings Passage already has: one person per
identity within the roster, matched with the people already known (under the matching lock
when writing), and the crossings already recorded left out."""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.crossings.models import Crossing
from app.crossings.roster_rows import Progress, RosterRow
from app.people import service as people_service


@dataclass
class ImportPlan:
    people: list[RosterRow]  # the first row of each distinct person
    known: list[int | None]  # the id of each person already known, by person index
    created: list[int]  # the person indexes to register
    new_crossings: list[tuple[int, RosterRow]]  # (person index, row)
    skipped: int  # crossings already recorded, or repeated in the roster


def plan_import(session: Session, rows: list[RosterRow], *, dry_run: bool,
                progress: Progress) -> ImportPlan:
    people, person_of_row = _people_in_roster(rows)
    if not dry_run:
        people_service.lock_matching(session)
    progress("Matching people", 0, len(people))
    known = people_service.find_known_people(session, [p.identity for p in people])
    progress("Matching people", len(people), len(people))
    recorded = _recorded_crossings(session, {pid for pid in known if pid is not None})

    new_crossings: list[tuple[int, RosterRow]] = []  # (person index, row)
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
    return ImportPlan(people=people, known=known, created=created,
                      new_crossings=new_crossings, skipped=skipped)


def _people_in_roster(rows: list[RosterRow]) -> tuple[list[RosterRow], list[int]]:
    """The distinct people of the roster (first row of each) and each row's person index."""
    people: list[RosterRow] = []
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

