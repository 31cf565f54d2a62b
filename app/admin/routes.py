"""Administration API (/api/v1/admin/...) and pages (/admin/...): users, organisations and
sign-in locks. Administrators only; anyone else gets 403, and the refusal is audited. An
administrator reaches the users (and their sign-in locks) of their own organisation; a
Passage-wide administrator (command line: `passage grant-global-admin`) everyone's, and the
organisations. Passwords are never set here: a new user or a reset gets a one-time
set-password code, shown once (app.auth.set_password)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request, Response

from app.admin import service
from app.admin.schemas import (
    OrganizationCreate,
    OrganizationRead,
    SetPasswordCodeRead,
    SignInLockRead,
    UserAdminRead,
    UserCreate,
    UserCreated,
    UserUpdate,
)
from app.auth import throttle
from app.auth.confirmation import AWAITING_REASONS
from app.auth.permissions import Permission, Role
from app.auth.schemas import SessionsEnded
from app.db import MAX_DATABASE_INT
from app.deps import ActorDep, SessionDep, SettingsDep, require
from app.errors import FormInvalid
from app.forms import error_list, form_page, parse_form
from app.i18n import N_, Labels, _
from app.labels import ORGANIZATION_KIND_LABELS, ROLE_LABELS
from app.pagination import OffsetQuery, Page, PageDep, PageParams, pager
from app.web import redirect, render

api = APIRouter(prefix="/api/v1/admin", tags=["administration"])
pages = APIRouter(prefix="/admin", include_in_schema=False)

IdPath = Annotated[int, Path(ge=1, le=MAX_DATABASE_INT)]
PAGE_SIZE = 50
ALL_ORGANIZATIONS = PageParams(limit=1000, offset=0)


def _user_read(user, organization: str | None, live_sessions: int | None = None):
    return UserAdminRead.model_validate(user).model_copy(
        update={"organization": organization, "live_sessions": live_sessions})


def _lock_read(lock, username: str | None) -> SignInLockRead:
    return SignInLockRead.model_validate(lock).model_copy(update={"username": username})


# --- API -----------------------------------------------------------------------------------

@api.get("/users", response_model=Page[UserAdminRead],
         dependencies=[require(Permission.USER_ADMIN)])
def list_users(
    session: SessionDep, actor: ActorDep, page: PageDep,
    q: Annotated[str | None, Query(max_length=150, description="Part of a username or name")]
    = None,
    role: Role | None = None,
    organization_id: Annotated[int | None, Query(ge=1, le=MAX_DATABASE_INT)] = None,
    active: bool | None = None,
    awaiting_confirmation: bool | None = None,
) -> Page[UserAdminRead]:
    """The users you manage: your organisation's (everyone's for a Passage-wide
    administrator)."""
    rows, total = service.list_users(session, actor=actor, page=page, q=q, role=role,
                                     organization_id=organization_id, active=active,
                                     awaiting=awaiting_confirmation)
    return Page(items=[_user_read(u, org) for u, org in rows], total=total, limit=page.limit,
                offset=page.offset)


NO_STORE = {"Cache-Control": "no-store"}


@api.post("/users", response_model=UserCreated, status_code=201,
          dependencies=[require(Permission.USER_ADMIN)])
def create_user(session: SessionDep, actor: ActorDep, user_in: UserCreate,
                response: Response) -> UserCreated:
    """Create a user in your organisation (any, for a Passage-wide administrator). They have
    no password: the answer's one-time `set_password_code` (shown this once, valid 24 hours)
    lets them choose one at /set-password. They see nothing of the organisation's records
    until a caseworker or coordinator of it confirms them."""
    user, issued = service.create_user(session, actor=actor, user_in=user_in)
    read = _user_read(*service.get_user(session, actor=actor, user_id=user.id))
    response.headers.update(NO_STORE)
    return UserCreated(**read.model_dump(), set_password_code=issued.code,
                       set_password_code_expires_at=issued.expires_at)


@api.get("/users/{user_id}", response_model=UserAdminRead,
         dependencies=[require(Permission.USER_ADMIN)])
def get_user(session: SessionDep, actor: ActorDep, user_id: IdPath) -> UserAdminRead:
    return _user_read(*service.get_user(session, actor=actor, user_id=user_id))


@api.post("/users/{user_id}/set-password-code", response_model=SetPasswordCodeRead,
          status_code=201, dependencies=[require(Permission.USER_ADMIN)])
def reset_password(session: SessionDep, actor: ActorDep, user_id: IdPath,
                   response: Response) -> SetPasswordCodeRead:
    """Reset a user's password: it stops working at once, every session and token of theirs
    ends, and the answer carries a one-time code (shown this once, valid 24 hours) with which
    they choose a new one at /set-password. Any earlier code of theirs ends. They await
    confirmation by their organisation again."""
    issued = service.reset_password(session, actor=actor, user_id=user_id)
    response.headers.update(NO_STORE)
    return SetPasswordCodeRead(user_id=user_id, set_password_code=issued.code,
                               set_password_code_expires_at=issued.expires_at)


@api.patch("/users/{user_id}", response_model=UserAdminRead,
           dependencies=[require(Permission.USER_ADMIN)])
def update_user(session: SessionDep, actor: ActorDep, user_id: IdPath,
                user_in: UserUpdate) -> UserAdminRead:
    """Change a user's name, role or organisation, or disable / enable them. Disabling ends
    every session and token of the user at once. A new role or organisation (only your own,
    unless you are a Passage-wide administrator) opens nothing until a caseworker or
    coordinator of the organisation confirms them."""
    service.update_user(session, actor=actor, user_id=user_id, user_in=user_in)
    return _user_read(*service.get_user(session, actor=actor, user_id=user_id))


@api.delete("/users/{user_id}/sessions", response_model=SessionsEnded,
            dependencies=[require(Permission.USER_ADMIN)])
def end_user_sessions(session: SessionDep, actor: ActorDep, user_id: IdPath) -> SessionsEnded:
    """End every browser session and API token of the user."""
    return SessionsEnded(
        sessions_ended=service.end_sessions(session, actor=actor, user_id=user_id))


@api.get("/organizations", response_model=Page[OrganizationRead],
         dependencies=[require(Permission.ORGANIZATION_ADMIN)])
def list_organizations(session: SessionDep, actor: ActorDep,
                       page: PageDep) -> Page[OrganizationRead]:
    """Every organisation (Passage-wide administrators)."""
    rows, total = service.list_organizations(session, actor=actor, page=page)
    return Page(items=[OrganizationRead.model_validate(o).model_copy(update={"users": n})
                       for o, n in rows], total=total, limit=page.limit, offset=page.offset)


@api.post("/organizations", response_model=OrganizationRead, status_code=201,
          dependencies=[require(Permission.ORGANIZATION_ADMIN)])
def create_organization(session: SessionDep, actor: ActorDep,
                        organization_in: OrganizationCreate) -> OrganizationRead:
    return OrganizationRead.model_validate(
        service.create_organization(session, actor=actor, organization_in=organization_in))


@api.get("/sign-in-locks", response_model=Page[SignInLockRead],
         dependencies=[require(Permission.USER_ADMIN)])
def list_sign_in_locks(session: SessionDep, actor: ActorDep, page: PageDep,
                       include_past: bool = False) -> Page[SignInLockRead]:
    """Names refused sign-in after repeated failures (current ones, or all with
    include_past). The name itself is shown only when it is a real account. An administrator
    sees the locks of their organisation's users; a Passage-wide one every lock."""
    rows, total = throttle.list_locks(session, actor=actor, page=page,
                                      include_past=include_past)
    return Page(items=[_lock_read(lock, name) for lock, name in rows], total=total,
                limit=page.limit, offset=page.offset)


