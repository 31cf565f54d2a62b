"""The batches board for coordinators, a batch's page (its people, the ones who may join,
its stage, the manifest), and the departure list border officials tick as people pass.
(The repatriation of one case is on the case page: app/pages/repatriation_forms.py.)"""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.auth import access
from app.auth.permissions import Permission, can
from app.deps import ActorDep, SessionDep, require
from app.errors import field_error
from app.forms import error_list, form_page, parse_form
from app.i18n import N_, Labels, _
from app.labels import BATCH_MODE_LABELS, BATCH_STAGE_LABELS, REPATRIATION_STAGE_LABELS
from app.nationalities.service import list_nationalities
from app.pagination import PageParams
from app.repatriation import batches
from app.repatriation.models import RepatriationBatch
from app.repatriation.schemas import BatchCreate, BatchUpdate
from app.web import redirect, render

pages = APIRouter(include_in_schema=False)
BOARD_PAGE = PageParams(limit=200, offset=0)
BATCH_LABELS = Labels(
    {
        "name": N_("Name"),
        "nationality_code": N_("Nationality"),
        "departs_on": N_("Departs on"),
        "mode": N_("By"),
        "carrier_reference": N_("Carrier reference"),
        "exit_point": N_("Exit point"),
        "border_organization_id": N_("Border organisation"),
        "repatriation_id": N_("People"),
        "form": N_("Batch"),
        "stage": N_("Stage"),
    }
)
BATCH_MESSAGES = Labels({"name": N_("Give the batch a name (at most 200 characters)"),
                  "nationality_code": N_("Choose the country the batch goes to"),
                  "departs_on": N_("Write the date as year-month-day, for example 2025-11-06"),
                  "mode": N_("Choose flight, land or sea")})
READ_BATCHES = require(Permission.REPATRIATION_BATCHES, Permission.REPATRIATION_DEPARTURE)


def _board(request: Request, session, *, form=None, errors=None):
    actor = request.state.actor
    rows, total = batches.list_batches(session, actor=actor, page=BOARD_PAGE)
    coordinating = can(actor, Permission.REPATRIATION_BATCHES)
    errors = errors or {}
    return render(request, "repatriation/board.html", {
        "readiness": batches.readiness(session, actor=actor) if coordinating else [],
        "batches": rows, "total": total, "coordinating": coordinating,
        "nationality_choices": [(n.code, n.name) for n in list_nationalities(session)],
        "border_choices": [(str(id_), name) for id_, name in batches.border_organizations(
            session)] if coordinating else [],
        "form": form or {}, "errors": errors,
        "error_list": error_list(errors, BATCH_LABELS), "mode_labels": BATCH_MODE_LABELS,
        "stage_labels": BATCH_STAGE_LABELS})


@pages.get("/repatriation", dependencies=[READ_BATCHES])
def board(request: Request, session: SessionDep):
    return _board(request, session)


def _board_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _board(request, session, form=form, errors=errors)


@pages.post("/repatriation-batches",
            dependencies=[require(Permission.REPATRIATION_BATCHES), form_page(_board_again)])
def create_batch(session: SessionDep, actor: ActorDep,
                 name: Annotated[str, Form(max_length=1000)] = "",
                 nationality_code: Annotated[str, Form(max_length=10)] = "",
                 departs_on: Annotated[str, Form(max_length=40)] = "",
                 mode: Annotated[str, Form(max_length=20)] = "",
                 carrier_reference: Annotated[str, Form(max_length=1000)] = "",
                 exit_point: Annotated[str, Form(max_length=1000)] = "",
                 border_organization_id: Annotated[str, Form(max_length=20)] = ""):
    batch_in = parse_form(BatchCreate, {
        "name": name, "nationality_code": nationality_code, "departs_on": departs_on or None,
        "mode": mode, "carrier_reference": carrier_reference, "exit_point": exit_point,
        "border_organization_id": border_organization_id or None},
        messages=BATCH_MESSAGES)
    created = batches.create_batch(session, actor=actor, batch_in=batch_in)
    return redirect(f"/repatriation-batches/{created.id}")


