"""A case's repatriation, the embassy batches and the exits, as API routes (the manifest:
app.reports.manifest_routes; the pages: app.repatriation.pages and the case page)."""

from fastapi import APIRouter

from app.auth.permissions import Permission
from app.deps import ActorDep, SessionDep, require
from app.repatriation import service
from app.repatriation.schemas import RepatriationCreate, RepatriationRead, RepatriationUpdate

api = APIRouter(prefix="/api/v1", tags=["repatriation"])


@api.post("/cases/{case_id}/repatriation", response_model=RepatriationRead, status_code=201,
          dependencies=[require(Permission.REPATRIATION_WRITE)])
def create_repatriation(session: SessionDep, actor: ActorDep, case_id: int,
                        repatriation_in: RepatriationCreate) -> RepatriationRead:
    """Start the repatriation of the person of a case, at `planning` (409 when started)."""
    return service.create_repatriation(session, actor=actor, case_id=case_id,
                                       rep_in=repatriation_in)


@api.get("/cases/{case_id}/repatriation", response_model=RepatriationRead,
         dependencies=[require(Permission.REPATRIATION_READ)])
def read_repatriation(session: SessionDep, actor: ActorDep, case_id: int) -> RepatriationRead:
    """The repatriation, its stages, and what the next step still needs, in words."""
    return service.read_repatriation(session, actor=actor, case_id=case_id)


@api.patch("/cases/{case_id}/repatriation", response_model=RepatriationRead,
           dependencies=[require(Permission.REPATRIATION_WRITE)])
def update_repatriation(session: SessionDep, actor: ActorDep, case_id: int,
                        update_in: RepatriationUpdate) -> RepatriationRead:
    """Change the fields sent; `stage` one step forward (409 naming what is missing or the
    step skipped), back with a `note`, or `cancelled` with a `note`; `batch_id` to join a
    batch (409 saying what is missing), null to leave it. A fear of return recorded on a
    journey under way takes it back to planning and out of its batch."""
    return service.update_repatriation(session, actor=actor, case_id=case_id,
                                       update_in=update_in)
