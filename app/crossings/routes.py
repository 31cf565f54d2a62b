from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from app.auth.permissions import Permission
from app.clock import local_today
from app.compounds import service as compounds_service
from app.config import get_settings
from app.crossings import importer, roster_files, service, stats
from app.crossings.filters import CrossingFilters, CrossingFiltersDep
from app.crossings.schemas import (
    CrossingCreate,
    CrossingForm,
    CrossingRead,
    ImportReport,
    NationalityStats,
)
from app.deps import ActorDep, SessionDep, SettingsDep, require
from app.errors import InvalidInput
from app.forms import error_list, form_page, parse_form
from app.i18n import N_, Labels, _
from app.labels import SEX_LABELS
from app.nationalities.service import list_nationalities
from app.pagination import Page, PageDep, PageParams
from app.web import redirect, render

LAST_CROSSING_COOKIE = "passage_last_crossing"
READ_CROSSINGS = require(Permission.CROSSING_READ, Permission.CROSSING_READ_OWN_CASES)
FORM_LABELS = Labels(
    {
        "given_name": N_("Given name"),
        "family_name": N_("Family name"),
        "sex": N_("Sex"),
        "nationality": N_("Nationality"),
        "date_of_birth": N_("Date of birth"),
        "age_estimate": N_("Age estimate"),
        "document_number": N_("Passport or document number"),
        "crossed_on": N_("Day"),
        "crossed_time": N_("Time"),
        "crossing_point": N_("Crossing point"),
        "compound_id": N_("Compound"),
        "group_reference": N_("Group reference"),
        "direction": N_("Direction"),
    }
)
FILTER_LABELS = Labels({"from": N_("From"), "to": N_("To"), "crossing_point": N_("Crossing point"),
                 "compound_id": N_("Compound"), "nationality": N_("Nationality"),
                 "direction": N_("Direction")})
FIRST_PAGE = PageParams(limit=50, offset=0)
ALL_COMPOUNDS = PageParams(limit=1000, offset=0)


def read_upload(file: UploadFile) -> bytes:
    # app.limits refuses a body much over the limit before it is read; one byte more than
    # allowed is enough to know the file itself is too large
    return file.file.read(get_settings().max_upload_bytes + 1)


api = APIRouter(prefix="/api/v1", tags=["crossings"])


@api.post("/crossings", response_model=CrossingRead, status_code=201,
          dependencies=[require(Permission.CROSSING_CREATE)],
          responses={409: {"description": "Same person, time and crossing point"},
                     503: {"description": "Busy: the same identity is being matched"}})
def create_crossing(session: SessionDep, actor: ActorDep, settings: SettingsDep,
                    crossing_in: CrossingCreate) -> CrossingRead:
    """Record one crossing, of a person you may see (`person_id`) or one described inline
    (`person`): an inline person is matched with the people your organisation has on record
    (same name, nationality and date of birth), else registered as you typed them. The answer
    is the same whether or not Passage knew the person."""
    crossing = service.create_crossing(session, actor=actor, crossing_in=crossing_in,
                                       lock_timeout=settings.database_lock_timeout)
    return CrossingRead.model_validate(crossing)


@api.get("/crossings", response_model=Page[CrossingRead], dependencies=[READ_CROSSINGS])
def list_crossings(session: SessionDep, actor: ActorDep, page: PageDep,
                   filters: CrossingFiltersDep,
                   person_id: int | None = None) -> Page[CrossingRead]:
    """Crossings the caller may read, latest first: border officials their organisation's,
    caseworkers those of their organisation's cases, coordinators all."""
    rows, total = service.list_crossings(session, actor=actor, filters=filters, page=page,
                                         person_id=person_id)
    return Page(items=[CrossingRead.model_validate(c) for c, _ in rows], total=total,
                limit=page.limit, offset=page.offset)


@api.post("/crossings/import", response_model=ImportReport,
              dependencies=[require(Permission.CROSSING_CREATE)],
              responses={413: {"description": "Over 10 MB or over 20,000 rows"},
                         422: {"description": "Every error of the roster as "
                                              "{row, column, message}; nothing written"}})
