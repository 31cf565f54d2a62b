from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String, Text
from sqlmodel import Field, SQLModel

from app.db import Timestamped, utcnow


class Person(Timestamped, table=True):
    __tablename__ = "people"
    __table_args__ = (
        # duplicate candidates and the nationality counts block on nationality first
        Index("ix_people_nationality_code_date_of_birth", "nationality_code", "date_of_birth"),
    )

    id: int | None = Field(default=None, primary_key=True)
    given_name: str = Field(max_length=200)
    family_name: str = Field(default="", max_length=200)
    # lower-cased, accent-free "given family" for search; kept by the service
    name_key: str = Field(default="", max_length=400, index=True)
    # the names in Latin letters when they are written in another script (optional, as the
    # person or their documents spell them; proposed by transliteration, app.people.latin)
    given_name_latin: str = Field(default="", max_length=200)
    family_name_latin: str = Field(default="", max_length=200)
    # name_key of the Latin forms, else of the names transliterated (anyascii) when they are
    # not in Latin letters, else empty: what the duplicate check and the search also compare
    name_key_latin: str = Field(default="", max_length=400)
    sex: str = Field(default="unknown", sa_type=String(16))
    date_of_birth: date | None = None
    age_estimate: int | None = None
    nationality_code: str | None = Field(default=None, foreign_key="nationalities.code",
                                         max_length=2)
    document_number: str | None = Field(default=None, max_length=64, index=True)
    phone: str | None = Field(default=None, max_length=64)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    registered_by_organization_id: int = Field(foreign_key="organizations.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    # set when this record was merged into another (app.people.merge): a tombstone, never
    # shown or counted; its id leads to the survivor
    merged_into_id: int | None = Field(default=None, foreign_key="people.id", index=True)


class IdentityLink(SQLModel, table=True):
    """An organisation's record matched a person another organisation registered.

    Matching never opens the other record to the organisation that matched it: a crossing, a
    roster row or a registration made by hand keeps its own record (`own_person_id`, what
    its recorder typed) and this row says the two are likely the same person, for the
    registering organisation (which sees that its record was linked) and the coordinators
    (who may merge them). A caseworker who opens a case on the other record (`case_id`),
    having found it by the person's own details, has no record of their own."""

    __tablename__ = "identity_links"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)  # the record matched
    own_person_id: int | None = Field(default=None, foreign_key="people.id", index=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True)  # who matched
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    via: str = Field(sa_type=String(16))  # crossing, roster, registration, case
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    created_at: datetime = Field(default_factory=utcnow, nullable=False)


class PersonMerge(SQLModel, table=True):
    """Person `duplicate_id` merged into `survivor_id`: what moved, so that it can be undone."""

    __tablename__ = "person_merges"

    id: int | None = Field(default=None, primary_key=True)
    survivor_id: int = Field(foreign_key="people.id", index=True)
    duplicate_id: int = Field(foreign_key="people.id", index=True)
    note: str = Field(default="", sa_type=Text)
    # {mover name: what it moved}, as each mover records it (ids, and rows it had to remove)
    moved: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    merged_by_id: int | None = Field(default=None, foreign_key="users.id")
    merged_at: datetime = Field(default_factory=utcnow, index=True)
    undone_at: datetime | None = None
    undone_by_id: int | None = Field(default=None, foreign_key="users.id")
    undo_note: str = Field(default="", sa_type=Text)
