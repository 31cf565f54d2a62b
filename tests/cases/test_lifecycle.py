"""Case status with history: open, determined, closed for a reason, reopened with a note."""

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.cases.lifecycle import htcds_case_status
from app.cases.models import Case, CaseStatusChange
from tests import factories
from tests.cases.conftest import TRAFFICKED, denied_events
from tests.pages import csrf_from, post_form, sign_in


def _close(desk, case_id: int, **body):
    return desk.client.post(f"/api/v1/cases/{case_id}/close", headers=desk.headers, json=body)


def _reopen(desk, case_id: int, **body):
    return desk.client.post(f"/api/v1/cases/{case_id}/reopen", headers=desk.headers, json=body)


def _history(desk, case_id: int) -> list[dict]:
    response = desk.client.get(f"/api/v1/cases/{case_id}/history", headers=desk.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _determined_case(desk) -> dict:
    case = desk.open_case()
    assert desk.interview(case["id"], TRAFFICKED).status_code == 201
    response = desk.client.post(f"/api/v1/cases/{case['id']}/determination",
                                headers=desk.headers, json={"outcome": "trafficking_victim"})
    assert response.status_code == 201, response.text
    return case


def test_a_case_is_opened_determined_closed_and_reopened_with_every_change_kept(desk, session):
    case = desk.open_case()
    assert case["status"] == "open" and case["closure_reason"] is None
    assert desk.interview(case["id"], TRAFFICKED).status_code == 201
    determination = desk.client.post(f"/api/v1/cases/{case['id']}/determination",
                                     headers=desk.headers,
                                     json={"outcome": "trafficking_victim"}).json()

    closed = _close(desk, case["id"], reason="repatriated", note="Flew home on 2 Dec.")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["closure_reason"] == "repatriated"

    reopened = _reopen(desk, case["id"], note="The family asked for help again.")
    assert reopened.status_code == 200, reopened.text
    # back to what its latest determination makes it
    assert reopened.json()["status"] == "determined"
    assert reopened.json()["closure_reason"] is None

    history = _history(desk, case["id"])
    assert [(h["from_status"], h["to_status"], h["event"]) for h in history] == [
        (None, "open", "opened"), ("open", "determined", "determination"),
        ("determined", "closed", "closed"), ("closed", "determined", "reopened")]
    assert history[1]["determination_id"] == determination["id"]
    assert history[2]["reason"] == "repatriated" and history[2]["note"] == "Flew home on 2 Dec."
    assert history[3]["note"] == "The family asked for help again."
    assert {h["changed_by_id"] for h in history} == {desk.signed_in.user.id}

    session.expire_all()
    actions = [e.action for e in session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "case",
                                 AuditEvent.entity_id == str(case["id"]))
        .order_by(AuditEvent.id))]
    assert "case.close" in actions and "case.reopen" in actions
    assert actions[-1] == "case.history"


def test_an_undetermined_case_stays_open_and_a_later_determination_moves_it(desk):
    case = desk.open_case()
    desk.interview(case["id"], TRAFFICKED)
    first = desk.client.post(f"/api/v1/cases/{case['id']}/determination", headers=desk.headers,
                             json={"outcome": "undetermined", "rationale": "More to learn."})
    assert first.status_code == 201
    assert desk.client.get(f"/api/v1/cases/{case['id']}",
                           headers=desk.headers).json()["status"] == "open"
    desk.client.post(f"/api/v1/cases/{case['id']}/determination", headers=desk.headers,
                     json={"outcome": "trafficking_victim"})
    assert [h["event"] for h in _history(desk, case["id"])] == ["opened", "determination"]


def test_closing_without_a_reason_is_refused_in_words_and_changes_nothing(desk, session):
    case = desk.open_case()
    for body in ({}, {"note": "Gone."}, {"reason": None}):
        response = _close(desk, case["id"], **body)
        assert response.status_code == 422, response.text
        [error] = response.json()["detail"]
        assert error["loc"][-1] == "reason"
        assert "Choose why the case is closed" in error["msg"]
    assert _close(desk, case["id"], reason="gone_fishing").status_code == 422
    session.expire_all()
    assert session.get(Case, case["id"]).status == "open"
    assert len(_history(desk, case["id"])) == 1


def test_closing_a_closed_case_and_reopening_an_open_one_are_conflicts(desk):
    case = desk.open_case()
    reopen = _reopen(desk, case["id"], note="Why not.")
    assert reopen.status_code == 409
    assert reopen.json()["detail"] == "The case is not closed"
    assert _close(desk, case["id"], reason="lost_contact").status_code == 200
    again = _close(desk, case["id"], reason="deceased")
    assert again.status_code == 409
    assert again.json()["detail"] == "The case is already closed"
    no_note = _reopen(desk, case["id"])
    assert no_note.status_code == 422
    assert no_note.json()["detail"][0]["loc"][-1] == "note"
    assert [h["event"] for h in _history(desk, case["id"])] == ["opened", "closed"]


