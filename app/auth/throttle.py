"""Sign-in throttling: failures are counted per name and per address, and locks refuse
sign-in from the address that failed, never from everyone.

Why this design. A lock on a name alone lets anyone lock out anyone: five wrong passwords for
"admin" from anywhere, and the real admin cannot sign in either. So a lock here always names
the address it refuses:
- A name with `sign_in_max_failures` failures within the window, counted from every address,
  is locked *for the address whose failure reached the limit* — and for each further address
  that fails on it while the count stays at the limit. One address gets the limit's tries on
  a name; many addresses guessing one name get about one try each. The person whose name it
  is still signs in from an address that has not failed (their own computer or office).
- An address with `sign_in_address_max_failures` failures within the window, on any names, is
  locked for every name. One address cannot try a few passwords on each of many names, and
  what it locks is only itself.
A successful sign-in clears the failures of that name from that address only. Locks last
`sign_in_lock_minutes`; an administrator may lift one sooner.

Everything lives in the database, so the counts and locks hold across several server processes.
Names are kept as a keyed hash (HMAC with the app's secret): people sometimes type their
password into the name field, and that must not land in the database readable. Addresses are
kept as they are, as in the audit log; behind a proxy they are right only when the proxy is
named in PASSAGE_FORWARDED_ALLOW_IPS (README: "Running behind a TLS proxy")."""

import hashlib
import hmac
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import delete, func, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import EVERY_NAME, SignInFailure, SignInLock, User
from app.auth.permissions import Permission, can
from app.config import get_settings
from app.db import utcnow
from app.errors import Hidden, NotFound, TooManyRequests
from app.i18n import _, ngettext
from app.pagination import PageParams, paginate

UNKNOWN_ADDRESS = "unknown"


def name_hash(username: str) -> str:
    """The keyed hash a name is counted and locked under (case and spaces ignored)."""
    key = get_settings().resolved_secret_key().encode()
    name = username.strip().casefold().encode()
    return hmac.new(key, b"passage-sign-in-name\x00" + name, hashlib.sha256).hexdigest()


def address_of(client: str | None) -> str:
    return (client or UNKNOWN_ADDRESS)[:64]


def serialize_attempts(session: Session, *, name_hash: str, address: str) -> None:
    """Makes sign-in attempts from one address, and attempts on one name, wait for each other
    until the transaction ends, so that concurrent guesses cannot all pass the lock checks
    before any failure is counted. PostgreSQL: transaction-scoped advisory locks, always the
    address's first and the name's second (one order, so no deadlock). SQLite has a single
    writer and no such lock; there a burst of parallel guesses may get a few more tries."""
    if session.get_bind().dialect.name == "postgresql":
        address_key = hashlib.sha256(b"passage-sign-in-address\x00" + address.encode())
        for key in (address_key.hexdigest(), name_hash):
            # 60 bits: fits PostgreSQL's bigint
            session.exec(select(func.pg_advisory_xact_lock(int(key[:15], 16))))


def active_lock(session: Session, *, name_hash: str, address: str) -> SignInLock | None:
    """The lock that refuses this name from this address, if any: the name's own lock for the
    address, or the address's lock for every name."""
    return session.exec(
        select(SignInLock).where(SignInLock.client_address == address,
                                 SignInLock.name_hash.in_([name_hash, EVERY_NAME]),
                                 SignInLock.lifted_at.is_(None),
                                 SignInLock.locked_until > utcnow())
        .order_by(SignInLock.locked_until.desc())
    ).first()


def locked_error(lock: SignInLock) -> TooManyRequests:
    seconds = max(1, ceil((lock.locked_until - utcnow()).total_seconds()))
    minutes = ceil(seconds / 60)
    if lock.every_name:
        message = ngettext(
            "Too many failed sign-ins from this address. Try again in %(num)s minute, or ask an "
            "administrator to lift the lock.",
            "Too many failed sign-ins from this address. Try again in %(num)s minutes, or ask an "
            "administrator to lift the lock.", minutes)
    else:
        message = ngettext(
            "Too many failed sign-ins for this name from this address. Try again in %(num)s "
            "minute, or ask an administrator to lift the lock.",
            "Too many failed sign-ins for this name from this address. Try again in %(num)s "
            "minutes, or ask an administrator to lift the lock.", minutes)
    return TooManyRequests(
        message % {"num": minutes},
        headers={"Retry-After": str(seconds)},
    )


def _count(session: Session, *condition) -> int:
    return session.exec(select(func.count()).select_from(SignInFailure).where(*condition)).one()


