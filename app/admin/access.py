"""Which audit events an administrator reads (app.auth.access): those of their own
organisation's staff; a Passage-wide administrator every event, anonymous ones included. Who
read which record is itself something to keep within the organisation."""

from sqlalchemy import ColumnElement, false, true

from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can


@access.register(AuditEvent, entity_type="audit_event", not_found="No such event")
def audit_events_in_reach(actor: Actor) -> ColumnElement[bool]:
    if can(actor, Permission.AUDIT_READ_ALL):
        return true()
    if actor.organization_id is None or not can(actor, Permission.AUDIT_READ):
        return false()
    return AuditEvent.organization_id == actor.organization_id
