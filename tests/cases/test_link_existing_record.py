"""One record per person: a caseworker opens a case on the record a border post registered,
found from the registration form by the person's own details, never by a bare id (the
attacks are in tests/people/test_identity_walk.py)."""

from datetime import date

from sqlmodel import select

from app.people.models import IdentityLink
from tests import factories
from tests.pages import csrf_from, sign_in

FORM = {"given_name": "Juan", "family_name": "Dela Cruz", "nationality_code": "PH",
        "date_of_birth": "1994-03-02", "sex": "male", "document_number": "",
        "age_estimate": "", "phone": "", "languages": ""}


def _border_record(session):
    post = factories.make_organization(session, name="Mae Sot Border Post", kind="border_post")
    person = factories.make_person(session, organization=post, given_name="Juan",
                                   family_name="Dela Cruz", nationality_code="PH",
                                   date_of_birth=date(1994, 3, 2), document_number="P1234567")
    org = factories.make_organization(session, name="Border Care Foundation")
    factories.make_user(session, role="caseworker", organization=org, username="linker")
    session.commit()
    return person


def test_registration_form_finds_the_posts_record_and_opens_a_case_on_it(client, session):
    person = _border_record(session)
    sign_in(client, "linker", factories.DEFAULT_PASSWORD)
    page = client.get("/people/new")
    assert "Find their record and open a case" in page.text
    opened = client.post("/cases/find", data={**FORM, "csrf_token": csrf_from(page.text)},
                         follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/cases/")
    case_page = client.get(opened.headers["location"])
    assert case_page.status_code == 200 and "Dela Cruz" in case_page.text
    link = session.exec(select(IdentityLink).where(IdentityLink.person_id == person.id)).one()
    assert link.via == "case"


def test_details_that_find_no_record_show_the_form_again(client, session):
    _border_record(session)
    sign_in(client, "linker", factories.DEFAULT_PASSWORD)
    page = client.get("/people/new")
    missing = client.post("/cases/find", data={**FORM, "date_of_birth": "",
                                               "csrf_token": csrf_from(page.text)})
    assert missing.status_code == 422
    assert "Give the date of birth, or the age if it is not known" in missing.text
    wrong = client.post("/cases/find", data={**FORM, "given_name": "Pedro",
                                             "csrf_token": csrf_from(page.text)})
    assert wrong.status_code == 422
    assert "No record matches these details" in wrong.text
    assert 'value="Pedro"' in wrong.text  # the form as typed
    assert session.exec(select(IdentityLink)).first() is None


def test_registration_warns_of_no_other_organisations_record(client, session):
    _border_record(session)
    sign_in(client, "linker", factories.DEFAULT_PASSWORD)
    page = client.get("/people/new")
    registered = client.post("/people/new", data={**FORM, "csrf_token": csrf_from(page.text)},
                             follow_redirects=False)
    # nothing to warn of among the foundation's own records: registered at once, and linked
    # to the post's record for the post to see
    assert registered.status_code == 303
    assert "P1234567" not in client.get(registered.headers["location"]).text
    assert session.exec(select(IdentityLink)).one().via == "registration"