def record_failure(session: Session, *, name_hash: str, address: str, user: User | None,
                   actor: Actor) -> list[SignInLock]:
    """Counts a failed sign-in for the name from the address; returns the locks it set."""
    settings = get_settings()
    now = utcnow()
    window_start = now - timedelta(minutes=settings.sign_in_window_minutes)
    session.add(SignInFailure(name_hash=name_hash, client_address=address, at=now))
    session.flush()
    # failures that no longer count are of no use to anyone: keep the table small
    session.exec(delete(SignInFailure).where(SignInFailure.name_hash == name_hash,
                                             SignInFailure.at <= window_start))
    session.exec(delete(SignInFailure).where(SignInFailure.client_address == address,
                                             SignInFailure.at <= window_start))
    until = now + timedelta(minutes=settings.sign_in_lock_minutes)
    locks = []
    name_failures = _count(session, SignInFailure.name_hash == name_hash,
                           SignInFailure.at > window_start)
    if name_failures >= settings.sign_in_max_failures:
        lock = _lock(session, name_hash=name_hash, address=address,
                     user_id=user.id if user else None, now=now, until=until)
        audit.record(session, actor=actor, action="auth.lock", entity_type="user",
                     entity_id=user.id if user else None,
                     detail={"lock_id": lock.id, "scope": "name", "failures": name_failures,
                             "minutes": settings.sign_in_lock_minutes})
        locks.append(lock)
    address_failures = _count(session, SignInFailure.client_address == address,
                              SignInFailure.at > window_start)
    if address_failures >= settings.sign_in_address_max_failures:
        lock = _lock(session, name_hash=EVERY_NAME, address=address, user_id=None, now=now,
                     until=until)
        audit.record(session, actor=actor, action="auth.lock", entity_type="sign_in_lock",
                     entity_id=lock.id,
                     detail={"lock_id": lock.id, "scope": "address",
                             "failures": address_failures,
                             "minutes": settings.sign_in_lock_minutes})
        locks.append(lock)
    return locks


def _lock(session: Session, *, name_hash: str, address: str, user_id: int | None,
          now: datetime, until: datetime) -> SignInLock:
    def existing():
        return session.exec(select(SignInLock).where(SignInLock.name_hash == name_hash,
                                                     SignInLock.client_address == address))

    lock = existing().first()
    if lock is None:
        try:
            # another process may be locking the same name and address at this moment: the
            # unique pair makes one of the two inserts fail, and that one updates the other's
            with session.begin_nested():
                lock = SignInLock(name_hash=name_hash, client_address=address,
                                  user_id=user_id, locked_at=now, locked_until=until)
                session.add(lock)
            return lock
        except IntegrityError:
            lock = existing().one()
    lock.user_id = user_id
    lock.locked_at = now
    lock.locked_until = until
    lock.lifted_at = None
    lock.lifted_by_id = None
    session.add(lock)
    session.flush()
    return lock


def clear_failures(session: Session, *, name_hash: str, address: str) -> None:
    """Forgets the failures of a name from an address (after a successful sign-in)."""
    session.exec(delete(SignInFailure).where(SignInFailure.name_hash == name_hash,
                                             SignInFailure.client_address == address))


def _locks_in_reach(actor: Actor):
    """Every lock for a Passage-wide administrator; for another, the locks of the users they
    manage (not those of unknown names or of whole addresses)."""
    if can(actor, Permission.USER_ADMIN_ALL):
        return true()
    return SignInLock.user_id.in_(select(User.id).where(access.visible(actor, User)))


def list_locks(session: Session, *, actor: Actor, page: PageParams,
               include_past: bool = False) -> tuple[list[tuple[SignInLock, str | None]], int]:
    """The locks the administrator reaches (_locks_in_reach), newest first, each with the
    username when the name is a real account."""
    statement = (select(SignInLock, User.username)
                 .outerjoin(User, User.id == SignInLock.user_id)
                 .where(_locks_in_reach(actor))
                 .order_by(SignInLock.locked_at.desc(), SignInLock.id.desc()))
    if not include_past:
        statement = statement.where(SignInLock.lifted_at.is_(None),
                                    SignInLock.locked_until > utcnow())
    return paginate(session, statement, page)


def lift_lock(session: Session, *, actor: Actor, lock_id: int) -> SignInLock:
    """Lifts a lock with a fresh count: the failures it was set for are forgotten."""
    lock = session.get(SignInLock, lock_id)
    if lock is None:
        raise NotFound(_("No such sign-in lock"))
    if session.exec(select(SignInLock.id).where(SignInLock.id == lock_id,
                                                _locks_in_reach(actor))).first() is None:
        raise Hidden(_("No such sign-in lock"), action="auth.lock_lift",
                     entity_type="sign_in_lock", entity_id=lock_id)
    if lock.lifted_at is None and lock.locked_until > utcnow():
        lock.lifted_at = utcnow()
        lock.lifted_by_id = actor.user_id
        session.add(lock)
        if lock.every_name:
            session.exec(delete(SignInFailure).where(
                SignInFailure.client_address == lock.client_address))
        else:
            session.exec(delete(SignInFailure).where(
                SignInFailure.name_hash == lock.name_hash))
        session.flush()
        audit.record(session, actor=actor, action="auth.lock_lift",
                     entity_type="sign_in_lock", entity_id=lock.id,
                     detail={"user_id": lock.user_id,
                             "scope": "address" if lock.every_name else "name"})
    return lock