def test_a_closed_case_takes_no_interview_determination_or_referral(desk, session):
    case = _determined_case(desk)
    assert _close(desk, case["id"], reason="declined_assistance").status_code == 200
    attempts = [
        desk.interview(case["id"], TRAFFICKED),
        desk.client.post(f"/api/v1/cases/{case['id']}/determination", headers=desk.headers,
                         json={"outcome": "willing_worker", "rationale": "Changed mind."}),
        desk.client.post(f"/api/v1/cases/{case['id']}/referrals", headers=desk.headers,
                         json={"service": "shelter", "recipient": "Safe House"}),
    ]
    for response in attempts:
        assert response.status_code == 409, response.text
        assert "The case is closed" in response.json()["detail"]
    case_read = desk.client.get(f"/api/v1/cases/{case['id']}", headers=desk.headers).json()
    assert len(case_read["interviews"]) == 1 and len(case_read["determinations"]) == 1
    referrals = desk.client.get("/api/v1/referrals", headers=desk.headers,
                                params={"case_id": case["id"]}).json()
    assert referrals["total"] == 0


def test_reopening_is_refused_while_the_organisation_has_another_open_case(desk):
    person = desk.person()
    first = desk.client.post("/api/v1/cases", headers=desk.headers,
                             json={"person_id": person.id}).json()
    # an open case blocks a second one; a closed one does not
    assert desk.client.post("/api/v1/cases", headers=desk.headers,
                            json={"person_id": person.id}).status_code == 409
    _close(desk, first["id"], reason="lost_contact")
    second = desk.client.post("/api/v1/cases", headers=desk.headers,
                              json={"person_id": person.id})
    assert second.status_code == 201
    response = _reopen(desk, first["id"], note="Found again.")
    assert response.status_code == 409
    assert second.json()["reference"] in response.json()["detail"]


def test_another_organisation_cannot_close_and_a_coordinator_may_only_read(
        desk, other_desk, session, login_as):
    case = desk.open_case()
    response = _close(other_desk, case["id"], reason="lost_contact")
    assert response.status_code == 404
    [denied] = denied_events(session, other_desk.signed_in.user.id)
    assert denied.action == "case.close"

    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    refused = desk.client.post(f"/api/v1/cases/{case['id']}/close", headers=coordinator.headers,
                               json={"reason": "lost_contact"})
    assert refused.status_code == 403
    history = desk.client.get(f"/api/v1/cases/{case['id']}/history",
                              headers=coordinator.headers)
    assert history.status_code == 200 and history.json()["total"] == 1
    assert other_desk.client.get(f"/api/v1/cases/{case['id']}/history",
                                 headers=other_desk.headers).status_code == 404
    session.expire_all()
    assert session.get(Case, case["id"]).status == "open"


@pytest.mark.parametrize(("status", "reason", "expected"), [
    ("open", None, "Active"),
    ("determined", None, "FollowUp"),
    ("closed", "repatriated", "Closed"),
    ("closed", "lost_contact", "Closed"),
    ("closed", "referred_elsewhere", "ClosedReferred"),
])
def test_htcds_status_follows_from_the_status_and_reason(status, reason, expected):
    assert htcds_case_status(status, reason) == expected


def test_caseworker_closes_and_reopens_a_case_from_its_page(client, session):
    org = factories.make_organization(session, name="Border Care Foundation")
    user, password = factories.make_user(session, role="caseworker", organization=org)
    person = factories.make_person(session, organization=org, given_name="Ramon")
    case = factories.make_case(session, person=person, organization=org)
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    url = f"/cases/{case.id}"

    # no reason: the page again, the message beside the field, nothing changed
    refused = post_form(client, url, f"{url}/close", {"reason": "", "note": "Gone home"})
    assert refused.status_code == 422
    assert 'id="e-s-reason"' in refused.text and "Gone home" in refused.text
    session.expire_all()
    assert session.get(Case, case.id).status == "open"

    done = post_form(client, url, f"{url}/close", {"reason": "relocated",
                                                   "note": "Resettled in Canada."},
                     follow_redirects=False)
    assert done.status_code == 303
    page = client.get(url)
    assert "Moved to a third country or resettled" in page.text
    assert 'id="closed-notice"' in page.text
    assert f'action="/cases/{case.id}/determination"' not in page.text
    assert "Reopen case" in page.text

    again = client.post(f"{url}/reopen", data={"note": "", "csrf_token": csrf_from(page.text)})
    assert again.status_code == 422 and 'id="e-s-note"' in again.text
    reopened = post_form(client, url, f"{url}/reopen", {"note": "Came back."},
                         follow_redirects=False)
    assert reopened.status_code == 303
    session.expire_all()
    assert session.get(Case, case.id).status == "open"
    changes = session.exec(select(CaseStatusChange).where(CaseStatusChange.case_id == case.id)
                           .order_by(CaseStatusChange.id)).all()
    assert [c.event for c in changes] == ["closed", "reopened"]
