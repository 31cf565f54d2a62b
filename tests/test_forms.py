"""One way to handle a form: whatever stops a form (the form's own check, a service's refusal,
a field FastAPI could not read), the request's work is rolled back and the same page is shown
again with the values as typed and each message beside its field, status 422."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlmodel import func, select

from app.auth.permissions import Permission
from app.cases.models import Interview
from app.compounds.models import Compound
from app.deps import SessionDep, require
from app.errors import FormInvalid
from app.forms import form_page
from app.web import render
from tests import factories
from tests.pages import csrf_from, sign_in


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _compounds_again(request: Request, session, form: dict, errors: dict[str, str]):
    return render(request, "compounds/index.html", {
        "compounds": [], "total": 0, "offset": 0, "limit": 50, "previous_offset": None,
        "next_offset": None, "form": form, "errors": errors, "error_list": []})


def test_form_invalid_after_a_write_rolls_the_write_back_and_keeps_the_values(
        app, client, session):
    """A route that has written (and flushed) before it finds the form wrong: the write is
    undone by the one handler, not by the route."""
    probe = APIRouter()

    @probe.post("/test-only/compound-then-refuse",
                dependencies=[require(Permission.COMPOUND_WRITE), form_page(_compounds_again)])
    def compound_then_refuse(session: SessionDep, name: Annotated[str, Form()] = ""):
        session.add(Compound(name=name, country_code="MM"))
        session.flush()
        raise FormInvalid({"name": "Choose another name"})

    app.include_router(probe)
    factories.make_user(session, role="coordinator", username="form-probe")
    session.commit()
    sign_in(client, "form-probe", factories.DEFAULT_PASSWORD)
    before = _count(session, Compound)
    page = client.get("/compounds")
    response = client.post("/test-only/compound-then-refuse",
                           data={"name": "Shwe Kokko", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert 'id="e-name">Choose another name</p>' in response.text
    assert 'value="Shwe Kokko"' in response.text
    assert _count(session, Compound) == before


def test_service_refusal_shows_the_form_again_with_the_values(client, session):
    factories.make_user(session, role="coordinator", username="form-coord")
    factories.make_compound(session, name="KK Park")
    session.commit()
    sign_in(client, "form-coord", factories.DEFAULT_PASSWORD)
    before = _count(session, Compound)
    page = client.get("/compounds")
    response = client.post("/compounds", data={
        "name": "kk park", "country_code": "MM", "region": "Myawaddy", "notes": "second",
        "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert "A compound with this name already exists" in response.text
    assert 'value="kk park"' in response.text and 'value="Myawaddy"' in response.text
    assert _count(session, Compound) == before


def test_intake_refused_keeps_every_answer_and_stores_no_interview(client, session):
    org = factories.make_organization(session, name="Form Care")
    factories.make_user(session, role="caseworker", organization=org, username="form-cw")
    person = factories.make_person(session, organization=org)
    case = factories.make_case(session, person=person, organization=org)
    session.commit()
    sign_in(client, "form-cw", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}/interview")
    response = client.post(f"/cases/{case.id}/interview", data={
        "csrf_token": csrf_from(page.text), "language": "Tagalog",  # no consent
        "answer_DR1": "yes", "note_DR": "Promised a hotel job", "narrative": "In her words"})
    assert response.status_code == 422
    assert 'id="e-consent_given"' in response.text
    assert 'value="Tagalog"' in response.text
    assert "Promised a hotel job" in response.text and "In her words" in response.text
    assert 'name="answer_DR1" value="yes" checked' in response.text
    assert _count(session, Interview) == 0


def test_field_fastapi_cannot_read_shows_the_form_again(client, session):
    factories.make_user(session, role="coordinator", username="form-long")
    session.commit()
    sign_in(client, "form-long", factories.DEFAULT_PASSWORD)
    page = client.get("/compounds")
    response = client.post("/compounds", data={
        "name": "x" * 1001, "region": "Myawaddy", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert "<h1>Compounds</h1>" in response.text and 'id="e-name"' in response.text
    assert 'value="Myawaddy"' in response.text


def test_the_api_still_answers_422_naming_the_field(client, login_as):
    coordinator = login_as("coordinator")
    response = client.post("/api/v1/compounds", headers=coordinator.headers,
                           json={"name": "", "country_code": "MM"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "name"
