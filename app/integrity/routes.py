"""Integrity analytics and re-screening: API routes and the integrity page."""

import csv
import io
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.permissions import Permission
from app.cells import neutralise
from app.deps import ActorDep, SessionDep, SettingsDep, require
from app.i18n import _
from app.integrity import rescreen, stats
from app.integrity.rescreen import RescreenReport
from app.integrity.stats import IntegrityReport
from app.web import render

api = APIRouter(prefix="/api/v1", tags=["screening integrity"])
pages = APIRouter(include_in_schema=False)

READ_INTEGRITY = require(Permission.INTEGRITY_READ)


class IntegrityFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def _csv(report: IntegrityReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(stats.CSV_HEADER)
    writer.writerows([neutralise(cell) for cell in row] for row in stats.csv_rows(report))
    return out.getvalue().encode("utf-8")


@api.get("/stats/integrity", response_model=IntegrityReport, dependencies=[READ_INTEGRITY],
         responses={200: {"content": {"application/json": {}, "text/csv": {}}}})
def integrity(session: SessionDep, actor: ActorDep, settings: SettingsDep,
              fmt: Annotated[IntegrityFormat, Query(alias="format")] = IntegrityFormat.JSON):
    """Suggestion against determination (each case's latest), as a matrix, overall and by
    organisation, caseworker, nationality, interview language and interpreter use; the
    override rate (willing_worker against indicators of trafficking found) with Fisher's exact
    test of each organisation and nationality against the rest, flagged at p < 0.01; strong
    indicators left "don't know" per interviewer; median days from crossing to interview and
    from interview to determination. Coordinators: every organisation, exact. Caseworkers:
    their organisation's cases, small cells suppressed."""
    report = stats.integrity_report(session, actor=actor,
                                    threshold=settings.suppression_threshold)
    if fmt is IntegrityFormat.CSV:
        return Response(_csv(report), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="screening-integrity.csv"'})
    return report


RulesVersion = Annotated[int, Query(ge=1, le=1000, description="The rules version to screen "
                                                                "every stored interview with")]


@api.get("/screening/rescreen", response_model=RescreenReport,
         dependencies=[require(Permission.SCREENING_RESCREEN_PREVIEW)])
def rescreen_preview(session: SessionDep, actor: ActorDep,
                     rules_version: RulesVersion) -> RescreenReport:
    """The dry run: for every stored interview in view, what this rules version would suggest
    against the suggestion in force; counts of the moves, overall and by nationality, and the
    cases whose current suggestion would move. Nothing is stored. Coordinators: every
    organisation, counts only. Caseworkers: their organisation's interviews, with the
    references of their cases that would move."""
    return rescreen.preview(session, actor=actor, rules_version=rules_version)


@api.post("/screening/rescreen", response_model=RescreenReport,
          dependencies=[require(Permission.SCREENING_RESCREEN)])
def rescreen_apply(session: SessionDep, actor: ActorDep,
                   rules_version: RulesVersion) -> RescreenReport:
    """Add this rules version's suggestion for every stored interview that has none of it (or
    of a newer version) yet: new screenings beside the old ones, never an update. Answers with
    the same counts as the dry run. Every case whose current suggestion moved is asked to
    review its determination."""
    return rescreen.apply(session, actor=actor, rules_version=rules_version)


# --- the page -----------------------------------------------------------------------------

BAR_WIDTH = 360


def _bars(rows, rate: str) -> list[dict]:
    return [{"label": row.label, "rate": getattr(row, rate), "flagged": row.flagged,
             "width": round((getattr(row, rate) or 0) * BAR_WIDTH, 1)}
            for row in rows if getattr(row, rate) is not None]


@pages.get("/stats/integrity", dependencies=[READ_INTEGRITY])
def integrity_page(request: Request, session: SessionDep, actor: ActorDep,
                   settings: SettingsDep):
    report = stats.integrity_report(session, actor=actor,
                                    threshold=settings.suppression_threshold)
    by = {b.by: b for b in report.breakdowns}
    return render(request, "integrity/index.html", {
        "report": report, "bar_width": BAR_WIDTH,
        "charts": [
            (_("Agreement with the suggestion, by organisation"),
             _bars(by["organization"].rows, "agreement_rate")),
            (_("Overrides to willing worker against indicators, by organisation"),
             _bars(by["organization"].rows, "override_rate")),
            (_("Overrides to willing worker against indicators, by nationality"),
             _bars(by["nationality"].rows, "override_rate")),
        ],
        "suggestions": stats.SUGGESTIONS, "outcomes": stats.OUTCOMES,
    })
