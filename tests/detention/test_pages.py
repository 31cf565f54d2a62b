"""The case page's non-punishment section: the form for the owning organisation's caseworkers,
the letter link, and the record read by coordinators."""

import re

from sqlmodel import select

from app.auth.models import Organization
from app.detention.models import Detention
from tests import factories
from tests.cases.conftest import TRAFFICKED
from tests.pages import csrf_from, sign_in

FORM = {"detained": "yes", "authority": "Tak Immigration Police",
        "place": "Mae Sot Immigration Detention Centre", "since": "2025-10-23",
        "grounds": "crime_under_coercion", "note": "", "consent_to_share": "yes"}


def _signed_in_caseworker_case(client, session, make_detained, **kwargs):
    case = make_detained(**kwargs)
    user, password = factories.make_user(
        session, role="caseworker",
        organization=session.get(Organization, case.setup.signed_in.user.organization_id))
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    return case


def _post(client, case_id: int, data: dict):
    page = client.get(f"/cases/{case_id}")
    return client.post(f"/cases/{case_id}/detention",
                       data={**data, "csrf_token": csrf_from(page.text)},
                       follow_redirects=False)


def test_caseworker_records_a_detention_and_gets_the_letter_link(client, session,
                                                                 make_detained):
    case = _signed_in_caseworker_case(client, session, make_detained, answers=TRAFFICKED)
    case_id = case.setup.case.id
    before = client.get(f"/cases/{case_id}").text
    assert "Record a detention or a charge" in before
    assert "non-punishment-letter.pdf" not in before

    response = _post(client, case_id, FORM)
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{case_id}#detention"
    session.expire_all()
    stored = session.exec(select(Detention).where(Detention.case_id == case_id)).one()
    assert stored.grounds == "crime_under_coercion" and stored.detained and not stored.charged

    page = client.get(f"/cases/{case_id}").text
    assert f'href="/api/v1/cases/{case_id}/non-punishment-letter.pdf"' in page
    assert "A crime committed under coercion" in page  # the choice, in words
    assert "Change the detention record" in page
    letter = client.get(f"/api/v1/cases/{case_id}/non-punishment-letter.pdf")
    assert letter.status_code == 200
    assert "Letters made" in client.get(f"/cases/{case_id}").text

    # the same form changes the record
    assert _post(client, case_id, {**FORM, "charged": "yes"}).status_code == 303
    session.expire_all()
    assert session.exec(select(Detention).where(Detention.case_id == case_id)).one().charged


def test_form_errors_are_shown_in_words_and_nothing_is_stored(client, session, make_detained):
    case = _signed_in_caseworker_case(client, session, make_detained)
    response = _post(client, case.setup.case.id, {**FORM, "authority": "", "since": "23/10"})
    assert response.status_code == 422
    assert "Write the date as year-month-day" in response.text
    assert "Input should be" not in response.text
    response = _post(client, case.setup.case.id, {**FORM, "authority": ""})
    assert response.status_code == 422
    assert "Say which authority holds or charges the person" in response.text
    session.expire_all()
    assert session.exec(select(Detention).where(
        Detention.case_id == case.setup.case.id)).first() is None


def test_coordinator_sees_the_record_and_letter_link_but_no_form(client, session,
                                                                 make_detained):
    case = make_detained(detention={})
    org = factories.make_organization(session, name="Coordination Office")
    user, password = factories.make_user(session, role="coordinator", organization=org)
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    page = client.get(f"/cases/{case.setup.case.id}").text
    assert "Mae Sot Immigration Detention Centre" in page
    assert "non-punishment-letter.pdf" in page
    assert "Record a detention" not in page and "Change the detention record" not in page
    refused = client.post(f"/cases/{case.setup.case.id}/detention",
                          data={**FORM, "csrf_token": csrf_from(page)},
                          follow_redirects=False)
    assert refused.status_code == 403


def test_coordinator_home_page_counts_people_waiting_for_a_letter(client, session,
                                                                  make_detained):
    waiting = make_detained(detention={})
    make_detained(answers=None, detention={})  # no interview: no indicators
    org = factories.make_organization(session, name="Coordination Office")
    user, password = factories.make_user(session, role="coordinator", organization=org)
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    home = client.get("/").text
    count = int(re.search(r'id="awaiting-letters"><a href="/non-punishment"><strong>(\d+)',
                          home).group(1))
    assert count >= 1
    listing = client.get("/non-punishment")
    assert listing.status_code == 200
    assert waiting.setup.case.reference in listing.text
    # names never appear on the list: references only
    assert waiting.setup.person.given_name not in listing.text

    # the letter is made: the count goes down by one
    org_user = waiting.setup.signed_in
    assert client.get(f"/api/v1/cases/{waiting.setup.case.id}/non-punishment-letter.pdf",
                      headers=org_user.headers).status_code == 200
    after = client.get("/").text
    match = re.search(r'id="awaiting-letters"><a href="/non-punishment"><strong>(\d+)', after)
    assert (int(match.group(1)) if match else 0) == count - 1
    assert waiting.setup.case.reference not in client.get("/non-punishment").text


def test_border_official_has_no_letter_list(client, session):
    org = factories.make_organization(session, name="Mae Sot Border Post", kind="border_post")
    user, password = factories.make_user(session, role="border_official", organization=org)
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    assert "awaiting-letters" not in client.get("/").text
    assert client.get("/non-punishment").status_code == 403
