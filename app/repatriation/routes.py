"""A case's repatriation, the embassy batches and the exits, as API routes (the manifest:
app.reports.manifest_routes; the pages: app.repatriation.pages and the case page)."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.permissions import Permission
from app.deps import ActorDep, SessionDep, require
from app.filters import Blank
from app.pagination import Page, PageDep
from app.repatriation import batches, service
from app.repatriation.schemas import (
    BatchCreate,
    BatchRead,
    BatchSummary,
    BatchUpdate,
    CountryCode,
    DepartureList,
    ExitCreate,
    ExitRead,
    RepatriationCreate,
    RepatriationRead,
    RepatriationUpdate,
)

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


# --- batches ------------------------------------------------------------------------------

@api.post("/repatriation-batches", response_model=BatchRead, status_code=201,
          dependencies=[require(Permission.REPATRIATION_BATCHES)])
def create_batch(session: SessionDep, actor: ActorDep, batch_in: BatchCreate) -> BatchRead:
    """A batch of one nationality going home together; people join it from their
    repatriation (PATCH `batch_id`)."""
    return batches.create_batch(session, actor=actor, batch_in=batch_in)


@api.get("/repatriation-batches", response_model=Page[BatchSummary],
         dependencies=[require(Permission.REPATRIATION_BATCH_READ)])
def list_batches(session: SessionDep, actor: ActorDep, page: PageDep,
                 nationality: Annotated[CountryCode | None, Blank, Query(
                     description="ISO 3166-1 alpha-2")] = None) -> Page[BatchSummary]:
    """Batches by departure date, with how many people each carries."""
    rows, total = batches.list_batches(session, actor=actor, page=page, nationality=nationality)
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@api.get("/repatriation-batches/{batch_id}", response_model=BatchRead,
         dependencies=[require(Permission.REPATRIATION_BATCH_READ)])
def read_batch(session: SessionDep, actor: ActorDep, batch_id: int) -> BatchRead:
    """The batch with its counts and its members (a caseworker: those of their
    organisation's cases)."""
    return batches.read_batch(session, actor=actor, batch_id=batch_id)


@api.patch("/repatriation-batches/{batch_id}", response_model=BatchRead,
           dependencies=[require(Permission.REPATRIATION_BATCHES)])
def update_batch(session: SessionDep, actor: ActorDep, batch_id: int,
                 update_in: BatchUpdate) -> BatchRead:
    """Move every member at once to `exit_cleared`, `departed` (an exit crossing recorded
    for each, once) or `received`."""
    return batches.update_batch(session, actor=actor, batch_id=batch_id, update_in=update_in)


@api.get("/repatriation-batches/{batch_id}/departure", response_model=DepartureList,
         dependencies=[require(Permission.REPATRIATION_DEPARTURE)])
def departure_list(session: SessionDep, actor: ActorDep, batch_id: int) -> DepartureList:
    """The departure list for the border: names and documents, and who has passed."""
    return batches.departure_list(session, actor=actor, batch_id=batch_id)


@api.post("/repatriation-batches/{batch_id}/exits", response_model=ExitRead, status_code=201,
          dependencies=[require(Permission.REPATRIATION_DEPARTURE)])
def record_exit(session: SessionDep, actor: ActorDep, batch_id: int,
                exit_in: ExitCreate) -> ExitRead:
    """A person of the batch passed the border: their exit crossing (once) and `departed`.
    409 before their exit clearance."""
    return batches.record_member_exit(session, actor=actor, batch_id=batch_id,
                                      repatriation_id=exit_in.repatriation_id)
