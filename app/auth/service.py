"""Users, organisations, sign-in, browser sessions and bearer tokens."""

import re
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, func, select

from app import audit, i18n
from app.audit.service import Actor
from app.auth import throttle
from app.auth.models import AuthSession, Organization, User
from app.auth.permissions import Role
from app.auth.security import (
    UNUSABLE_PASSWORD,
    hash_password,
    hash_secret,
    new_secret,
    password_problem,
    too_long_password,
    verify_password,
)
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, InvalidInput, NotAuthenticated, field_error
from app.i18n import _

SESSION_TOUCH_INTERVAL = timedelta(minutes=1)


# Latin letters only: a letter of another script that looks the same (Cyrillic "а" in
# "cаseworker") would let one account pass for a colleague's in lists and confirmations
USERNAME = re.compile(r"[A-Za-z0-9_.@+-]+")

def get_or_create_organization(session: Session, *, name: str, kind: str = "ngo") -> Organization:
    name = name.strip()
    if not name:
        raise field_error("organization", _("Organisation name is required"))
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
    password: str | None,
    role: Role | str,
    organization: Organization,
    full_name: str = "",
    preferred_language: str = i18n.SOURCE_LOCALE,
) -> User:
    """A new user. With a password (the command line, the demo), ready to sign in; with None
    (an administrator: app.admin.service), an account no password opens until its set-password
    code is redeemed (app.auth.set_password)."""
    username = username.strip()
    errors = []
    if not username or len(username) > 150:
        errors.append(
            {
                "loc": ["body", "username"],
                "msg": _("Username must be 1 to 150 characters"),
                "type": "value_error",
            }
        )
    elif not USERNAME.fullmatch(username):
        errors.append({"loc": ["body", "username"], "type": "value_error",
                       "msg": _("Use only Latin letters, digits and . _ @ + - in a username")})
    try:
        role = Role(role)
    except ValueError:
        errors.append({"loc": ["body", "role"],
                       "msg": _("Role must be one of ") + ", ".join(r.value for r in Role),
                       "type": "value_error"})
    if password is not None and (problem := password_problem(password)):
        errors.append({"loc": ["body", "password"], "msg": problem, "type": "value_error"})
    if problem := language_problem(preferred_language):
        errors.append({"loc": ["body", "preferred_language"], "msg": problem,
                       "type": "value_error"})
    if errors:
        raise InvalidInput(errors)
    # a name that differs from another only in case would pass for that colleague
    if session.exec(select(User.id).where(
            func.lower(User.username) == username.lower())).first() is not None:
        raise Conflict(_("A user with this username already exists"))
    password_hash = UNUSABLE_PASSWORD if password is None else hash_password(password)
    user = User(username=username, full_name=full_name, password_hash=password_hash,
                role=role.value, organization_id=organization.id,
                preferred_language=preferred_language)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="user.create", entity_type="user",
                 entity_id=user.id, detail={"role": role.value})
    return user


def authenticate(session: Session, *, username: str, password: str, client: str | None) -> User:
    """The user for these credentials; the same NotAuthenticated for an unknown user and a
    wrong password, after the same work. Both outcomes are audited. A name or an address with
    too many recent failures from this address gets TooManyRequests, whatever the password
    (see throttle.py)."""
    if (refusal := too_long_password(password)) is not None:
        raise refusal
    name, address = throttle.name_hash(username), throttle.address_of(client)
    throttle.serialize_attempts(session, name_hash=name, address=address)
    user = session.exec(select(User).where(User.username == username)).first()
    # the attempted name is kept only when it is a real account: a mistyped password
    # pasted into the name field must not end up in the audit log
    failed_actor = Actor.of(user, client) if user else Actor.anonymous(client)
    if (lock := throttle.active_lock(session, name_hash=name, address=address)) is not None:
        audit.record(session, actor=failed_actor, action="auth.sign_in", entity_type="user",
                     entity_id=user.id if user else None, outcome="locked")
        raise throttle.locked_error(lock)
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        audit.record(session, actor=failed_actor, action="auth.sign_in", entity_type="user",
                     entity_id=user.id if user else None, outcome="failure")
        throttle.record_failure(session, name_hash=name, address=address, user=user,
                                actor=failed_actor)
        raise NotAuthenticated(_("Incorrect username or password"))
    throttle.clear_failures(session, name_hash=name, address=address)
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
    secret, _row = _start(session, user=user, kind="token", lifetime=timedelta(minutes=minutes),
                       client=client)
    return secret, minutes * 60


def start_browser_session(session: Session, *, user: User,
                          client: str | None) -> tuple[str, AuthSession]:
    hours = get_settings().session_absolute_hours
    return _start(session, user=user, kind="cookie", lifetime=timedelta(hours=hours),
                  client=client)


