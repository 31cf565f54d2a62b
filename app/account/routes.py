from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from itsdangerous import BadSignature
from sqlmodel import Session

from app import i18n
from app.auth import service, set_password
from app.auth.models import Organization, User
from app.auth.permissions import Permission, permissions_of
from app.auth.schemas import (
    SET_PASSWORD_CODE_MAX_LENGTH,
    LanguageChoice,
    MeRead,
    PasswordChange,
    SessionsEnded,
    SetPassword,
    Token,
)
from app.auth.security import PASSWORDS_DIFFER
from app.deps import (
    SESSION_COOKIE,
    ActorDep,
    CurrentUser,
    OptionalUser,
    SessionDep,
    client_address,
    require,
    session_serializer,
)
from app.errors import FormInvalid, InvalidInput, NotAuthenticated, TooManyRequests
from app.forms import error_list, field_errors, form_page
from app.i18n import N_, Labels, _
from app.web import check_csrf, redirect, render

api = APIRouter(prefix="/api/v1", tags=["auth"])
pages = APIRouter(include_in_schema=False)


@api.post("/auth/token", response_model=Token,
          responses={401: {"description": "Incorrect username or password"},
                     429: {"description": "Too many failed sign-ins for this name"}})
def issue_token(
    request: Request,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Exchange a username and password for an expiring bearer token. After repeated failures
    for a name, the name is refused with 429 for a while (Retry-After says how long)."""
    user = _authenticate_and_keep_audit(session, request, form.username, form.password)
    secret, seconds = service.issue_token(session, user=user, client=client_address(request))
    return Token(access_token=secret, expires_in=seconds)


def _authenticate_and_keep_audit(session: Session, request: Request, username: str,
                                 password: str):
    try:
        return service.authenticate(session, username=username, password=password,
                                    client=client_address(request))
    except (NotAuthenticated, TooManyRequests):
        # the failed attempt (its audit event and its count towards a lock) is kept even
        # though the request fails
        session.commit()
        raise


def _presented_secret(request: Request) -> str | None:
    """The secret of the token or browser session this request was made with."""
    if getattr(request.state, "auth_kind", None) == "token":
        return request.headers.get("authorization", "")[7:].strip()
    return getattr(request.state, "session_secret", None)


@api.post("/auth/revoke", status_code=204, response_class=Response)
def revoke_token(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """End the bearer token (or browser session) this request is made with, on the server."""
    service.end_session(session, secret=_presented_secret(request),
                        kind=request.state.auth_kind, actor=actor)
    return Response(status_code=204)


@api.get("/me", response_model=MeRead)
def me(user: CurrentUser, session: SessionDep) -> MeRead:
    org = session.get(Organization, user.organization_id)
    return MeRead(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
                  organization=org.name if org else "", organization_id=user.organization_id,
                  permissions=sorted(p.value for p in permissions_of(user)),
                  awaiting_confirmation=user.awaiting_confirmation,
                  global_admin=user.global_admin, preferred_language=user.preferred_language)


@api.put("/me/language", status_code=204, response_class=Response,
         responses={422: {"description": "A language Passage does not offer"}})
def set_own_language(session: SessionDep, actor: ActorDep, user: CurrentUser,
                     choice: LanguageChoice) -> Response:
    """The language of your pages and of the API's messages in words (audited)."""
    service.set_preferred_language(session, actor=actor, user=user, code=choice.language)
    return Response(status_code=204)


@api.post("/me/password", response_model=SessionsEnded,
          responses={422: {"description": "Wrong current password, or a weak new one"},
                     429: {"description": "Too many wrong passwords for this name"}})
def change_own_password(request: Request, session: SessionDep, actor: ActorDep,
                        user: Annotated[User, require(Permission.OWN_ACCOUNT)],
                        password_in: PasswordChange) -> SessionsEnded:
    """Change your own password (the current one is required). Every other session and token
    of yours ends; the one making this request stays."""
    try:
        ended = service.change_password(
            session, actor=actor, user=user, current_password=password_in.current_password,
            new_password=password_in.new_password, keep_secret=_presented_secret(request))
    except (InvalidInput, TooManyRequests):
        session.commit()  # a wrong current password counts towards the lock, and is audited
        raise
    return SessionsEnded(sessions_ended=ended)


@api.post("/auth/set-password", status_code=204, response_class=Response,
          responses={422: {"description": "Wrong user name or code, a code used already or "
                                          "expired, or a weak password"},
                     429: {"description": "Too many failures for this name or address"}})
def redeem_set_password_code(request: Request, session: SessionDep,
                             body: SetPassword) -> Response:
    """Choose your password with the one-time code an administrator gave you (a new account,
    or a reset). The code works once, for 24 hours. A wrong user name or code counts towards
    the sign-in throttle. Then sign in with the password (POST /auth/token)."""
    try:
        set_password.redeem(session, username=body.username, code=body.code,
                            password=body.password, client=client_address(request))
    except (InvalidInput, TooManyRequests):
        session.commit()  # the failure stays audited and counted
        raise
    return Response(status_code=204)


SET_PASSWORD_LABELS = Labels(
    {
        "username": N_("Username"),
        "code": N_("Code"),
        "password": N_("New password"),
        "confirm_password": N_("New password again"),
    }
)


def _set_password_page(request: Request, *, username: str = "",
                       errors: dict[str, str] | None = None, status_code: int = 200):
    errors = errors or {}
    return render(request, "auth/set_password.html", {
        "username": username, "errors": errors,
        "error_list": [{"field": k if k in SET_PASSWORD_LABELS else "",
                        "label": SET_PASSWORD_LABELS.get(k, ""), "message": v}
                       for k, v in errors.items()]}, status_code=status_code)


@pages.get("/set-password")
def set_password_page(request: Request):
    return _set_password_page(request)


@pages.post("/set-password")
async def set_password_form(
    request: Request, session: SessionDep,
    username: Annotated[str, Form(max_length=150)] = "",
    code: Annotated[str, Form(max_length=SET_PASSWORD_CODE_MAX_LENGTH)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    confirm_password: Annotated[str, Form(max_length=1024)] = "",
):
    await check_csrf(request)
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = _("Enter your user name")
    if not code.strip():
        errors["code"] = _("Enter the code the administrator gave you")
    if password != confirm_password:
        errors["confirm_password"] = _(PASSWORDS_DIFFER)
    if errors:
        return _set_password_page(request, username=username, errors=errors, status_code=422)
    try:
        set_password.redeem(session, username=username, code=code, password=password,
                            client=client_address(request))
    except InvalidInput as exc:
        # nothing is rolled back: a wrong code stays counted and audited
        return _set_password_page(request, username=username, errors=field_errors(exc),
                                  status_code=422)
    except TooManyRequests as exc:
        response = _set_password_page(request, username=username,
                                      errors={"form": str(exc.detail)}, status_code=429)
        response.headers.update(exc.headers or {})
        return response
    return redirect("/login?password_set=true")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect (browsers read "/\\evil.example"
    as "//evil.example"), nor a header split by a line break."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    return target


def _cookie_secret(request: Request) -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return session_serializer(request).loads(cookie)
    except BadSignature:
        return None


@pages.get("/login")
def login_page(request: Request, user: OptionalUser, next: str | None = None,
               password_set: bool = False):
    if user is not None:
        return redirect(_safe_next(next))
    return render(request, "auth/login.html", {"next": _safe_next(next), "errors": [],
                                               "password_set": password_set})


@pages.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=150)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
):
    await check_csrf(request)
    context = {"next": _safe_next(next), "username": username}
    try:
        user = _authenticate_and_keep_audit(session, request, username.strip(), password)
    except NotAuthenticated:
        return render(request, "auth/login.html",
                      {**context, "errors": ["Incorrect username or password."]},
                      status_code=401)
    except TooManyRequests as exc:
        response = render(request, "auth/login.html", {**context, "errors": [exc.detail]},
                          status_code=429)
        response.headers.update(exc.headers or {})
        return response
    # a session id from before sign-in is never carried over (session fixation)
    if (previous := _cookie_secret(request)) is not None:
        service.end_session(session, secret=previous, kind="cookie")
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
        service.end_session(session, secret=secret, kind="cookie", actor=request.state.actor)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@pages.get("/account/password", dependencies=[require(Permission.OWN_ACCOUNT)])
