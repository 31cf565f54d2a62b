from datetime import datetime

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from app.db import utcnow


class AuditEvent(SQLModel, table=True):
    """Append-only. Holds who did what to which record, never the personal values."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, index=True)  # no FK: survives user removal
    actor_username: str | None = Field(default=None, max_length=150)
    role: str | None = Field(default=None, sa_type=String(32))
    organization_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=64, index=True)
    entity_type: str | None = Field(default=None, max_length=64, index=True)
    entity_id: str | None = Field(default=None, max_length=64, index=True)
    client_address: str | None = Field(default=None, max_length=64)
    outcome: str = Field(default="success", sa_type=String(16), index=True)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
