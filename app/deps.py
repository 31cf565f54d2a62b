"""Request dependencies: the unit of work, the signed-in user, permissions, CSRF."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from app import audit
from app.audit.service import Actor
from app.auth import service as auth_service
from app.auth.models import Organization, User
from app.auth.permissions import Permission, can
from app.errors import Hidden, NotAuthenticated, PermissionDenied
from app.web import check_csrf

SESSION_COOKIE = "passage_session"


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit once at the end, or roll back. A refused access
    is audited after the rollback, so the refusal is kept even though nothing else is."""
    with request.app.state.session_factory() as session:
        try:
            yield session
            session.commit()
        except (PermissionDenied, Hidden) as exc:
            session.rollback()
            _audit_refusal(session, request, exc)
            session.commit()
            raise
        except Exception:
            session.rollback()
            raise


def _audit_refusal(session: Session, request: Request, exc: PermissionDenied | Hidden) -> None:
    actor = getattr(request.state, "actor", None) or Actor.anonymous(client_address(request))
    route = request.scope.get("route")
    action = exc.action or f"{request.method} {getattr(route, 'path', request.url.path)}"
    entity_id = exc.entity_id
    if entity_id is None:
        params = request.path_params
        entity_id = next(iter(params.values()), None) if params else None
    audit.record(session, actor=actor, action=action, entity_type=exc.entity_type or None,
                 entity_id=entity_id, outcome="denied",
                 detail={"status": exc.status_code, "method": request.method})


SessionDep = Annotated[Session, Depends(get_session)]


def session_serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.secret_key, salt="passage-session")


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = auth_service.resolve(session, secret=header[7:].strip(), kind="token")
        if found is None:
            raise NotAuthenticated("The token is invalid or has expired")
        user, row = found
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
        user, row = found
        request.state.auth_kind = "cookie"
        request.state.session_secret = secret
    request.state.actor = Actor.of(user, client_address(request))
    org = session.get(Organization, user.organization_id)
    request.state.org_name = org.name if org else ""
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


async def get_current_user(request: Request, user: OptionalUser) -> User:
    if user is None:
        raise NotAuthenticated()
    if request.state.auth_kind == "cookie" and request.method not in ("GET", "HEAD", "OPTIONS"):
        # a browser session may change things only from our own forms or scripts
        await check_csrf(request)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_actor(request: Request, user: CurrentUser) -> Actor:
    return request.state.actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def require(*permissions: Permission):
    """A dependency that lets the request through when the user holds any of the permissions."""

    def dependency(user: CurrentUser) -> User:
        if not any(can(user, p) for p in permissions):
            raise PermissionDenied()
        return user

    return Depends(dependency)
