"""Which crossings an actor may see: coordinators every crossing, border officials those
their organisation recorded; the cases domain widens this to the crossings of the people of
a caseworker's organisation's cases (app.cases.access)."""

from sqlalchemy import ColumnElement, false, true

from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.crossings.models import Crossing


@access.register(Crossing, entity_type="crossing", not_found="No such crossing")
def recorded_by_own_organization(actor: Actor) -> ColumnElement[bool]:
    if not can(actor, Permission.CROSSING_READ):
        return false()
    if can(actor, Permission.PERSON_READ_ALL):
        return true()
    if actor.organization_id is None:
        return false()
    return Crossing.recorded_by_organization_id == actor.organization_id
