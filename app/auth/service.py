"""Users, organisations, sign-in, browser sessions and bearer tokens."""

from datetime import timedelta

from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth.models import AuthSession, Organization, User
from app.auth.permissions import Role
from app.auth.security import (
    hash_password,
    hash_secret,
    new_secret,
    password_problem,
    verify_password,
)
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, InvalidInput, NotAuthenticated, field_error

SESSION_TOUCH_INTERVAL = timedelta(minutes=1)


def get_or_create_organization(session: Session, *, name: str, kind: str = "ngo") -> Organization:
    name = name.strip()
    if not name:
        raise field_error("organization", "Organisation name is required")
    org = session.exec(select(Organization).where(Organization.name == name)).first()
    if org is None:
        org = Organization(name=name, kind=kind)
        session.add(org)
        session.flush()
    return org


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    password: str,
    role: Role | str,
    organization: Organization,
    full_name: str = "",
) -> User:
    username = username.strip()
    errors = []
    if not username or len(username) > 150:
        errors.append({"loc": ["body", "username"], "msg": "Username must be 1 to 150 characters",
                       "type": "value_error"})
    try:
        role = Role(role)
    except ValueError:
        errors.append({"loc": ["body", "role"],
                       "msg": "Role must be one of " + ", ".join(r.value for r in Role),
                       "type": "value_error"})
    if problem := password_problem(password):
        errors.append({"loc": ["body", "password"], "msg": problem, "type": "value_error"})
    if errors:
        raise InvalidInput(errors)
    if session.exec(select(User).where(User.username == username)).first():
        raise Conflict("A user with this username already exists")
    user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                 role=role.value, organization_id=organization.id)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.create", entity_type="user",
                 entity_id=user.id, detail={"role": role.value})
    return user


def authenticate(session: Session, *, username: str, password: str, client: str | None) -> User:
    """The user for these credentials; the same NotAuthenticated for an unknown user and a
    wrong password. Both outcomes are audited."""
    user = session.exec(select(User).where(User.username == username)).first()
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        # the attempted name is kept only when it is a real account: a mistyped password
        # pasted into the name field must not end up in the audit log
        actor = Actor.of(user, client) if user else Actor.anonymous(client)
        audit.record(session, actor=actor, action="auth.sign_in", entity_type="user",
                     entity_id=user.id if user else None, outcome="failure")
        raise NotAuthenticated("Incorrect username or password")
    audit.record(session, actor=Actor.of(user, client), action="auth.sign_in",
                 entity_type="user", entity_id=user.id)
    return user


def _start(session: Session, *, user: User, kind: str, lifetime: timedelta,
           client: str | None) -> tuple[str, AuthSession]:
    secret = new_secret()
    now = utcnow()
    row = AuthSession(kind=kind, secret_hash=hash_secret(secret), user_id=user.id,
                      last_seen_at=now, expires_at=now + lifetime, client_address=client)
    session.add(row)
    session.flush()
    return secret, row


def issue_token(session: Session, *, user: User, client: str | None) -> tuple[str, int]:
    minutes = get_settings().token_minutes
    secret, _ = _start(session, user=user, kind="token", lifetime=timedelta(minutes=minutes),
                       client=client)
    return secret, minutes * 60


def start_browser_session(session: Session, *, user: User,
                          client: str | None) -> tuple[str, AuthSession]:
    hours = get_settings().session_absolute_hours
    return _start(session, user=user, kind="cookie", lifetime=timedelta(hours=hours),
                  client=client)


def resolve(session: Session, *, secret: str, kind: str) -> tuple[User, AuthSession] | None:
    """The user behind a token or session secret, if it is live. Browser sessions also end
    after the idle timeout."""
    row = session.exec(
        select(AuthSession).where(AuthSession.secret_hash == hash_secret(secret),
                                  AuthSession.kind == kind)
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if now >= row.expires_at:
        return None
    if kind == "cookie":
        idle = timedelta(minutes=get_settings().session_idle_minutes)
        if now - row.last_seen_at >= idle:
            return None
        if now - row.last_seen_at >= SESSION_TOUCH_INTERVAL:
            row.last_seen_at = now
            session.add(row)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user, row


def end_session(session: Session, *, secret: str, kind: str) -> None:
    row = session.exec(
        select(AuthSession).where(AuthSession.secret_hash == hash_secret(secret))
    ).first()
    if row is not None and row.kind == kind and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