def _batch_page(request: Request, session, batch_id: int, *, errors=None):
    actor = request.state.actor
    batch = batches.read_batch(session, actor=actor, batch_id=batch_id)
    stored = session.get(RepatriationBatch, batch_id)
    errors = errors or {}
    return render(request, "repatriation/batch.html", {
        "batch": batch, "candidates": batches.candidates(session, actor=actor, batch=stored)
        if batch.stage == "planned" else [],
        "errors": errors, "error_list": error_list(errors, BATCH_LABELS),
        "mode_labels": BATCH_MODE_LABELS, "stage_labels": BATCH_STAGE_LABELS,
        "member_stage_labels": REPATRIATION_STAGE_LABELS,
        "next_stage": {"planned": "exit_cleared", "exit_cleared": "departed",
                       "departed": "received"}.get(batch.stage)})


def _batch_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _batch_page(request, session, int(request.path_params["batch_id"]), errors=errors)


@pages.get("/repatriation-batches/{batch_id}",
           dependencies=[require(Permission.REPATRIATION_BATCHES)])
def batch_page(request: Request, session: SessionDep, batch_id: int):
    return _batch_page(request, session, batch_id)


@pages.post("/repatriation-batches/{batch_id}/members",
            dependencies=[require(Permission.REPATRIATION_BATCHES), form_page(_batch_again)])
def add_members(session: SessionDep, actor: ActorDep, batch_id: int,
                repatriation_id: Annotated[list[str] | None, Form(max_length=5000)] = None):
    ids = [int(v) for v in repatriation_id or [] if v.isdigit() and len(v) < 12]
    batches.add_members(session, actor=actor, batch_id=batch_id, repatriation_ids=ids)
    return redirect(f"/repatriation-batches/{batch_id}")


@pages.post("/repatriation-batches/{batch_id}/stage",
            dependencies=[require(Permission.REPATRIATION_BATCHES), form_page(_batch_again)])
def move_batch(session: SessionDep, actor: ActorDep, batch_id: int,
               stage: Annotated[str, Form(max_length=40)] = ""):
    update_in = parse_form(BatchUpdate, {"stage": stage},
                           messages={"stage": _("Choose the batch's next stage")})
    batches.update_batch(session, actor=actor, batch_id=batch_id, update_in=update_in)
    return redirect(f"/repatriation-batches/{batch_id}")


# --- the departure list -------------------------------------------------------------------

def _departure(request: Request, session, batch_id: int, *, errors=None):
    actor = request.state.actor
    listed = batches.departure_list(session, actor=actor, batch_id=batch_id)
    errors = errors or {}
    return render(request, "repatriation/departure.html", {
        "listed": listed, "errors": errors, "error_list": error_list(errors, BATCH_LABELS),
        "mode_labels": BATCH_MODE_LABELS, "stage_labels": BATCH_STAGE_LABELS,
        "passed": sum(1 for p in listed.people if p.exit_recorded)})


def _departure_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _departure(request, session, int(request.path_params["batch_id"]), errors=errors)


@pages.get("/repatriation-batches/{batch_id}/departure",
           dependencies=[require(Permission.REPATRIATION_DEPARTURE)])
def departure_page(request: Request, session: SessionDep, batch_id: int):
    return _departure(request, session, batch_id)


@pages.post("/repatriation-batches/{batch_id}/departure",
            dependencies=[require(Permission.REPATRIATION_DEPARTURE),
                          form_page(_departure_again)])
def tick(session: SessionDep, actor: ActorDep, batch_id: int,
         repatriation_id: Annotated[str, Form(max_length=20)] = ""):
    if not repatriation_id.isdigit() or len(repatriation_id) > 11:
        raise field_error("repatriation_id", _("Choose a person on the list"))
    access.get_visible(session, actor, RepatriationBatch, batch_id,
                       action="repatriation_batch.exit")
    batches.record_member_exit(session, actor=actor, batch_id=batch_id,
                               repatriation_id=int(repatriation_id))
    return redirect(f"/repatriation-batches/{batch_id}/departure")