def import_crossings(session: SessionDep, actor: ActorDep, settings: SettingsDep,
                     file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX")],
                     dry_run: Annotated[bool, Query(description="Check only")] = False
                     ) -> ImportReport:
    """Import a roster (DESIGN.md columns, header in row 1, names in any case). All or
    nothing; importing the same roster again creates no new crossings."""
    return importer.import_file(session, actor=actor, content=read_upload(file),
                                dry_run=dry_run, lock_timeout=settings.database_lock_timeout)


@api.get("/stats/nationalities", response_model=NationalityStats,
         dependencies=[require(Permission.STATS_READ)])
def nationality_counts(session: SessionDep, filters: CrossingFiltersDep,
                       by_sex: bool = False) -> NationalityStats:
    """Distinct people who crossed (in the range, at the point, from the compound), by
    nationality, largest first; `by_sex=true` adds a breakdown by sex. Counts only."""
    return stats.nationality_counts(session, filters=filters, by_sex=by_sex)



# --- pages ---

pages = APIRouter(include_in_schema=False)


def _last_crossing(request: Request) -> dict[str, str]:
    values = dict(parse_qsl(request.cookies.get(LAST_CROSSING_COOKIE, "")))
    compound = values.get("compound", "")
    return {"crossing_point": values.get("point", "")[:200],
            "crossed_on": values.get("date", "")[:10],
            "compound_id": compound if compound.isdigit() and len(compound) < 19 else ""}


def _all_compounds(session):
    compounds, total = compounds_service.list_compounds(session, page=ALL_COMPOUNDS)
    return compounds, total


def _filter_choices(points, compounds, compounds_total: int, nationalities=()) -> dict:
    # a list of choices cannot page: it says when it is not the whole list
    cut = (f"The first {len(compounds):,} of {compounds_total:,} compounds are listed."
           if compounds_total > len(compounds) else "")
    return {"point_choices": [(p, p) for p in points],
            "compound_choices": [(c.id, c.name) for c in compounds], "compounds_cut": cut,
            "nationality_choices": [(n.code, n.name) for n in nationalities]}


def _crossings_page(request: Request, session, *, filters: CrossingFilters | None = None,
                    page: PageParams = FIRST_PAGE, filter_form: dict | None = None,
                    filter_errors: dict | None = None, form: dict | None = None,
                    errors: dict | None = None, notice: str = ""):
    """The crossings page: the quick form (`form`, `errors`) and the filtered list; with
    `filter_errors`, the filters as typed (`filter_form`) and no filter applied."""
    actor = request.state.actor
    filter_errors = filter_errors or {}
    if filters is None or filter_errors:
        filters = CrossingFilters()
    rows, total = service.list_crossings(session, actor=actor, filters=filters, page=page)
    errors = errors or {}
    compounds, compounds_total = _all_compounds(session)
    if form is None:
        last = _last_crossing(request)
        form = {**last, "crossed_on": last["crossed_on"] or local_today()}
    query = filters.as_query()
    points = service.crossing_points(session, actor=actor)
    nationalities = list_nationalities(session)
    return render(request, "crossings/index.html", {
        "rows": rows, "total": total, "page": page,
        "filter_form": filter_form if filter_errors else query,
        "filter_errors": filter_errors, "query": query, "compounds": compounds,
        "compound_names": {c.id: c.name for c in compounds},
        "points": points, "nationalities": nationalities,
        "form": form, "errors": errors, "notice": notice,
        "error_list": error_list(errors, FORM_LABELS),
        "filter_error_list": error_list(filter_errors, FILTER_LABELS, id_prefix="q-"),
        **_filter_choices(points, compounds, compounds_total, nationalities),
        "sex_choices": list(SEX_LABELS.items()),
        "prev_url": _page_url(query, page, -1) if page.offset > 0 else None,
        "next_url": _page_url(query, page, 1) if page.offset + page.limit < total else None,
    })


def _page_url(query: dict, page: PageParams, direction: int) -> str:
    offset = max(page.offset + direction * page.limit, 0)
    return "/crossings?" + urlencode({**query, "limit": page.limit, "offset": offset})


