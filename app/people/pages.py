"""Registering a person from the page, with duplicate warnings before saving (the search and a
person's page show cases too: app/pages/people_routes.py)."""

from fastapi import APIRouter, Request

from app.auth.permissions import Permission
from app.deps import ActorDep, SessionDep, require
from app.filters import blank_is_none
from app.forms import error_list, form_page, parse_form
from app.labels import SEX_LABELS
from app.nationalities.service import list_nationalities
from app.people.registration import register_from_form
from app.people.schemas import PersonCreate, Sex
from app.web import redirect, render

pages = APIRouter(include_in_schema=False)

PERSON_FIELDS = ("given_name", "family_name", "sex", "date_of_birth", "age_estimate",
                 "nationality_code", "document_number", "phone", "languages")
FIELD_LIMITS = {"given_name": 200, "family_name": 200, "sex": 16, "date_of_birth": 10,
                "age_estimate": 3, "nationality_code": 2, "document_number": 64, "phone": 64,
                "languages": 1100}


PERSON_LABELS = {"given_name": "Given name", "family_name": "Family name", "sex": "Sex",
                 "date_of_birth": "Date of birth", "age_estimate": "Age estimate",
                 "nationality_code": "Nationality", "document_number": "Document number",
                 "phone": "Phone", "languages": "Languages"}


def registration_form(request: Request, session, *, form=None, errors=None, warnings=None,
                      fingerprint: str = ""):
    """The registration form; also where a caseworker looks for the record another
    organisation registered (app.cases.routes, /cases/find)."""
    errors = errors or {}
    return render(request, "people/new.html", {
        "form": form or {}, "errors": errors, "error_list": error_list(errors, PERSON_LABELS),
        "warnings": warnings or [], "fingerprint": fingerprint,
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
    confirmed = raw.get("confirmed")
    registration = register_from_form(
        session, actor=actor, person_in=_person_in(form),
        confirmed_fingerprint=confirmed if isinstance(confirmed, str) else "")
    if registration.person is None:
        # nothing saved yet: the caseworker looks at the likely duplicates first
        return registration_form(request, session, form=form,
                            warnings=registration.possible_duplicates,
                            fingerprint=registration.fingerprint)
    return redirect(f"/people/{registration.person.id}")
