from sqlmodel import Field

from app.db import Timestamped


class Compound(Timestamped, table=True):
    __tablename__ = "compounds"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    country_code: str = Field(foreign_key="nationalities.code", max_length=2)
    region: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=2000)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
