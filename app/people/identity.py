"""Is this someone Passage already knows? Matching what a crossing, a roster row, a
registration or a caseworker's search says about a person with the people on record, without
opening anyone's record to the one who asks (DESIGN.md, after the roles table).

- The same person: the same nationality, names alike as the duplicate check scores them
  (duplicates.NAME_THRESHOLD), the same date of birth where both have one (else ages within
  two years where both have one), and never two different document numbers. A document number
  alone finds no one: it is easily guessed, and walking it would open records.
- A match among the records the actor may see (their organisation's own) is used as it is.
- A match among the others opens nothing. The actor's organisation registers what it typed,
  exactly as it would for someone new, and an IdentityLink tells the registering organisation
  and the coordinators that the two records are likely one person. What the actor gets back,
  and how long it takes, is the same whether the identity was known or not.
- A caseworker may open a case on another organisation's record, found by the person's own
  details (name, nationality, date of birth or age), a few times a day (app.cases.service).

Matching then registering is serialised per identity, not for everyone: see lock_identities.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import ARRAY, Integer, bindparam, func, text
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization
from app.auth.permissions import Permission, can
from app.clock import local_today
from app.i18n import N_, Labels
from app.people import service as people_service
from app.people.duplicates import (
    AGE_TOLERANCE,
    NAME_THRESHOLD,
    PersonCreated,
    Probe,
    age_in_years,
    check_new_person,
    find_duplicates,
    name_tokens,
    token_similarity,
)
from app.people.models import IdentityLink, Person
from app.people.schemas import PersonCreate, PersonRead
from app.people.service import LOOKUP_BATCH, name_key, normalize_document_number, one_of


@dataclass(frozen=True, slots=True)
class Identity:
    """What a roster row, a form or a search says about who someone is."""

    name_key: str
    nationality_code: str | None
    date_of_birth: date | None
    age_estimate: int | None
    document_number: str | None  # normalised

    @classmethod
    def of(cls, person) -> "Identity":
        """From anything with a person's fields (PersonCreate, Probe, KnownDetails)."""
        return cls(name_key=name_key(person.given_name, person.family_name or ""),
                   nationality_code=person.nationality_code,
                   date_of_birth=person.date_of_birth, age_estimate=person.age_estimate,
                   document_number=normalize_document_number(person.document_number))

    # the two keys below say when two rows of one roster are one person (what one recorder
    # typed twice, so exact keys will do)
    @property
    def document_key(self) -> tuple | None:
        if not self.document_number:
            return None
        return (self.document_number, self.nationality_code)

    @property
    def person_key(self) -> tuple:
        # without a date of birth, the age estimate stands in for it
        return (self.name_key, self.nationality_code, self.date_of_birth,
                self.age_estimate if self.date_of_birth is None else None)

    def same_as(self, document_number: str | None) -> bool:
        """Same name, nationality and birth: the same person unless both documents differ."""
        return not (self.document_number and document_number
                    and self.document_number != document_number)


@dataclass(frozen=True, slots=True)
class Match:
    """The records that are the same person as an identity: `own`, one the actor may see;
    `other`, one they may not (never to be shown to them)."""

    own: int | None = None
    other: int | None = None


def births_agree(a_born: date | None, a_age: int | None, b_born: date | None,
                 b_age: int | None, *, today: date, required: bool = False) -> bool:
    """The same date of birth where both have one, else ages within two years where both have
    one; when either has neither, nothing to compare (`required`: then they do not agree)."""
    if a_born is not None and b_born is not None:
        return a_born == b_born
    a, b = age_in_years(a_born, a_age, today), age_in_years(b_born, b_age, today)
    if a is None or b is None:
        return not required
    return abs(a - b) <= AGE_TOLERANCE


