from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field

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
