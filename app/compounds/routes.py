from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError

from app.auth.permissions import Permission
from app.compounds import service
from app.compounds.schemas import CompoundCreate, CompoundRead
from app.deps import ActorDep, SessionDep, require
from app.errors import Conflict, InvalidInput
from app.forms import app_error_fields, form_errors
from app.pagination import Page, PageDep, PageParams
from app.web import redirect, render

api = APIRouter(prefix="/api/v1", tags=["reference data"])


@api.get("/compounds", response_model=Page[CompoundRead],
         dependencies=[require(Permission.COMPOUND_READ)])
def list_compounds(session: SessionDep, page: PageDep) -> Page[CompoundRead]:
    rows, total = service.list_compounds(session, page=page)
    return Page(items=[CompoundRead.model_validate(r) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


@api.post("/compounds", response_model=CompoundRead, status_code=201,
          dependencies=[require(Permission.COMPOUND_WRITE)])
def create_compound(session: SessionDep, actor: ActorDep,
                    compound_in: CompoundCreate) -> CompoundRead:
    return CompoundRead.model_validate(
        service.create_compound(session, actor=actor, compound_in=compound_in))


pages = APIRouter(include_in_schema=False)


def _render_page(request: Request, session, *, form=None, errors=None, status_code=200):
    rows, total = service.list_compounds(session, page=PageParams(limit=1000, offset=0))
    errors = errors or {}
    return render(request, "compounds/index.html",
                  {"compounds": rows, "total": total, "form": form or {}, "errors": errors,
                   "error_list": [{"field": k, "message": v} for k, v in errors.items()]},
                  status_code=status_code)


@pages.get("/compounds", dependencies=[require(Permission.COMPOUND_READ)])
def compounds_page(request: Request, session: SessionDep):
    return _render_page(request, session)


@pages.post("/compounds", dependencies=[require(Permission.COMPOUND_WRITE)])
def add_compound(
    request: Request, session: SessionDep, actor: ActorDep,
    name: Annotated[str, Form()] = "", country_code: Annotated[str, Form()] = "MM",
    region: Annotated[str, Form()] = "", notes: Annotated[str, Form()] = "",
):
    form = {"name": name, "country_code": country_code, "region": region, "notes": notes}
    try:
        compound_in = CompoundCreate(**form)
        service.create_compound(session, actor=actor, compound_in=compound_in)
    except ValidationError as exc:
        return _render_page(request, session, form=form, errors=form_errors(exc),
                            status_code=422)
    except (InvalidInput, Conflict) as exc:
        session.rollback()
        return _render_page(request, session, form=form, errors=app_error_fields(exc),
                            status_code=422)
    return redirect("/compounds")
