"""Which referrals an actor may see: all for coordinators, their own organisation's for
caseworkers, none for anyone else."""

from sqlalchemy import ColumnElement, false, true

from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.referrals.models import Referral


@access.register(Referral, entity_type="referral", not_found="Referral not found")
def own_organization_referrals(actor: Actor) -> ColumnElement[bool]:
    if can(actor, Permission.REFERRAL_READ_ALL):
        return true()
    if can(actor, Permission.REFERRAL_READ_OWN_ORG):
        return Referral.organization_id == actor.organization_id
    return false()
