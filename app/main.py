"""create_app(): routers, middleware, error handlers."""

import logging
import time
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

import app.models  # noqa: F401  (every table and its access rule, before the first query)
from app import api_docs, audit
from app.account import confirmations
from app.account import routes as account
from app.admin import audit_routes
from app.admin import routes as admin
from app.audit.service import Actor
from app.cases import routes as cases
from app.compounds import routes as compounds
from app.config import Settings, get_settings
from app.crossings import routes as crossings
from app.db import MAX_DATABASE_INT, SessionFactory, Timeouts, engine_for, session_factory_for
from app.detention import routes as detention
from app.errors import AppError, AuditedRefusal, InvalidInput, NotAuthenticated, NotFound
from app.forms import messages_with_fields, show_again, validation_errors
from app.health import UNAVAILABLE_ERRORS, DatabaseProbe, unavailable_reason
from app.i18n import LocaleMiddleware, _
from app.integrity import routes as integrity
from app.limits import BodySizeLimit, DatabaseAdmission
from app.nationalities import routes as nationalities
from app.pages import case_queue, work_queue
from app.pages import people_routes as people_page_routes
from app.pages import routes as composed_pages
from app.people import pages as people_pages
from app.people import routes as people
from app.referrals import routes as referrals
from app.repatriation import pages as repatriation_pages
from app.repatriation import routes as repatriation
from app.reports import letter_routes
from app.reports import routes as reports
from app.web import STATIC_DIR, render

log = logging.getLogger("passage")
access_log = logging.getLogger("passage.access")

# input a form can be corrected from (invalid, a conflict, too large): shown again with it
FORM_STATUSES = frozenset({409, 413, 422})

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _clean_validation_errors(errors) -> list[dict]:
    # FastAPI echoes the submitted value ("input"); it may be a name or a narrative, so the
    # answer names the field and the problem only.
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in errors]


def audit_refusal(request: Request, exc: AuditedRefusal) -> None:
    actor = getattr(request.state, "actor", None) or Actor.anonymous(
        request.client.host if request.client else None)
    route = request.scope.get("route")
    action = exc.action or f"{request.method} {getattr(route, 'path', request.url.path)}"
    entity_id = exc.entity_id
    if entity_id is None and request.path_params:
        entity_id = next(iter(request.path_params.values()))
    with request.app.state.session_factory() as session:
        audit.record(session, actor=actor, action=action, entity_type=exc.entity_type or None,
                     entity_id=entity_id, outcome="denied",
                     detail={"status": exc.status_code, "method": request.method})
        session.commit()


