"""The crossing filters shared by the people list, the crossings list and the nationality
counts: a range of local days, a crossing point, a compound, a nationality."""

from typing import Annotated

from fastapi import Query
from pydantic import Field, StringConstraints
from sqlalchemy import ColumnElement, text
from sqlmodel import Session

from app.bounds import PlainText, RecordId
from app.crossings.direction import Direction
from app.crossings.models import Crossing
from app.filters import Blank, DateRange
from app.people.models import Person

# constraints on the text itself, so that an empty (None) filter is not measured
PointName = Annotated[PlainText, StringConstraints(min_length=1, max_length=200)]
CountryCode = Annotated[PlainText, StringConstraints(min_length=2, max_length=2, to_upper=True)]


class CrossingFilters(DateRange):
    crossing_point: Annotated[PointName | None, Blank] = None
    compound_id: Annotated[RecordId | None, Blank] = None
    nationality: Annotated[CountryCode | None, Blank, Field(
        description="ISO 3166-1 alpha-2")] = None
    direction: Annotated[Direction, Blank, Field(
        description="Entries into Thailand (the default) or exits: never both at once, so "
                    "that no count mixes them")] = Direction.ENTRY

    def crossing_conditions(self) -> list[ColumnElement[bool]]:
        """Conditions on Crossing (nationality is a condition on Person: see person_conditions)."""
        conditions = [Crossing.direction == self.direction.value,
                      *self.conditions(Crossing.crossed_at)]
        if self.crossing_point:
            conditions.append(Crossing.crossing_point == self.crossing_point)
        if self.compound_id is not None:
            conditions.append(Crossing.compound_id == self.compound_id)
        return conditions

    def person_conditions(self) -> list[ColumnElement[bool]]:
        if self.nationality:
            return [Person.nationality_code == self.nationality]
        return []

    @property
    def filters_crossings(self) -> bool:
        # entries are the default: a list of people is not narrowed by it alone
        return len(self.crossing_conditions()) > 1 or self.direction != Direction.ENTRY

    def as_query(self) -> dict[str, str]:
        """The filters that are set, as query parameters (paging and download links)."""
        values = {**self.dates_as_query(), "crossing_point": self.crossing_point,
                  "compound_id": self.compound_id, "nationality": self.nationality,
                  "direction": None if self.direction == Direction.ENTRY else self.direction}
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def use_custom_plans(session: Session) -> None:
    """On PostgreSQL, plan each statement of this transaction with its values. psycopg
    prepares a statement run five times on a connection, and PostgreSQL then switches to a
    generic plan made without the values: for a date range or a batch of lookups over a large
    table, a plan that is slower many times over. Planning takes well under a millisecond."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


CrossingFiltersDep = Annotated[CrossingFilters, Query()]
