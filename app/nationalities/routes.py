from fastapi import APIRouter
from pydantic import BaseModel

from app.deps import CurrentUser, SessionDep
from app.nationalities import service

api = APIRouter(prefix="/api/v1", tags=["reference data"])


class NationalityRead(BaseModel):
    code: str
    name: str


class NationalityList(BaseModel):
    items: list[NationalityRead]
    total: int


@api.get("/nationalities", response_model=NationalityList)
def list_nationalities(session: SessionDep, user: CurrentUser) -> NationalityList:
    """Every ISO 3166-1 country (alpha-2 code and English name), by name."""
    items = [NationalityRead(code=n.code, name=n.name)
             for n in service.list_nationalities(session)]
    return NationalityList(items=items, total=len(items))