@api.delete("/sign-in-locks/{lock_id}", status_code=204, response_class=Response,
            dependencies=[require(Permission.USER_ADMIN)])
def lift_sign_in_lock(session: SessionDep, actor: ActorDep, lock_id: IdPath) -> Response:
    """Lift a lock: the name may sign in again at once, with a fresh count of failures."""
    throttle.lift_lock(session, actor=actor, lock_id=lock_id)
    return Response(status_code=204)


# --- pages ---------------------------------------------------------------------------------

USER_LABELS = Labels({"username": N_("Username"), "full_name": N_("Full name"), "role": N_("Role"),
               "organization_id": N_("Organisation"), "preferred_language": N_("Language")})


def _errors_context(errors: dict[str, str], labels: dict[str, str]) -> dict:
    return {"errors": errors, "error_list": error_list(errors, labels)}


def _users_page(request: Request, session, *, q: str | None = None, role: Role | None = None,
                organization_id: int | None = None, active: bool | None = None,
                offset: int = 0, form: dict | None = None, errors: dict | None = None):
    actor = request.state.actor
    rows, total = service.list_users(session, actor=actor,
                                     page=PageParams(limit=PAGE_SIZE, offset=offset),
                                     q=q, role=role, organization_id=organization_id,
                                     active=active)
    filters = {"q": q or "", "role": role.value if role else "",
               "organization_id": organization_id or "",
               "active": "" if active is None else str(active).lower()}
    query = urlencode({k: v for k, v in filters.items() if v != ""})
    return render(request, "admin/users.html", {
        "rows": rows, "total": total, **pager(offset, PAGE_SIZE, total),
        "filters": filters, "query": query, **_organization_choices(session, actor),
        "roles": ROLE_LABELS, "form": form, **_errors_context(errors or {}, USER_LABELS),
    })


