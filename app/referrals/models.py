from datetime import datetime

from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from app.db import Timestamped, utcnow


class Referral(Timestamped, table=True):
    __tablename__ = "referrals"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True)
    service: str = Field(sa_type=String(32), index=True)
    recipient: str = Field(max_length=200, index=True)
    consent_to_share: bool = False
    notes: str = Field(default="", sa_type=Text)
    status: str = Field(default="pending", sa_type=String(16), index=True)
    created_by_id: int = Field(foreign_key="users.id")


class ReferralStatusChange(SQLModel, table=True):
    __tablename__ = "referral_status_changes"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referrals.id", index=True)
    from_status: str | None = Field(default=None, sa_type=String(16))
    to_status: str = Field(sa_type=String(16))
    note: str = Field(default="", sa_type=Text)
    changed_by_id: int = Field(foreign_key="users.id")
    changed_at: datetime = Field(default_factory=utcnow)
