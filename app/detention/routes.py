"""The detention record of a case, as API routes (its letter: app.reports.letter_routes)."""

from fastapi import APIRouter

from app.auth.permissions import Permission
from app.deps import ActorDep, SessionDep, require
from app.detention import service
from app.detention.schemas import DetentionCreate, DetentionRead, DetentionUpdate

api = APIRouter(prefix="/api/v1", tags=["non-punishment"])


@api.post("/cases/{case_id}/detention", response_model=DetentionRead, status_code=201,
          dependencies=[require(Permission.DETENTION_WRITE)])
def create_detention(session: SessionDep, actor: ActorDep, case_id: int,
                     detention_in: DetentionCreate) -> DetentionRead:
    """Record whether the person of one of your organisation's cases is detained or charged:
    by which authority, where, since when and for what (409 when already recorded)."""
    return service.create_detention(session, actor=actor, case_id=case_id,
                                    detention_in=detention_in)


@api.get("/cases/{case_id}/detention", response_model=DetentionRead,
         dependencies=[require(Permission.DETENTION_READ)])
def read_detention(session: SessionDep, actor: ActorDep, case_id: int) -> DetentionRead:
    """The record with the non-punishment letters made from it (404 when none)."""
    return service.read_detention(session, actor=actor, case_id=case_id)


@api.patch("/cases/{case_id}/detention", response_model=DetentionRead,
           dependencies=[require(Permission.DETENTION_WRITE)])
def update_detention(session: SessionDep, actor: ActorDep, case_id: int,
                     update_in: DetentionUpdate) -> DetentionRead:
    """Change the fields sent; the others stay as they are."""
    return service.update_detention(session, actor=actor, case_id=case_id,
                                    update_in=update_in)
