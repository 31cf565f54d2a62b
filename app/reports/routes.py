from dataclasses import asdict
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from app.admin.audit_routes import render_audit_page
from app.admin.audit_schemas import AuditFilter
from app.auth.permissions import Permission
from app.clock import local_today
from app.config import get_settings
from app.crossings import roster_files
from app.crossings.importer import RosterInvalid
from app.deps import (
    ActorDep,
    ExportActorDep,
    SessionDep,
    SettingsDep,
    StreamingSessionDep,
    app_settings,
    require,
    require_for_export,
)
from app.errors import InvalidInput
from app.forms import error_list, form_page
from app.i18n import N_, _
from app.i18n import Labels as Words
from app.labels import OUTCOME_LABELS, SERVICE_LABELS, STATUS_LABELS, SUGGESTION_LABELS
from app.nationalities.service import list_nationalities
from app.referrals.schemas import (
    MAX_RECIPIENT,
    ReferralFilters,
    ReferralService,
    ReferralStatus,
)
from app.reports import (
    audit_log,
    ctdc,
    disclosure,
    htcds,
    htcds_export,
    htcds_import,
    outcomes,
    pipeline,
    service,
)
from app.reports.schemas import (
    CaseDateFilters,
    CtdcFormat,
    ExportFormat,
    Labels,
    PipelineFormat,
    PipelineRead,
)
from app.reports.streaming import XLSX_TYPE, ExportResponse
from app.web import redirect, render

api = APIRouter(prefix="/api/v1", tags=["reports"])
pages = APIRouter(include_in_schema=False)

# Exports take StreamingSessionDep: the unit of work stays open while the body streams, so that
# the audit event written at its end (with the row count) goes in it.
# The user is resolved in that unit of work too (ExportActorDep, require_for_export).
EXPORT_REFERRALS = require_for_export(Permission.EXPORT_REFERRALS_ALL,
                                      Permission.EXPORT_REFERRALS_OWN_ORG)
ANY_EXPORT = require(Permission.EXPORTS_PAGE)


@api.get("/reports/referrals", dependencies=[EXPORT_REFERRALS], response_class=ExportResponse,
         responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}})
def referral_report(session: StreamingSessionDep, actor: ExportActorDep,
                    filters: Annotated[ReferralFilters, Query()],
                    fmt: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.CSV,
                    labels: Labels = Labels.WORDS):
    """Referrals matching the filters, streamed (coordinators: all; caseworkers: their
    organisation's). An anonymous referral's row carries no name, date of birth, document
    number, phone or notes. Text that a spreadsheet would run as a formula starts with "'".
    Columns and values in words (`Consent to share`, `Shelter`, `Yes`); `labels=codes` keeps
    the machine codes (`consent_to_share`, `shelter`, `yes`)."""
    return ExportResponse(service.export_referrals(session, actor=actor, filters=filters,
                                                   fmt=fmt, labels=labels))


@api.get("/reports/statistics", dependencies=[require_for_export(Permission.EXPORT_STATISTICS)],
         response_class=ExportResponse,
         responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}})
def statistics_report(session: StreamingSessionDep, actor: ExportActorDep, settings: SettingsDep,
                      filters: Annotated[CaseDateFilters, Query()],
                      fmt: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.CSV,
                      labels: Labels = Labels.WORDS):
    """Cases registered in the date range, one row per nationality: by latest determination
    (Trafficking victim, Willing worker, Undetermined, No determination yet) and their Total,
    then the same cases by sex; a Total row last. XLSX cells hold numbers; a hidden count is
    text. Coordinators: exact, any range, as things stand now; `labels=codes` gives them the
    integrators' layout (nationality × suggestion × determination × sex, one row per
    combination that has cases). Border officials: one table per completed calendar month of
    the range (a `month` column first, each month with its own Total row; a month never added
    to another), counted as recorded when the last month ended (X-Passage-As-Of), every
    nationality; counts from 0 to the threshold - 1 read "<threshold"; "x" marks counts hidden
    so that those cannot be worked out from the totals of either table; `labels=codes` gives
    the same numbers under machine codes."""
    return ExportResponse(service.export_statistics(
        session, actor=actor, filters=filters, fmt=fmt, threshold=settings.suppression_threshold,
        labels=labels))


