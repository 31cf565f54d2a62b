"""Reading the audit log (administrators only): the filtered events, a page at a time (the
CSV export is in app.reports.audit_log)."""

from sqlalchemy import func, or_
from sqlmodel import Session, select

from app.admin.audit_schemas import AuditFilter
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization
from app.db import MAX_DATABASE_INT
from app.pagination import PageParams, paginate


def events_statement(filters: AuditFilter, actor: Actor):
    statement = (select(AuditEvent, Organization.name)
                 .outerjoin(Organization, Organization.id == AuditEvent.organization_id)
                 .where(access.visible(actor, AuditEvent))
                 .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    statement = statement.where(*filters.conditions(AuditEvent.at))
    if filters.actor is not None:
        by_name = func.lower(AuditEvent.actor_username) == filters.actor.lower()
        if filters.actor.isdigit() and int(filters.actor) <= MAX_DATABASE_INT:
            statement = statement.where(or_(AuditEvent.actor_id == int(filters.actor), by_name))
        else:
            statement = statement.where(by_name)
    if filters.action is not None:
        if filters.action.endswith("*"):
            statement = statement.where(AuditEvent.action.startswith(
                filters.action.rstrip("*"), autoescape=True))
        else:
            statement = statement.where(AuditEvent.action == filters.action)
    if filters.entity_type is not None:
        statement = statement.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id is not None:
        statement = statement.where(AuditEvent.entity_id == filters.entity_id)
    if filters.outcome is not None:
        statement = statement.where(AuditEvent.outcome == filters.outcome)
    return statement


def list_events(session: Session, *, actor: Actor, filters: AuditFilter,
                page: PageParams) -> tuple[list[tuple[AuditEvent, str | None]], int]:
    """One page of the events the actor may read, newest first, each with its organisation's
    name."""
    return paginate(session, events_statement(filters, actor), page)
