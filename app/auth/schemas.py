from pydantic import BaseModel, ConfigDict, Field

from app.auth.security import MAX_PASSWORD_LENGTH


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int


class MeRead(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    organization: str
    organization_id: int
    permissions: list[str]


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class SessionsEnded(BaseModel):
    sessions_ended: int
