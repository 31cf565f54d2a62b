"""One-time set-password codes: administrators never set a usable password.

Creating a user, or resetting a user's password, gives the administrator a code (shown once,
on the page and in the API's answer) to hand to the user, who chooses their password with it
at /set-password (or POST /api/v1/auth/set-password). Until then the account has no usable
password (security.UNUSABLE_PASSWORD). Only a hash of the code is stored; a code works once,
for CODE_LIFETIME, and a newer code for the same user ends the older one. Issuing a code is
audited without the code; so is every attempt to redeem one. Wrong codes count towards the
sign-in throttle of the name and of the address (throttle.py), as wrong passwords do.

An administrator who knows the code could redeem it themselves: so a reset puts the account
back under the two-person rule (app.auth.confirmation), and the new password opens nothing of
the organisation's records until a caseworker or coordinator of it confirms the user.

Times come from app.clock (read through the module, so that a test can move the clock)."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from app import audit, clock
from app.audit.service import Actor
from app.auth import throttle
from app.auth.models import SetPasswordCode, User
from app.auth.security import (
    UNUSABLE_PASSWORD,
    hash_password,
    hash_secret,
    password_problem,
    too_long_password,
)
from app.auth.service import end_user_sessions
from app.errors import InvalidInput, field_error
from app.i18n import N_, _

CODE_LIFETIME = timedelta(hours=24)
# no 0/O, 1/I/L, U: read aloud or copied from a screen without mistakes
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 5  # 20 characters of 30: about 98 bits

NEW_USER, RESET = "new_user", "reset"

WRONG_CODE = ("The user name or the code is not right. Check both, or ask an administrator "
              "for a new code.")
USED_CODE = N_("This code has been used already. Ask an administrator for a new one.")
REPLACED_CODE = ("A newer code has been made for you since this one; use it, or ask an "
                 "administrator for a new one.")
EXPIRED_CODE = ("This code has expired: a code lasts 24 hours. Ask an administrator for a "
                "new one.")


@dataclass(frozen=True)
class IssuedCode:
    code: str  # shown once; never stored, logged or audited
    expires_at: datetime


def new_code() -> str:
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
              for _ in range(CODE_GROUPS))
    return "-".join(groups)


def normalized(code: str) -> str:
    """The code as stored (hashed): capitals, without the spaces and dashes people type."""
    return "".join(c for c in code.upper() if c.isalnum())


def code_hash(code: str) -> str:
    return hash_secret("passage-set-password\x00" + normalized(code))


def issue(session: Session, *, actor: Actor, user: User, purpose: str) -> IssuedCode:
    """A new code for the user; any earlier unused code of theirs ends. Audited (without the
    code) as user.set_password_code."""
    now = clock.utcnow()
    session.exec(update(SetPasswordCode)
                 .where(SetPasswordCode.user_id == user.id, SetPasswordCode.used_at.is_(None),
                        SetPasswordCode.revoked_at.is_(None))
                 .values(revoked_at=now))
    code = new_code()
    row = SetPasswordCode(user_id=user.id, code_hash=code_hash(code), purpose=purpose,
                          created_by_id=actor.user_id, created_at=now,
                          expires_at=now + CODE_LIFETIME)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="user.set_password_code", entity_type="user",
                 entity_id=user.id, detail={"purpose": purpose, "code_id": row.id,
                                            "expires_at": row.expires_at.isoformat()})
    return IssuedCode(code=code, expires_at=row.expires_at)


def revoke_codes(session: Session, *, user_id: int) -> None:
    """Ends every unused code of the user (their account is disabled)."""
    session.exec(update(SetPasswordCode)
                 .where(SetPasswordCode.user_id == user_id, SetPasswordCode.used_at.is_(None),
                        SetPasswordCode.revoked_at.is_(None))
                 .values(revoked_at=clock.utcnow()))


def clear_password(user: User) -> None:
    """No password opens the account until a code is redeemed."""
    user.password_hash = UNUSABLE_PASSWORD
    user.password_changed_at = clock.utcnow()


def redeem(session: Session, *, username: str, code: str, password: str,
           client: str | None) -> User:
    """The user chooses their password with their code. Every refusal is a 422 naming the
    field; the wrong user name or code is one message whichever was wrong, and counts towards
    the sign-in throttle (a locked name or address is TooManyRequests). The caller commits
    after a refusal, so that it stays audited and counted."""
    if (refusal := too_long_password(password)) is not None:
        raise refusal
    if problem := password_problem(password):
        raise field_error("password", problem)
    username = username.strip()
    name, address = throttle.name_hash(username), throttle.address_of(client)
    throttle.serialize_attempts(session, name_hash=name, address=address)
    user = session.exec(select(User).where(User.username == username)).first()
    actor = Actor.of(user, client) if user else Actor.anonymous(client)
    if (lock := throttle.active_lock(session, name_hash=name, address=address)) is not None:
        audit.record(session, actor=actor, action="auth.set_password", entity_type="user",
                     entity_id=user.id if user else None, outcome="locked")
        raise throttle.locked_error(lock)
    row = None
    if user is not None and user.is_active:
        row = session.exec(select(SetPasswordCode).where(
            SetPasswordCode.code_hash == code_hash(code),
            SetPasswordCode.user_id == user.id)).first()
    now = clock.utcnow()
    problem = None
    if row is None:
        problem, why = WRONG_CODE, "wrong"
    elif row.used_at is not None:
        problem, why = _(USED_CODE), "used"
    elif row.revoked_at is not None:
        problem, why = REPLACED_CODE, "replaced"
    elif now >= row.expires_at:
        problem, why = EXPIRED_CODE, "expired"
    if problem is not None:
        audit.record(session, actor=actor, action="auth.set_password", entity_type="user",
                     entity_id=user.id if user else None, outcome="failure",
                     detail={"reason": why})
        throttle.record_failure(session, name_hash=name, address=address, user=user,
                                actor=actor)
        raise InvalidInput([{"loc": ["body", "code"], "msg": problem, "type": "value_error"}])
    assert user is not None and row is not None
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    row.used_at = now
    session.add_all([user, row])
    session.flush()
    ended = end_user_sessions(session, user_id=user.id)
    throttle.clear_failures(session, name_hash=name, address=address)
    audit.record(session, actor=Actor.of(user, client), action="auth.set_password",
                 entity_type="user", entity_id=user.id,
                 detail={"purpose": row.purpose, "code_id": row.id, "sessions_ended": ended})
    return user
