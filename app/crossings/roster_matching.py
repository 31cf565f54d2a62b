"""Matching a checked roster with the people and crossings Passage already has: one person per
identity within the roster, matched with the people the importer's organisation has on record
(under a lock on those identities when writing), and the crossings already recorded left out.
A person matched with another organisation's record is registered as the roster says, and the
two records linked (app.people.identity)."""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.audit.service import Actor
from app.clock import local_today
from app.crossings.models import Crossing
from app.crossings.roster_rows import Progress, RosterRow
from app.people import identity
from app.people import service as people_service


@dataclass
class ImportPlan:
    people: list[RosterRow]  # the first row of each distinct person
    known: list[int | None]  # the id of each person on the importer's record, by person index
    others: list[int | None]  # another organisation's record of the person, to link
    created: list[int]  # the person indexes to register
    new_crossings: list[tuple[int, RosterRow]]  # (person index, row)
    skipped: int  # crossings already recorded, or repeated in the roster


def plan_import(session: Session, rows: list[RosterRow], *, actor: Actor, dry_run: bool,
                lock_timeout: float | None, progress: Progress) -> ImportPlan:
    people, person_of_row = _people_in_roster(rows)
    identities = [p.identity for p in people]
    if not dry_run:
        identity.lock_identities(session, identities, timeout_seconds=lock_timeout)
    progress("Matching people", 0, len(people))
    matches = identity.match_people(session, actor=actor, identities=identities,
                                    today=local_today())
    known = [m.own for m in matches]
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
    return ImportPlan(people=people, known=known, others=[m.other for m in matches],
                      created=created, new_crossings=new_crossings, skipped=skipped)


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

