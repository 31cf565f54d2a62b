"""What the people pages read: the search (name, nationality, case reference) and a person's
page (identity, crossings, cases, likely duplicates). Every row comes through the access
rules (app.auth.access); every read is audited with ids, never names."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, or_
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.cases.lifecycle import is_active
from app.cases.models import Case
from app.cases.schemas import CaseRead
from app.cases.service import list_cases as list_cases_of
from app.compounds.models import Compound
from app.crossings.models import Crossing
from app.nationalities.service import nationality_names
from app.pagination import PageParams, paginate, paginate_newest_first
from app.people import duplicates, identity, merge
from app.people import service as people_service
from app.people.models import Person

MAX_SEARCH_TERMS = 6


@dataclass
class SearchQuery:
    name: str = ""
    nationality_code: str | None = None
    reference: str = ""
    document: str = ""  # a document number, as typed (compared normalised, exactly)

    @property
    def empty(self) -> bool:
        return not (self.name.strip() or self.nationality_code or self.reference.strip()
                    or self.document.strip())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_statement(actor: Actor, query: SearchQuery) -> Select:
    """People the actor may see whose name holds every word searched (in any order), of the
    nationality, with the document number, or holding the case reference (unordered).
    On PostgreSQL the name's words are found by the trigram indexes of the name keys
    (migration 0019), the document number by its index."""
    statement = select(Person).where(access.visible(actor, Person))
    for term in _terms(query):
        # the names as written or in Latin letters ("zaw min" finds ဇော်မင်း recorded as Zaw Min)
        pattern = f"%{_escape_like(term)}%"
        statement = statement.where(or_(Person.name_key.like(pattern, escape="\\"),
                                        Person.name_key_latin.like(pattern, escape="\\")))
    if query.nationality_code:
        statement = statement.where(Person.nationality_code == query.nationality_code.upper())
    if document := people_service.normalize_document_number(query.document):
        statement = statement.where(Person.document_number == document)
    if query.reference.strip():
        statement = statement.where(Person.id.in_(
            select(Case.person_id).where(Case.reference == query.reference.strip().upper(),
                                         access.visible(actor, Case))))
    return statement


def _terms(query: SearchQuery) -> tuple[str, ...]:
    return duplicates.name_tokens(query.name)[:MAX_SEARCH_TERMS]


# pg_trgm finds the rows holding a term of at least three characters by its indexes; a
# shorter one is looked for in every row
TRIGRAM = 3


def _read_once(actor: Actor, query: SearchQuery) -> bool:
    """Whether to read the search's matches once (paginate_newest_first) rather than count
    them and walk the primary key down from the newest person for the page (paginate).

    The walk stops when the page is full: soon when most people hold the name and the actor
    may see them all (a coordinator), but an actor who sees a seventh of the people, and
    those holding "aung" are one in fifty, reads twenty thousand rows for a page of fifty,
    and the database cannot foresee it (it takes the access condition to keep most rows).
    Reading the matches once costs what counting them does, when the indexes find them (a
    name's part of three letters or more, a document, a case); what a shorter part matches
    is most of the table, which the walk pages soonest."""
    if can(actor, Permission.PERSON_READ_ALL):
        return False
    return bool(any(len(term) >= TRIGRAM for term in _terms(query))
                or people_service.normalize_document_number(query.document)
                or query.reference.strip())


def search_people(session: Session, *, actor: Actor, query: SearchQuery,
                  page: PageParams) -> tuple[list[Person], int]:
    """search_statement's people, newest first, and how many there are (see _read_once for
    how). The read is audited with the ids shown (never names)."""
    statement = search_statement(actor, query)
    if _read_once(actor, query):
        rows, total = paginate_newest_first(session, statement, Person, page)
    else:
        rows, total = paginate(session, statement.order_by(Person.id.desc()), page)
    audit.record(session, actor=actor, action="person.search", entity_type="person",
                 detail={"count": len(rows), "total": total, "ids": [p.id for p in rows]})
    return rows, total


def open_cases_by_person(session: Session, *, actor: Actor,
                         person_ids: list[int]) -> dict[int, list[str]]:
    """Case references per person, among the cases the actor may open."""
    if not person_ids:
        return {}
    found: dict[int, list[str]] = {}
    for pid, reference in session.exec(
        select(Case.person_id, Case.reference)
        .where(Case.person_id.in_(person_ids), access.visible(actor, Case)).order_by(Case.id)
    ):
        found.setdefault(pid, []).append(reference)
    return found


@dataclass
class PersonPage:
    person: Person
    nationality: str
    crossings: list[dict[str, Any]]
    cases: list[CaseRead]
    duplicates: list[duplicates.DuplicateRead]
    may_open_case: bool
    own_open_case: CaseRead | None = None
    notes: list[str] = field(default_factory=list)
    cases_total: int = 0  # more than `cases` when the page shows only the latest
    # other organisations that matched this record (for its own organisation, coordinators)
    links: list[identity.LinkRead] = field(default_factory=list)
    may_see_links: bool = False
    merges: list = field(default_factory=list)  # for those who merge records


def person_page(session: Session, *, actor: Actor, person: Person) -> PersonPage:
    """Everything the page of a person the actor may see (CurrentPerson) shows."""
    people_service.read_person(session, actor=actor, person=person)
    crossing_rows = session.exec(
        select(Crossing, Compound.name).outerjoin(Compound, Compound.id == Crossing.compound_id)
        .where(Crossing.person_id == person.id, access.visible(actor, Crossing))
        .order_by(Crossing.crossed_at)
    ).all()
    crossings = [{"crossed_at": c.crossed_at, "crossing_point": c.crossing_point,
                  "compound": name or "", "group_reference": c.group_reference,
                  "direction": c.direction}
                 for c, name in crossing_rows]
    cases: list[CaseRead] = []
    cases_total = 0
    if can(actor, Permission.CASE_READ_OWN_ORG) or can(actor, Permission.SCREENING_READ_ALL):
        cases, cases_total = list_cases_of(session, actor=actor,
                                           page=PageParams(limit=100, offset=0),
                                           person_id=person.id)
    own_open = next((c for c in cases if c.organization_id == actor.organization_id
                     and is_active(c.status)), None)
    found = duplicates.duplicates_of(session, actor=actor, person_id=person.id) \
        if can(actor, Permission.PERSON_DUPLICATE_SEARCH) or can(actor, Permission.PERSON_MERGE) \
        else []
    merges = merge.merges_of(session, actor=actor, person=person) \
        if can(actor, Permission.PERSON_MERGE) else []
    return PersonPage(
        person=person,
        nationality=nationality_names(session).get(person.nationality_code or "", ""),
        crossings=crossings, cases=cases, cases_total=cases_total, duplicates=found,
        may_open_case=can(actor, Permission.CASE_WRITE) and own_open is None,
        own_open_case=own_open, merges=merges,
        links=identity.links_of(session, actor=actor, person=person),
        may_see_links=identity.may_see_links(actor, person),
    )
