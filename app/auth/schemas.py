from pydantic import BaseModel


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
