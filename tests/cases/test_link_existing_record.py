"""One record per person: a caseworker opens a case on the record a border post registered,
found by the person's own details, never by a bare id."""

import re
from datetime import date

from sqlmodel import select

from app.audit.models import AuditEvent
from tests import factories
from tests.pages import csrf_from, sign_in


def _border_record(session):
    post = factories.make_organization(session, name="Mae Sot Border Post", kind="border_post")
    person = factories.make_person(session, organization=post, given_name="Juan",
                                   family_name="Dela Cruz", nationality_code="PH",
                                   date_of_birth=date(1994, 3, 2), document_number="P1234567")
    session.commit()
    return person


DETAILS = {"given_name": "Dela Cruz", "family_name": "Juan", "nationality_code": "PH",
           "date_of_birth": "1995-03-02"}


def test_case_on_another_organisations_record_needs_details_that_find_it(client, session,
                                                                         login_as):
    person = _border_record(session)
    caseworker = login_as("caseworker", organization="Border Care Foundation")

    bare = client.post("/api/v1/cases", headers=caseworker.headers,
                       json={"person_id": person.id})
    assert bare.status_code == 404
    wrong = client.post("/api/v1/cases", headers=caseworker.headers,
                        json={"person_id": person.id,
                              "known_details": {**DETAILS, "nationality_code": "IN"}})
    assert wrong.status_code == 404

    linked = client.post("/api/v1/cases", headers=caseworker.headers,
                         json={"person_id": person.id, "known_details": DETAILS})
    assert linked.status_code == 201, linked.text
    assert client.get(f"/api/v1/people/{person.id}",
                      headers=caseworker.headers).status_code == 200
    events = session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == caseworker.user.id,
        AuditEvent.entity_id == str(person.id))).all()
    outcomes = [(e.action, e.outcome) for e in events]
    assert outcomes.count(("case.create", "denied")) == 2
    assert ("case.link_existing_record", "success") in outcomes


def test_border_official_cannot_link_by_details(client, session, login_as):
    person = _border_record(session)
    official = login_as("border_official", organization="Another Border Post")
    response = client.post("/api/v1/cases", headers=official.headers,
                           json={"person_id": person.id, "known_details": DETAILS})
    assert response.status_code == 403


def test_registration_warning_offers_the_existing_record_and_opens_a_case(client, session):
    person = _border_record(session)
    org = factories.make_organization(session, name="Border Care Foundation")
    factories.make_user(session, role="caseworker", organization=org, username="linker")
    session.commit()
    sign_in(client, "linker", factories.DEFAULT_PASSWORD)
    page = client.get("/people/new")
    warned = client.post("/people/new", data={
        "csrf_token": csrf_from(page.text), "given_name": "Juan", "family_name": "Dela Cruz",
        "nationality_code": "PH", "date_of_birth": "1994-03-02", "sex": "male"})
    assert warned.status_code == 200
    assert "Open a case on this record" in warned.text
    form = warned.text.split('class="link-record"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields["person_id"] == str(person.id)
    opened = client.post("/cases", data=fields, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/cases/")
    case_page = client.get(opened.headers["location"])
    assert case_page.status_code == 200 and "Dela Cruz" in case_page.text
