"""Administration: users and organisations. Every change is audited; no personal data of the
people Passage serves is ever touched here.

An administrator manages the users of their own organisation; one given the Passage-wide flag
at the command line (`passage grant-global-admin`) manages everyone's, and the organisations.
Which users an administrator reaches is the User rule of the access layer
(app.auth.users_access): another organisation's user is 404, and the attempt audited.

Administrators never set a usable password: a new user, or a reset, gets a one-time
set-password code (app.auth.set_password). A user created, moved to another organisation,
given another role or reset awaits the confirmation of a caseworker or coordinator of their
organisation before they see anything of it (app.auth.confirmation)."""

from sqlalchemy import func
from sqlmodel import Session, select

from app import audit
from app.admin.schemas import OrganizationCreate, UserCreate, UserUpdate
from app.audit.service import Actor
from app.auth import access, confirmation, set_password
from app.auth import service as auth_service
from app.auth.models import Organization, User
from app.auth.permissions import Permission, Role, can
from app.errors import Conflict, PermissionDenied, field_error
from app.i18n import _
from app.pagination import PageParams, paginate

OWN_ORGANIZATION_ONLY = ("You manage the users of your own organisation only; a Passage-wide "
                         "administrator manages the others")


def list_users(session: Session, *, actor: Actor, page: PageParams, q: str | None = None,
               role: Role | None = None, organization_id: int | None = None,
               active: bool | None = None,
               awaiting: bool | None = None) -> tuple[list[tuple[User, str]], int]:
    statement = (select(User, Organization.name)
                 .join(Organization, Organization.id == User.organization_id)
                 .where(access.visible(actor, User))
                 .order_by(User.username))
    if q:
        pattern = q.strip().lower()
        statement = statement.where(
            func.lower(User.username).contains(pattern, autoescape=True)
            | func.lower(User.full_name).contains(pattern, autoescape=True))
    if role is not None:
        statement = statement.where(User.role == role.value)
    if organization_id is not None:
        statement = statement.where(User.organization_id == organization_id)
    if active is not None:
        statement = statement.where(User.is_active == active)
    if awaiting is not None:
        statement = statement.where(User.awaiting_confirmation == awaiting)
    return paginate(session, statement, page)


def managed_user(session: Session, *, actor: Actor, user_id: int, action: str) -> User:
    """The user, if the administrator manages them; else 404 (audited when they exist)."""
    return access.get_visible(session, actor, User, user_id, action=action)


def get_user(session: Session, *, actor: Actor, user_id: int) -> tuple[User, str, int]:
    """The user, their organisation's name and how many live sessions and tokens they have."""
    user = managed_user(session, actor=actor, user_id=user_id, action="user.read")
    organization = session.get(Organization, user.organization_id)
    return (user, organization.name if organization else "",
            auth_service.live_session_count(session, user_id=user.id))


def _organization(session: Session, actor: Actor, organization_id: int, *,
                  action: str) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise field_error("organization_id", _("No such organisation"))
    if not can(actor, Permission.USER_ADMIN_ALL) and organization.id != actor.organization_id:
        raise PermissionDenied(OWN_ORGANIZATION_ONLY, action=action,
                               entity_type="organization", entity_id=organization.id)
    return organization


def create_user(session: Session, *, actor: Actor,
                user_in: UserCreate) -> tuple[User, set_password.IssuedCode]:
    """A new user with no usable password and their set-password code (shown once); they
    await confirmation by their organisation."""
    organization = _organization(session, actor, user_in.organization_id, action="user.create")
    user = auth_service.create_user(
        session, actor=actor, username=user_in.username, password=None, role=user_in.role,
        organization=organization, full_name=user_in.full_name,
        preferred_language=user_in.preferred_language)
    confirmation.require_confirmation(user, reason=confirmation.CREATED)
    session.add(user)
    session.flush()
    issued = set_password.issue(session, actor=actor, user=user, purpose=set_password.NEW_USER)
    return user, issued


def reset_password(session: Session, *, actor: Actor, user_id: int) -> set_password.IssuedCode:
    """The user's password stops working at once (every session and token ends) and they get
    a new set-password code; they await confirmation again, since the administrator saw it."""
    user = managed_user(session, actor=actor, user_id=user_id, action="user.password_reset")
    if user.id == actor.user_id:
        raise Conflict(_("Change your own password on your account page; it needs the "
                       "current one"))
    if not user.is_active:
        raise Conflict(_("The user is disabled: enable them first"))
    set_password.clear_password(user)
    confirmation.require_confirmation(user, reason=confirmation.PASSWORD_RESET)
    session.add(user)
    session.flush()
    ended = auth_service.end_user_sessions(session, user_id=user.id)
    audit.record(session, actor=actor, action="user.password_reset", entity_type="user",
                 entity_id=user.id, detail={"sessions_ended": ended,
                                            "awaiting_confirmation": True})
    return set_password.issue(session, actor=actor, user=user, purpose=set_password.RESET)


