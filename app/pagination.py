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


def page_params(
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip")] = 0,
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