def _crossings_filters_again(request: Request, session, form: dict, errors: dict):
    return _crossings_page(request, session, filter_form=form, filter_errors=errors)


def _crossing_form_again(request: Request, session, form: dict, errors: dict):
    return _crossings_page(request, session, form=form, errors=errors)


@pages.get("/crossings", dependencies=[READ_CROSSINGS, form_page(_crossings_filters_again)])
def crossings_page(request: Request, session: SessionDep, page: PageDep,
                   filters: CrossingFiltersDep,
                   recorded: Annotated[str | None, Query(max_length=20)] = None):
    # the crossing just recorded, named (only one the reader may see), so the official
    # knows whom they recorded before they type the next person
    name = (service.recorded_name(session, actor=request.state.actor,
                                  crossing_id=int(recorded))
            if recorded and recorded.isdigit() else None)
    notice = f"Crossing of {name} recorded." if name else ""
    return _crossings_page(request, session, filters=filters, page=page, notice=notice)


@pages.post("/crossings",
            dependencies=[require(Permission.CROSSING_CREATE), form_page(_crossing_form_again)])
def record_crossing(
    request: Request, session: SessionDep, actor: ActorDep, settings: SettingsDep,
    given_name: Annotated[str, Form(max_length=1000)] = "",
    family_name: Annotated[str, Form(max_length=1000)] = "",
    sex: Annotated[str, Form(max_length=20)] = "unknown",
    date_of_birth: Annotated[str, Form(max_length=20)] = "",
    age_estimate: Annotated[str, Form(max_length=20)] = "",
    nationality: Annotated[str, Form(max_length=200)] = "",
    document_number: Annotated[str, Form(max_length=200)] = "",
    crossed_on: Annotated[str, Form(max_length=20)] = "",
    crossed_time: Annotated[str, Form(max_length=20)] = "",
    crossing_point: Annotated[str, Form(max_length=1000)] = "",
    compound_id: Annotated[str, Form(max_length=20)] = "",
    group_reference: Annotated[str, Form(max_length=1000)] = "",
    direction: Annotated[str, Form(max_length=20)] = "entry",
):
    form = {"given_name": given_name, "family_name": family_name, "sex": sex,
            "date_of_birth": date_of_birth, "age_estimate": age_estimate,
            "nationality": nationality, "document_number": document_number,
            "crossed_on": crossed_on, "crossed_time": crossed_time,
            "crossing_point": crossing_point, "compound_id": compound_id,
            "group_reference": group_reference, "direction": direction}
    crossing_in = parse_form(CrossingForm, form).crossing_in()
    crossing = service.create_crossing(session, actor=actor, crossing_in=crossing_in,
                                       lock_timeout=settings.database_lock_timeout)
    response = redirect(f"/crossings?recorded={crossing.id}")
    # the next person of a group came the same way: point, day and compound are kept
    response.set_cookie(LAST_CROSSING_COOKIE,
                        urlencode({"point": crossing_in.crossing_point, "date": crossed_on,
                                   "compound": compound_id}),
                        max_age=12 * 3600, httponly=True, samesite="lax", path="/crossings",
                        secure=request.url.scheme == "https")
    return response


def _import_page(request: Request, **context):
    return render(request, "crossings/import.html", {
        "report": None, "errors": [], "message": "", "carry": None, **context})


def _import_again(request: Request, session, form: dict, errors: dict[str, str]):
    """The import page with what stopped the roster: every row's problems when the roster was
    read but refused, else the one message (no file, unreadable, too large)."""
    refused = request.state.form_error
    filename = form.get("filename", "")
    if isinstance(refused, importer.RosterInvalid):
        return _import_page(request, errors=refused.errors, filename=filename)
    message = errors.get("file") or next(iter(errors.values()), _("The file could not be read"))
    return _import_page(request, message=message, filename=filename)


@pages.get("/crossings/import/template.csv", dependencies=[require(Permission.CROSSING_CREATE)])
def roster_template():
    """A roster to fill in: every column Passage reads, and one example row."""
    return Response(roster_files.template_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             'attachment; filename="passage-roster-template.csv"'})


