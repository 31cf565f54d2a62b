"""Sign-in throttling: after N failures for a name within the window, the name is locked.

Everything lives in the database, so the count and the lock hold across several server
processes. Names are kept as a keyed hash (HMAC with the app's secret): people sometimes type
their password into the name field, and that must not land in the database readable."""

import hashlib
import hmac
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth.models import SignInFailure, SignInLock, User
from app.config import get_settings
from app.db import utcnow
from app.errors import NotFound, TooManyRequests
from app.pagination import PageParams, paginate


def name_hash(username: str) -> str:
    """The keyed hash a name is counted and locked under (case and spaces ignored)."""
    key = get_settings().resolved_secret_key().encode()
    name = username.strip().casefold().encode()
    return hmac.new(key, b"passage-sign-in-name\x00" + name, hashlib.sha256).hexdigest()


def serialize_attempts(session: Session, *, name_hash: str) -> None:
    """Makes sign-in attempts for one name wait for each other until the transaction ends, so
    that concurrent guesses cannot all pass the lock check before any failure is counted.
    PostgreSQL: a transaction-scoped advisory lock keyed by the name. SQLite has a single
    writer and no such lock; there a burst of parallel guesses may get a few more tries."""
    if session.get_bind().dialect.name == "postgresql":
        key = int(name_hash[:15], 16)  # 60 bits: fits PostgreSQL's bigint
        session.exec(select(func.pg_advisory_xact_lock(key)))


def active_lock(session: Session, *, name_hash: str) -> SignInLock | None:
    return session.exec(
        select(SignInLock).where(SignInLock.name_hash == name_hash,
                                 SignInLock.lifted_at.is_(None),
                                 SignInLock.locked_until > utcnow())
    ).first()


def locked_error(lock: SignInLock) -> TooManyRequests:
    seconds = max(1, ceil((lock.locked_until - utcnow()).total_seconds()))
    minutes = ceil(seconds / 60)
    return TooManyRequests(
        f"Too many failed sign-ins for this name. Try again in {minutes} "
        f"minute{'' if minutes == 1 else 's'}, or ask an administrator to lift the lock.",
        headers={"Retry-After": str(seconds)})


def record_failure(session: Session, *, name_hash: str, user: User | None,
                   actor: Actor) -> SignInLock | None:
    """Counts a failed sign-in for the name; locks the name when it reaches the limit."""
    settings = get_settings()
    now = utcnow()
    window_start = now - timedelta(minutes=settings.sign_in_window_minutes)
    session.add(SignInFailure(name_hash=name_hash, at=now))
    session.flush()
    # failures that no longer count are of no use to anyone: keep the table small
    session.exec(delete(SignInFailure).where(SignInFailure.name_hash == name_hash,
                                             SignInFailure.at <= window_start))
    failures = session.exec(
        select(func.count()).select_from(SignInFailure).where(
            SignInFailure.name_hash == name_hash, SignInFailure.at > window_start)
    ).one()
    if failures < settings.sign_in_max_failures:
        return None
    lock = _lock(session, name_hash=name_hash, user_id=user.id if user else None, now=now,
                 until=now + timedelta(minutes=settings.sign_in_lock_minutes))
    clear_failures(session, name_hash=name_hash)
    audit.record(session, actor=actor, action="auth.lock", entity_type="user",
                 entity_id=user.id if user else None,
                 detail={"lock_id": lock.id, "failures": failures,
                         "minutes": settings.sign_in_lock_minutes})
    return lock


def _lock(session: Session, *, name_hash: str, user_id: int | None, now: datetime,
          until: datetime) -> SignInLock:
    lock = session.exec(select(SignInLock).where(SignInLock.name_hash == name_hash)).first()
    if lock is None:
        try:
            # another process may be locking the same name at this moment: the unique name
            # makes one of the two inserts fail, and that one updates the other's row
            with session.begin_nested():
                lock = SignInLock(name_hash=name_hash, user_id=user_id, locked_at=now,
                                  locked_until=until)
                session.add(lock)
            return lock
        except IntegrityError:
            lock = session.exec(
                select(SignInLock).where(SignInLock.name_hash == name_hash)).one()
    lock.user_id = user_id
    lock.locked_at = now
    lock.locked_until = until
    lock.lifted_at = None
    lock.lifted_by_id = None
    session.add(lock)
    session.flush()
    return lock


def clear_failures(session: Session, *, name_hash: str) -> None:
    session.exec(delete(SignInFailure).where(SignInFailure.name_hash == name_hash))


def list_locks(session: Session, *, page: PageParams,
               include_past: bool = False) -> tuple[list[tuple[SignInLock, str | None]], int]:
    """Locks, newest first, each with the username when the name is a real account."""
    statement = (select(SignInLock, User.username)
                 .outerjoin(User, User.id == SignInLock.user_id)
                 .order_by(SignInLock.locked_at.desc(), SignInLock.id.desc()))
    if not include_past:
        statement = statement.where(SignInLock.lifted_at.is_(None),
                                    SignInLock.locked_until > utcnow())
    return paginate(session, statement, page)


def lift_lock(session: Session, *, actor: Actor, lock_id: int) -> SignInLock:
    lock = session.get(SignInLock, lock_id)
    if lock is None:
        raise NotFound("No such sign-in lock")
    if lock.lifted_at is None and lock.locked_until > utcnow():
        lock.lifted_at = utcnow()
        lock.lifted_by_id = actor.user_id
        session.add(lock)
        clear_failures(session, name_hash=lock.name_hash)
        session.flush()
        audit.record(session, actor=actor, action="auth.lock_lift",
                     entity_type="sign_in_lock", entity_id=lock.id,
                     detail={"user_id": lock.user_id})
    return lock
