from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.auth.permissions import Role
from app.auth.security import MAX_PASSWORD_LENGTH, password_problem
from app.db import MAX_DATABASE_INT

USERNAME_PATTERN = r"^[\w.@+-]+$"


class OrganizationKind(StrEnum):
    NGO = "ngo"
    BORDER_POST = "border_post"
    COORDINATION = "coordination"
    OTHER = "other"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class UserCreate(BaseModel):
    # no str_strip_whitespace: a password is kept exactly as typed
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150, pattern=USERNAME_PATTERN,
                          description="Letters, digits and . _ @ + - only")
    password: str = Field(max_length=MAX_PASSWORD_LENGTH,
                          description="At least 12 characters")
    role: Role
    organization_id: int = Field(ge=1, le=MAX_DATABASE_INT)
    full_name: str = Field(default="", max_length=200)

    _strip_names = field_validator("username", "full_name", mode="before")(_strip)

    @field_validator("password")
    @classmethod
    def _strong_enough(cls, value: str) -> str:
        if problem := password_problem(value):
            raise ValueError(problem)
        return value


class UserUpdate(BaseModel):
    """Only the fields that are given change. A new password ends every session of the user;
    so does disabling them."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    organization_id: int | None = Field(default=None, ge=1, le=MAX_DATABASE_INT)
    is_active: bool | None = None
    password: str | None = Field(default=None, max_length=MAX_PASSWORD_LENGTH)

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
    live_sessions: int | None = None


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
