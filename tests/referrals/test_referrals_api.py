import json

import pytest

from app.auth.models import Organization
from tests import factories
from tests.referrals.helpers import another_case, caseworker_case, events

BODY = {"service": "shelter", "recipient": "Mae Sot Safe House", "consent_to_share": True,
        "notes": "Needs a quiet room"}


def test_create_referral_for_own_case_is_pending_with_its_first_history_line(
        client, session, login_as):
    setup = caseworker_case(session, login_as)
    response = client.post(f"/api/v1/cases/{setup.case.id}/referrals",
                           headers=setup.signed_in.headers, json=BODY)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending"
    assert body["case_reference"] == setup.case.reference
    assert body["service"] == "shelter" and body["consent_to_share"] is True
    assert body["organization"] == "Border Care Foundation"
    assert [(h["from_status"], h["to_status"], h["changed_by"]) for h in body["history"]] == [
        (None, "pending", setup.signed_in.user.username)]
    [event] = events(session, action="referral.create")
    assert event.entity_id == str(body["id"]) and event.outcome == "success"
    assert event.detail == {"case_id": setup.case.id, "service": "shelter",
                            "consent_to_share": True}


def test_create_referral_without_consent_is_anonymous_by_default(client, session, login_as):
    setup = caseworker_case(session, login_as)
    body = {k: v for k, v in BODY.items() if k != "consent_to_share"}
    response = client.post(f"/api/v1/cases/{setup.case.id}/referrals",
                           headers=setup.signed_in.headers, json=body)
    assert response.status_code == 201
    assert response.json()["consent_to_share"] is False


def test_create_referral_for_another_organisations_case_is_404_and_audited(
        client, session, login_as):
    setup = caseworker_case(session, login_as)
    other = factories.make_organization(session, name="Safe Return Legal Aid")
    foreign_case, _ = another_case(session, other)
    response = client.post(f"/api/v1/cases/{foreign_case.id}/referrals",
                           headers=setup.signed_in.headers, json=BODY)
    assert response.status_code == 404
    [denied] = events(session, actor_id=setup.signed_in.user.id, outcome="denied")
    assert (denied.action, denied.entity_type, denied.entity_id) == (
        "referral.create", "case", str(foreign_case.id))
    assert events(session, action="referral.create", outcome="success") == []


def test_create_referral_for_missing_case_is_404(client, session, login_as):
    setup = caseworker_case(session, login_as)
    response = client.post("/api/v1/cases/999999/referrals", headers=setup.signed_in.headers,
                           json=BODY)
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["border_official", "coordinator", "admin"])
def test_create_referral_by_role_other_than_caseworker_is_403_and_audited(
        client, session, login_as, role):
    setup = caseworker_case(session, login_as)
    signed_in = login_as(role)
    response = client.post(f"/api/v1/cases/{setup.case.id}/referrals",
                           headers=signed_in.headers, json=BODY)
    assert response.status_code == 403
    [denied] = events(session, actor_id=signed_in.user.id, outcome="denied")
    assert denied.action == "POST /api/v1/cases/{case_id}/referrals"


def test_create_referral_anonymous_is_401(client, session, login_as):
    setup = caseworker_case(session, login_as)
    assert client.post(f"/api/v1/cases/{setup.case.id}/referrals",
                       json=BODY).status_code == 401


@pytest.mark.parametrize(("change", "field"), [
    ({"service": "spa"}, "service"),
    ({"service": None}, "service"),
    ({"recipient": ""}, "recipient"),
    ({"recipient": "x" * 201}, "recipient"),
    ({"notes": "x" * 4001}, "notes"),
    ({"consent_to_share": "maybe"}, "consent_to_share"),
    ({"status": "accepted"}, "status"),
])
def test_create_referral_with_bad_field_is_422_naming_it(client, session, login_as, change,
                                                         field):
    setup = caseworker_case(session, login_as)
    response = client.post(f"/api/v1/cases/{setup.case.id}/referrals",
                           headers=setup.signed_in.headers, json={**BODY, **change})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"][-1] == field
    assert "input" not in detail[0]


def _referral(session, setup, **overrides):
    referral = factories.make_referral(session, case=setup.case, created_by=setup.signed_in.user,
                                       **overrides)
    session.commit()
    return referral


def test_read_referral_by_coordinator_and_own_caseworker(client, session, login_as):
    setup = caseworker_case(session, login_as)
    referral = _referral(session, setup)
    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    for headers in (coordinator.headers, setup.signed_in.headers):
        response = client.get(f"/api/v1/referrals/{referral.id}", headers=headers)
        assert response.status_code == 200
        assert response.json()["recipient"] == referral.recipient
    reads = events(session, action="referral.read")
    assert [e.actor_id for e in reads] == [coordinator.user.id, setup.signed_in.user.id]


def test_read_referral_of_another_organisation_is_404_and_audited(client, session, login_as):
    setup = caseworker_case(session, login_as)
    referral = _referral(session, setup)
    stranger = login_as("caseworker", organization="Safe Return Legal Aid")
    response = client.get(f"/api/v1/referrals/{referral.id}", headers=stranger.headers)
    assert response.status_code == 404
    [denied] = events(session, actor_id=stranger.user.id, outcome="denied")
    assert (denied.action, denied.entity_id) == ("referral.read", str(referral.id))


@pytest.mark.parametrize("role", ["border_official", "admin"])
def test_read_referral_by_role_without_referrals_is_403_and_audited(client, session, login_as,
                                                                    role):
    setup = caseworker_case(session, login_as)
    referral = _referral(session, setup)
    signed_in = login_as(role)
    response = client.get(f"/api/v1/referrals/{referral.id}", headers=signed_in.headers)
    assert response.status_code == 403
    assert [e.action for e in events(session, actor_id=signed_in.user.id, outcome="denied")] \
        == ["GET /api/v1/referrals/{referral_id}"]


