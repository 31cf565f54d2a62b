from fastapi import APIRouter

from app.auth.permissions import Permission
from app.crossings.filters import CrossingFiltersDep
from app.deps import ActorDep, SessionDep, require
from app.errors import PermissionDenied
from app.i18n import _
from app.pagination import Page, PageDep
from app.people import duplicates, identity, merge, service
from app.people.deps import READ_PEOPLE, CurrentPerson
from app.people.schemas import (
    PersonCreate,
    PersonMergeCreate,
    PersonMergeRead,
    PersonMergeUndo,
    PersonRead,
    PersonUpdate,
)

api = APIRouter(prefix="/api/v1", tags=["people"])


@api.post("/people", response_model=duplicates.PersonCreated, status_code=201,
          dependencies=[require(Permission.PERSON_CREATE)])
def create_person(session: SessionDep, actor: ActorDep,
                  person_in: PersonCreate) -> duplicates.PersonCreated:
    """Register a person, recorded as registered by the caller's organisation;
    `possible_duplicates` lists the people of the caller's own records who may be the same
    person (another organisation's records are never named here)."""
    return identity.register_person(session, actor=actor, person_in=person_in)


@api.get("/people", response_model=Page[PersonRead], dependencies=[READ_PEOPLE])
def list_people(session: SessionDep, actor: ActorDep, page: PageDep,
                filters: CrossingFiltersDep) -> Page[PersonRead]:
    """The people the caller may see, newest first. The crossing filters keep people with a
    crossing in the range, at the point, from the compound; `nationality` filters people."""
    rows, total = service.list_people(session, actor=actor, filters=filters, page=page)
    return Page(items=[PersonRead.model_validate(p) for p in rows], total=total,
                limit=page.limit, offset=page.offset)


@api.get("/people/{person_id}", response_model=PersonRead, dependencies=[READ_PEOPLE])
def read_person(session: SessionDep, actor: ActorDep, person: CurrentPerson) -> PersonRead:
    """One person's record (404 when it is not there or not the caller's to see)."""
    return PersonRead.model_validate(service.read_person(session, actor=actor, person=person))


@api.patch("/people/{person_id}", response_model=PersonRead,
           dependencies=[require(Permission.PERSON_CREATE)])
def update_person(session: SessionDep, actor: ActorDep, person: CurrentPerson,
                  person_in: PersonUpdate) -> PersonRead:
    """Correct a person's names, in their own script and in Latin letters (fields left out
    stay as they are; an empty Latin form clears it). Only the organisation that registered
    the person: others 403; a person the caller may not see 404."""
    return PersonRead.model_validate(service.update_person(session, actor=actor, person=person,
                                                           person_in=person_in))


@api.get("/people/{person_id}/duplicates", response_model=Page[duplicates.DuplicateRead],
         dependencies=[READ_PEOPLE])
def list_duplicates(session: SessionDep, actor: ActorDep,
                    person_id: int) -> Page[duplicates.DuplicateRead]:
    """People who may be the same person: the same document number, or a similar name with the
    same nationality and a date of birth or age within two years; best first, each with a
    score and its reasons."""
    found = duplicates.duplicates_of(session, actor=actor, person_id=person_id)
    return Page(items=found, total=len(found), limit=duplicates.MAX_RESULTS, offset=0)


@api.get("/people/{person_id}/links", response_model=Page[identity.LinkRead],
         dependencies=[READ_PEOPLE])
def list_links(session: SessionDep, actor: ActorDep,
               person: CurrentPerson) -> Page[identity.LinkRead]:
    """Other organisations that matched this record (a crossing, a roster, a registration, a
    case opened on it), newest first: for the organisation that registered the person, and
    coordinators."""
    if not identity.may_see_links(actor, person):
        raise PermissionDenied(_("Only the organisation that registered this person, and the "
                               "coordinators, see who linked the record"),
                               action="person.links", entity_type="person",
                               entity_id=person.id)
    links = identity.links_of(session, actor=actor, person=person)
    return Page(items=links, total=len(links), limit=100, offset=0)


@api.post("/people/{person_id}/merge", response_model=PersonMergeRead, status_code=201,
          dependencies=[require(Permission.PERSON_MERGE)])
def merge_person(session: SessionDep, actor: ActorDep, person_id: int,
                 merge_in: PersonMergeCreate) -> PersonMergeRead:
    """Merge the record `duplicate_id` into this one: its crossings and cases (with their
    referrals) move here; it is kept as a tombstone whose id leads here. Refused: into
    itself (422), into or from a record merged already (409), while both have an open case
    of one organisation (409)."""
    return merge.merge_people(session, actor=actor, survivor_id=person_id, merge_in=merge_in)


@api.get("/people/{person_id}/merges", response_model=Page[PersonMergeRead],
         dependencies=[require(Permission.PERSON_MERGE)])
def list_merges(session: SessionDep, actor: ActorDep, person: CurrentPerson,
                page: PageDep) -> Page[PersonMergeRead]:
    """The merges this record took part in, newest first, each saying whether it can still
    be undone."""
    found = merge.merges_of(session, actor=actor, person=person)
    return Page(items=found[page.offset:page.offset + page.limit], total=len(found),
                limit=page.limit, offset=page.offset)


@api.post("/person-merges/{merge_id}/undo", response_model=PersonMergeRead,
          dependencies=[require(Permission.PERSON_MERGE)])
def undo_merge(session: SessionDep, actor: ActorDep, merge_id: int,
               undo_in: PersonMergeUndo) -> PersonMergeRead:
    """Undo a merge: both records as they were, each with its own crossings and cases.
    Refused (409) when a later merge of either record has not been undone."""
    return merge.undo_merge(session, actor=actor, merge_id=merge_id, undo_in=undo_in)
