"""A case's repatriation: started, read, changed, walked one step at a time; bad input and
skipped steps refused with nothing written; the access rule, refusals audited."""

import pytest
from sqlmodel import select

from app.cases.models import FollowUp
from app.clock import local_today
from app.repatriation.models import Repatriation, RepatriationStageChange
from app.repatriation.service import CLOSURE_FOLLOW_UP
from tests.referrals.helpers import events
from tests.repatriation.conftest import READY, STEPS_TO_READY


def test_start_takes_the_nationality_and_begins_at_planning(make_journey, client, session):
    journey = make_journey(nationality_code="PH")
    body = journey.start()
    assert body["destination_country"] == "PH" and body["stage"] == "planning"
    assert body["consent_to_return"] == "not_asked" and body["fear_of_return"] == "not_asked"
    assert body["next_stage"] == "embassy_notified"
    assert any("Consent to return" in m for m in body["missing"])
    assert any("fear returning" in m for m in body["missing"])
    assert [h["to_stage"] for h in body["history"]] == ["planning"]
    read = client.get(journey.url, headers=journey.headers)
    assert read.status_code == 200 and read.json() == body
    [created] = events(session, action="repatriation.create")
    assert created.entity_id == str(journey.setup.case.id)
    assert len(events(session, action="repatriation.read")) == 1


def test_second_start_is_409_and_read_before_start_is_404(make_journey, client):
    journey = make_journey()
    assert client.get(journey.url, headers=journey.headers).status_code == 404
    assert journey.patch(stage="embassy_notified").status_code == 404
    journey.start()
    second = client.post(journey.url, headers=journey.headers, json={})
    assert second.status_code == 409 and "PATCH" in second.json()["detail"]


def test_walk_every_step_to_received_offers_closure(make_journey, session):
    journey = make_journey()
    body = journey.ready()
    assert body["stage"] == "documents_ready" and body["missing"] == []
    for stage in ("exit_cleared", "departed", "received"):
        body = journey.step(stage)
    assert body["stage"] == "received" and body["next_stage"] is None
    assert body["closure_offered"] == "repatriated"
    stages = [h["to_stage"] for h in body["history"]]
    assert stages == ["planning", *STEPS_TO_READY, "exit_cleared", "departed", "received"]
    assert all(h["changed_by"] for h in body["history"])
    updates = events(session, action="repatriation.update")
    assert updates[-1].detail["stage"] == ["departed", "received"]


@pytest.mark.parametrize("stage", ["nationality_verified", "documents_ready", "departed",
                                   "received"])
def test_a_skipped_step_is_409_naming_the_step_missing(make_journey, session, stage):
    journey = make_journey()
    journey.start(**READY)
    response = journey.patch(stage=stage)
    assert response.status_code == 409
    assert "embassy_notified" in response.json()["detail"]
    session.expire_all()
    rep = session.exec(select(Repatriation)).one()
    assert rep.stage == "planning"


def test_documents_ready_needs_a_document(make_journey):
    journey = make_journey()
    journey.start(**{**READY, "travel_document_status": "held_by_compound",
                     "emergency_document": "requested"})
    journey.step("embassy_notified")
    journey.step("nationality_verified")
    refused = journey.patch(stage="documents_ready")
    assert refused.status_code == 409 and "Travel document" in refused.json()["detail"]
    issued = journey.patch(emergency_document="issued", emergency_document_number="ETD-1",
                           emergency_document_issued_on="2025-11-01", stage="documents_ready")
    assert issued.status_code == 200, issued.text
    assert issued.json()["stage"] == "documents_ready"


def test_consent_to_return_is_required_past_planning(make_journey):
    journey = make_journey()
    journey.start(**{**READY, "consent_to_return": "no"})
    response = journey.patch(stage="embassy_notified")
    assert response.status_code == 409
    assert "Consent to return" in response.json()["detail"]


def test_step_back_and_cancel_need_a_note(make_journey):
    journey = make_journey()
    journey.ready()
    no_note = journey.patch(stage="embassy_notified")
    assert no_note.status_code == 422 and no_note.json()["detail"][0]["loc"][-1] == "note"
    back = journey.step("embassy_notified", note="The embassy asked to verify again.")
    assert back["stage"] == "embassy_notified"
    assert back["history"][-1]["note"] == "The embassy asked to verify again."
    assert journey.patch(stage="cancelled").status_code == 422
    cancelled = journey.step("cancelled", note="Chose to stay and work in Thailand.")
    assert cancelled["stage"] == "cancelled" and cancelled["next_stage"] is None
    assert cancelled["cancel_reason"] == "Chose to stay and work in Thailand."
    assert journey.patch(stage="embassy_notified", note="x").status_code == 409
    again = journey.step("planning", note="Changed their mind.")
    assert again["stage"] == "planning" and again["cancel_reason"] == ""