def _organization_choices(session, actor) -> dict:
    organizations, total = service.list_organizations(session, actor=actor,
                                                      page=ALL_ORGANIZATIONS)
    return {"organization_choices": [(o.id, o.name) for o, _ in organizations],
            # a list of choices cannot page: it says when it is not the whole list
            "organizations_cut": total > len(organizations), "organizations_total": total}


@pages.get("/users", dependencies=[require(Permission.USER_ADMIN)])
def users_page(
    request: Request, session: SessionDep,
    q: Annotated[str | None, Query(max_length=150)] = None,
    role: Annotated[str | None, Query(max_length=32)] = None,
    organization_id: Annotated[str | None, Query(max_length=12)] = None,
    active: Annotated[str | None, Query(max_length=8)] = None,
    offset: OffsetQuery = 0,
):
    # a filter form sends empty strings for "any": those mean no filter
    role_value = Role(role) if role in Role._value2member_map_ else None
    org_value = int(organization_id) if organization_id and organization_id.isdigit() \
        and int(organization_id) <= MAX_DATABASE_INT else None
    active_value = {"true": True, "false": False}.get(active or "")
    return _users_page(request, session, q=q or None, role=role_value,
                       organization_id=org_value, active=active_value, offset=offset)


def _add_user_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _users_page(request, session, form=form, errors=errors)


@pages.post("/users",
            dependencies=[require(Permission.USER_ADMIN), form_page(_add_user_again)])
def add_user(
    request: Request, session: SessionDep, actor: ActorDep,
    username: Annotated[str, Form(max_length=150)] = "",
    full_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    organization_id: Annotated[str, Form(max_length=12)] = "",
    preferred_language: Annotated[str, Form(max_length=16)] = "en",
):
    errors: dict[str, str] = {}
    if not organization_id:
        errors["organization_id"] = _("Choose an organisation")
    try:
        user_in = parse_form(UserCreate, {
            "username": username, "full_name": full_name, "role": role,
            "organization_id": organization_id or 0,
            "preferred_language": preferred_language or "en"})
    except FormInvalid as exc:
        errors = {**exc.fields, **errors}
    if errors:
        raise FormInvalid(errors)
    user, issued = service.create_user(session, actor=actor, user_in=user_in)
    # the code is shown on this answer only (never in a URL): Passage keeps only its hash
    return _user_page(request, session, user_id=user.id, done="created", issued=issued)


DONE_MESSAGES = Labels({
    "created": N_("The user was created. Give them the code below in person: with it they "
               "choose their password."),
    "updated": N_("The changes were saved."),
    "disabled": N_("The user is disabled; their sessions and tokens have ended."),
    "enabled": N_("The user is enabled and may sign in again."),
    "sessions": N_("Every session and token of the user has ended."),
    "password": N_("The password is reset: it no longer works, and every session of the user "
                "has ended. Give them the code below in person: with it they choose a new one."),
})


def _user_page(request: Request, session, *, user_id: int, done: str | None = None,
               form: dict | None = None, errors: dict | None = None, issued=None):
    actor = request.state.actor
    user, organization, live = service.get_user(session, actor=actor, user_id=user_id)
    response = render(request, "admin/user.html", {
        "account": user, "organization": organization, "live_sessions": live,
        **_organization_choices(session, actor), "roles": ROLE_LABELS,
        "is_self": user.id == actor.user_id, "awaiting_reasons": AWAITING_REASONS,
        "done": DONE_MESSAGES.get(done or ""), "form": form or {}, "issued": issued,
        **_errors_context(errors or {}, USER_LABELS),
    })
    if issued is not None:
        response.headers.update(NO_STORE)
    return response


def _user_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _user_page(request, session, user_id=int(request.path_params["user_id"]),
                      form=form, errors=errors)


USER_FORM = form_page(_user_again)


def _apply_update(session, actor, user_id: int, data: dict, done: str):
    service.update_user(session, actor=actor, user_id=user_id,
                        user_in=parse_form(UserUpdate, data))
    return redirect(f"/admin/users/{user_id}?done={done}")