@api.get("/reports/ctdc", dependencies=[require_for_export(Permission.EXPORT_CTDC)],
         response_class=ExportResponse, responses={200: {"content": {"text/csv": {}}}})
def ctdc_report(session: StreamingSessionDep, actor: ExportActorDep,
                filters: Annotated[CaseDateFilters, Query()],
                fmt: Annotated[CtdcFormat, Query(alias="format")] = CtdcFormat.CSV):
    """One row per case in the CTDC standard, k-anonymous (k = 11 over gender, ageBroad and
    citizenship). X-Passage-Generalised and X-Passage-Suppressed say how many rows had their
    citizenship generalised to "00" and how many were left out."""
    return ExportResponse(service.export_ctdc(session, actor=actor, filters=filters))


@api.get("/cases/{case_id}/htcds", dependencies=[require(Permission.HTCDS_EXCHANGE)],
         tags=["standards"])
def case_htcds(session: SessionDep, actor: ActorDep, case_id: int) -> dict:
    """The case in IOM's Human Trafficking Case Data Standard (HTCDS 2.0): field names with
    their prefixes, picklist value names, multiselects as lists. Identifying fields
    (prs_FirstName, prs_SecondName, prs_Birthdate, phones, addresses, document numbers) only
    when the person gave consent_to_share on the case. Your organisation's cases."""
    return htcds_export.case_fields(session, actor=actor, case_id=case_id)


@api.get("/reports/htcds", dependencies=[require_for_export(Permission.HTCDS_EXCHANGE)],
         response_class=ExportResponse, tags=["standards"],
         responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}})
def htcds_report(session: StreamingSessionDep, actor: ExportActorDep,
                 fmt: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.XLSX):
    """Your organisation's cases, one row each, in the columns of the HTCDS case sheet
    (multiselect values joined by ";"); identifying fields only where the person gave
    consent_to_share on the case."""
    return ExportResponse(htcds_export.export_htcds(session, actor=actor, fmt=fmt))


@api.post("/imports/htcds", response_model=htcds_import.HtcdsImportReport,
          dependencies=[require(Permission.HTCDS_EXCHANGE)], tags=["standards"],
          responses={413: {"description": "Over the upload or row limit"},
                     422: {"description": "Every error of the sheet as "
                                          "{row, column, message}; nothing written"}})
def import_htcds(session: SessionDep, actor: ActorDep,
                 file: Annotated[UploadFile, File(description="An HTCDS case sheet: CSV "
                                                              "(UTF-8) or XLSX")],
                 dry_run: Annotated[bool, Query(description="Check only")] = False
                 ) -> htcds_import.HtcdsImportReport:
    """Import an HTCDS case sheet (the standard's case-sheet column names in row 1, its
    labels row optional) as people and cases of your organisation. All or nothing; people
    matched as registration matches them; a person who already has a case of your
    organisation adds nothing, so importing the same sheet again adds nothing."""
    return htcds_import.import_sheet(session, actor=actor, content=_read_upload(file),
                                     dry_run=dry_run)


def _read_upload(file: UploadFile) -> bytes:
    # one byte more than allowed is enough to know the file itself is too large
    return file.file.read(get_settings().max_upload_bytes + 1)


# --- the exports page -------------------------------------------------------------------

# The page holds three forms; each one's fields and errors are kept apart by its name.
EXPORT_FORMS = ("referrals", "stats", "ctdc")
FILTER_LABELS = Words(
    {
        "status": N_("Status"),
        "service": N_("Service"),
        "recipient": N_("Recipient"),
        "from": N_("From"),
        "to": N_("Until"),
        "format": N_("Format"),
        "labels": N_("Column names and values"),
    }
)


