"""Which cases an actor may open, and what a case opens to its organisation: the person's
record and their crossings."""

from typing import Any

from sqlalchemy import ColumnElement, exists, false, true
from sqlmodel import select

from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.cases.models import Case, FollowUp
from app.crossings.models import Crossing
from app.people.models import Person


@access.register(Case, entity_type="case", not_found="Case not found")
def own_organization_cases(actor: Actor) -> ColumnElement[bool]:
    """Every case for roles that read all suggestions (coordinators), their own
    organisation's for caseworkers, none for anyone else."""
    if can(actor, Permission.SCREENING_READ_ALL):
        return true()
    if can(actor, Permission.CASE_READ_OWN_ORG):
        return Case.organization_id == actor.organization_id
    return false()


@access.register(FollowUp, entity_type="follow_up", not_found="Follow-up not found")
def follow_ups_of_visible_cases(actor: Actor) -> ColumnElement[bool]:
    """The follow-ups of the cases the actor may open, for roles that read follow-ups."""
    if not can(actor, Permission.FOLLOW_UP_READ):
        return false()
    return FollowUp.case_id.in_(select(Case.id).where(access.visible(actor, Case)))


def _own_case_of(actor: Actor, person_id: Any) -> ColumnElement[bool]:
    """Whether the actor's organisation holds a case for the person of `person_id` (a column
    of the row asked about): correlated, so that the database checks the rows at hand by the
    cases' (organization_id, person_id) index, or hashes the organisation's cases when many
    rows are asked about and they fit in memory (app.people.access says why not IN)."""
    return exists().where(Case.person_id == person_id,
                          Case.organization_id == actor.organization_id)


@access.widen(Person)
def people_with_own_case(actor: Actor) -> ColumnElement[bool]:
    if (not can(actor, Permission.PERSON_READ_OWN_ORG)
            or not can(actor, Permission.CASE_READ_OWN_ORG) or actor.organization_id is None):
        return false()
    return _own_case_of(actor, Person.id)


@access.widen(Crossing)
def crossings_of_own_cases(actor: Actor) -> ColumnElement[bool]:
    if not can(actor, Permission.CROSSING_READ_OWN_CASES) or actor.organization_id is None:
        return false()
    return _own_case_of(actor, Crossing.person_id)