def is_same_person(identity: Identity, candidate, *, today: date,
                   birth_required: bool = False) -> bool:
    """Whether `candidate` (a Person, or a row with its matching columns) is the person
    `identity` describes (the rules in the module's docstring). `birth_required`: a record
    without a date of birth or an age is not found (a search by details)."""
    return _likeness(identity, candidate, today=today, birth_required=birth_required) is not None


def _likeness(identity: Identity, candidate, *, today: date,
              birth_required: bool = False) -> tuple | None:
    """None when `candidate` is not the person; else a key that sorts the closest first: the
    same document, the same birth as written, the most alike name, the oldest record."""
    if not identity.nationality_code or identity.nationality_code != candidate.nationality_code:
        return None
    if (identity.document_number and candidate.document_number
            and identity.document_number != candidate.document_number):
        return None
    if not births_agree(identity.date_of_birth, identity.age_estimate,
                        candidate.date_of_birth, candidate.age_estimate, today=today,
                        required=birth_required):
        return None
    score = token_similarity(name_tokens(identity.name_key), name_tokens(candidate.name_key))
    if score < NAME_THRESHOLD:
        return None
    birth = (candidate.date_of_birth,
             candidate.age_estimate if candidate.date_of_birth is None else None)
    return (candidate.document_number != identity.document_number,
            birth != identity.person_key[2:], -score, candidate.id)


def match_people(session: Session, *, actor: Actor, identities: Sequence[Identity],
                 today: date) -> list[Match]:
    """For each identity, the records already on record that are the same person.

    The candidates are the people with the same document number or the same name; each is
    then held to is_same_person. Batched lookups: a handful of queries for a 20,000-row
    roster, whatever the size of the table."""
    columns = (Person.id, Person.name_key, Person.nationality_code, Person.date_of_birth,
               Person.age_estimate, Person.document_number)
    by_document: dict[str, list] = {}
    by_name: dict[str, list] = {}
    documents = sorted({i.document_number for i in identities
                        if i.document_number and i.nationality_code})
    # a record merged into another (a tombstone) is no one: its survivor is the person
    live = Person.merged_into_id.is_(None)
    for chunk in _chunks(documents):
        for row in session.exec(select(*columns).where(
                one_of(session, Person.document_number, chunk), live)):
            by_document.setdefault(row.document_number, []).append(row)
    names = sorted({i.name_key for i in identities if i.nationality_code})
    for chunk in _chunks(names):
        for row in session.exec(select(*columns).where(
                one_of(session, Person.name_key, chunk), live)):
            by_name.setdefault(row.name_key, []).append(row)

    same: list[list[int]] = []  # per identity, the same people, closest first
    for identity in identities:
        candidates = {row.id: row for row in (*by_document.get(identity.document_number, ()),
                                              *by_name.get(identity.name_key, ()))}
        alike = ((_likeness(identity, row, today=today), pid)
                 for pid, row in candidates.items())
        same.append([pid for key, pid in sorted(a for a in alike if a[0] is not None)])
    visible = _visible_ids(session, actor, sorted({pid for ids in same for pid in ids}))
    return [Match(own=next((pid for pid in ids if pid in visible), None),
                  other=next((pid for pid in ids if pid not in visible), None))
            for ids in same]