def _render_exports(request: Request, *, form_name: str = "", form: dict | None = None,
                    errors: dict[str, str] | None = None):
    """The exports page; `form_name`'s form re-filled with `form`, its errors beside it."""
    errors = errors or {}
    values = {name: {} for name in EXPORT_FORMS}
    field_errors = {name: {} for name in EXPORT_FORMS}
    if form_name:
        values[form_name] = form or {}
        field_errors[form_name] = errors
    return render(request, "reports/exports.html", {
        "forms": values, "errors": field_errors,
        "error_list": error_list(errors, FILTER_LABELS, id_prefix=f"f-{form_name}-"),
        "service_choices": [(s.value, SERVICE_LABELS[s]) for s in ReferralService],
        "status_choices": [(s.value, STATUS_LABELS[s]) for s in ReferralStatus],
        "threshold": app_settings(request).suppression_threshold, "k": ctdc.K,
        "rule": ("" if disclosure.is_exact_for(request.state.actor)
                 else disclosure.rule_sentence(app_settings(request).suppression_threshold)),
        "ctdc_rule": disclosure.CTDC_RULE.format(k=ctdc.K),
        "max_recipient": MAX_RECIPIENT,
    })


def _export_form(form_name: str):
    """The exports page again, with `form_name`'s values and errors."""

    def render_again(request: Request, session, form: dict, errors: dict[str, str]):
        return _render_exports(request, form_name=form_name, form=form, errors=errors)

    return form_page(render_again)


@pages.get("/exports", dependencies=[ANY_EXPORT])
def exports_page(request: Request):
    # a link may carry the referral report's filters (from the board)
    return _render_exports(request, form_name="referrals", form=dict(request.query_params))


FormatParam = Annotated[ExportFormat, Query(alias="format")]


@pages.get("/exports/referrals", dependencies=[EXPORT_REFERRALS, _export_form("referrals")])
def download_referrals(session: StreamingSessionDep, actor: ExportActorDep,
                       filters: Annotated[ReferralFilters, Query()],
                       fmt: FormatParam = ExportFormat.CSV, labels: Labels = Labels.WORDS):
    return ExportResponse(service.export_referrals(session, actor=actor, filters=filters,
                                                   fmt=fmt, labels=labels))


@pages.get("/exports/statistics",
           dependencies=[require_for_export(Permission.EXPORT_STATISTICS), _export_form("stats")])
def download_statistics(session: StreamingSessionDep, actor: ExportActorDep, settings: SettingsDep,
                        filters: Annotated[CaseDateFilters, Query()],
                        fmt: FormatParam = ExportFormat.CSV, labels: Labels = Labels.WORDS):
    return ExportResponse(service.export_statistics(
        session, actor=actor, filters=filters, fmt=fmt, threshold=settings.suppression_threshold,
        labels=labels))


@pages.get("/exports/ctdc",
           dependencies=[require_for_export(Permission.EXPORT_CTDC), _export_form("ctdc")])
def download_ctdc(session: StreamingSessionDep, actor: ExportActorDep,
                  filters: Annotated[CaseDateFilters, Query()]):
    return ExportResponse(service.export_ctdc(session, actor=actor, filters=filters))


@pages.get("/exports/htcds", dependencies=[require_for_export(Permission.HTCDS_EXCHANGE)])
def download_htcds(session: StreamingSessionDep, actor: ExportActorDep,
                   fmt: FormatParam = ExportFormat.XLSX):
    return ExportResponse(htcds_export.export_htcds(session, actor=actor, fmt=fmt))


# --- the audit log ----------------------------------------------------------------------

@pages.get("/admin/audit.csv",
           dependencies=[require_for_export(Permission.AUDIT_READ), form_page(render_audit_page)])
def audit_log_csv(session: StreamingSessionDep, actor: ExportActorDep,
                  filters: Annotated[AuditFilter, Query()]):
    """The audit log's events matching the filters, newest first, as CSV."""
    return ExportResponse(audit_log.export_audit_log(session, actor=actor, filters=filters))


# --- the pipeline from crossing to closure ---

PipelineFiltersDep = Annotated[pipeline.PipelineFilters, Query()]
PIPELINE_LABELS = Words({"from": N_("From"), "to": N_("To"), "nationality": N_("Nationality")})


def _pipeline_read(result: pipeline.Pipeline) -> PipelineRead:
    months = None if result.months is None else [
        {"month": m.month, "date_from": m.date_from, "date_to": m.date_to,
         "overall": m.overall, "rows": [asdict(r) for r in m.rows]} for m in result.months]
    return PipelineRead(
        date_from=result.date_from, date_to=result.date_to, exact=result.exact,
        threshold=result.threshold, as_of=result.as_of,
        columns=[{"key": c.key, "label": c.label} for c in result.columns],
        overall=result.overall, rows=[asdict(r) for r in result.rows], months=months,
        repatriation_recorded=result.repatriation_recorded,
        note="" if result.exact else disclosure.rule_sentence(result.threshold))


