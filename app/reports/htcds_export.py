"""HTCDS export: one case as JSON, and the organisation's cases as the standard's case sheet
(CSV or XLSX), through app.reports.htcds. Caseworkers, their organisation's cases only (the
methods of control come from indicator answers, which no one else reads). Audited."""

from collections.abc import Iterator

from sqlalchemy import ColumnElement
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization
from app.auth.permissions import Permission, can
from app.cases.latest import latest_value
from app.cases.models import Case, Screening
from app.errors import PermissionDenied
from app.people.models import Person
from app.reports import htcds
from app.reports.reading import Reader, record_when_done
from app.reports.schemas import ExportFormat
from app.reports.service import _body, _export
from app.reports.streaming import Export, RowCounter, audited


def _check(actor: Actor, action: str) -> None:
    if not can(actor, Permission.HTCDS_EXCHANGE):
        raise PermissionDenied(action=action, entity_type="case")


def _statement(*conditions: ColumnElement[bool]):
    screening = latest_value(Screening, "id")
    return (
        select(Organization.name, Case.consent_to_share, Person.given_name, Person.family_name,
               Person.date_of_birth, Person.sex, Person.nationality_code, Person.phone,
               Person.document_number, Screening.result,
               Case.latest_outcome, Case.status, Case.closure_reason,
               Case.htcds_fields)
        .select_from(Case)
        .join(Person, Person.id == Case.person_id)
        .join(Organization, Organization.id == Case.organization_id)
        .outerjoin(Screening, Screening.id == screening)
        .where(*conditions)
        .order_by(Case.id)
    )


def _source(row) -> htcds.HtcdsSource:
    (organization, consent, given, family, born, sex, nationality, phone, document, result,
     outcome, status, closure, received) = row
    return htcds.HtcdsSource(
        organization=organization, consent_to_share=bool(consent), given_name=given or "",
        family_name=family or "", date_of_birth=born, sex=sex, nationality_code=nationality,
        phone=phone, document_number=document, yes_codes=htcds.yes_codes(result),
        outcome=outcome, status=status, closure_reason=closure, received=received)


def case_fields(session: Session, *, actor: Actor, case_id: int) -> dict:
    """GET /api/v1/cases/{id}/htcds: the case's HTCDS fields."""
    _check(actor, "case.htcds")
    case = access.get_visible(session, actor, Case, case_id, action="case.htcds")
    row = session.exec(_statement(Case.id == case.id)).one()
    values = htcds.fields(_source(row))
    audit.record(session, actor=actor, action="case.htcds", entity_type="case",
                 entity_id=case.id, detail={"consent_to_share": case.consent_to_share})
    return values


def export_htcds(session: Session, *, actor: Actor, fmt: ExportFormat) -> Export:
    """The organisation's cases, one row each, in the case sheet's columns."""
    _check(actor, "export.htcds")
    reader = Reader(session)

    def rows() -> Iterator[list[str]]:
        for row in reader.stream(_statement(access.visible(actor, Case))):
            yield htcds.sheet_row(_source(row))

    counter = RowCounter(rows())
    body = audited(_body(fmt, htcds.SHEET_COLUMNS, counter, sheet="Cases"),
                   rows=lambda: counter.count,
                   on_done=record_when_done(session, reader, actor=actor,
                                            action="export.htcds",
                                            detail={"format": fmt.value}))
    return _export(fmt, "htcds", body, close=reader.close)
