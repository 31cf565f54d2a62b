"""The list envelope of the public contract: {"items": [...], "total": N}, with limit/offset."""

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int
    offset: int


MAX_OFFSET = 10_000_000
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip")]


def page_params(
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows per page")] = 50,
    offset: OffsetQuery = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


def paginate(session: Session, statement, page: PageParams) -> tuple[list, int]:
    """Rows of one page of `statement` and the total it would return unpaged."""
    total = session.exec(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).one()
    rows = session.exec(statement.limit(page.limit).offset(page.offset)).all()
    return list(rows), total


def pager(offset: int, limit: int, total: int) -> dict[str, int | None]:
    """What a page's pager macro needs: where this page starts, and the offsets of the pages
    before and after it (None at either end)."""
    return {"offset": offset, "limit": limit,
            "previous_offset": max(0, offset - limit) if offset > 0 else None,
            "next_offset": offset + limit if offset + limit < total else None}