def _pipeline_csv(result: pipeline.Pipeline) -> Response:
    stamp = local_today().strftime("%Y%m%d")
    return Response(pipeline.pipeline_csv(result).encode("utf-8-sig"),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="passage-pipeline-{stamp}.csv"'})


@api.get("/stats/pipeline", response_model=PipelineRead,
         dependencies=[require(Permission.PIPELINE_READ)], tags=["statistics"],
         responses={200: {"content": {"text/csv": {}}}})
def pipeline_counts(session: SessionDep, actor: ActorDep, settings: SettingsDep,
                    filters: PipelineFiltersDep,
                    fmt: Annotated[PipelineFormat, Query(alias="format")] = PipelineFormat.JSON):
    """Of the people who crossed in the period (`from`, `to`: Thai days), how many have a
    case, an interview, each suggestion, a determination (each outcome), a referral, a
    repatriation started (not cancelled), departed (or received at home), a closed
    case (by reason): overall and by nationality. Coordinators: exact, any range, as things
    stand now. Others: one table per completed calendar month of the range (`months` when
    there are several; a month never added to another), each counted as recorded when the
    last month ended (`as_of`), and counts beyond crossings from 0 to 4 read "<5" ("x":
    hidden so that those cannot be worked out); border officials get the crossing and
    departure columns. CSV: several months add a `month` column, each month with its total."""
    result = pipeline.pipeline(session, actor=actor, filters=filters,
                               threshold=settings.suppression_threshold)
    if fmt is PipelineFormat.CSV:
        return _pipeline_csv(result)
    return _pipeline_read(result)


def _pipeline_page(request: Request, session, *, filters=None, form=None, errors=None):
    actor = request.state.actor
    errors = errors or {}
    filters = disclosure.page_range(filters or pipeline.PipelineFilters(),
                                    exact=disclosure.is_exact_for(actor))
    result = pipeline.pipeline(session, actor=actor, filters=filters,
                               threshold=app_settings(request).suppression_threshold)
    query = filters.as_query()
    return render(request, "stats/pipeline.html", {
        "result": result,
        "tables": [(t, pipeline.funnel(t, result.columns)) for t in result.tables()],
        "filter_form": form if errors else query, "filter_errors": errors,
        "error_list": error_list(errors, PIPELINE_LABELS, id_prefix="q-"),
        "nationality_choices": [(n.code, n.name) for n in list_nationalities(session)],
        "rule": "" if result.exact else disclosure.rule_sentence(result.threshold),
        "csv_url": "/stats/pipeline.csv?" + urlencode(query),
    })


def _pipeline_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _pipeline_page(request, session, form=form, errors=errors)


@pages.get("/stats/pipeline",
           dependencies=[require(Permission.PIPELINE_READ), form_page(_pipeline_again)])
def pipeline_page(request: Request, session: SessionDep, filters: PipelineFiltersDep):
    return _pipeline_page(request, session, filters=filters)


@pages.get("/stats/pipeline.csv",
           dependencies=[require(Permission.PIPELINE_READ), form_page(_pipeline_again)])
def pipeline_page_csv(session: SessionDep, actor: ActorDep, settings: SettingsDep,
                      filters: PipelineFiltersDep) -> Response:
    return _pipeline_csv(pipeline.pipeline(session, actor=actor, filters=filters,
                                           threshold=settings.suppression_threshold))


# --- outcome counts ---

OutcomeFiltersDep = Annotated[outcomes.OutcomeFilters, Query()]
OUTCOME_LABELS_FORM = Words({"from": N_("Registered from"), "to": N_("Registered until")})


@api.get("/stats/outcomes", response_model=outcomes.OutcomeCounts,
         dependencies=[require(Permission.STATS_READ)], tags=["statistics"])
def outcome_counts(session: SessionDep, actor: ActorDep, settings: SettingsDep,
                   filters: OutcomeFiltersDep) -> outcomes.OutcomeCounts:
    """Cases registered in the period (`from`, `to`: Thai days) by nationality, by latest
    suggestion and latest determination (`pairs`: both at once). No names. Coordinators:
    exact, any range, as things stand now, the nationalities that have cases. Others: one
    table per completed calendar month of the range (`months` when there are several; a
    month never added to another), counted as recorded when the last month ended (`as_of`),
    every nationality, counts from 0 to 4 read "<5" ("x": hidden so that those cannot be
    worked out, or a sum of cells not all published)."""
    return outcomes.outcome_counts(session, actor=actor, filters=filters,
                                   threshold=settings.suppression_threshold)


def _outcomes_page(request: Request, session, *, filters=None, form=None, errors=None):
    errors = errors or {}
    filters = disclosure.page_range(filters or outcomes.OutcomeFilters(),
                                    exact=disclosure.is_exact_for(request.state.actor))
    result = outcomes.outcome_counts(session, actor=request.state.actor, filters=filters,
                                     threshold=app_settings(request).suppression_threshold)
    return render(request, "stats/outcomes.html", {
        "result": result, "tables": result.tables(),
        "filter_form": form if errors else filters.dates_as_query(),
        "filter_errors": errors,
        "error_list": error_list(errors, OUTCOME_LABELS_FORM, id_prefix="q-"),
        "suggestion_keys": outcomes.SUGGESTION_KEYS, "outcome_keys": outcomes.OUTCOME_KEYS,
        "suggestion_labels": {**SUGGESTION_LABELS, "none": _("No suggestion yet")},
        "outcome_labels": {**OUTCOME_LABELS, "none": _("Not determined yet")},
    })


def _outcomes_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _outcomes_page(request, session, form=form, errors=errors)


@pages.get("/stats/outcomes",
           dependencies=[require(Permission.STATS_READ), form_page(_outcomes_again)])
def outcomes_page(request: Request, session: SessionDep, filters: OutcomeFiltersDep):
    return _outcomes_page(request, session, filters=filters)


# --- the HTCDS import page ---

def _htcds_import_page(request: Request, **context):
    return render(request, "reports/htcds_import.html", {
        "report": None, "errors": [], "message": "", "carry": None, "filename": "",
        "imported": None, "columns": htcds.SHEET_COLUMNS, **context})


def _htcds_import_again(request: Request, session, form: dict, errors: dict[str, str]):
    refused = request.state.form_error
    filename = form.get("filename", "")
    if isinstance(refused, RosterInvalid):
        return _htcds_import_page(request, errors=refused.errors, filename=filename)
    message = errors.get("file") or next(iter(errors.values()), _("The file could not be read"))
    return _htcds_import_page(request, message=message, filename=filename)


@pages.get("/imports/htcds", dependencies=[require(Permission.HTCDS_EXCHANGE)])
def htcds_import_page(request: Request,
                      done: Annotated[str | None, Query(max_length=200)] = None):
    imported = None
    if done:
        imported = {k: int(v) for k, v in parse_qsl(done) if v.isdigit()}
    return _htcds_import_page(request, imported=imported)


@pages.post("/imports/htcds", dependencies=[require(Permission.HTCDS_EXCHANGE),
                                            form_page(_htcds_import_again)])
def htcds_import_upload(
    request: Request, session: SessionDep, actor: ActorDep,
    file: Annotated[UploadFile | None, File()] = None,
    sheet_data: Annotated[str, Form(max_length=1024 * 1024)] = "",
    filename: Annotated[str, Form(max_length=300)] = "",
    action: Annotated[str, Form(max_length=20)] = "check",
):
    """Check an HTCDS case sheet (dry run) and show what importing would do; "import"
    writes the checked sheet, carried in the page (or chosen again when too large)."""
    dry_run = action != "import"
    if file is not None and file.filename:
        content, filename = _read_upload(file), file.filename
        request.state.form_page.values["filename"] = filename
    elif sheet_data:
        content = roster_files.unpack(sheet_data)
    else:
        raise InvalidInput(_("Choose an HTCDS case sheet (CSV or XLSX)"), field="file")
    report = htcds_import.import_sheet(session, actor=actor, content=content, dry_run=dry_run)
    if dry_run:
        return _htcds_import_page(request, report=report, filename=filename,
                                  carry=roster_files.pack(content))
    done = urlencode({"rows": report.rows, "cases_created": report.cases_created,
                      "already_there": report.already_there})
    return redirect("/imports/htcds?" + urlencode({"done": done}))
