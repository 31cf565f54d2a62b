from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.auth.permissions import Role
from app.db import MAX_DATABASE_INT

USERNAME_PATTERN = r"^[A-Za-z0-9_.@+-]+$"  # Latin letters: see app.auth.service.USERNAME


class OrganizationKind(StrEnum):
    NGO = "ngo"
    BORDER_POST = "border_post"
    COORDINATION = "coordination"
    OTHER = "other"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class UserCreate(BaseModel):
    """A new user. No password: the answer carries a one-time set-password code for them."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150, pattern=USERNAME_PATTERN,
                          description="Letters, digits and . _ @ + - only")
    role: Role
    organization_id: int = Field(ge=1, le=MAX_DATABASE_INT,
                                 description="Your own organisation, unless you are a "
                                             "Passage-wide administrator")
    full_name: str = Field(default="", max_length=200)
    preferred_language: str = Field(
        default="en", max_length=16,
        description="The language of their pages: a locale Passage offers (en, th, my, "
                    "zh_Hans, hi, fil, vi, id; GET /languages lists those offered)")

    _strip_names = field_validator("username", "full_name", mode="before")(_strip)


class UserUpdate(BaseModel):
    """Only the fields that are given change. Disabling a user ends every session of theirs.
    A new organisation or role opens nothing until a caseworker or coordinator of the
    organisation confirms them. Passwords are not set here: POST .../set-password-code."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    organization_id: int | None = Field(default=None, ge=1, le=MAX_DATABASE_INT)
    is_active: bool | None = None

    _strip_names = field_validator("full_name", mode="before")(_strip)


class UserAdminRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    role: str
    organization_id: int
    organization: str | None = None
    is_active: bool
    created_at: datetime
    password_changed_at: datetime
    password_set: bool = Field(description="False until the user redeems their set-password "
                                           "code")
    global_admin: bool
    preferred_language: str = Field(default="en", description="The language of their pages")
    awaiting_confirmation: bool = Field(
        description="Sees nothing of the organisation's records until a caseworker or "
                    "coordinator of it confirms them")
    awaiting_reason: str | None
    confirmed_by_id: int | None
    confirmed_at: datetime | None
    live_sessions: int | None = None


class SetPasswordCodeRead(BaseModel):
    """A one-time code with which the user chooses their password at /set-password. Shown
    this once: Passage keeps only its hash. Give it to the user in person."""

    user_id: int
    set_password_code: str
    set_password_code_expires_at: datetime


class UserCreated(UserAdminRead):
    set_password_code: str = Field(description="Shown this once: give it to the user in "
                                               "person; they choose their password with it at "
                                               "/set-password within 24 hours")
    set_password_code_expires_at: datetime


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: OrganizationKind = OrganizationKind.NGO


class OrganizationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    created_at: datetime
    users: int = 0


class SignInLockRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int | None
    username: str | None = Field(default=None,
                                 description="Only when the locked name is a real account")
    client_address: str = Field(description="The address the lock refuses")
    every_name: bool = Field(description="The address is refused for every name (too many "
                                         "failures on several names), not for one name")
    locked_at: datetime
    locked_until: datetime
    lifted_at: datetime | None
    lifted_by_id: int | None
