"""Registering a person from the page, with duplicate warnings before saving, and merging two
records of one person (the search and a person's page show cases too:
app/pages/people_routes.py)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from app.auth import access
from app.auth.permissions import Permission
from app.deps import ActorDep, SessionDep, require
from app.filters import blank_is_none
from app.forms import error_list, form_page, parse_form
from app.i18n import N_, Labels, _
from app.labels import SEX_LABELS
from app.nationalities.service import list_nationalities
from app.people import latin, merge
from app.people import service as people_service
from app.people.deps import CurrentPerson
from app.people.models import Person
from app.people.registration import register_from_form
from app.people.schemas import (
    MAX_MERGE_NOTE,
    PersonCreate,
    PersonMergeCreate,
    PersonMergeUndo,
    PersonUpdate,
    Sex,
)
from app.web import redirect, render

pages = APIRouter(include_in_schema=False)

PERSON_FIELDS = ("given_name", "family_name", "given_name_latin", "family_name_latin", "sex",
                 "date_of_birth", "age_estimate", "nationality_code", "document_number",
                 "phone", "languages")
FIELD_LIMITS = {"given_name": 200, "family_name": 200, "given_name_latin": 200,
                "family_name_latin": 200, "sex": 16, "date_of_birth": 10,
                "age_estimate": 3, "nationality_code": 2, "document_number": 64, "phone": 64,
                "languages": 1100}


PERSON_LABELS = Labels({"given_name": N_("Given name"), "family_name": N_("Family name"),
                 "given_name_latin": N_("Given name in Latin letters"),
                 "family_name_latin": N_("Family name in Latin letters"), "sex": N_("Sex"),
                 "date_of_birth": N_("Date of birth"), "age_estimate": N_("Age estimate"),
                 "nationality_code": N_("Nationality"), "document_number": N_("Document number"),
                 "phone": N_("Phone"), "languages": N_("Languages")})


def registration_form(request: Request, session, *, form=None, errors=None, warnings=None,
                      fingerprint: str = "", latin_proposed: bool = False):
    """The registration form; also where a caseworker looks for the record another
    organisation registered (app.cases.routes, /cases/find)."""
    errors = errors or {}
    return render(request, "people/new.html", {
        "form": form or {}, "errors": errors, "error_list": error_list(errors, PERSON_LABELS),
        "warnings": warnings or [], "fingerprint": fingerprint,
        "latin_proposed": latin_proposed,
        # shown again after a proposal or a correction: the Latin forms are the person's now
        "latin_checked": latin_proposed or (form or {}).get("latin_checked") == "1",
        "nationality_choices": [(n.code, n.name) for n in list_nationalities(session)],
        "sex_choices": list(SEX_LABELS.items()),
    })


def _register_again(request: Request, session, form: dict, errors: dict[str, str]):
    return registration_form(request, session, form=form, errors=errors)


@pages.get("/people/new", dependencies=[require(Permission.PERSON_CREATE)])
def new_person_page(request: Request, session: SessionDep):
    return registration_form(request, session)


def _person_in(form: dict[str, str]) -> PersonCreate:
    values: dict = {k: v for k, v in form.items() if k in PERSON_FIELDS}
    for name in ("date_of_birth", "age_estimate"):
        values[name] = blank_is_none(values.get(name))
    if not values.get("sex"):
        values["sex"] = Sex.UNKNOWN
    values["languages"] = [part.strip() for part in values.get("languages", "").split(",")
                           if part.strip()]
    return parse_form(PersonCreate, values)


@pages.post("/people/new",
            dependencies=[require(Permission.PERSON_CREATE), form_page(_register_again)])
async def register_person(request: Request, session: SessionDep, actor: ActorDep):
    raw = await request.form()
    form = {name: (raw.get(name) if isinstance(raw.get(name), str) else "")[:limit]
            for name, limit in FIELD_LIMITS.items()}
    form["latin_checked"] = "1" if raw.get("latin_checked") == "1" else ""
    confirmed = raw.get("confirmed")
    registration = register_from_form(
        session, actor=actor, person_in=_person_in(form),
        confirmed_fingerprint=confirmed if isinstance(confirmed, str) else "",
        latin_checked=form["latin_checked"] == "1")
    if registration.person is None:
        # nothing saved yet: the caseworker looks at the likely duplicates first, and at the
        # names proposed in Latin letters
        form["given_name_latin"] = registration.person_in.given_name_latin
        form["family_name_latin"] = registration.person_in.family_name_latin
        return registration_form(request, session, form=form,
                                 warnings=registration.possible_duplicates,
                                 fingerprint=registration.fingerprint,
                                 latin_proposed=registration.latin_proposed)
    return redirect(f"/people/{registration.person.id}")


# --- correcting a person's names (the registering organisation) ---

NAME_FIELDS = ("given_name", "family_name", "given_name_latin", "family_name_latin")


def _names_page(request: Request, person: Person, *, form: dict | None = None,
                errors: dict[str, str] | None = None):
    """The names form; Latin forms not yet recorded are proposed (anyascii) to correct."""
    proposed = False
    if form is None:
        form = {name: getattr(person, name) for name in NAME_FIELDS}
        if not (person.given_name_latin or person.family_name_latin):
            given, family = latin.propose(person.given_name, person.family_name)
            if given or family:
                form.update(given_name_latin=given, family_name_latin=family)
                proposed = True
    errors = errors or {}
    return render(request, "people/names.html", {
        "person": person, "form": form, "errors": errors, "proposed": proposed,
        "error_list": error_list(errors, PERSON_LABELS)})


def _names_again(request: Request, session, form: dict, errors: dict[str, str]):
    person = access.get_visible(session, request.state.actor, Person,
                                int(request.path_params["person_id"]), action="person.update")
    return _names_page(request, person, form=form, errors=errors)


@pages.get("/people/{person_id}/edit", dependencies=[require(Permission.PERSON_CREATE)])
def names_page(request: Request, actor: ActorDep, person: CurrentPerson):
    people_service.check_may_update(actor, person)
    return _names_page(request, person)


@pages.post("/people/{person_id}/edit",
            dependencies=[require(Permission.PERSON_CREATE), form_page(_names_again)])
async def save_names(request: Request, session: SessionDep, actor: ActorDep,
                     person: CurrentPerson):
    raw = await request.form()
    form = {name: (raw.get(name) if isinstance(raw.get(name), str) else "")[:FIELD_LIMITS[name]]
            for name in NAME_FIELDS}
    person_in = parse_form(PersonUpdate, form)
    people_service.update_person(session, actor=actor, person=person, person_in=person_in)
    return redirect(f"/people/{person.id}")


# --- merging two records of one person (coordinators) ---

MERGE_LABELS = Labels({"duplicate_id": N_("Record to merge"), "note": N_("Note")})


def _merge_page(request: Request, session, survivor: Person, duplicate_id: int, *,
                form: dict | None = None, errors: dict[str, str] | None = None):
    preview = merge.merge_preview(session, actor=request.state.actor, survivor=survivor,
                                  duplicate_id=duplicate_id)
    errors = errors or {}
    return render(request, "people/merge.html", {
        "preview": preview, "form": form or {}, "errors": errors,
        "error_list": error_list(errors, MERGE_LABELS), "sexes": SEX_LABELS,
        "max_note": MAX_MERGE_NOTE})


def _merge_again(request: Request, session, form: dict, errors: dict[str, str]):
    survivor = access.get_visible(session, request.state.actor, Person,
                                  int(request.path_params["person_id"]), action="person.merge")
    duplicate = form.get("duplicate_id", "")
    return _merge_page(request, session, survivor,
                       int(duplicate) if duplicate.isdigit() else 0, form=form, errors=errors)


@pages.get("/people/{person_id}/merge", dependencies=[require(Permission.PERSON_MERGE)])
def merge_page(request: Request, session: SessionDep, person: CurrentPerson,
               duplicate_id: Annotated[int, Query(ge=1, le=2**31 - 1)]):
    """Both records side by side, what would move, and the button."""
    return _merge_page(request, session, person, duplicate_id)


@pages.post("/people/{person_id}/merge",
            dependencies=[require(Permission.PERSON_MERGE), form_page(_merge_again)])
def merge_people(session: SessionDep, actor: ActorDep, person_id: int,
                 duplicate_id: Annotated[str, Form(max_length=12)] = "",
                 note: Annotated[str, Form(max_length=10_000)] = ""):
    merge_in = parse_form(
        PersonMergeCreate,
        {"duplicate_id": duplicate_id or None, "note": note},
        messages={
            "note": _("At most %(limit)s characters") % {"limit": MAX_MERGE_NOTE}
        },
    )
    done = merge.merge_people(session, actor=actor, survivor_id=person_id, merge_in=merge_in)
    return redirect(f"/people/{done.survivor_id}#merges")


@pages.post("/person-merges/{merge_id}/undo", dependencies=[require(Permission.PERSON_MERGE)])
def undo_merge(session: SessionDep, actor: ActorDep, merge_id: int,
               note: Annotated[str, Form(max_length=MAX_MERGE_NOTE)] = ""):
    undone = merge.undo_merge(session, actor=actor, merge_id=merge_id,
                              undo_in=PersonMergeUndo(note=note))
    return redirect(f"/people/{undone.survivor_id}#merges")
