from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError

from app.auth.permissions import Permission
from app.deps import ActorDep, StreamingSessionDep, require
from app.forms import form_errors
from app.referrals.schemas import (
    MAX_RECIPIENT,
    SERVICE_LABELS,
    STATUS_LABELS,
    ReferralFilters,
    ReferralService,
    ReferralStatus,
)
from app.reports import ctdc, service
from app.reports.schemas import CaseDateFilters, CtdcFormat, ExportFormat
from app.reports.streaming import XLSX_TYPE, ExportResponse
from app.web import render

api = APIRouter(prefix="/api/v1", tags=["reports"])
pages = APIRouter(include_in_schema=False)

# Exports take StreamingSessionDep: the unit of work stays open while the body streams, so that
# the audit event written at its end (with the row count) is committed with the request.
EXPORT_REFERRALS = require(Permission.EXPORT_REFERRALS_ALL, Permission.EXPORT_REFERRALS_OWN_ORG)
ANY_EXPORT = require(Permission.EXPORTS_PAGE)


def _threshold(request: Request) -> int:
    return request.app.state.settings.suppression_threshold


@api.get("/reports/referrals", dependencies=[EXPORT_REFERRALS], response_class=ExportResponse,
         responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}})
def referral_report(session: StreamingSessionDep, actor: ActorDep,
                    filters: Annotated[ReferralFilters, Query()],
                    fmt: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.CSV):
    """Referrals matching the filters, streamed (coordinators: all; caseworkers: their
    organisation's). An anonymous referral's row carries no name, date of birth, document
    number, phone or notes. Text that a spreadsheet would run as a formula starts with "'"."""
    return ExportResponse(service.export_referrals(session, actor=actor, filters=filters,
                                                   fmt=fmt))


@api.get("/reports/statistics", dependencies=[require(Permission.EXPORT_STATISTICS)],
         response_class=ExportResponse,
         responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}})
def statistics_report(request: Request, session: StreamingSessionDep, actor: ActorDep,
                      filters: Annotated[CaseDateFilters, Query()],
                      fmt: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.CSV):
    """Cases by nationality × suggestion × determination × sex, registered in the date
    range. Counts from 1 to the threshold - 1 read "<threshold"; "x" marks counts hidden so
    that those cannot be worked out from the totals."""
    return ExportResponse(service.export_statistics(
        session, actor=actor, filters=filters, fmt=fmt, threshold=_threshold(request)))


@api.get("/reports/ctdc", dependencies=[require(Permission.EXPORT_CTDC)],
         response_class=ExportResponse, responses={200: {"content": {"text/csv": {}}}})
def ctdc_report(session: StreamingSessionDep, actor: ActorDep,
                filters: Annotated[CaseDateFilters, Query()],
                fmt: Annotated[CtdcFormat, Query(alias="format")] = CtdcFormat.CSV):
    """One row per case in the CTDC standard, k-anonymous (k = 11 over gender, ageBroad and
    citizenship). X-Passage-Generalised and X-Passage-Suppressed say how many rows had their
    citizenship generalised to "00" and how many were left out."""
    return ExportResponse(service.export_ctdc(session, actor=actor, filters=filters))


# --- the exports page -------------------------------------------------------------------

def _errors_of(exc: ValidationError, prefix: str) -> dict[str, str]:
    names = {"date_from": "from", "date_to": "to"}
    return {f"{prefix}-{names.get(k, k)}": v for k, v in form_errors(exc).items()}


def _render_exports(request: Request, form: dict[str, str], errors: dict[str, str] | None = None,
                    status_code: int = 200):
    errors = errors or {}
    return render(request, "reports/exports.html", {
        "form": form, "errors": errors,
        "error_list": [{"field": k, "message": v} for k, v in errors.items()],
        "services": list(ReferralService), "statuses": list(ReferralStatus),
        "service_labels": SERVICE_LABELS, "status_labels": STATUS_LABELS,
        "threshold": _threshold(request), "k": ctdc.K,
        "max_recipient": MAX_RECIPIENT,
    }, status_code=status_code)


@pages.get("/exports", dependencies=[ANY_EXPORT])
def exports_page(request: Request,
                 status: Annotated[str, Query(max_length=16)] = "",
                 service_: Annotated[str, Query(alias="service", max_length=16)] = "",
                 recipient: Annotated[str, Query(max_length=MAX_RECIPIENT)] = "",
                 from_: Annotated[str, Query(alias="from", max_length=10)] = "",
                 to: Annotated[str, Query(max_length=10)] = ""):
    return _render_exports(request, {"status": status, "service": service_,
                                     "recipient": recipient, "from": from_, "to": to})


def _format(value: str, allowed) -> str | None:
    return value if value in {f.value for f in allowed} else None


@pages.get("/exports/referrals", dependencies=[EXPORT_REFERRALS])
def download_referrals(request: Request, session: StreamingSessionDep, actor: ActorDep,
                       status: Annotated[str, Query(max_length=16)] = "",
                       service_: Annotated[str, Query(alias="service", max_length=16)] = "",
                       recipient: Annotated[str, Query(max_length=MAX_RECIPIENT)] = "",
                       from_: Annotated[str, Query(alias="from", max_length=10)] = "",
                       to: Annotated[str, Query(max_length=10)] = "",
                       fmt: Annotated[str, Query(alias="format", max_length=8)] = "csv"):
    form = {"status": status, "service": service_, "recipient": recipient, "from": from_,
            "to": to}
    fmt = _format(fmt, ExportFormat)
    try:
        filters = ReferralFilters.model_validate(form)
    except ValidationError as exc:
        return _render_exports(request, form, _errors_of(exc, "referrals"), 422)
    if fmt is None:
        return _render_exports(request, form, {"referrals-format": "Choose CSV or XLSX"}, 422)
    return ExportResponse(service.export_referrals(session, actor=actor, filters=filters,
                                                   fmt=ExportFormat(fmt)))


@pages.get("/exports/statistics", dependencies=[require(Permission.EXPORT_STATISTICS)])
def download_statistics(request: Request, session: StreamingSessionDep, actor: ActorDep,
                        from_: Annotated[str, Query(alias="from", max_length=10)] = "",
                        to: Annotated[str, Query(max_length=10)] = "",
                        fmt: Annotated[str, Query(alias="format", max_length=8)] = "csv"):
    form = {"stats-from": from_, "stats-to": to}
    fmt = _format(fmt, ExportFormat)
    try:
        filters = CaseDateFilters.model_validate({"from": from_, "to": to})
    except ValidationError as exc:
        return _render_exports(request, form, _errors_of(exc, "stats"), 422)
    if fmt is None:
        return _render_exports(request, form, {"stats-format": "Choose CSV or XLSX"}, 422)
    return ExportResponse(service.export_statistics(
        session, actor=actor, filters=filters, fmt=ExportFormat(fmt),
        threshold=_threshold(request)))


@pages.get("/exports/ctdc", dependencies=[require(Permission.EXPORT_CTDC)])
def download_ctdc(request: Request, session: StreamingSessionDep, actor: ActorDep,
                  from_: Annotated[str, Query(alias="from", max_length=10)] = "",
                  to: Annotated[str, Query(max_length=10)] = ""):
    form = {"ctdc-from": from_, "ctdc-to": to}
    try:
        filters = CaseDateFilters.model_validate({"from": from_, "to": to})
    except ValidationError as exc:
        return _render_exports(request, form, _errors_of(exc, "ctdc"), 422)
    return ExportResponse(service.export_ctdc(session, actor=actor, filters=filters))