def test_a_person_who_left_cannot_be_cancelled(make_journey):
    journey = make_journey()
    journey.ready()
    journey.step("exit_cleared")
    journey.step("departed")
    response = journey.patch(stage="cancelled", note="too late")
    assert response.status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"consent_to_return": "maybe"}, "consent_to_return"),
    ({"fear_of_return": True}, "fear_of_return"),
    ({"travel_document_status": "burnt"}, "travel_document_status"),
    ({"destination_country": "ZZ"}, "destination_country"),
    ({"destination_country": "IND"}, "destination_country"),
    ({"consent_to_return_on": "2999-01-01"}, "consent_to_return_on"),
    ({"emergency_document": "issued"}, "emergency_document_number"),
    ({"emergency_document": "issued", "emergency_document_number": "E1"},
     "emergency_document_issued_on"),
    ({"protection_assessment": {"outcome": "cleared"}}, "rationale"),
    ({"protection_assessment": {"outcome": "cleared", "rationale": "  "}}, "rationale"),
    ({"protection_assessment": {"outcome": "deported", "rationale": "x"}}, "outcome"),
    ({"fear_of_return_note": "a\x00b"}, "fear_of_return_note"),
    ({"stage": "teleported"}, "stage"),
    ({"secret": 1}, "secret"),
])
def test_bad_input_is_422_naming_the_field_and_nothing_is_written(make_journey, session,
                                                                  body, field):
    journey = make_journey()
    started = journey.start()
    response = journey.patch(**body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    assert "\x00" not in response.text
    session.expire_all()
    rep = session.exec(select(Repatriation)).one()
    assert rep.updated_at.isoformat()[:19] == started["updated_at"][:19]
    assert rep.consent_to_return == "not_asked" and rep.emergency_document == "not_needed"


def test_a_closed_case_takes_no_repatriation(make_journey, client, session):
    journey = make_journey()
    closed = client.post(f"/api/v1/cases/{journey.setup.case.id}/close",
                         headers=journey.headers, json={"reason": "lost_contact"})
    assert closed.status_code == 200
    response = client.post(journey.url, headers=journey.headers, json={})
    assert response.status_code == 409 and "closed" in response.json()["detail"]
    assert session.exec(select(Repatriation)).first() is None


def test_another_organisation_sees_no_repatriation_and_is_audited(make_journey, client,
                                                                  session, login_as):
    journey = make_journey()
    journey.start(**READY)
    other = login_as("caseworker", organization="Other Shelter")
    for response in (client.get(journey.url, headers=other.headers),
                     client.patch(journey.url, headers=other.headers,
                                  json={"stage": "embassy_notified"})):
        assert response.status_code == 404
    denied = events(session, actor_id=other.user.id, outcome="denied")
    assert len(denied) == 2
    session.expire_all()
    assert session.exec(select(Repatriation)).one().stage == "planning"


@pytest.mark.parametrize(("role", "read", "write"), [
    ("coordinator", 200, 200), ("border_official", 403, 403), ("admin", 403, 403)])
def test_roles_reading_and_writing_a_repatriation(make_journey, client, session, login_as,
                                                   role, read, write):
    journey = make_journey()
    journey.start(**READY)
    signed_in = login_as(role, organization=f"{role} office")
    assert client.get(journey.url, headers=signed_in.headers).status_code == read
    response = client.patch(journey.url, headers=signed_in.headers,
                            json={"place_of_origin": "Kerala"})
    assert response.status_code == write
    if write == 403:
        assert len(events(session, actor_id=signed_in.user.id, outcome="denied")) == 2


def test_a_change_audits_field_names_never_values(make_journey, session):
    journey = make_journey()
    journey.start()
    body = journey.patch(fear_of_return="no", fear_of_return_note="Secret words",
                         place_of_origin="Manila").json()
    assert body["place_of_origin"] == "Manila"
    [update] = events(session, action="repatriation.update")
    assert update.detail["fields"] == ["fear_of_return", "fear_of_return_note",
                                       "place_of_origin"]
    assert "Secret" not in str(update.detail) and "Manila" not in str(update.detail)


def test_stage_changes_are_kept(make_journey, session):
    journey = make_journey()
    journey.ready()
    session.expire_all()
    changes = session.exec(select(RepatriationStageChange)
                           .order_by(RepatriationStageChange.id)).all()
    assert [c.to_stage for c in changes] == ["planning", *STEPS_TO_READY]


def test_an_answer_is_dated_today_unless_a_date_is_given(make_journey):
    journey = make_journey()
    journey.start()
    body = journey.patch(consent_to_return="yes",
                         consent_to_share_with_embassy="no",
                         consent_to_share_on="2025-10-30").json()
    assert body["consent_to_return_on"] == local_today().isoformat()
    assert body["consent_to_share_on"] == "2025-10-30"


def test_received_at_home_puts_the_closing_in_the_caseworkers_queue(make_journey, client,
                                                                    session):
    journey = make_journey()
    journey.ready()
    for stage in ("exit_cleared", "departed", "received"):
        journey.step(stage)
    session.expire_all()
    [proposed] = session.exec(select(FollowUp).where(
        FollowUp.case_id == journey.setup.case.id)).all()
    assert proposed.title == CLOSURE_FOLLOW_UP and proposed.proposed
    closed = client.post(f"/api/v1/cases/{journey.setup.case.id}/close",
                         headers=journey.headers,
                         json={"reason": "repatriated", "note": "Home in Kerala."})
    assert closed.status_code == 200
    assert client.get(journey.url, headers=journey.headers).json()["closure_offered"] is None
