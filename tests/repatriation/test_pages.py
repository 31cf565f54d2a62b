"""The pages: the case page's repatriation section and its forms, the batches board, a batch's
page, and the border's departure list, walked through as the three roles use them."""

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from app.repatriation.models import Repatriation
from tests import factories
from tests.pages import post_form, sign_in

DETAILS = {"consent_to_return": "yes", "consent_to_return_on": "2025-10-28",
           "consent_to_share_with_embassy": "yes", "consent_to_share_on": "2025-10-28",
           "fear_of_return": "no", "fear_of_return_note": "", "protection_outcome": "",
           "protection_rationale": "", "travel_document_status": "with_person",
           "emergency_document": "not_needed", "emergency_document_number": "",
           "emergency_document_issued_on": "", "name_latin": "Ananya Rao",
           "place_of_origin": "Hyderabad"}


def _browser(app, session, role, organization):
    user, password = factories.make_user(session, role=role, organization=organization)
    session.commit()
    client = TestClient(app, base_url="https://testserver")
    assert sign_in(client, user.username, password).status_code == 303
    return client


def test_a_case_goes_home_through_the_pages(app, session):
    ngo = factories.make_organization(session, name="Border Care Foundation")
    post = factories.make_organization(session, name="Mae Sot Border Post")
    office = factories.make_organization(session, name="Coordination Office")
    person = factories.make_person(session, organization=ngo, given_name="अनन्या",
                                   family_name="राव", document_number="Z1234567",
                                   nationality_code="IN")
    case = factories.make_case(session, person=person, organization=ngo)
    caseworker = _browser(app, session, "caseworker", ngo)
    coordinator = _browser(app, session, "coordinator", office)
    border = _browser(app, session, "border_official", post)
    url = f"/cases/{case.id}"

    assert "Start a repatriation" in caseworker.get(url).text
    started = post_form(caseworker, url, f"{url}/repatriation", {}, follow_redirects=False)
    assert started.status_code == 303
    page = caseworker.get(url).text
    assert "Consent to return: the person has not agreed to return" in page
    saved = post_form(caseworker, url, f"{url}/repatriation/details", DETAILS,
                      follow_redirects=False)
    assert saved.status_code == 303, saved.text
    for stage in ("embassy_notified", "nationality_verified", "documents_ready"):
        page = caseworker.get(url).text
        assert f'name="stage" value="{stage}"' in page
        moved = post_form(caseworker, url, f"{url}/repatriation/stage", {"stage": stage},
                          follow_redirects=False)
        assert moved.status_code == 303, moved.text

    board = coordinator.get("/repatriation")
    assert board.status_code == 200 and "Waiting for a batch" in board.text
    assert f'<option value="{post.id}"' in board.text  # the border post to name
    made = post_form(coordinator, "/repatriation", "/repatriation-batches", {
        "name": "Air India AI-1", "nationality_code": "IN", "departs_on": "2025-11-06",
        "mode": "flight", "carrier_reference": "IAF C-17", "exit_point": "Mae Sot Airport",
        "border_organization_id": str(post.id)}, follow_redirects=False)
    assert made.status_code == 303
    batch_url = made.headers["location"]
    batch_page = coordinator.get(batch_url).text
    rep = session.exec(select(Repatriation).where(Repatriation.case_id == case.id)).one()
    assert f'value="{rep.id}"' in batch_page
    added = post_form(coordinator, batch_url, f"{batch_url}/members",
                      {"repatriation_id": [str(rep.id)]}, follow_redirects=False)
    assert added.status_code == 303, added.text
    batch_page = coordinator.get(batch_url).text
    assert "अनन्या" in batch_page and "manifest?format=pdf" in batch_page
    manifest = coordinator.get(f"/api/v1{batch_url}/manifest", params={"format": "xlsx"})
    assert manifest.status_code == 200
    cleared = post_form(coordinator, batch_url, f"{batch_url}/stage",
                        {"stage": "exit_cleared"}, follow_redirects=False)
    assert cleared.status_code == 303

    departure = border.get(f"{batch_url}/departure")
    assert departure.status_code == 200 and "Z1234567" in departure.text
    assert "PSG-" not in departure.text  # nothing of the case
    ticked = post_form(border, f"{batch_url}/departure", f"{batch_url}/departure",
                       {"repatriation_id": str(rep.id)}, follow_redirects=False)
    assert ticked.status_code == 303
    assert "1 of 1 passed" in border.get(f"{batch_url}/departure").text

    page = caseworker.get(url).text
    stage = re.search(r'id="repatriation-stage">(.*?)</p>', page, re.S).group(1)
    assert "Departed" in stage
    assert "Left the country at Mae Sot Airport" in page


def test_the_form_shows_what_is_wrong_and_keeps_nothing(app, session):
    ngo = factories.make_organization(session, name="Border Care Foundation")
    person = factories.make_person(session, organization=ngo)
    case = factories.make_case(session, person=person, organization=ngo)
    user, _ = factories.make_user(session, role="caseworker", organization=ngo)
    factories.make_repatriation(session, case=case, created_by=user)
    caseworker = _browser(app, session, "caseworker", ngo)
    url = f"/cases/{case.id}"
    bad = post_form(caseworker, url, f"{url}/repatriation/details",
                    {**DETAILS, "emergency_document": "issued", "fear_of_return": "yes",
                     "protection_outcome": "cleared", "protection_rationale": ""})
    assert bad.status_code == 422
    assert "Say why: what was asked and what was found" in bad.text
    skipped = post_form(caseworker, url, f"{url}/repatriation/stage",
                        {"stage": "documents_ready"})
    assert skipped.status_code == 422 and "One step at a time" in skipped.text
    session.expire_all()
    stored = session.exec(select(Repatriation)).one()
    assert (stored.stage, stored.fear_of_return, stored.emergency_document) == (
        "planning", "not_asked", "not_needed")


def test_a_person_who_fears_return_is_not_offered_to_a_batch(app, session):
    ngo = factories.make_organization(session, name="Border Care Foundation")
    office = factories.make_organization(session, name="Coordination Office")
    user, _ = factories.make_user(session, role="caseworker", organization=ngo)
    batch = factories.make_batch(session, created_by=user)
    reps = []
    for fear in ("no", "yes"):
        person = factories.make_person(session, organization=ngo, given_name=f"Fear-{fear}")
        case = factories.make_case(session, person=person, organization=ngo)
        reps.append(factories.make_repatriation(session, case=case, created_by=user,
                                                stage="documents_ready", fear_of_return=fear))
    coordinator = _browser(app, session, "coordinator", office)
    page = coordinator.get(f"/repatriation-batches/{batch.id}").text
    assert "Fear-no" in page and "Fear-yes" not in page
    forced = post_form(coordinator, f"/repatriation-batches/{batch.id}",
                       f"/repatriation-batches/{batch.id}/members",
                       {"repatriation_id": [str(reps[1].id)]})
    assert forced.status_code == 422 and "fears returning" in forced.text
    session.expire_all()
    assert session.get(Repatriation, reps[1].id).batch_id is None
    board = coordinator.get("/repatriation").text
    assert re.search(r"<td class=\"num\">1</td>", board)  # the fear counted, no name
    assert "Fear-yes" not in board