def resolve(session: Session, *,
            secret: str, kind: str) -> tuple[User, AuthSession, str] | None:
    """The user behind a token or session secret, if it is live, with the session's row and
    the name of the user's organisation: one indexed lookup (secret_hash is unique) joined to
    the user and the organisation. Browser sessions also end after the idle timeout; their
    last_seen_at is written at most once a SESSION_TOUCH_INTERVAL."""
    found = session.exec(
        select(AuthSession, User, Organization.name)
        .join(User, User.id == AuthSession.user_id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(AuthSession.secret_hash == hash_secret(secret), AuthSession.kind == kind)
    ).first()
    if found is None:
        return None
    row, user, organization_name = found
    if row.revoked_at is not None or not user.is_active:
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
    return user, row, organization_name or ""


def end_session(session: Session, *, secret: str, kind: str,
                actor: Actor | None = None) -> None:
    """Ends one browser session (sign-out) or one bearer token (revocation) on the server."""
    row = session.exec(
        select(AuthSession).where(AuthSession.secret_hash == hash_secret(secret))
    ).first()
    if row is not None and row.kind == kind and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        if actor is not None:
            audit.record(session, actor=actor,
                         action="auth.sign_out" if kind == "cookie" else "auth.token_revoke",
                         entity_type="user", entity_id=row.user_id)


def end_user_sessions(session: Session, *, user_id: int, keep_secret: str | None = None) -> int:
    """Ends every live session and token of a user (but the one in use, when given); returns
    how many were ended."""
    statement = update(AuthSession).where(AuthSession.user_id == user_id,
                                          AuthSession.revoked_at.is_(None),
                                          AuthSession.expires_at > utcnow())
    if keep_secret is not None:
        statement = statement.where(AuthSession.secret_hash != hash_secret(keep_secret))
    result = session.exec(statement.values(revoked_at=utcnow()))
    return result.rowcount or 0


def live_session_count(session: Session, *, user_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(AuthSession).where(
            AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow())
    ).one()


def change_password(session: Session, *, actor: Actor, user: User, current_password: str,
                    new_password: str, keep_secret: str | None) -> int:
    """A user changes their own password. The current one is required, and wrong guesses
    count towards the sign-in lock of the name, so a borrowed session cannot be used to try
    passwords. Every other session and token of the user ends; returns how many."""
    name = throttle.name_hash(user.username)
    address = throttle.address_of(actor.client_address)
    throttle.serialize_attempts(session, name_hash=name, address=address)
    if (lock := throttle.active_lock(session, name_hash=name, address=address)) is not None:
        raise throttle.locked_error(lock)
    if not verify_password(current_password, user.password_hash):
        audit.record(session, actor=actor, action="auth.password_change", entity_type="user",
                     entity_id=user.id, outcome="failure")
        throttle.record_failure(session, name_hash=name, address=address, user=user,
                                actor=actor)
        raise field_error("current_password", _("The current password is not correct"))
    if problem := password_problem(new_password):
        raise field_error("new_password", problem)
    if verify_password(new_password, user.password_hash):
        raise field_error("new_password", _("The new password must differ from the current one"))
    set_password(session, user=user, password=new_password)
    ended = end_user_sessions(session, user_id=user.id, keep_secret=keep_secret)
    throttle.clear_failures(session, name_hash=name, address=address)
    audit.record(session, actor=actor, action="auth.password_change", entity_type="user",
                 entity_id=user.id, detail={"sessions_ended": ended})
    return ended


def set_password(session: Session, *, user: User, password: str) -> None:
    if problem := password_problem(password):
        raise field_error("password", problem)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    session.add(user)
    session.flush()


def display_names(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    """The name shown for each user: their full name, else their username."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.username, User.full_name).where(User.id.in_(ids)))
    return {uid: full_name or username for uid, username, full_name in rows}


def language_problem(code: str | None) -> str | None:
    """Why `code` cannot be a preferred language (None when it can): only the languages
    Passage offers (app.i18n)."""
    if code is None or not i18n.is_available(code):
        return _("Choose one of the languages offered: %(languages)s") % {
            "languages": ", ".join(f"{locale.native_name} ({locale.code})"
                                   for locale in i18n.available())}
    return None


def set_preferred_language(session: Session, *, actor: Actor, user: User, code: str) -> None:
    """The language of the pages for `user` (themselves, from the account page or the
    switcher); audited as user.language with the old and new codes."""
    if problem := language_problem(code):
        raise field_error("language", problem)
    user = session.get(User, user.id) or user
    if user.preferred_language == code:
        return
    audit.record(session, actor=actor, action="user.language", entity_type="user",
                 entity_id=user.id, detail={"from": user.preferred_language, "to": code})
    user.preferred_language = code
    session.add(user)
    session.flush()
