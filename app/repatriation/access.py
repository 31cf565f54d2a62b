"""Which repatriations and batches an actor may see.

A repatriation is seen with its case: caseworkers their organisation's, coordinators all,
for the roles that read repatriations; no one else opens one (border officials see a batch's
names and documents on its departure list, app.repatriation.batches, never the record).
Batches: coordinators (who run them) and caseworkers (whose people join them) see every one;
a border official only those whose exit post is their organisation's (the batch's
border_organization_id): its departure list and its exits are theirs, no other post's."""

from sqlalchemy import ColumnElement, false, true
from sqlmodel import select

from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.cases.models import Case
from app.repatriation.models import Repatriation, RepatriationBatch


@access.register(Repatriation, entity_type="repatriation", not_found="Repatriation not found")
def repatriations_of_visible_cases(actor: Actor) -> ColumnElement[bool]:
    if not can(actor, Permission.REPATRIATION_READ):
        return false()
    return Repatriation.case_id.in_(select(Case.id).where(access.visible(actor, Case)))


@access.register(RepatriationBatch, entity_type="repatriation_batch",
                 not_found="Batch not found")
def batches_for_departure_roles(actor: Actor) -> ColumnElement[bool]:
    if not can(actor, Permission.REPATRIATION_BATCH_READ):
        return false()
    if can(actor, Permission.REPATRIATION_BATCHES) or can(actor, Permission.REPATRIATION_READ):
        return true()
    if actor.organization_id is None:
        return false()
    return RepatriationBatch.border_organization_id == actor.organization_id
