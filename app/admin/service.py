"""Administration: users and organisations. Every change is audited; no personal data of the
people Passage serves is ever touched here."""

from sqlalchemy import func
from sqlmodel import Session, select

from app import audit
from app.admin.schemas import OrganizationCreate, UserCreate, UserUpdate
from app.audit.service import Actor
from app.auth import service as auth_service
from app.auth.models import Organization, User
from app.auth.permissions import Role
from app.errors import Conflict, NotFound, field_error
from app.pagination import PageParams, paginate


def list_users(session: Session, *, page: PageParams, q: str | None = None,
               role: Role | None = None, organization_id: int | None = None,
               active: bool | None = None) -> tuple[list[tuple[User, str]], int]:
    statement = (select(User, Organization.name)
                 .join(Organization, Organization.id == User.organization_id)
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
    return paginate(session, statement, page)


def get_user(session: Session, *, user_id: int) -> tuple[User, str, int]:
    """The user, their organisation's name and how many live sessions and tokens they have."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    organization = session.get(Organization, user.organization_id)
    return (user, organization.name if organization else "",
            auth_service.live_session_count(session, user_id=user.id))


def _organization(session: Session, organization_id: int) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise field_error("organization_id", "No such organisation")
    return organization


def create_user(session: Session, *, actor: Actor, user_in: UserCreate) -> User:
    return auth_service.create_user(
        session, actor=actor, username=user_in.username, password=user_in.password,
        role=user_in.role, organization=_organization(session, user_in.organization_id),
        full_name=user_in.full_name)


def update_user(session: Session, *, actor: Actor, user_id: int, user_in: UserUpdate) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    changes = user_in.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    if user.id == actor.user_id:
        # an administrator cannot lock themselves out, and a borrowed session cannot take
        # over the account: their own password is changed with the current one
        if changes.get("is_active") is False:
            raise Conflict("You cannot disable your own account")
        if "role" in changes and changes["role"] != user.role:
            raise Conflict("You cannot change your own role")
        if "password" in changes:
            raise Conflict("Change your own password on your account page; it needs the "
                           "current one")
    if "organization_id" in changes:
        _organization(session, changes["organization_id"])
    if "password" in changes:
        auth_service.set_password(session, user=user, password=changes.pop("password"))
        ended = auth_service.end_user_sessions(session, user_id=user.id)
        audit.record(session, actor=actor, action="user.password_reset", entity_type="user",
                     entity_id=user.id, detail={"sessions_ended": ended})
    if "is_active" in changes and changes["is_active"] != user.is_active:
        user.is_active = changes.pop("is_active")
        ended = 0 if user.is_active else auth_service.end_user_sessions(session,
                                                                       user_id=user.id)
        audit.record(session, actor=actor,
                     action="user.enable" if user.is_active else "user.disable",
                     entity_type="user", entity_id=user.id, detail={"sessions_ended": ended})
    changes.pop("is_active", None)
    changed = sorted(k for k, v in changes.items() if getattr(user, k) != v)
    for name in changed:
        setattr(user, name, changes[name])
    session.add(user)
    session.flush()
    if changed:
        detail: dict = {"fields": changed}
        if "role" in changed:
            detail["role"] = user.role
        if "organization_id" in changed:
            detail["organization_id"] = user.organization_id
        audit.record(session, actor=actor, action="user.update", entity_type="user",
                     entity_id=user.id, detail=detail)
    return user


def end_sessions(session: Session, *, actor: Actor, user_id: int) -> int:
    """Ends every browser session and API token of a user at once."""
    if session.get(User, user_id) is None:
        raise NotFound("No such user")
    ended = auth_service.end_user_sessions(session, user_id=user_id)
    audit.record(session, actor=actor, action="user.sessions_end", entity_type="user",
                 entity_id=user_id, detail={"sessions_ended": ended})
    return ended


def list_organizations(session: Session, *,
                       page: PageParams) -> tuple[list[tuple[Organization, int]], int]:
    """Organisations by name, each with its number of users."""
    users = (select(User.organization_id, func.count(User.id).label("users"))
             .group_by(User.organization_id).subquery())
    statement = (select(Organization, func.coalesce(users.c.users, 0))
                 .outerjoin(users, users.c.organization_id == Organization.id)
                 .order_by(Organization.name))
    return paginate(session, statement, page)


def create_organization(session: Session, *, actor: Actor,
                        organization_in: OrganizationCreate) -> Organization:
    name = organization_in.name
    if session.exec(select(Organization).where(
            func.lower(Organization.name) == name.lower())).first():
        raise Conflict("An organisation with this name already exists")
    organization = Organization(name=name, kind=organization_in.kind.value)
    session.add(organization)
    session.flush()
    audit.record(session, actor=actor, action="organization.create",
                 entity_type="organization", entity_id=organization.id,
                 detail={"kind": organization.kind})
    return organization
