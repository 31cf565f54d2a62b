from datetime import date, datetime

from sqlalchemy import Index, String, UniqueConstraint, text
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from app.db import Timestamped


class Crossing(Timestamped, table=True):
    __tablename__ = "crossings"
    __table_args__ = (
        # the same person, time and crossing point is the same crossing
        UniqueConstraint("person_id", "crossed_at", "crossing_point",
                         name="uq_crossings_person_time_point"),
        # the nationality counts and the crossing filters: the people who crossed in a range,
        # read from the index alone (migration 0015)
        Index("ix_crossings_direction_crossed_at_person_id",
              "direction", "crossed_at", "person_id"),
        # whether an organisation typed in one of a person's crossings (a border official's
        # reason to see the person, app.people.access), from the index alone (migration 0022)
        Index("ix_crossings_typed_by_person", "person_id", "recorded_by_organization_id",
              postgresql_where=text("from_departure_list IS false"),
              sqlite_where=text("from_departure_list IS false")),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    crossed_at: datetime = Field(index=True)
    crossing_point: str = Field(max_length=200, index=True)
    compound_id: int | None = Field(default=None, foreign_key="compounds.id", index=True)
    group_reference: str | None = Field(default=None, max_length=100)
    # entry (into Thailand, the default) or exit (leaving it: app.repatriation records one for
    # each person a batch takes home); counts never mix the two
    direction: str = Field(default="entry", sa_type=String(8), index=True,
                           sa_column_kwargs={"server_default": "entry"})
    recorded_by_organization_id: int = Field(foreign_key="organizations.id", index=True)
    # an exit ticked on a batch's departure list (app.repatriation): its recorder did not
    # type the identity, so it opens nothing of the person's record to them
    from_departure_list: bool = Field(default=False,
                                      sa_column_kwargs={"server_default": sa_false()})
    created_by_id: int | None = Field(default=None, foreign_key="users.id")


# --- the nationality counts' rollup (app.crossings.rollup), kept by every write of crossings ---

class CrossingDay(SQLModel, table=True):
    """The crossings of one local day, of one nationality (`""`: not recorded), counted by
    the person's sex: all of them, and those that are the person's first and last crossing
    (in the direction, at the point and from the compound of the row; `""` and 0: any).
    Rows of one family of filters: any point and compound, one point, or one compound."""

    __tablename__ = "crossing_days"

    direction: str = Field(sa_type=String(8), primary_key=True)
    crossing_point: str = Field(sa_type=String(200), primary_key=True)
    compound_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    nationality_code: str = Field(sa_type=String(2), primary_key=True)
    crossings_female: int = 0
    crossings_male: int = 0
    crossings_other: int = 0
    crossings_unknown: int = 0
    firsts_female: int = 0
    firsts_male: int = 0
    firsts_other: int = 0
    firsts_unknown: int = 0
    lasts_female: int = 0
    lasts_male: int = 0
    lasts_other: int = 0
    lasts_unknown: int = 0


class CrossingRepeat(SQLModel, table=True):
    """Crossings on `day` whose person's previous crossing (of the same family, as in
    CrossingDay) was on `previous_day`, fewer than app.crossings.rollup.WINDOW_DAYS before;
    counted by the person's sex."""

    __tablename__ = "crossing_repeats"

    direction: str = Field(sa_type=String(8), primary_key=True)
    crossing_point: str = Field(sa_type=String(200), primary_key=True)
    compound_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    previous_day: date = Field(primary_key=True)
    nationality_code: str = Field(sa_type=String(2), primary_key=True)
    female: int = 0
    male: int = 0
    other: int = 0
    unknown: int = 0
