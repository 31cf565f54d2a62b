"""The list envelope of the public contract: {"items": [...], "total": N}, with limit/offset.

A list is counted only so far, and paged only so deep (issue 18): an exact count of a national
list read every row it holds (seconds for millions of crossings), and a page far down a list
read every row before it. Past COUNT_LIMIT rows a list says "more than 10,000" (its total is
COUNT_LIMIT + 1, total_exact false); filters, not paging, reach further.
"""

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field, computed_field, field_validator
from sqlalchemy import func
from sqlmodel import Session, select

T = TypeVar("T")

COUNT_LIMIT = 10_000
MAX_OFFSET = COUNT_LIMIT


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description=f"Rows in all, counted up to {COUNT_LIMIT + 1:,}: "
                                   f"{COUNT_LIMIT + 1:,} means more than {COUNT_LIMIT:,}")
    limit: int
    offset: int

    @field_validator("total")
    @classmethod
    def _counted_so_far(cls, total: int) -> int:
        # a list counted exactly by its own query says as much as a counted one
        return min(total, COUNT_LIMIT + 1)

    @computed_field(description=f"Whether total is the exact count (at most {COUNT_LIMIT:,})")
    @property
    def total_exact(self) -> bool:
        return is_exact(self.total)


class PageParams(BaseModel):
    limit: int
    offset: int


OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")]


async def page_params(
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows per page")] = 50,
    offset: OffsetQuery = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


def count_rows(session: Session, statement) -> int:
    """How many rows `statement` returns, counted up to COUNT_LIMIT + 1 (more than
    COUNT_LIMIT)."""
    capped = statement.order_by(None).limit(COUNT_LIMIT + 1).subquery()
    return session.exec(select(func.count()).select_from(capped)).one()


def is_exact(total: int) -> bool:
    return total <= COUNT_LIMIT


def paginate(session: Session, statement, page: PageParams) -> tuple[list, int]:
    """Rows of one page of `statement` and the total it would return unpaged (count_rows)."""
    total = count_rows(session, statement)
    rows = session.exec(statement.limit(page.limit).offset(page.offset)).all()
    return list(rows), total


def paginate_newest_first(session: Session, statement, model, page: PageParams
                          ) -> tuple[list, int]:
    """paginate() of a search, newest (highest id) first, in one statement that reads the
    matching rows once. paginate() reads them twice (counted, then walked for the page), and
    the walk for the page goes down the primary key from the newest row, reading every row
    until the page is full: a few thousand rows of a million for a name that many people
    have, but most of the table for one that few of the actor's own people have. Here the
    rows matching are found by the conditions' own indexes (a subquery kept apart from the
    ordering by OFFSET 0, which the database does not merge into the query around it),
    counted by a window over their ids, and the page's ids joined back to their rows.

    For searches, whose matches are few: over a whole table the window would hold every
    id (list everyone with paginate, which stops at the end of the page)."""
    matches = (statement.with_only_columns(model.id).order_by(None).limit(None).offset(0)
               .subquery("matches"))
    numbered = (select(matches.c.id, func.count().over().label("total"))
                .order_by(matches.c.id.desc()).limit(page.limit).offset(page.offset)
                .subquery("numbered"))
    found = session.exec(select(model, numbered.c.total)
                         .join(numbered, numbered.c.id == model.id)
                         .order_by(model.id.desc())).all()
    if found:
        return [row for row, _total in found], found[0][1]
    if page.offset == 0:
        return [], 0
    # past the last page (an old link): the window saw no row to tell the total
    return [], session.exec(select(func.count()).select_from(matches)).one()


def pager(offset: int, limit: int, total: int) -> dict[str, int | None]:
    """What a page's pager macro needs: where this page starts, and the offsets of the pages
    before and after it (None at either end)."""
    return {"offset": offset, "limit": limit,
            "previous_offset": max(0, offset - limit) if offset > 0 else None,
            "next_offset": offset + limit if offset + limit < total else None}
