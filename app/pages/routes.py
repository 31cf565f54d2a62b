"""Pages that show several domains at once: the case page (with its crossings and
referrals) and the determination form on it."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError

from app.auth.permissions import Permission
from app.cases import determinations
from app.cases.routes import READ_CASE
from app.cases.schemas import MAX_RATIONALE, DeterminationCreate, Outcome
from app.deps import ActorDep, SessionDep, require
from app.errors import Conflict, InvalidInput
from app.forms import app_error_fields, form_errors
from app.labels import OUTCOME_LABELS, SUGGESTION_LABELS
from app.pages.case_page import case_page, describe_screening
from app.screening.catalogue import DIMENSIONS, indicators_of
from app.web import redirect, render

pages = APIRouter(include_in_schema=False)


def _render_case(request: Request, session, actor, case_id: int, *, form=None, errors=None,
                 status_code: int = 200):
    page = case_page(session, actor=actor, case_id=case_id)
    errors = errors or {}
    return render(request, "cases/detail.html", {
        "page": page, "case": page.case, "person": page.person,
        "table": describe_screening(page.latest) if page.latest else [],
        "sections": [(d, indicators_of(d.code)) for d in DIMENSIONS],
        "suggestion_labels": SUGGESTION_LABELS, "outcome_labels": OUTCOME_LABELS,
        "outcomes": list(Outcome),
        "form": form or {}, "errors": errors,
        "error_list": [{"field": k, "message": v} for k, v in errors.items()],
        "max_rationale": MAX_RATIONALE,
    }, status_code=status_code)


@pages.get("/cases/{case_id}", dependencies=[READ_CASE])
def case_detail_page(request: Request, session: SessionDep, actor: ActorDep, case_id: int):
    return _render_case(request, session, actor, case_id)


@pages.post("/cases/{case_id}/determination",
            dependencies=[require(Permission.DETERMINATION_WRITE)])
def determine(request: Request, session: SessionDep, actor: ActorDep, case_id: int,
              outcome: Annotated[str, Form(max_length=32)] = "",
              rationale: Annotated[str, Form(max_length=MAX_RATIONALE)] = "",
              screening_id: Annotated[str, Form(max_length=20)] = ""):
    form = {"outcome": outcome, "rationale": rationale}
    try:
        determination_in = DeterminationCreate(
            outcome=outcome, rationale=rationale,
            screening_id=int(screening_id) if screening_id.isdigit() else None)
        determinations.record_determination(session, actor=actor, case_id=case_id,
                                            determination_in=determination_in)
    except ValidationError as exc:
        errors = form_errors(exc)
        if "outcome" in errors:
            errors["outcome"] = "Choose the determination"
        return _render_case(request, session, actor, case_id, form=form, errors=errors,
                            status_code=422)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _render_case(request, session, actor, case_id, form=form,
                            errors=app_error_fields(exc), status_code=422)
    return redirect(f"/cases/{case_id}#determination")