@pages.get("/crossings/import", dependencies=[require(Permission.CROSSING_CREATE)])
def import_page(request: Request,
                done: Annotated[str | None, Query(max_length=200)] = None):
    imported = None
    if done:
        counts = dict(parse_qsl(done))
        imported = {k: int(v) for k, v in counts.items() if v.isdigit()}
    return _import_page(request, imported=imported)


@pages.post("/crossings/import",
            dependencies=[require(Permission.CROSSING_CREATE), form_page(_import_again)])
def import_upload(
    request: Request, session: SessionDep, actor: ActorDep, settings: SettingsDep,
    file: Annotated[UploadFile | None, File()] = None,
    roster_data: Annotated[str, Form(max_length=1024 * 1024)] = "",
    filename: Annotated[str, Form(max_length=300)] = "",
    action: Annotated[str, Form(max_length=20)] = "check",
):
    """Check a roster (dry run) and show the report; "import" writes the checked roster,
    carried in the page (or chosen again when it is too large to carry)."""
    dry_run = action != "import"
    if file is not None and file.filename:
        content, filename = read_upload(file), file.filename
        request.state.form_page.values["filename"] = filename  # named in the error report
    elif roster_data:
        content = roster_files.unpack(roster_data)
    else:
        raise InvalidInput(_("Choose a roster file (CSV or XLSX)"), field="file")
    report = importer.import_file(session, actor=actor, content=content, dry_run=dry_run,
                                  lock_timeout=settings.database_lock_timeout)
    if dry_run:
        return _import_page(request, report=report, filename=filename,
                            carry=roster_files.pack(content))
    done = urlencode({"rows": report.rows, "people": report.people,
                      "crossings_created": report.crossings_created,
                      "crossings_skipped": report.crossings_skipped})
    return redirect("/crossings/import?" + urlencode({"done": done}))


def _nationalities_dashboard(request: Request, session, *,
                             filters: CrossingFilters | None = None, by_sex: bool = False,
                             form: dict | None = None, errors: dict | None = None):
    """The dashboard; with errors, the filters as typed (`form`) and no filter applied."""
    errors = errors or {}
    if filters is None or errors:
        filters = CrossingFilters()
    result = stats.nationality_counts(session, filters=filters, by_sex=by_sex)
    compounds, compounds_total = _all_compounds(session)
    query = {**filters.as_query(), **({"by_sex": "true"} if by_sex else {})}
    return render(request, "stats/nationalities.html", {
        "stats": result, "chart": stats.bar_chart(result.rows), "filters": filters,
        "filter_form": form if errors else query, "filter_errors": errors,
        "error_list": error_list(errors, FILTER_LABELS, id_prefix="q-"),
        "by_sex": by_sex,
        # every point on record (counts only), not just the actor's
        **_filter_choices(stats.all_crossing_points(session), compounds, compounds_total),
        "csv_url": "/stats/nationalities.csv?" + urlencode(query),
        "compound_name": next((c.name for c in compounds if c.id == filters.compound_id), ""),
    })


def _dashboard_again(request: Request, session, form: dict, errors: dict):
    return _nationalities_dashboard(request, session, by_sex=form.get("by_sex") == "true",
                                    form=form, errors=errors)


@pages.get("/stats/nationalities",
           dependencies=[require(Permission.STATS_READ), form_page(_dashboard_again)])
def nationalities_dashboard(request: Request, session: SessionDep,
                            filters: CrossingFiltersDep, by_sex: bool = False):
    return _nationalities_dashboard(request, session, filters=filters, by_sex=by_sex)


@pages.get("/stats/nationalities.csv",
           dependencies=[require(Permission.STATS_READ), form_page(_dashboard_again)])
def nationalities_csv(session: SessionDep, actor: ActorDep, filters: CrossingFiltersDep,
                      by_sex: bool = False) -> Response:
    text = stats.export_nationality_counts_csv(session, actor=actor, filters=filters,
                                               by_sex=by_sex)
    stamp = local_today().strftime("%Y%m%d")
    return Response(text.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="nationality-counts-{stamp}.csv"'})
