"""Merging two records of one person, and undoing a merge.

A coordinator merges person B (the duplicate) into person A (the survivor): B's crossings,
and everything the domains above attach to a person (cases, and with them their referrals,
follow-ups and the rest), move to A; A takes the details it lacked from B (document number,
date of birth or age, nationality, phone); B is kept as a tombstone pointing to A
(Person.merged_into_id), never shown or counted, whose id leads to A (app.auth.access
forwards it). A crossing of B that A already has (the same moment and crossing point: one
crossing recorded twice) cannot be A's twice: it is taken out and kept in the merge record.

Each domain above the registry says what it moves with `register_mover` (app.cases.merging
for cases), so that this module needs none of them.

A merge can be undone while nothing newer depends on it. "Newer" is a later merge, not itself
undone, in which either record took part (as survivor or duplicate): it moved rows that this
merge moved, or it made the survivor a tombstone in turn; undo that one first. Records made
on the survivor after the merge (a crossing, a new case) are not newer in this sense: they
were never B's and stay with A. Undoing puts back exactly what the merge moved, filled and
took out, and makes B a record of its own again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.service import display_names
from app.clock import utcnow
from app.crossings import rollup
from app.crossings.models import Crossing
from app.errors import Conflict, NotFound, field_error
from app.i18n import _
from app.people.models import IdentityLink, Person, PersonMerge
from app.people.schemas import PersonMergeCreate, PersonMergeRead, PersonMergeUndo
from app.people.service import latin_key


@dataclass(frozen=True)
class Mover:
    """What a domain moves from the duplicate to the survivor, and back on undo."""

    name: str  # its key in PersonMerge.moved, and what the counts call it
    words: tuple[str, str]  # what one row and several rows are called on the pages
    count: Callable[[Session, int], int]  # the rows of a person a merge would move
    check: Callable[[Session, int, int], None]  # (survivor, duplicate): Conflict if it cannot
    move: Callable[[Session, int, int], Any]  # (survivor, duplicate) -> a JSON record of it
    restore: Callable[[Session, int, Any], None]  # (duplicate, that record): put back


_MOVERS: dict[str, Mover] = {}


def register_mover(mover: Mover) -> Mover:
    if mover.name in _MOVERS:
        raise RuntimeError(f"a mover called {mover.name} is already registered")
    _MOVERS[mover.name] = mover
    return mover


def movers() -> list[Mover]:
    return list(_MOVERS.values())


# --- crossings (the registry's own) ---

def _crossings_of(session: Session, person_id: int):
    return select(Crossing).where(Crossing.person_id == person_id)


def _count_crossings(session: Session, person_id: int) -> int:
    return len(session.exec(select(Crossing.id).where(Crossing.person_id == person_id)).all())


def _move_crossings(session: Session, survivor_id: int, duplicate_id: int) -> dict:
    held = {(c.crossed_at, c.crossing_point) for c in session.exec(_crossings_of(session,
                                                                                  survivor_id))}
    moved, removed, taken_out = [], [], []
    for crossing in session.exec(_crossings_of(session, duplicate_id)).all():
        if (crossing.crossed_at, crossing.crossing_point) in held:
            removed.append(crossing.model_dump(mode="json"))
            taken_out.append(crossing)
        else:
            moved.append(crossing.id)
    if removed:
        session.connection().execute(delete(Crossing).where(
            Crossing.id.in_([r["id"] for r in removed])))
        for crossing in taken_out:
            session.expunge(crossing)
    if moved:
        session.connection().execute(update(Crossing).where(Crossing.id.in_(moved))
                                     .values(person_id=survivor_id))
    return {"moved": moved, "removed": removed}


def _restore_crossings(session: Session, duplicate_id: int, record: dict) -> None:
    if record["moved"]:
        session.connection().execute(update(Crossing).where(Crossing.id.in_(record["moved"]))
                                     .values(person_id=duplicate_id))
    for values in record["removed"]:
        session.add(Crossing.model_validate(values))
    session.flush()


register_mover(Mover(name="crossings", words=("crossing", "crossings"), count=_count_crossings,
                     check=lambda session, survivor_id, duplicate_id: None,
                     move=_move_crossings, restore=_restore_crossings))


# --- identity links (app.people.identity): what another organisation matched ---

def _count_links(session: Session, person_id: int) -> int:
    return len(session.exec(select(IdentityLink.id).where(or_(
        IdentityLink.person_id == person_id, IdentityLink.own_person_id == person_id))).all())


def _move_links(session: Session, survivor_id: int, duplicate_id: int) -> dict:
    """Links to or from the duplicate now name the survivor (a link between the two records
    then names the survivor twice: kept, as the history of how they were found)."""
    moved = {}
    for column in ("person_id", "own_person_id"):
        attribute = getattr(IdentityLink, column)
        ids = list(session.exec(select(IdentityLink.id).where(attribute == duplicate_id)).all())
        if ids:
            session.connection().execute(update(IdentityLink).where(IdentityLink.id.in_(ids))
                                         .values({column: survivor_id}))
        moved[column] = ids
    return moved


def _restore_links(session: Session, duplicate_id: int, record: dict) -> None:
    for column, ids in record.items():
        if ids:
            session.connection().execute(update(IdentityLink).where(IdentityLink.id.in_(ids))
                                         .values({column: duplicate_id}))


register_mover(Mover(name="identity_links", words=("link by another organisation",
                                                    "links by other organisations"),
                     count=_count_links,
                     check=lambda session, survivor_id, duplicate_id: None,
                     move=_move_links, restore=_restore_links))


# --- the person's own details ---

# the survivor's empty fields taken from the duplicate; age only without a date of birth
FILLABLE = ("document_number", "date_of_birth", "age_estimate", "nationality_code", "phone")
# the names in Latin letters, taken together when the survivor has neither
LATIN = ("given_name_latin", "family_name_latin")


def _fill(survivor: Person, duplicate: Person) -> dict[str, Any]:
    filled = {}
    for name in FILLABLE:
        if name == "age_estimate" and survivor.date_of_birth is not None:
            continue
        if getattr(survivor, name) is None and getattr(duplicate, name) is not None:
            value = getattr(duplicate, name)
            setattr(survivor, name, value)
            filled[name] = value.isoformat() if isinstance(value, date) else value
    if not any(getattr(survivor, name) for name in LATIN) and \
            any(getattr(duplicate, name) for name in LATIN):
        for name in LATIN:
            setattr(survivor, name, getattr(duplicate, name))
            filled[name] = getattr(duplicate, name)
        _rekey(survivor)
    return filled


def _rekey(person: Person) -> None:
    person.name_key_latin = latin_key(person.given_name, person.family_name,
                                      person.given_name_latin, person.family_name_latin)


def _unfill(survivor: Person, filled: dict[str, Any]) -> None:
    for name, value in filled.items():
        current = getattr(survivor, name)
        current = current.isoformat() if isinstance(current, date) else current
        if current == value:
            setattr(survivor, name, "" if name in LATIN else None)
    if any(name in LATIN for name in filled):
        _rekey(survivor)


# --- merging ---

def _live(session: Session, person_id: int, *, field: str | None = None) -> Person:
    """A record that is not a tombstone, or the error that says why not."""
    person = session.get(Person, person_id)
    if person is None:
        if field is not None:
            raise field_error(field, _("No such person"))
        raise NotFound(_("No such person"))
    if person.merged_into_id is not None:
        raise Conflict(
            _(
                "Person %(person_id)s was merged into person %(merged_into_id)s: merge with that "
                "record instead"
            )
            % {"person_id": person_id, "merged_into_id": person.merged_into_id}
        )
    return person


def merge_people(session: Session, *, actor: Actor, survivor_id: int,
                 merge_in: PersonMergeCreate) -> PersonMergeRead:
    """Merge person `merge_in.duplicate_id` into `survivor_id` (both records the actor may
    see); audited on both records."""
    if merge_in.duplicate_id is None:
        raise field_error("duplicate_id", _("Say which record to merge into this one"))
    if merge_in.duplicate_id == survivor_id:
        raise field_error("duplicate_id", _("A record cannot be merged into itself"))
    # both rows locked in a fixed order until the end of the transaction (PostgreSQL), so
    # that two merges of the same records at once cannot cross
    session.exec(select(Person.id).where(Person.id.in_([survivor_id, merge_in.duplicate_id]))
                 .order_by(Person.id).with_for_update()).all()
    survivor = _live(session, survivor_id)
    duplicate = _live(session, merge_in.duplicate_id, field="duplicate_id")
    access.get_visible(session, actor, Person, survivor.id, action="person.merge")
    access.get_visible(session, actor, Person, duplicate.id, action="person.merge")
    for mover in movers():
        mover.check(session, survivor.id, duplicate.id)

    moved: dict[str, Any] = {}
    # the crossings move, and the survivor may take a nationality: the counts follow
    with rollup.kept(session, [survivor.id, duplicate.id]):
        for mover in movers():
            moved[mover.name] = mover.move(session, survivor.id, duplicate.id)
        repointed = list(session.exec(select(Person.id).where(
            Person.merged_into_id == duplicate.id)).all())
        if repointed:
            session.connection().execute(update(Person).where(Person.id.in_(repointed))
                                         .values(merged_into_id=survivor.id))
        moved["person"] = {"filled": _fill(survivor, duplicate), "repointed": repointed}
        duplicate.merged_into_id = survivor.id
        session.add_all([survivor, duplicate])
    merge = PersonMerge(survivor_id=survivor.id, duplicate_id=duplicate.id, note=merge_in.note,
                        moved=moved, merged_by_id=actor.user_id, merged_at=utcnow())
    session.add(merge)
    session.flush()
    counts = _counts(merge)
    audit.record(session, actor=actor, action="person.merge", entity_type="person",
                 entity_id=survivor.id, detail={"merge_id": merge.id,
                                                "duplicate_id": duplicate.id, **counts})
    audit.record(session, actor=actor, action="person.merged_into", entity_type="person",
                 entity_id=duplicate.id, detail={"merge_id": merge.id,
                                                 "survivor_id": survivor.id})
    return merge_reads(session, [merge])[0]


def blocking_merge(session: Session, merge: PersonMerge) -> PersonMerge | None:
    """The later merge, not undone, of either record of `merge`: while there is one, `merge`
    cannot be undone."""
    people = [merge.survivor_id, merge.duplicate_id]
    return session.exec(select(PersonMerge).where(
        PersonMerge.id > merge.id, PersonMerge.undone_at.is_(None),
        or_(PersonMerge.survivor_id.in_(people), PersonMerge.duplicate_id.in_(people)))
        .order_by(PersonMerge.id)).first()


def undo_merge(session: Session, *, actor: Actor, merge_id: int,
               undo_in: PersonMergeUndo) -> PersonMergeRead:
    """Put back what the merge moved: B is a record of its own again, with its crossings and
    cases. Refused (409) when it was undone already or a later merge depends on it."""
    merge = access.get_visible(session, actor, PersonMerge, merge_id, action="person.merge_undo")
    if merge.undone_at is not None:
        raise Conflict(_("This merge was undone already"))
    later = blocking_merge(session, merge)
    if later is not None:
        raise Conflict(
            _("A later merge (number %(id)s) involves these records: undo that one first")
            % {"id": later.id}
        )
    survivor = session.get(Person, merge.survivor_id)
    duplicate = session.get(Person, merge.duplicate_id)
    person = merge.moved.get("person", {})
    with rollup.kept(session, [survivor.id, duplicate.id]):
        for mover in reversed(movers()):
            if mover.name in merge.moved:
                mover.restore(session, duplicate.id, merge.moved[mover.name])
        if person.get("repointed"):
            session.connection().execute(update(Person).where(and_(
                Person.id.in_(person["repointed"]), Person.merged_into_id == survivor.id))
                .values(merged_into_id=duplicate.id))
        _unfill(survivor, person.get("filled", {}))
        duplicate.merged_into_id = None
        session.add_all([survivor, duplicate])
    merge.undone_at = utcnow()
    merge.undone_by_id = actor.user_id
    merge.undo_note = undo_in.note
    session.add_all([survivor, duplicate, merge])
    session.flush()
    audit.record(session, actor=actor, action="person.merge_undo", entity_type="person",
                 entity_id=survivor.id, detail={"merge_id": merge.id,
                                                "duplicate_id": duplicate.id})
    return merge_reads(session, [merge])[0]


# --- reading ---

def _counts(merge: PersonMerge) -> dict[str, int]:
    counts = {}
    for name, record in merge.moved.items():
        if name == "person":
            continue
        if name == "identity_links":
            counts[name] = len({i for ids in record.values() for i in ids})
        else:
            counts[name] = len(record["moved"]) if isinstance(record, dict) else len(record)
    return counts


def merge_reads(session: Session, merges: list[PersonMerge]) -> list[PersonMergeRead]:
    names = display_names(session, {m.merged_by_id for m in merges}
                          | {m.undone_by_id for m in merges})
    reads = []
    for m in merges:
        blocked = blocking_merge(session, m) if m.undone_at is None else None
        reads.append(PersonMergeRead(
            id=m.id, survivor_id=m.survivor_id, duplicate_id=m.duplicate_id, note=m.note,
            merged_by=names.get(m.merged_by_id), merged_at=m.merged_at, moved=_counts(m),
            removed_crossings=len(m.moved.get("crossings", {}).get("removed", [])),
            filled=sorted(m.moved.get("person", {}).get("filled", {})),
            undone_at=m.undone_at, undone_by=names.get(m.undone_by_id), undo_note=m.undo_note,
            undoable=m.undone_at is None and blocked is None,
            blocked_by=blocked.id if blocked else None))
    return reads


def merges_of(session: Session, *, actor: Actor, person: Person) -> list[PersonMergeRead]:
    """The merges the person (one the actor may see: CurrentPerson) took part in, newest
    first."""
    rows = list(session.exec(select(PersonMerge).where(
        access.visible(actor, PersonMerge),
        or_(PersonMerge.survivor_id == person.id, PersonMerge.duplicate_id == person.id))
        .order_by(PersonMerge.id.desc())).all())
    return merge_reads(session, rows)


@dataclass
class MergePreview:
    survivor: Person
    duplicate: Person
    counts: dict[str, int]  # what would move, in words: {"crossings": 2, "case": 1}
    problem: str | None  # why the merge cannot be made, when it cannot


def merge_preview(session: Session, *, actor: Actor, survivor: Person,
                  duplicate_id: int) -> MergePreview:
    """What merging `duplicate_id` into `survivor` (CurrentPerson) would move, for the page
    that asks the coordinator to confirm; the read of both records is audited."""
    if duplicate_id == survivor.id:
        raise field_error("duplicate_id", _("A record cannot be merged into itself"))
    _live(session, duplicate_id, field="duplicate_id")
    duplicate = access.get_visible(session, actor, Person, duplicate_id, action="person.merge")
    problem = None
    try:
        for mover in movers():
            mover.check(session, survivor.id, duplicate.id)
    except Conflict as exc:
        problem = str(exc.detail)
    for person in (survivor, duplicate):
        audit.record(session, actor=actor, action="person.read", entity_type="person",
                     entity_id=person.id, detail={"via": "merge preview"})
    counts = {}
    for mover in movers():
        n = mover.count(session, duplicate.id)
        counts[mover.words[0] if n == 1 else mover.words[1]] = n
    return MergePreview(survivor, duplicate, counts, problem)