@pages.get("/users/{user_id}", dependencies=[require(Permission.USER_ADMIN)])
def user_page(request: Request, session: SessionDep, user_id: IdPath,
              done: Annotated[str | None, Query(max_length=16)] = None):
    return _user_page(request, session, user_id=user_id, done=done)


@pages.post("/users/{user_id}", dependencies=[require(Permission.USER_ADMIN), USER_FORM])
def change_user(
    session: SessionDep, actor: ActorDep, user_id: IdPath,
    full_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
    organization_id: Annotated[str, Form(max_length=12)] = "",
):
    data = {"full_name": full_name, "role": role or None,
            "organization_id": organization_id or None}
    return _apply_update(session, actor, user_id, data, "updated")


@pages.post("/users/{user_id}/disable", dependencies=[require(Permission.USER_ADMIN), USER_FORM])
def disable_user(session: SessionDep, actor: ActorDep, user_id: IdPath):
    return _apply_update(session, actor, user_id, {"is_active": False}, "disabled")


@pages.post("/users/{user_id}/enable", dependencies=[require(Permission.USER_ADMIN), USER_FORM])
def enable_user(session: SessionDep, actor: ActorDep, user_id: IdPath):
    return _apply_update(session, actor, user_id, {"is_active": True}, "enabled")


@pages.post("/users/{user_id}/password",
            dependencies=[require(Permission.USER_ADMIN), USER_FORM])
def reset_password_page(request: Request, session: SessionDep, actor: ActorDep,
                        user_id: IdPath):
    issued = service.reset_password(session, actor=actor, user_id=user_id)
    return _user_page(request, session, user_id=user_id, done="password", issued=issued)


@pages.post("/users/{user_id}/end-sessions", dependencies=[require(Permission.USER_ADMIN)])
def end_sessions(session: SessionDep, actor: ActorDep, user_id: IdPath):
    service.end_sessions(session, actor=actor, user_id=user_id)
    return redirect(f"/admin/users/{user_id}?done=sessions")


ORGANIZATION_LABELS = Labels({"name": N_("Name"), "kind": N_("Kind")})


def _organizations_page(request: Request, session, *, form: dict | None = None,
                        errors: dict | None = None, offset: int = 0):
    rows, total = service.list_organizations(
        session, actor=request.state.actor, page=PageParams(limit=PAGE_SIZE, offset=offset))
    return render(request, "admin/organizations.html", {
        "rows": rows, "total": total, **pager(offset, PAGE_SIZE, total),
        "kind_choices": list(ORGANIZATION_KIND_LABELS.items()),
        "kinds": ORGANIZATION_KIND_LABELS, "form": form or {},
        **_errors_context(errors or {}, ORGANIZATION_LABELS),
    })


def _add_organization_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _organizations_page(request, session, form=form, errors=errors)


@pages.get("/organizations", dependencies=[require(Permission.ORGANIZATION_ADMIN)])
def organizations_page(request: Request, session: SessionDep,
                       offset: OffsetQuery = 0):
    return _organizations_page(request, session, offset=offset)


@pages.post("/organizations", dependencies=[require(Permission.ORGANIZATION_ADMIN),
                                            form_page(_add_organization_again)])
def add_organization(
    session: SessionDep, actor: ActorDep,
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=32)] = "ngo",
):
    organization_in = parse_form(OrganizationCreate, {"name": name, "kind": kind})
    service.create_organization(session, actor=actor, organization_in=organization_in)
    return redirect("/admin/organizations")


@pages.get("/sign-in-locks", dependencies=[require(Permission.USER_ADMIN)])
def sign_in_locks_page(request: Request, session: SessionDep, actor: ActorDep,
                       settings: SettingsDep, lifted: Annotated[bool, Query()] = False,
                       offset: OffsetQuery = 0):
    rows, total = throttle.list_locks(session, actor=actor,
                                      page=PageParams(limit=PAGE_SIZE, offset=offset))
    return render(request, "admin/sign_in_locks.html", {
        "rows": rows, "total": total, "lifted": lifted, "settings": settings,
        **pager(offset, PAGE_SIZE, total)})


@pages.post("/sign-in-locks/{lock_id}/lift", dependencies=[require(Permission.USER_ADMIN)])
def lift_lock(session: SessionDep, actor: ActorDep, lock_id: IdPath):
    throttle.lift_lock(session, actor=actor, lock_id=lock_id)
    return redirect("/admin/sign-in-locks?lifted=true")
