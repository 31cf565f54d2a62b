"""The non-refoulement safeguard, tested as an attack: a person who fears returning, with no
assessment clearing the return, goes no further than planning, whatever is sent and in
whatever order. (Batches and manifests: test_batches.py, test_manifest.py.)"""

import pytest
from sqlmodel import select

from app.repatriation.models import Repatriation
from tests.repatriation.conftest import READY

FEARS = {**READY, "fear_of_return": "yes",
         "fear_of_return_note": "Owes the recruiter; threatened at home."}
PAST_PLANNING = ("embassy_notified", "nationality_verified", "documents_ready",
                 "exit_cleared", "departed", "received")


def _stored(session) -> Repatriation:
    session.expire_all()
    return session.exec(select(Repatriation)).one()


@pytest.mark.parametrize("stage", PAST_PLANNING)
def test_fear_without_assessment_goes_nowhere_past_planning(make_journey, session, stage):
    journey = make_journey()
    journey.start(**FEARS)
    response = journey.patch(stage=stage)
    assert response.status_code == 409
    assert _stored(session).stage == "planning"


def test_the_refusal_says_why(make_journey):
    journey = make_journey()
    body = journey.start(**FEARS)
    assert any("no protection assessment" in m for m in body["missing"])
    response = journey.patch(stage="embassy_notified")
    assert "fears returning and no protection assessment" in response.json()["detail"]


def test_fear_not_asked_is_asked_first(make_journey):
    journey = make_journey()
    journey.start(**{**READY, "fear_of_return": "not_asked"})
    response = journey.patch(stage="embassy_notified")
    assert response.status_code == 409 and "ask the person" in response.json()["detail"]


def test_an_assessment_and_a_step_in_one_request_are_judged_together(make_journey, session):
    journey = make_journey()
    journey.start(**FEARS)
    referred = journey.patch(stage="embassy_notified", protection_assessment={
        "outcome": "referred_to_unhcr", "rationale": "Credible threat from the recruiter."})
    assert referred.status_code == 409 and "UNHCR" in referred.json()["detail"]
    assert _stored(session).protection_outcome is None  # nothing of the request was kept


def test_referred_to_unhcr_holds_the_person_back(make_journey, session):
    journey = make_journey()
    journey.start(**FEARS)
    body = journey.patch(protection_assessment={
        "outcome": "referred_to_unhcr", "rationale": "Credible threat."}).json()
    assert body["protection_assessment"]["outcome"] == "referred_to_unhcr"
    assert body["protection_assessment"]["assessed_by"]
    assert journey.patch(stage="embassy_notified").status_code == 409
    assert _stored(session).stage == "planning"


def test_a_clearing_assessment_with_its_rationale_lets_the_journey_go_on(make_journey):
    journey = make_journey()
    journey.start(**FEARS)
    body = journey.step("embassy_notified", protection_assessment={
        "outcome": "cleared", "rationale": "The debt was settled; family will meet them."})
    assert body["stage"] == "embassy_notified"
    assert body["protection_assessment"]["rationale"].startswith("The debt")


@pytest.mark.parametrize("late", [{"fear_of_return": "yes"},
                                  {"consent_to_return": "no"},
                                  {"protection_assessment": {"outcome": "referred_to_unhcr",
                                                             "rationale": "New threat."}}])
def test_a_fear_recorded_on_the_way_takes_the_journey_back_to_planning(make_journey, session,
                                                                       late):
    journey = make_journey()
    journey.start(**{**READY, "fear_of_return": "yes", "protection_assessment": {
        "outcome": "cleared", "rationale": "Assessed."}} if "protection_assessment" in late
        else READY)
    for stage in ("embassy_notified", "nationality_verified", "documents_ready",
                  "exit_cleared"):
        journey.step(stage)
    body = journey.patch(**late).json()
    assert body["stage"] == "planning" and body["batch_id"] is None
    assert body["history"][-1]["note"].startswith("Back to planning")
    assert journey.patch(stage="embassy_notified").status_code == 409
    # and no path around it: straight to a later stage is refused too
    assert journey.patch(stage="departed").status_code == 409
    assert _stored(session).stage == "planning"


def test_a_fear_recorded_with_a_step_forward_is_kept_and_the_step_refused(make_journey,
                                                                          session):
    journey = make_journey()
    journey.ready()
    response = journey.patch(fear_of_return="yes", stage="exit_cleared")
    assert response.status_code == 409
    # the request is refused as a whole: the record is as it was
    stored = _stored(session)
    assert (stored.stage, stored.fear_of_return) == ("documents_ready", "no")
    held = journey.patch(fear_of_return="yes")
    assert held.json()["stage"] == "planning"


def test_a_new_destination_goes_back_to_planning_and_out_of_the_batch(make_journey,
                                                                      make_batch_api,
                                                                      client, coordinator):
    """No one stays on the manifest of an embassy that is not theirs."""
    batch = make_batch_api()
    journey = make_journey()
    journey.ready()
    assert journey.patch(batch_id=batch["id"]).status_code == 200
    body = journey.patch(destination_country="PH").json()
    assert (body["stage"], body["batch_id"]) == ("planning", None)
    assert "another embassy" in body["history"][-1]["note"]
    read = client.get(f"/api/v1/repatriation-batches/{batch['id']}",
                      headers=coordinator.headers).json()
    assert read["counts"]["members"] == 0


def test_lost_documents_take_the_journey_back_a_step(make_journey, make_batch_api):
    batch = make_batch_api()
    journey = make_journey()
    journey.ready()
    journey.patch(batch_id=batch["id"])
    body = journey.patch(travel_document_status="lost").json()
    assert (body["stage"], body["batch_id"]) == ("nationality_verified", None)
    assert journey.patch(stage="documents_ready").status_code == 409