def update_user(session: Session, *, actor: Actor, user_id: int, user_in: UserUpdate) -> User:
    user = managed_user(session, actor=actor, user_id=user_id, action="user.update")
    changes = user_in.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    if user.id == actor.user_id:
        # an administrator cannot lock themselves out, nor give themselves another role or
        # organisation
        if changes.get("is_active") is False:
            raise Conflict(_("You cannot disable your own account"))
        if "role" in changes and changes["role"] != user.role:
            raise Conflict(_("You cannot change your own role"))
        if ("organization_id" in changes
                and changes["organization_id"] != user.organization_id):
            raise Conflict(_("You cannot move yourself to another organisation"))
    if "organization_id" in changes and changes["organization_id"] != user.organization_id:
        _organization(session, actor, changes["organization_id"], action="user.update")
    if "is_active" in changes and changes["is_active"] != user.is_active:
        user.is_active = changes.pop("is_active")
        ended = 0
        if not user.is_active:
            ended = auth_service.end_user_sessions(session, user_id=user.id)
            set_password.revoke_codes(session, user_id=user.id)
        audit.record(session, actor=actor,
                     action="user.enable" if user.is_active else "user.disable",
                     entity_type="user", entity_id=user.id, detail={"sessions_ended": ended})
    changes.pop("is_active", None)
    changed = sorted(k for k, v in changes.items() if getattr(user, k) != v)
    for name in changed:
        setattr(user, name, changes[name])
    detail: dict = {"fields": changed}
    if "role" in changed and user.global_admin:
        # the Passage-wide flag goes with the administrator's role: given back the role, they
        # get it back only at the command line
        user.global_admin = False
        detail["global_admin_revoked"] = True
    if "organization_id" in changed or "role" in changed:
        # the two-person rule: a new organisation, or a new role in it, opens nothing until
        # a caseworker or coordinator of the organisation confirms the user
        confirmation.require_confirmation(
            user, reason=confirmation.MOVED if "organization_id" in changed
            else confirmation.ROLE)
        detail["awaiting_confirmation"] = True
    session.add(user)
    session.flush()
    if changed:
        if "role" in changed:
            detail["role"] = user.role
        if "organization_id" in changed:
            detail["organization_id"] = user.organization_id
        audit.record(session, actor=actor, action="user.update", entity_type="user",
                     entity_id=user.id, detail=detail)
    return user


def end_sessions(session: Session, *, actor: Actor, user_id: int) -> int:
    """Ends every browser session and API token of a user at once."""
    managed_user(session, actor=actor, user_id=user_id, action="user.sessions_end")
    ended = auth_service.end_user_sessions(session, user_id=user_id)
    audit.record(session, actor=actor, action="user.sessions_end", entity_type="user",
                 entity_id=user_id, detail={"sessions_ended": ended})
    return ended


def list_organizations(session: Session, *, actor: Actor,
                       page: PageParams) -> tuple[list[tuple[Organization, int]], int]:
    """Organisations by name, each with its number of users: every one for a Passage-wide
    administrator, their own for any other."""
    users = (select(User.organization_id, func.count(User.id).label("users"))
             .group_by(User.organization_id).subquery())
    statement = (select(Organization, func.coalesce(users.c.users, 0))
                 .outerjoin(users, users.c.organization_id == Organization.id)
                 .order_by(Organization.name))
    if not can(actor, Permission.USER_ADMIN_ALL):
        statement = statement.where(Organization.id == actor.organization_id)
    return paginate(session, statement, page)


def create_organization(session: Session, *, actor: Actor,
                        organization_in: OrganizationCreate) -> Organization:
    name = organization_in.name
    if session.exec(select(Organization).where(
            func.lower(Organization.name) == name.lower())).first():
        raise Conflict(_("An organisation with this name already exists"))
    organization = Organization(name=name, kind=organization_in.kind.value)
    session.add(organization)
    session.flush()
    audit.record(session, actor=actor, action="organization.create",
                 entity_type="organization", entity_id=organization.id,
                 detail={"kind": organization.kind})
    return organization
