from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.audit import queries
from app.audit.schemas import OUTCOMES, AuditEventRead, AuditFilter
from app.auth.permissions import Permission
from app.deps import ActorDep, SessionDep, StreamingSessionDep, require
from app.pagination import Page, PageDep, PageParams
from app.web import render

api = APIRouter(prefix="/api/v1", tags=["audit"])
pages = APIRouter(include_in_schema=False)

AuditFilterDep = Annotated[AuditFilter, Query()]
PAGE_SIZE = 50


def _read(event, organization: str | None) -> AuditEventRead:
    return AuditEventRead.model_validate(event).model_copy(update={"organization": organization})


@api.get("/audit", response_model=Page[AuditEventRead],
         dependencies=[require(Permission.AUDIT_READ)])
def list_audit_events(session: SessionDep, filters: AuditFilterDep,
                      page: PageDep) -> Page[AuditEventRead]:
    """The audit log, newest first (administrators). Events hold who did what to which record,
    when and from where; never the personal values themselves."""
    rows, total = queries.list_events(session, filters=filters, page=page)
    return Page(items=[_read(e, org) for e, org in rows], total=total, limit=page.limit,
                offset=page.offset)


@pages.get("/admin/audit", dependencies=[require(Permission.AUDIT_READ)])
def audit_page(request: Request, session: SessionDep, filters: AuditFilterDep,
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    page = PageParams(limit=PAGE_SIZE, offset=offset)
    rows, total = queries.list_events(session, filters=filters, page=page)
    # the form is re-filled with what was typed, not with the parsed values
    form = {k: v for k, v in request.query_params.items() if k != "offset"}
    query = urlencode(form)
    return render(request, "admin/audit.html", {
        "rows": rows, "total": total, "offset": offset, "limit": PAGE_SIZE, "form": form,
        "outcomes": OUTCOMES, "query": query,
        "previous_offset": max(0, offset - PAGE_SIZE) if offset > 0 else None,
        "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < total else None,
    })


@pages.get("/admin/audit.csv", dependencies=[require(Permission.AUDIT_READ)])
def audit_csv(session: StreamingSessionDep, actor: ActorDep, filters: AuditFilterDep):
    rows = queries.export_csv(session, actor=actor, filters=filters)
    name = f"passage-audit-{datetime.now(UTC):%Y%m%d-%H%M}.csv"
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
