"""Which cases an actor may open, and what a case opens to its organisation: the person's
record and their crossings."""

from sqlalchemy import ColumnElement, Select, false, true
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


def people_of_own_cases(actor: Actor) -> Select:
    """The ids of the people the actor's organisation holds a case for."""
    return select(Case.person_id).where(Case.organization_id == actor.organization_id)


@access.widen(Person)
def people_with_own_case(actor: Actor) -> ColumnElement[bool]:
    if (not can(actor, Permission.PERSON_READ_OWN_ORG)
            or not can(actor, Permission.CASE_READ_OWN_ORG) or actor.organization_id is None):
        return false()
    return Person.id.in_(people_of_own_cases(actor))


@access.widen(Crossing)
def crossings_of_own_cases(actor: Actor) -> ColumnElement[bool]:
    if not can(actor, Permission.CROSSING_READ_OWN_CASES) or actor.organization_id is None:
        return false()
    return Crossing.person_id.in_(people_of_own_cases(actor))