def test_read_missing_referral_is_404(client, login_as):
    response = client.get("/api/v1/referrals/424242",
                          headers=login_as("coordinator").headers)
    assert response.status_code == 404


def test_coordinator_moves_referral_pending_accepted_completed_and_history_keeps_who_and_when(
        client, session, login_as):
    setup = caseworker_case(session, login_as)
    referral = _referral(session, setup)
    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    url = f"/api/v1/referrals/{referral.id}"
    first = client.patch(url, headers=coordinator.headers,
                         json={"status": "accepted", "note": "Bed free from Monday"})
    assert first.status_code == 200, first.text
    second = client.patch(url, headers=coordinator.headers, json={"status": "completed"})
    assert second.status_code == 200
    body = second.json()
    assert body["status"] == "completed"
    history = body["history"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "pending"), ("pending", "accepted"), ("accepted", "completed")]
    assert [h["changed_by"] for h in history[1:]] == [coordinator.user.username] * 2
    assert history[1]["note"] == "Bed free from Monday"
    assert all(h["changed_at"] for h in history)
    changes = events(session, action="referral.update")
    assert [e.detail for e in changes] == [{"from": "pending", "to": "accepted"},
                                           {"from": "accepted", "to": "completed"}]
    assert all("Bed free" not in json.dumps(e.detail) for e in changes)


def test_coordinator_declines_pending_referral(client, session, login_as):
    setup = caseworker_case(session, login_as)
    referral = _referral(session, setup)
    coordinator = login_as("coordinator")
    response = client.patch(f"/api/v1/referrals/{referral.id}", headers=coordinator.headers,
                            json={"status": "declined"})
    assert response.status_code == 200 and response.json()["status"] == "declined"


@pytest.mark.parametrize(("start", "wanted"), [
    ("pending", "completed"), ("pending", "pending"), ("accepted", "declined"),
    ("accepted", "pending"), ("declined", "accepted"), ("declined", "completed"),
    ("completed", "pending"), ("completed", "accepted"),
])
def test_invalid_status_transition_is_409_naming_status_and_changes_nothing(
        client, session, login_as, start, wanted):
    setup = caseworker_case(session, login_as)
    referral = _referral(session, setup, status=start)
    coordinator = login_as("coordinator")
    response = client.patch(f"/api/v1/referrals/{referral.id}", headers=coordinator.headers,
                            json={"status": wanted})
    assert response.status_code == 409
    assert response.json()["detail"].startswith("status:")
    after = client.get(f"/api/v1/referrals/{referral.id}", headers=coordinator.headers).json()
    assert after["status"] == start and len(after["history"]) == 1


def test_update_with_unknown_status_is_422_naming_status(client, session, login_as):
    setup = caseworker_case(session, login_as)
    referral = _referral(session, setup)
    response = client.patch(f"/api/v1/referrals/{referral.id}",
                            headers=login_as("coordinator").headers, json={"status": "lost"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "status"


@pytest.mark.parametrize("role", ["caseworker", "border_official", "admin"])
def test_update_status_by_role_other_than_coordinator_is_403_and_audited(
        client, session, login_as, role):
    setup = caseworker_case(session, login_as)
    referral = _referral(session, setup)
    signed_in = setup.signed_in if role == "caseworker" else login_as(role)
    response = client.patch(f"/api/v1/referrals/{referral.id}", headers=signed_in.headers,
                            json={"status": "accepted"})
    assert response.status_code == 403
    assert [e.action for e in events(session, actor_id=signed_in.user.id, outcome="denied")] \
        == ["PATCH /api/v1/referrals/{referral_id}"]


def test_list_referrals_is_scoped_and_filtered(client, session, login_as):
    setup = caseworker_case(session, login_as)
    mine = _referral(session, setup, service="legal", recipient="Tak Legal Clinic")
    _referral(session, setup, service="shelter", recipient="Mae Sot Safe House",
              status="accepted")
    other = factories.make_organization(session, name="Safe Return Legal Aid")
    stranger, _ = factories.make_user(session, role="caseworker", organization=other)
    foreign_case, _ = another_case(session, other)
    factories.make_referral(session, case=foreign_case, created_by=stranger,
                            recipient="Tak Legal Clinic")
    session.commit()

    own = client.get("/api/v1/referrals", headers=setup.signed_in.headers).json()
    assert own["total"] == 2
    coordinator = login_as("coordinator")
    everything = client.get("/api/v1/referrals", headers=coordinator.headers).json()
    assert everything["total"] == 3
    legal = client.get("/api/v1/referrals?service=legal&recipient=legal%20CLINIC",
                       headers=setup.signed_in.headers).json()
    assert [r["id"] for r in legal["items"]] == [mine.id]
    accepted = client.get("/api/v1/referrals?status=accepted", headers=coordinator.headers)
    assert [r["status"] for r in accepted.json()["items"]] == ["accepted"]
    bad = client.get("/api/v1/referrals?status=lost", headers=coordinator.headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "status"


def test_list_referrals_with_end_before_start_is_422_naming_to(client, login_as):
    response = client.get("/api/v1/referrals?from=2025-10-20&to=2025-10-01",
                          headers=login_as("coordinator").headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "to"


def test_referral_organisation_follows_the_case_not_the_default(client, session, login_as):
    setup = caseworker_case(session, login_as)
    response = client.post(f"/api/v1/cases/{setup.case.id}/referrals",
                           headers=setup.signed_in.headers, json=BODY)
    org = session.get(Organization, response.json()["organization_id"])
    assert org.id == setup.case.organization_id
