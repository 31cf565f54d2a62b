"""The crossing filters shared by the people list, the crossings list and the nationality counts:
dates are whole local (Thai) days, as a border post counts them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import Depends, Query
from pydantic import BeforeValidator, StringConstraints
from sqlalchemy import ColumnElement, text
from sqlmodel import Session

from app.crossings.models import Crossing
from app.errors import field_error
from app.people.models import Person
from app.web import LOCAL_TZ


@dataclass(frozen=True)
class CrossingFilters:
    from_date: date | None = None
    to_date: date | None = None  # inclusive
    crossing_point: str | None = None
    compound_id: int | None = None
    nationality_code: str | None = None

    def crossing_conditions(self) -> list[ColumnElement[bool]]:
        """Conditions on Crossing (nationality is a condition on Person: see person_conditions)."""
        conditions: list[ColumnElement[bool]] = []
        if self.from_date:
            conditions.append(Crossing.crossed_at >= local_day_start(self.from_date))
        if self.to_date:
            conditions.append(
                Crossing.crossed_at < local_day_start(self.to_date + timedelta(days=1)))
        if self.crossing_point:
            conditions.append(Crossing.crossing_point == self.crossing_point)
        if self.compound_id is not None:
            conditions.append(Crossing.compound_id == self.compound_id)
        return conditions

    def person_conditions(self) -> list[ColumnElement[bool]]:
        if self.nationality_code:
            return [Person.nationality_code == self.nationality_code.upper()]
        return []

    @property
    def filters_crossings(self) -> bool:
        return bool(self.crossing_conditions())


def use_custom_plans(session: Session) -> None:
    """On PostgreSQL, plan each statement of this transaction with its values. psycopg
    prepares a statement run five times on a connection, and PostgreSQL then switches to a
    generic plan made without the values: for a date range or a batch of lookups over a large
    table, a plan that is slower many times over. Planning takes well under a millisecond."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def _blank_is_none(value):
    # a filter form left empty sends "from=&compound_id=": no filter, not an error
    return None if isinstance(value, str) and not value.strip() else value


Blank = BeforeValidator(_blank_is_none)
# constraints on the text itself, so that an empty (None) filter is not measured
PointName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
CountryCode = Annotated[str, StringConstraints(min_length=2, max_length=2)]


def crossing_filter_params(
    from_date: Annotated[date | None, Blank, Query(
        alias="from", description="First day (Thai time), inclusive")] = None,
    to_date: Annotated[date | None, Blank, Query(
        alias="to", description="Last day (Thai time), inclusive")] = None,
    crossing_point: Annotated[PointName | None, Blank, Query()] = None,
    compound_id: Annotated[int | None, Blank, Query()] = None,
    nationality: Annotated[CountryCode | None, Blank, Query(
        description="ISO 3166-1 alpha-2")] = None,
) -> CrossingFilters:
    if from_date and to_date and from_date > to_date:
        raise field_error("to", "The last day comes before the first", where="query")
    return CrossingFilters(from_date=from_date, to_date=to_date, crossing_point=crossing_point,
                           compound_id=compound_id,
                           nationality_code=nationality.upper() if nationality else None)


CrossingFiltersDep = Annotated[CrossingFilters, Depends(crossing_filter_params)]
