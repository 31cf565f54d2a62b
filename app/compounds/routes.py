from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.auth.permissions import Permission
from app.compounds import service
from app.compounds.schemas import CompoundCreate, CompoundRead
from app.deps import ActorDep, SessionDep, require
from app.forms import error_list, form_page, parse_form
from app.i18n import N_, Labels
from app.pagination import OffsetQuery, Page, PageDep, PageParams, pager
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


PAGE_SIZE = 50
LABELS = Labels(
    {
        "name": N_("Name"),
        "country_code": N_("Country"),
        "region": N_("Region"),
        "notes": N_("Notes"),
    }
)


def _render_page(request: Request, session, *, form=None, errors=None, offset: int = 0):
    rows, total = service.list_compounds(session, page=PageParams(limit=PAGE_SIZE,
                                                                  offset=offset))
    errors = errors or {}
    return render(request, "compounds/index.html", {
        "compounds": rows, "total": total, "form": form or {}, "errors": errors,
        "error_list": error_list(errors, LABELS), **pager(offset, PAGE_SIZE, total)})


def _add_compound_again(request: Request, session, form: dict, errors: dict[str, str]):
    return _render_page(request, session, form=form, errors=errors)


@pages.get("/compounds", dependencies=[require(Permission.COMPOUND_READ)])
def compounds_page(request: Request, session: SessionDep,
                   offset: OffsetQuery = 0):
    return _render_page(request, session, offset=offset)


@pages.post("/compounds", dependencies=[require(Permission.COMPOUND_WRITE),
                                        form_page(_add_compound_again)])
def add_compound(
    session: SessionDep, actor: ActorDep,
    name: Annotated[str, Form(max_length=1000)] = "",
    country_code: Annotated[str, Form(max_length=100)] = "MM",
    region: Annotated[str, Form(max_length=1000)] = "",
    notes: Annotated[str, Form(max_length=10_000)] = "",
):
    compound_in = parse_form(CompoundCreate, {"name": name, "country_code": country_code,
                                              "region": region, "notes": notes})
    service.create_compound(session, actor=actor, compound_in=compound_in)
    return redirect("/compounds")