def _visible_ids(session: Session, actor: Actor, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(session.exec(select(Person.id).where(
            one_of(session, Person.id, chunk), access.visible(actor, Person))).all())
    return found


def _chunks(values: list) -> list[list]:
    return [values[i:i + LOOKUP_BATCH] for i in range(0, len(values), LOOKUP_BATCH)]


# --- who else is matching the same identity right now ---

# PostgreSQL advisory locks in the two-integer key space (the sign-in throttle uses the
# one-bigint space; the two never collide): (MATCHING, bucket) per identity key, and
# (MATCHING, EVERYONE) shared by every matching transaction.
MATCHING = 0x5041  # "PA"
BUCKETS = 16384
EVERYONE = BUCKETS
# A roster naming more buckets than this (about 128 people) takes EVERYONE exclusively
# instead: PostgreSQL keeps locks in a shared table of about 64 per connection, and a
# 20,000-row roster would fill it. Single crossings and small rosters wait only for each other
# when they share an identity (or, rarely, a bucket).
MAX_BUCKETS = 256


def lock_keys(identity: Identity) -> list[int]:
    """The buckets of the identity's two lookups (document number, name), each with its
    nationality. Two identities that could be matched with the same person share at least one:
    the candidates of a match are found by one of these lookups."""
    if not identity.nationality_code:
        return []  # matches no one
    keys = [f"name\x1f{identity.nationality_code}\x1f{identity.name_key}"]
    if identity.document_number:
        keys.append(f"document\x1f{identity.nationality_code}\x1f{identity.document_number}")
    return [int.from_bytes(hashlib.sha256(k.encode()).digest()[:4], "big") % BUCKETS
            for k in keys]


def lock_identities(session: Session, identities: Sequence[Identity], *,
                    timeout_seconds: float | None) -> None:
    """Until the transaction ends, no other transaction matches-then-registers any of these
    identities: two crossings of one new person at the same moment register them once.

    Only these identities wait for each other (a bucket of each key), with a lock timeout:
    a request still waiting after `timeout_seconds` ends with the database's "lock not
    available", which the app answers 503 with Retry-After (None: wait, as the command line
    does). Buckets are taken in order, and
    the shared EVERYONE first, so that no two transactions wait for each other in a circle.
    SQLite has one writer at a time (BEGIN IMMEDIATE): nothing to do there."""
    if session.get_bind().dialect.name != "postgresql":
        return
    buckets = sorted({b for identity in identities for b in lock_keys(identity)})
    if not buckets:
        return
    if timeout_seconds is None:
        _take(session, buckets)
        return
    # The limit is on these waits only: the rest of the transaction (the rollup's rows of the
    # day, which every crossing of a post adds to) waits as any write does, up to the
    # statement timeout. With the limit left on, a busy post's crossings queued on those rows
    # past it and were refused 503 (14 of 2,624 crossing writes at 100 users).
    previous = session.execute(
        text("SELECT previous.value, set_config('lock_timeout', :limit, true) "
             "FROM (SELECT current_setting('lock_timeout') AS value OFFSET 0) AS previous"),
        {"limit": f"{max(1, int(timeout_seconds * 1000))}ms"}).one()[0]
    _take(session, buckets)
    session.execute(select(func.set_config("lock_timeout", previous, True)))


def _take(session: Session, buckets: list[int]) -> None:
    if len(buckets) > MAX_BUCKETS:
        session.execute(text("SELECT pg_advisory_xact_lock(:cls, :key)"),
                        {"cls": MATCHING, "key": EVERYONE})
        return
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:cls, :key)"),
                    {"cls": MATCHING, "key": EVERYONE})
    # one statement; the subquery's order is the order the locks are taken in
    session.execute(
        text("SELECT count(pg_advisory_xact_lock(:cls, b)) "
             "FROM (SELECT b FROM unnest(:buckets) AS b ORDER BY b) AS ordered")
        .bindparams(bindparam("buckets", type_=ARRAY(Integer))),
        {"cls": MATCHING, "buckets": buckets})


# --- links between one organisation's record and another's ---

def record_link(session: Session, *, actor: Actor, person_id: int, via: str,
                own_person_id: int | None = None, case_id: int | None = None) -> IdentityLink:
    """Record that the actor's organisation matched `person_id` (another organisation's
    record); audited, with ids only."""
    link = IdentityLink(person_id=person_id, own_person_id=own_person_id,
                        organization_id=actor.organization_id, created_by_id=actor.user_id,
                        via=via, case_id=case_id)
    session.add(link)
    session.flush()
    audit.record(session, actor=actor, action="person.link", entity_type="person",
                 entity_id=person_id, detail={"via": via, "own_person_id": own_person_id,
                                              "case_id": case_id, "link_id": link.id})
    return link


