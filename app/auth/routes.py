from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import Session

from app.auth import service
from app.auth.models import Organization
from app.auth.permissions import ROLE_PERMISSIONS, Role
from app.auth.schemas import MeRead, Token
from app.deps import (
    SESSION_COOKIE,
    CurrentUser,
    OptionalUser,
    SessionDep,
    client_address,
    session_serializer,
)
from app.errors import NotAuthenticated
from app.web import check_csrf, redirect, render

api = APIRouter(prefix="/api/v1", tags=["auth"])
pages = APIRouter(include_in_schema=False)


@api.post("/auth/token", response_model=Token)
def issue_token(
    request: Request,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Exchange a username and password for an expiring bearer token."""
    user = _authenticate_and_keep_audit(session, request, form.username, form.password)
    secret, seconds = service.issue_token(session, user=user, client=client_address(request))
    return Token(access_token=secret, expires_in=seconds)


def _authenticate_and_keep_audit(session: Session, request: Request, username: str,
                                 password: str):
    try:
        return service.authenticate(session, username=username, password=password,
                                    client=client_address(request))
    except NotAuthenticated:
        session.commit()  # the failed attempt is audited even though the request fails
        raise


@api.get("/me", response_model=MeRead)
def me(user: CurrentUser, session: SessionDep) -> MeRead:
    org = session.get(Organization, user.organization_id)
    return MeRead(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
                  organization=org.name if org else "", organization_id=user.organization_id,
                  permissions=sorted(p.value for p in ROLE_PERMISSIONS[Role(user.role)]))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@pages.get("/login")
def login_page(request: Request, user: OptionalUser, next: str | None = None):
    if user is not None:
        return redirect(_safe_next(next))
    return render(request, "auth/login.html", {"next": _safe_next(next), "errors": []})


@pages.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=150)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
):
    await check_csrf(request)
    try:
        user = _authenticate_and_keep_audit(session, request, username.strip(), password)
    except NotAuthenticated:
        return render(request, "auth/login.html",
                      {"next": _safe_next(next), "username": username,
                       "errors": ["Incorrect username or password."]}, status_code=401)
    secret, _ = service.start_browser_session(session, user=user,
                                              client=client_address(request))
    response = redirect(_safe_next(next))
    response.set_cookie(SESSION_COOKIE, session_serializer(request).dumps(secret),
                        httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        path="/")
    return response


@pages.post("/logout")
async def logout(request: Request, session: SessionDep, user: OptionalUser):
    await check_csrf(request)
    secret = getattr(request.state, "session_secret", None)
    if user is not None and secret:
        service.end_session(session, secret=secret, kind="cookie")
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@pages.get("/")
def home(request: Request, user: OptionalUser):
    if user is None:
        return redirect("/login")
    return render(request, "home/index.html")
