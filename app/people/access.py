"""Which people an actor may see (DESIGN.md, "Roles and what each may see").

Coordinators see everyone; caseworkers and border officials the people their organisation
registered, border officials also those whose crossing their organisation recorded (typed
in, one by one or by roster: an exit ticked on a batch's departure list opens nothing); the
cases domain widens this to the people of the organisation's cases (app.cases.access)."""

from sqlalchemy import ColumnElement, exists, false, or_, true
from sqlalchemy.orm import aliased

from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.crossings.models import Crossing
from app.people.models import Person, PersonMerge


@access.register(Person, entity_type="person", not_found="No such person",
                 forward=Person.merged_into_id)
def registered_by_own_organization(actor: Actor) -> ColumnElement[bool]:
    """A merged record (a tombstone) is never visible itself (see forward); the organisation
    that registered it sees the record it was merged into."""
    if can(actor, Permission.PERSON_READ_ALL):
        return true()
    if not can(actor, Permission.PERSON_READ_OWN_ORG) or actor.organization_id is None:
        return false()
    org = actor.organization_id
    tombstone = aliased(Person)
    # Each reason beyond the organisation's own registration is a correlated EXISTS, which the
    # database answers for the rows at hand by an index (a person's tombstones, crossings),
    # or by a hash of the set when it is small and many rows are asked about: never by
    # comparing each row with every id the organisation ever touched. At a million people a
    # border post's crossings are over 1.6 million ids, more than a hash in memory holds, and
    # `id IN (those ids)` under an OR was then compared row by row with all of them: one
    # search of a common name ran for minutes.
    clauses: list[ColumnElement[bool]] = [
        Person.registered_by_organization_id == org,
        exists().where(tombstone.merged_into_id == Person.id,
                       tombstone.merged_into_id.isnot(None),
                       tombstone.registered_by_organization_id == org)]
    if can(actor, Permission.CROSSING_CREATE):
        clauses.append(exists().where(Crossing.person_id == Person.id,
                                      Crossing.recorded_by_organization_id == org,
                                      Crossing.from_departure_list.is_(False)))
    return or_(*clauses)


@access.register(PersonMerge, entity_type="person_merge", not_found="Merge not found")
def merges_for_those_who_merge(actor: Actor) -> ColumnElement[bool]:
    return true() if can(actor, Permission.PERSON_MERGE) else false()
