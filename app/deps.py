"""Request dependencies: the unit of work, the signed-in user, permissions, CSRF."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio.to_thread
from anyio import CancelScope, CapacityLimiter
from fastapi import Depends, Path, Request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from app import i18n
from app.audit.service import Actor
from app.auth import access
from app.auth import service as auth_service
from app.auth.models import User
from app.auth.permissions import Permission, can
from app.config import Settings
from app.errors import NotAuthenticated, PermissionDenied
from app.i18n import _
from app.web import check_csrf

SESSION_COOKIE = "passage_session"


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: commit once at the end, or roll back.

    Made on the event loop (a Session opens nothing until its first statement, which runs in
    a worker thread with the route), and ended in a worker thread of its own, shielded from
    cancellation and outside the thread pool's limit, as FastAPI ends a sync dependency (a
    request holding a connection must not wait for a thread: app/db.py, "Pool and threads").
    As a sync generator it also took a thread, and a handoff, to be made. Cheap dependencies
    are `async def` for the same reason: FastAPI runs a sync one in the thread pool, and each
    handoff to a worker thread and back cost more than the dependency's work (py-spy: the
    pool's handoffs were 16% of the CPU of a case read over 7 of them)."""
    session = request.app.state.session_factory()
    try:
        yield session
    except BaseException:
        with CancelScope(shield=True):
            await anyio.to_thread.run_sync(_end, session, False, limiter=CapacityLimiter(1))
        raise
    with CancelScope(shield=True):
        await anyio.to_thread.run_sync(_end, session, True, limiter=CapacityLimiter(1))


def _end(session: Session, commit: bool) -> None:
    with session:  # closed at the end, its connection back to the pool
        if not commit:
            session.rollback()
            return
        try:
            session.commit()
        except Exception:
            session.rollback()
            raise


# scope="function": the commit runs when the route returns, before the response is sent, so
# that the page a form redirects to (or any next request) sees the change. FastAPI's default
# ("request") would commit only after the response has gone out.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

# For streamed exports only: the unit of work stays open while the body is produced (the
# export's audit event, with its row count, is written and committed at its end).
StreamingSessionDep = Annotated[Session, Depends(get_session, scope="request")]


def app_settings(request: Request) -> Settings:
    """The settings the app was made with (tests give their own): routes take SettingsDep and
    pass what a service needs to it, rather than services reading settings themselves."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


def session_serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.secret_key, salt="passage-session")


def _resolve_user(request: Request, session: Session) -> User | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = auth_service.resolve(session, secret=header[7:].strip(), kind="token")
        if found is None:
            raise NotAuthenticated(_("The token is invalid or has expired"))
        user, _row, org_name = found
        request.state.auth_kind = "token"
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            secret = session_serializer(request).loads(cookie)
        except BadSignature:
            return None
        found = auth_service.resolve(session, secret=secret, kind="cookie")
        if found is None:
            return None
        user, _row, org_name = found
        request.state.auth_kind = "cookie"
        request.state.session_secret = secret
    request.state.actor = Actor.of(user, client_address(request))
    i18n.choose(user.preferred_language)  # the rest of the request in the user's language
    request.state.org_name = org_name
    return user


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    """The signed-in user, resolved in the request's own unit of work (SessionDep is cached
    per request: the route and its dependencies get this same session). So a request reads
    the user, does its work and writes its audit event in one transaction, and commits once,
    with the session's last_seen_at when it is due (at most once a SESSION_TOUCH_INTERVAL)."""
    user = _resolve_user(request, session)
    if user is not None:
        # detached at once: a refusal rolls the unit of work back, which would expire a row
        # still in it, and the refusal's audit (app.main) and the form shown again
        # (app.forms) read the user after that
        session.expunge(user)
    return user


def get_export_user(request: Request) -> User | None:
    """The signed-in user of an export, resolved in a short unit of work of its own, committed
    before the route runs: the export's streaming unit of work (StreamingSessionDep) must
    hold no transaction while its body is sent (on SQLite, a write lock that would stop every
    other writer), and writes only the export's audit event at its end."""
    with request.app.state.session_factory() as session:
        user = _resolve_user(request, session)
        session.commit()  # keeps the session's last_seen_at
    return user


def _user_dependencies(optional_user_dependency: Any):
    """CurrentUser, ActorDep and require() on top of a way of resolving the user."""
    optional_user = Annotated[User | None, Depends(optional_user_dependency)]

    async def get_current_user(request: Request, user: optional_user) -> User:
        if user is None:
            raise NotAuthenticated()
        if (request.state.auth_kind == "cookie"
                and request.method not in ("GET", "HEAD", "OPTIONS")):
            # a browser session may change things only from our own forms or scripts
            await check_csrf(request)
        return user

    current_user = Annotated[User, Depends(get_current_user)]

    async def get_actor(request: Request, user: current_user) -> Actor:
        return request.state.actor

    def require(*permissions: Permission):
        """A dependency that lets the request through when the user holds any of the
        permissions."""

        async def dependency(user: current_user) -> User:
            if not any(can(user, p) for p in permissions):
                raise PermissionDenied()
            return user

        return Depends(dependency)

    return optional_user, current_user, Annotated[Actor, Depends(get_actor)], require


OptionalUser, CurrentUser, ActorDep, require = _user_dependencies(get_optional_user)
_optional, _current, ExportActorDep, require_for_export = _user_dependencies(get_export_user)


def visible_in_path(model: type, path_parameter: str, *, action: str) -> Any:
    """A dependency: the row of `model` whose id is the path parameter, when the actor may
    see it (app.auth.access.get_visible); else 404, audited as a refused `action` when the row
    exists. Each domain names its own (CurrentCase, CurrentPerson, CurrentReferral)."""

    def dependency(session: SessionDep, actor: ActorDep,
                   row_id: Annotated[int, Path(alias=path_parameter)]):
        return access.get_visible(session, actor, model, row_id, action=action)

    return Depends(dependency)
