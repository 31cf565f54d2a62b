"""The reports' one table: each completed month's publication, stored once
(app.reports.month_store)."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class PublishedMonth(SQLModel, table=True):
    """A completed month's table as the roles without exact counts read it, stored at its
    first reading and read from here ever after. `cells` holds only what they are shown:
    nationality codes and published cells (numbers, "<threshold", "x"); never a name, never
    a count they are not shown."""

    __tablename__ = "published_months"

    kind: str = Field(primary_key=True, max_length=16)  # what is published: "cases", ...
    month: str = Field(primary_key=True, max_length=7)  # "2025-10"
    threshold: int = Field(primary_key=True)  # the suppression threshold it was published at
    layout: int = Field(primary_key=True)  # the form of `cells` (month_store.LAYOUTS)
    cells: dict = Field(sa_column=Column(JSON, nullable=False))
    published_at: datetime = Field(default_factory=utcnow, nullable=False)