def password_page(request: Request, changed: bool = False):
    return render(request, "auth/password.html", {"errors": {}, "changed": changed})


@pages.post("/account/password")
def change_password_form(
    request: Request, session: SessionDep, actor: ActorDep,
    user: Annotated[User, require(Permission.OWN_ACCOUNT)],
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    confirm_password: Annotated[str, Form(max_length=1024)] = "",
):
    errors: dict[str, str] = {}
    status_code = 422
    if new_password != confirm_password:
        errors["confirm_password"] = _(PASSWORDS_DIFFER)
    else:
        try:
            service.change_password(session, actor=actor, user=user,
                                    current_password=current_password,
                                    new_password=new_password,
                                    keep_secret=_presented_secret(request))
        except InvalidInput as exc:
            errors = field_errors(exc)
        except TooManyRequests as exc:
            errors, status_code = {"form": str(exc.detail)}, 429
    if errors:
        # nothing is rolled back: a wrong current password stays counted and audited
        return render(request, "auth/password.html",
                      {"errors": errors, "error_list": _error_list(errors)},
                      status_code=status_code)
    return redirect("/account/password?changed=true")


PASSWORD_LABELS = Labels(
    {
        "current_password": N_("Current password"),
        "new_password": N_("New password"),
        "confirm_password": N_("New password again"),
    }
)


def _error_list(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": k if k in PASSWORD_LABELS else "", "label": PASSWORD_LABELS.get(k, ""),
             "message": v} for k, v in errors.items()]


# --- language: the switcher in the top bar, the account's language page, the list ---

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def _language_page(request: Request, form: dict, errors: dict[str, str], *,
                   changed: bool = False, status_code: int = 200):
    return render(request, "auth/language.html", {
        "form": form, "errors": errors, "changed": changed,
        "error_list": error_list(errors, {"language": _("Language")})},
        status_code=status_code)


def _language_again(request: Request, session: Session, form: dict, errors: dict[str, str]):
    return _language_page(request, form, errors)


@pages.get("/account/language")
def language_page(request: Request, user: CurrentUser, changed: bool = False):
    return _language_page(request, {}, {}, changed=changed)


@pages.post("/language", dependencies=[form_page(_language_again)])
async def choose_language(
    request: Request, session: SessionDep, user: OptionalUser,
    language: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
):
    """The switcher (and the account page): a signed-in user's preference is kept (audited
    as user.language); for anyone, a cookie carries the choice to the signed-out pages."""
    await check_csrf(request)
    if problem := service.language_problem(language):
        raise FormInvalid({"language": problem})
    if user is not None:
        service.set_preferred_language(session, actor=request.state.actor, user=user,
                                       code=language)
    response = redirect(_safe_next(next))
    response.set_cookie(i18n.LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_SECONDS,
                        httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        path="/")
    return response


@pages.get("/languages")
def languages_page(request: Request, user: OptionalUser):
    """Every language Passage knows, with how much it translates and who checked it."""
    return render(request, "auth/languages.html", {
        "rows": i18n.registry_rows(),
        "review_words": {code: _(words) for code, words in i18n.REVIEW_WORDS.items()}})