class SecurityHeaders:
    """Security headers on every response, and the access log line. Pure ASGI middleware: an
    export whose body fails half way must reach the server as an error so that the connection
    is cut (Starlette's BaseHTTPMiddleware would end such a body cleanly, and a truncated file
    would look whole)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = scope["path"]

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                # The access log names the route's template, never the concrete path or query
                # string: those can carry names (a search) or record ids.
                access_log.info("%s %s %s %.0fms", scope["method"],
                                getattr(scope.get("route"), "path", "(unmatched)"),
                                message["status"], (time.perf_counter() - started) * 1000)
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security",
                                       "max-age=63072000; includeSubDomains")
                if not path.startswith("/static"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings | None = None,
               session_factory: SessionFactory | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # a worker thread for each request at work, as many as pooled connections
        # (app/db.py, "Pool and threads"; app.limits.DatabaseAdmission)
        anyio.to_thread.current_default_thread_limiter().total_tokens = (
            settings.database_pool_size)
        yield

    app = FastAPI(title="Passage", version="0.1.0",
                  description="Case management for people leaving online-scam compounds.",
                  docs_url=None, redoc_url=None,  # served by app/api_docs.py, without a CDN
                  lifespan=lifespan)
    app.state.settings = settings
    app.state.secret_key = settings.resolved_secret_key()
    app.state.session_factory = session_factory or session_factory_for(
        engine_for(settings.database_url, Timeouts.of(settings)))
    app.state.database_probe = DatabaseProbe(app.state.session_factory,
                                             settings.health_timeout)

    # added first, so that it runs inside the others: its 503 gets the headers too
    app.add_middleware(DatabaseAdmission, limit=settings.database_pool_size,
                       wait_seconds=settings.database_pool_timeout,
                       refuse=lambda request: app.state.database_unavailable(request),
                       exempt=("/healthz", "/static"))
    # added before the headers middleware so that it runs inside it: a 413 gets the headers too
    app.add_middleware(BodySizeLimit, max_request_bytes=settings.max_request_bytes,
                       max_upload_bytes=settings.max_upload_bytes,
                       upload_paths=settings.upload_paths)

    app.add_middleware(SecurityHeaders)
    # outermost: every page, error and refusal below it is written in the request's language
    app.add_middleware(LocaleMiddleware)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError):
        response = await _app_error_response(request, exc)
        if isinstance(exc, AuditedRefusal):
            # The route's unit of work has been rolled back by now; the refusal is kept in a
            # unit of work of its own, written after the answer is sent: a hidden record's
            # 404 must take no longer than a missing one's.
            response.background = BackgroundTask(audit_refusal, request, exc)
        return response

    async def _app_error_response(request: Request, exc: AppError):
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=exc.headers)
        if exc.status_code in FORM_STATUSES:
            # a form shown again is 422 whatever stopped it (a conflict with what is stored,
            # too): the person corrects the form; only "too large" keeps its own status
            shown = await _show_form_again(request, exc, 413 if exc.status_code == 413 else 422)
            if shown is not None:
                return shown
        if isinstance(exc, NotAuthenticated):
            from urllib.parse import quote

            return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)
        message = exc.detail if isinstance(exc.detail, str) else _("The request was not valid.")
        return render(request, "errors/error.html",
                      {"status": exc.status_code, "message": message},
                      status_code=exc.status_code)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(request: Request, exc: Exception):
        # A number beyond what the database column holds (an id of 2**63, say): such a record
        # cannot exist, or the value cannot be stored. Bad input, never a server error.
        ids = [name for name, value in request.path_params.items()
               if str(value).lstrip("-").isdigit() and not 0 < int(value) <= MAX_DATABASE_INT]
        if ids:
            return await app_error(request, NotFound())
        return await app_error(request, InvalidInput(
            [{"loc": ["request"], "msg": _("A number in the request is out of range"),
              "type": "out_of_range"}]))

    async def _show_form_again(request: Request, exc: Exception, status_code: int):
        try:
            return await run_in_threadpool(show_again, request, exc, status_code=status_code)
        except AppError as shown_error:
            # the form's page itself is not there for this caller (a case that is not
            # theirs, say): that is the answer
            return await app_error(request, shown_error)
        except UNAVAILABLE_ERRORS as unavailable:
            return database_unavailable(request, unavailable)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        detail = _clean_validation_errors(exc.errors())
        if wants_json(request):
            return JSONResponse({"detail": detail}, status_code=422)
        shown = await _show_form_again(request, exc, 422)
        if shown is not None:
            return shown
        return render(request, "errors/error.html",
                      {"status": 422, "message": _("Some of what was sent cannot be used:"),
                       "errors": messages_with_fields(validation_errors(exc.errors()))},
                      status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return render(request, "errors/error.html",
                      {"status": exc.status_code, "message": exc.detail},
                      status_code=exc.status_code)

    def database_unavailable(request: Request, exc: Exception | None = None):
        # 503, never 500: nothing is wrong with the request, and it may be sent again
        if exc is not None:
            route = request.scope.get("route")
            log.warning("database unavailable (%s) on %s %s", unavailable_reason(exc),
                        request.method, getattr(route, "path", "(unmatched)"))
        headers = {"Retry-After": str(settings.retry_after_seconds)}
        if wants_json(request):
            return JSONResponse(
                {"detail": _("The database is not answering just now; try again shortly")},
                status_code=503, headers=headers)
        response = render(request, "errors/unavailable.html",
                          {"retry_after": settings.retry_after_seconds}, status_code=503)
        response.headers.update(headers)
        return response

    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, database_unavailable)
    app.state.database_unavailable = database_unavailable  # for DatabaseAdmission

    @app.get("/healthz", tags=["health"],
             responses={503: {"description": "The database did not answer in time"}})
    async def healthz(request: Request):
        """200 when the database answers; 503 when it does not, within
        PASSAGE_HEALTH_TIMEOUT seconds whatever the database does."""
        if await app.state.database_probe.answers():
            return {"status": "ok", "database": "ok"}
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503,
                            headers={"Retry-After": str(settings.retry_after_seconds)})

    for router in routers():
        app.include_router(router)

    app.mount(api_docs.ASSETS_PATH, api_docs.assets(), name="api-docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def routers() -> list:
    """Every router of the app; each domain's API router and its pages. The pages composed
    of several domains come after the domains' own (their paths are the more general)."""
    return [
        api_docs.router,
        account.api, confirmations.api, nationalities.api, compounds.api,
        account.pages, confirmations.pages, compounds.pages,
        cases.catalogue, cases.api, cases.pages, people_pages.pages,
        audit_routes.api, admin.api, audit_routes.pages, admin.pages,
        people.api, crossings.api, crossings.pages,
        referrals.api, referrals.pages, reports.api, reports.pages,
        letter_routes.referral_letters, composed_pages.pages, people_page_routes.pages,
        work_queue.pages, case_queue.pages, detention.api,
        letter_routes.non_punishment_letters, letter_routes.questionnaires, integrity.api,
        integrity.pages,
        repatriation.api, letter_routes.manifests, repatriation_pages.pages,
    ]