def link_rows(*, actor: Actor, links: Sequence[tuple[int, int]], via: str,
              now: datetime) -> list[dict]:
    """Column values of IdentityLink rows for a bulk insert: (person_id, own_person_id)."""
    return [{"person_id": person_id, "own_person_id": own_id,
             "organization_id": actor.organization_id, "created_by_id": actor.user_id,
             "via": via, "case_id": None, "created_at": now}
            for person_id, own_id in links]


class LinkRead(BaseModel):
    """One link as the registering organisation sees it: when, who, how; never the other
    organisation's record (coordinators also get its id, to compare and merge)."""

    linked_at: datetime
    organization: str
    via: str = Field(description="crossing, roster, registration or case")
    own_person_id: int | None = Field(default=None, description="Coordinators only")


VIA_LABELS = Labels({"crossing": N_("recorded a crossing"), "roster": N_("imported a roster"),
              "registration": N_("registered someone"), "case": N_("opened a case")})


def may_see_links(actor: Actor, person: Person) -> bool:
    """The registering organisation's members and the coordinators."""
    return can(actor, Permission.PERSON_READ_ALL) or (
        actor.organization_id is not None
        and actor.organization_id == person.registered_by_organization_id)


def links_of(session: Session, *, actor: Actor, person: Person,
             limit: int = 100) -> list[LinkRead]:
    """Who linked this record (a person the actor may see), newest first; empty for those
    who may not see links."""
    if not may_see_links(actor, person):
        return []
    audit.record(session, actor=actor, action="person.links", entity_type="person",
                 entity_id=person.id)
    coordinator = can(actor, Permission.PERSON_READ_ALL)
    rows = session.exec(
        select(IdentityLink, Organization.name)
        .join(Organization, Organization.id == IdentityLink.organization_id)
        .where(IdentityLink.person_id == person.id)
        .order_by(IdentityLink.id.desc()).limit(limit)).all()
    return [LinkRead(linked_at=link.created_at, organization=name, via=link.via,
                     own_person_id=link.own_person_id if coordinator else None)
            for link, name in rows]


# --- a caseworker's search by the person's own details ---

def find_by_details(session: Session, *, actor: Actor, probe: Probe,
                    today: date) -> Person | None:
    """The record that is the person the details describe (best name first; one the actor
    may see before another organisation's), or None. Every record is searched: the caller
    limits and audits the search (app.cases.service)."""
    identity = Identity.of(probe)
    found = [d for d in find_duplicates(session, probe, today=today)
             if is_same_person(identity, d.person, today=today, birth_required=True)]
    if not found:
        return None
    visible = _visible_ids(session, actor, [d.person.id for d in found])
    found.sort(key=lambda d: (d.person.id not in visible, -d.score, d.person.id))
    return found[0].person


# --- registering by hand ---

def register(session: Session, *, actor: Actor, person_in: PersonCreate) -> Person:
    """Register a person as typed; when another organisation has the same person on record,
    link the two (the registrant sees nothing of it)."""
    match = match_people(session, actor=actor, identities=[Identity.of(person_in)],
                         today=local_today())[0]
    person = people_service.create_person(session, actor=actor, person_in=person_in)
    if match.own is None and match.other is not None:
        record_link(session, actor=actor, person_id=match.other, via="registration",
                    own_person_id=person.id)
    return person


def register_person(session: Session, *, actor: Actor, person_in: PersonCreate) -> PersonCreated:
    """Register the person (the API registers at once; the page warns before saving) and list
    the likely duplicates among the actor's own records with the new record."""
    person = register(session, actor=actor, person_in=person_in)
    found = check_new_person(session, actor=actor, person_in=person_in, exclude_id=person.id)
    return PersonCreated(**PersonRead.model_validate(person).model_dump(),
                         possible_duplicates=found)
