"""Reading the audit log (administrators only): filtered pages and the CSV export."""

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy import func, or_
from sqlmodel import Session, select

from app import audit
from app.audit.models import AuditEvent
from app.audit.schemas import AuditFilter
from app.audit.service import Actor
from app.auth.models import Organization
from app.cells import neutralise
from app.pagination import PageParams, paginate

CSV_COLUMNS = ("time_utc", "actor_id", "actor", "role", "organization", "action",
               "entity_type", "entity_id", "client_address", "outcome", "detail")
MAX_INTEGER_ID = 2**31 - 1


def _statement(filters: AuditFilter):
    statement = (select(AuditEvent, Organization.name)
                 .outerjoin(Organization, Organization.id == AuditEvent.organization_id)
                 .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    if filters.from_ is not None:
        statement = statement.where(AuditEvent.at >= filters.from_)
    if filters.to is not None:
        statement = statement.where(AuditEvent.at < filters.to)
    if filters.actor is not None:
        by_name = func.lower(AuditEvent.actor_username) == filters.actor.lower()
        if filters.actor.isdigit() and int(filters.actor) <= MAX_INTEGER_ID:
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


def list_events(session: Session, *, filters: AuditFilter,
                page: PageParams) -> tuple[list[tuple[AuditEvent, str | None]], int]:
    """One page of events, newest first, each with its organisation's name."""
    return paginate(session, _statement(filters), page)


def _cell(value) -> str:
    return "" if value is None else neutralise(str(value))


def export_csv(session: Session, *, actor: Actor, filters: AuditFilter) -> Iterator[str]:
    """The matching events as CSV, streamed in batches. The export is itself audited."""
    audit.record(session, actor=actor, action="audit.export", entity_type="audit_event",
                 detail={"format": "csv", "filters": filters.query_params()})
    session.flush()
    # plain rows, not ORM objects: a million of them stream several times faster
    statement = _statement(filters).with_only_columns(
        AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor_username, AuditEvent.role,
        Organization.name, AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id,
        AuditEvent.client_address, AuditEvent.outcome, AuditEvent.detail,
        maintain_column_froms=True).execution_options(yield_per=1000)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in session.exec(statement):
            *values, detail = row
            values[0] = values[0].isoformat()
            writer.writerow([_cell(v) for v in values]
                            + [_cell(json.dumps(detail, sort_keys=True, ensure_ascii=False))])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return rows()
