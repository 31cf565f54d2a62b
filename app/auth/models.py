from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.auth.security import UNUSABLE_PASSWORD
from app.db import Timestamped, utcnow


class Organization(Timestamped, table=True):
    __tablename__ = "organizations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(default="ngo", sa_type=String(32))  # ngo, border_post, coordination, other


class User(Timestamped, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=150, unique=True)
    full_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    role: str = Field(sa_type=String(32), index=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True)
    is_active: bool = Field(default=True)
    password_changed_at: datetime = Field(default_factory=utcnow)
    # Passage-wide administration (every organisation's users, the organisations): given only
    # at the command line (`passage grant-global-admin`), never through the app
    global_admin: bool = Field(default=False)
    # The two-person rule (app/auth/confirmation.py): a user an administrator created, moved
    # to another organisation, gave another role or a set-password code sees nothing of
    # the organisation's records until a caseworker or coordinator of it confirms them
    awaiting_confirmation: bool = Field(default=False)
    # why: "created", "moved", "role" or "password_reset" (AWAITING_REASONS)
    awaiting_reason: str | None = Field(default=None, sa_type=String(16))
    confirmed_by_id: int | None = Field(default=None, foreign_key="users.id")
    confirmed_at: datetime | None = None
    # the locale of the pages for this user (app.i18n's registry: "en", "th", ...)
    preferred_language: str = Field(default="en", sa_type=String(16),
                                    sa_column_kwargs={"server_default": "en"})

    @property
    def password_set(self) -> bool:
        """False until the user redeems their set-password code (app.auth.set_password)."""
        return self.password_hash != UNUSABLE_PASSWORD


class SetPasswordCode(SQLModel, table=True):
    """A one-time code with which a user chooses their password (app/auth/set_password.py):
    an administrator gets one when creating a user or resetting a password, and never sets a
    password. Only a hash of the code is kept; it works once, until expires_at."""

    __tablename__ = "set_password_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(sa_type=String(16))  # "new_user" or "reset"
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    # a newer code for the same user, or a disabled account, ends an unused one
    revoked_at: datetime | None = None


class AuthSession(Timestamped, table=True):
    """A signed-in browser session or an API bearer token. Only a hash of the secret is kept,
    so a copy of the database does not let anyone sign in."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(16))  # "cookie" or "token"
    secret_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    client_address: str | None = Field(default=None, max_length=64)


class SignInFailure(SQLModel, table=True):
    """One failed sign-in for a name from an address, kept only while it counts towards a
    lock (app/auth/throttle.py). The name is a keyed hash, never the text: a password typed
    into the name field must not be stored."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_name_hash_at", "name_hash", "at"),
                      Index("ix_sign_in_failures_client_address_at", "client_address", "at"))

    id: int | None = Field(default=None, primary_key=True)
    name_hash: str = Field(max_length=64)
    client_address: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)


EVERY_NAME = "*"  # SignInLock.name_hash of a lock on an address for every name


class SignInLock(Timestamped, table=True):
    """Sign-in refused from one address until locked_until (or until an administrator lifts
    it): for one name, or for every name (name_hash EVERY_NAME). One row per name and address,
    reused by later locks; the audit log keeps the history."""

    __tablename__ = "sign_in_locks"
    __table_args__ = (UniqueConstraint("name_hash", "client_address",
                                       name="uq_sign_in_locks_name_hash_client_address"),)

    id: int | None = Field(default=None, primary_key=True)
    name_hash: str = Field(max_length=64)
    client_address: str = Field(max_length=64, index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    locked_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime = Field(index=True)
    lifted_at: datetime | None = None
    lifted_by_id: int | None = Field(default=None, foreign_key="users.id")

    @property
    def every_name(self) -> bool:
        return self.name_hash == EVERY_NAME
