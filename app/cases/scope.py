"""The row-level rule for cases: which cases an actor may open."""

from sqlalchemy import false, true
from sqlmodel import Session, select

from app.audit.service import Actor
from app.auth.permissions import Permission, can
from app.cases.models import Case
from app.errors import Hidden, NotFound


def case_scope(actor: Actor):
    """Which cases the actor may open: every case for roles that read all suggestions
    (coordinators), their own organisation's for caseworkers, none for anyone else."""
    if can(actor, Permission.SCREENING_READ_ALL):
        return true()
    if can(actor, Permission.CASE_READ_OWN_ORG):
        return Case.organization_id == actor.organization_id
    return false()


def case_for(session: Session, actor: Actor, case_id: int, *, action: str) -> Case:
    """The case, or 404: NotFound when there is none, Hidden (audited) when it is outside the
    actor's scope, so that its existence does not leak."""
    case = session.exec(select(Case).where(Case.id == case_id, case_scope(actor))).first()
    if case is not None:
        return case
    if session.get(Case, case_id) is None:
        raise NotFound("Case not found")
    raise Hidden("Case not found", action=action, entity_type="case", entity_id=case_id)
