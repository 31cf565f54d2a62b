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
    awaiting_confirmation: bool = Field(
        description="Until a caseworker or coordinator of your organisation confirms you, "
                    "you see nothing of its cases and people, and may use only your account")
    global_admin: bool = Field(description="Passage-wide administration (command line only)")
    preferred_language: str = Field(
        default="en", description="The language of your pages and of the API's messages")


class LanguageChoice(BaseModel):
    language: str = Field(max_length=16, description="A locale Passage offers: en, th, my, "
                          "zh_Hans, hi, fil, vi or id (GET /languages lists those offered)")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class SessionsEnded(BaseModel):
    sessions_ended: int


SET_PASSWORD_CODE_MAX_LENGTH = 64


class SetPassword(BaseModel):
    """Redeem a one-time set-password code an administrator gave you, choosing your password."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    code: str = Field(min_length=1, max_length=SET_PASSWORD_CODE_MAX_LENGTH,
                      description="As the administrator gave it; spaces and dashes ignored")
    password: str = Field(max_length=MAX_PASSWORD_LENGTH, description="At least 12 characters")
