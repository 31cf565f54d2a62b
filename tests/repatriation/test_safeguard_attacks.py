"""The non-refoulement safeguard under attack: each test is one of the security tester's
breaks, played again. While fear_of_return is `yes` and no assessment clears it, the
repatriation goes no further than planning and the person is in no batch and no manifest."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.config import get_settings
from app.db import make_engine
from app.main import create_app
from app.repatriation.models import Repatriation, RepatriationExit
from tests import factories
from tests.referrals.helpers import events
from tests.repatriation.conftest import READY

PASSWORD = factories.DEFAULT_PASSWORD


# --- 1. a fear of return recorded while the batch departs (PostgreSQL, real connections) ---

def _token(client: TestClient, username: str) -> dict:
    response = client.post("/api/v1/auth/token", data={"username": username,
                                                        "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_a_fear_recorded_while_the_batch_departs_is_never_overwritten(postgresql_url):
    engine = make_engine(postgresql_url)
    with Session(engine) as s:
        ngo = factories.make_organization(s, name="Race Care")
        caseworker, _ = factories.make_user(s, role="caseworker", organization=ngo,
                                            username="race-caseworker")
        coordinator, _ = factories.make_user(
            s, role="coordinator", organization=factories.make_organization(
                s, name="Race Coordination"), username="race-coordinator")
        rounds = []
        for round_ in range(4):
            batch = factories.make_batch(s, created_by=coordinator, stage="exit_cleared")
            cases = []
            for n in range(8):
                person = factories.make_person(s, organization=ngo,
                                               given_name=f"Race{round_}x{n}")
                case = factories.make_case(s, person=person, organization=ngo,
                                           assigned_to=caseworker)
                factories.make_repatriation(s, case=case, created_by=caseworker,
                                            stage="exit_cleared", batch_id=batch.id)
                cases.append(case.id)
            rounds.append((batch.id, cases))
        s.commit()

    settings = get_settings().model_copy(update={"database_url": postgresql_url})
    fear_seen: dict[int, str] = {}  # case id: the stage the fear's PATCH answered with
    with TestClient(create_app(settings)) as client:
        worker = _token(client, "race-caseworker")
        coordinating = _token(client, "race-coordinator")
        for batch_id, case_ids in rounds:
            barrier = threading.Barrier(len(case_ids) + 1)

            def fear(case_id: int, barrier=barrier) -> None:
                barrier.wait()
                response = client.patch(f"/api/v1/cases/{case_id}/repatriation",
                                        headers=worker, json={"fear_of_return": "yes"})
                assert response.status_code == 200, response.text
                fear_seen[case_id] = response.json()["stage"]

            def depart(batch_id=batch_id, barrier=barrier) -> int:
                barrier.wait()
                return client.patch(f"/api/v1/repatriation-batches/{batch_id}",
                                    headers=coordinating,
                                    json={"stage": "departed"}).status_code

            with ThreadPoolExecutor(len(case_ids) + 1) as pool:
                moved = pool.submit(depart)
                list(pool.map(fear, case_ids))
                # 409 when every member was held back before the batch moved
                assert moved.result() in (200, 409)

    with Session(engine) as s:
        reps = s.exec(select(Repatriation)).all()
        assert len(reps) == 32
        exits = set(s.exec(select(RepatriationExit.repatriation_id)).all())
        for rep in reps:
            assert rep.fear_of_return == "yes" and rep.protection_outcome is None
            if fear_seen[rep.case_id] == "planning":
                # the fear came first: held back, out of the batch, never departed
                assert rep.stage == "planning" and rep.batch_id is None, rep
                assert rep.id not in exits
            else:
                # the batch left first; the fear was recorded of a person already gone
                assert fear_seen[rep.case_id] == "departed" == rep.stage
                assert rep.id in exits
        departed = s.exec(select(func.count()).select_from(Repatriation)
                          .where(Repatriation.stage == "departed")).one()
        assert departed == len(exits)
    engine.dispose()


# --- 2. an assessment made before the fear does not cover it ------------------------------

def _stored(session) -> Repatriation:
    session.expire_all()
    return session.exec(select(Repatriation)).one()


def _in_batch(journey, make_batch_api):
    batch = make_batch_api()
    journey.ready()
    assert journey.patch(batch_id=batch["id"]).status_code == 200
    return batch


def test_an_assessment_before_the_fear_does_not_cover_it(make_journey, make_batch_api,
                                                         client, coordinator, session):
    """The attack: fear `no`, an assessment `cleared`, then a fear `yes` with a new threat:
    it was accepted and the stage stayed."""
    journey = make_journey()
    batch = _in_batch(journey, make_batch_api)
    assert journey.patch(protection_assessment={
        "outcome": "cleared", "rationale": "No fear expressed."}).status_code == 200

    body = journey.patch(fear_of_return="yes",
                         fear_of_return_note="The recruiter's men came to his village.").json()
    assert (body["stage"], body["batch_id"]) == ("planning", None)
    assert body["protection_assessment"]["outdated"] is True
    assert any("a new protection assessment is needed" in m for m in body["missing"])
    assert "new protection assessment" in body["history"][-1]["note"]
    # the old assessment is kept, and no longer counts
    assert [a["outcome"] for a in body["protection_assessments"]] == ["cleared"]
    refused = journey.patch(stage="embassy_notified")
    assert refused.status_code == 409
    assert "new protection assessment" in refused.json()["detail"]
    read = client.get(f"/api/v1/repatriation-batches/{batch['id']}",
                      headers=coordinator.headers).json()
    assert read["counts"]["members"] == 0
    manifest = client.get(f"/api/v1/repatriation-batches/{batch['id']}/manifest?format=xlsx",
                          headers=coordinator.headers)
    assert manifest.status_code == 409  # no one left to name
    # the page says so too
    page = client.get(f"/cases/{journey.setup.case.id}", headers=journey.headers)
    assert "A new assessment is needed" in page.text

    # a new assessment, of this fear, lets the journey go on; both are kept
    body = journey.step("embassy_notified", protection_assessment={
        "outcome": "cleared", "rationale": "The threat was checked with the family."})
    assert body["protection_assessment"]["outdated"] is False
    assert [a["outdated"] for a in body["protection_assessments"]] == [True, False]
    assert _stored(session).stage == "embassy_notified"


@pytest.mark.parametrize(("first", "later"), [
    ({"fear_of_return": "yes", "fear_of_return_note": "Owes the recruiter."},
     {"fear_of_return_note": "A new threat: the agent called his mother."}),
    ({"fear_of_return": "no"}, {"fear_of_return": "yes"})])
def test_a_fear_changed_after_a_clearing_assessment_needs_a_new_one(make_journey, first,
                                                                    later):
    journey = make_journey()
    journey.start(**{**READY, **first, "protection_assessment": {
        "outcome": "cleared", "rationale": "The debt was settled."}})
    for stage in ("embassy_notified", "nationality_verified", "documents_ready"):
        journey.step(stage)
    body = journey.patch(**later).json()
    assert body["stage"] == "planning" and body["batch_id"] is None
    assert body["protection_assessment"]["outdated"] is True
    assert journey.patch(stage="embassy_notified").status_code == 409


def test_the_same_note_sent_again_is_no_new_fear(make_journey):
    """The case page sends every field each time: an unchanged fear voids nothing."""
    journey = make_journey()
    journey.start(**{**READY, "fear_of_return": "yes", "fear_of_return_note": "Owes money.",
                     "protection_assessment": {"outcome": "cleared", "rationale": "Settled."}})
    journey.step("embassy_notified")
    body = journey.step("nationality_verified", fear_of_return="yes",
                        fear_of_return_note="Owes money.")
    assert body["protection_assessment"]["outdated"] is False


# --- 3. who judges a fear: the owning organisation's caseworkers -------------------------

FEARS = {**READY, "fear_of_return": "yes",
         "fear_of_return_note": "Threatened by the compound's agent at home."}
REFERRAL = {"outcome": "referred_to_unhcr", "rationale": "Credible threat; asks for asylum."}


def test_a_coordinator_cannot_override_a_referral_to_unhcr(make_journey, make_batch_api,
                                                           client, coordinator, session):
    """The attack: a coordinator of another organisation cleared a caseworker's referral,
    stepped the person to exit_cleared, into a batch, and downloaded the manifest."""
    journey = make_journey()
    journey.start(**FEARS, protection_assessment=REFERRAL)
    batch = make_batch_api()
    override = journey.patch(headers=coordinator.headers, protection_assessment={
        "outcome": "cleared", "rationale": "Flight is full otherwise."})
    assert override.status_code == 403
    assert "caseworker of the case's organisation" in override.json()["detail"]
    refused = events(session, actor_id=coordinator.user.id, outcome="denied")
    assert refused[-1].action == "repatriation.protection_assessment"
    # nor by withdrawing the fear, nor by stepping on
    withdrawn = journey.patch(headers=coordinator.headers, fear_of_return="no",
                              note="Changed their mind.", stage="embassy_notified")
    assert withdrawn.status_code == 403
    assert journey.patch(headers=coordinator.headers,
                         stage="embassy_notified").status_code == 409
    stored = _stored(session)
    assert (stored.protection_outcome, stored.fear_of_return, stored.stage) == (
        "referred_to_unhcr", "yes", "planning")
    assert client.get(f"/api/v1/repatriation-batches/{batch['id']}/manifest?format=xlsx",
                      headers=coordinator.headers).status_code == 409
    # the coordinator's page offers no assessment
    page = client.get(f"/cases/{journey.setup.case.id}", headers=coordinator.headers)
    assert page.status_code == 200 and 'name="protection_outcome"' not in page.text


def test_a_coordinator_may_record_a_fear(make_journey, coordinator):
    """What the person says is never refused: recording a fear only holds the journey."""
    journey = make_journey()
    journey.ready()
    body = journey.patch(headers=coordinator.headers, fear_of_return="yes",
                         fear_of_return_note="Told the shelter staff he is afraid.")
    assert body.status_code == 200 and body.json()["stage"] == "planning"


def test_a_referral_superseded_by_the_caseworker_is_kept_and_audited(make_journey, session):
    journey = make_journey()
    journey.start(**FEARS, protection_assessment=REFERRAL)
    body = journey.step("embassy_notified", protection_assessment={
        "outcome": "cleared", "rationale": "UNHCR found no protection need; family waits."})
    assert [(a["outcome"], a["outdated"]) for a in body["protection_assessments"]] == [
        ("referred_to_unhcr", True), ("cleared", False)]
    assert all(a["assessed_by"] for a in body["protection_assessments"])
    update = events(session, actor_id=journey.setup.signed_in.user.id,
                    action="repatriation.update")[-1]
    assert update.detail["protection_assessment"] == ["referred_to_unhcr", "cleared"]
    assert "UNHCR found" not in str(update.detail)


def test_a_referral_stands_when_the_fear_is_withdrawn(make_journey):
    journey = make_journey()
    journey.start(**FEARS, protection_assessment=REFERRAL)
    body = journey.patch(fear_of_return="no", note="Says the threat has passed.").json()
    assert body["fear_of_return"] == "no"
    refused = journey.patch(stage="embassy_notified")
    assert refused.status_code == 409 and "UNHCR" in refused.json()["detail"]


def test_a_fear_withdrawn_with_a_step_forward_needs_a_note_and_is_kept(make_journey,
                                                                       session):
    journey = make_journey()
    journey.start(**FEARS)
    silent = journey.patch(fear_of_return="no", stage="embassy_notified")
    assert silent.status_code == 422
    assert "note" in str(silent.json()["detail"])
    assert _stored(session).fear_of_return == "yes"

    body = journey.step("embassy_notified", fear_of_return="no",
                        note="Spoke with the family; no threat now.")
    withdrawn = [h for h in body["history"] if h["note"].startswith("Fear of return withdrawn")]
    assert len(withdrawn) == 1 and "(yes to no)" in withdrawn[0]["note"]
    assert withdrawn[0]["changed_by"]
    update = events(session, actor_id=journey.setup.signed_in.user.id,
                    action="repatriation.update")[-1]
    assert update.detail["fear_of_return"] == ["yes", "no"]
    assert update.detail["stage"] == ["planning", "embassy_notified"]
    assert "Spoke with" not in str(update.detail)
    page = journey.client.get(f"/cases/{journey.setup.case.id}", headers=journey.headers)
    assert "Repatriation: fear of return withdrawn" in page.text


# --- 4. a border official reads and ticks only their own post's departures ----------------

def _cleared_batch(session, coordinator, caseworker, **batch):
    from app.auth.models import Organization

    org = session.get(Organization, caseworker.user.organization_id)
    made = factories.make_batch(session, created_by=coordinator.user, stage="exit_cleared",
                                **batch)
    person = factories.make_person(session, organization=org, document_number="Z7654321")
    case = factories.make_case(session, person=person, organization=org)
    rep = factories.make_repatriation(session, case=case, created_by=caseworker.user,
                                      stage="exit_cleared", batch_id=made.id)
    session.commit()
    return made, rep, person


def test_a_border_official_of_another_post_sees_and_ticks_nothing(client, session,
                                                                  coordinator, login_as):
    """The attack: a border official of any organisation read every batch's departure list
    (names, document numbers), ticked exits of batches at other posts, and then read the
    person's full record."""
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    ours = login_as("border_official", organization="Mae Sot Border Post")
    theirs = login_as("border_official", organization="Ranong Immigration Checkpoint")
    batch, rep, person = _cleared_batch(session, coordinator, caseworker,
                                        border_organization_id=ours.user.organization_id)
    url = f"/api/v1/repatriation-batches/{batch.id}"

    listed = client.get("/api/v1/repatriation-batches", headers=theirs.headers).json()
    assert batch.id not in [b["id"] for b in listed["items"]]
    for response in (client.get(url, headers=theirs.headers),
                     client.get(f"{url}/departure", headers=theirs.headers),
                     client.get(f"/repatriation-batches/{batch.id}/departure",
                                headers=theirs.headers),
                     client.post(f"{url}/exits", headers=theirs.headers,
                                 json={"repatriation_id": rep.id})):
        assert response.status_code == 404
        assert "Z7654321" not in response.text
    assert len(events(session, actor_id=theirs.user.id, outcome="denied")) == 4
    session.expire_all()
    assert session.get(Repatriation, rep.id).stage == "exit_cleared"
    assert not session.exec(select(RepatriationExit)).all()

    # the batch's own post reads its list and ticks the person...
    departure = client.get(f"{url}/departure", headers=ours.headers)
    assert departure.status_code == 200 and "Z7654321" in departure.text
    assert departure.json()["border_organization"] == "Mae Sot Border Post"
    assert client.post(f"{url}/exits", headers=ours.headers,
                       json={"repatriation_id": rep.id}).status_code == 201
    # ...and the tick opens nothing of the person's record
    assert client.get(f"/api/v1/people/{person.id}", headers=ours.headers).status_code == 404
    searched = client.get("/api/v1/people", headers=ours.headers,
                          params={"q": person.given_name}).json()
    assert person.id not in [p["id"] for p in searched["items"]]


def test_a_batch_naming_no_post_is_on_no_border_officials_list(client, session, coordinator,
                                                               login_as):
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    official = login_as("border_official", organization="Mae Sot Border Post")
    batch, _, _ = _cleared_batch(session, coordinator, caseworker)
    url = f"/api/v1/repatriation-batches/{batch.id}"
    assert client.get(f"{url}/departure", headers=official.headers).status_code == 404
    # the coordinator hands the list to the post (audited), and it is theirs
    handed = client.patch(url, headers=coordinator.headers,
                          json={"border_organization_id": official.user.organization_id})
    assert handed.status_code == 200
    assert handed.json()["border_organization"] == "Mae Sot Border Post"
    assert handed.json()["stage"] == "exit_cleared"  # nothing else moved
    assert events(session, actor_id=coordinator.user.id,
                  action="repatriation_batch.update")[-1].detail == {
        "border_organization_id": [None, official.user.organization_id]}
    assert client.get(f"{url}/departure", headers=official.headers).status_code == 200
    bad = client.patch(url, headers=coordinator.headers,
                       json={"border_organization_id": 999999})
    assert bad.status_code == 422 and "border_organization_id" in bad.text
    made = client.post("/api/v1/repatriation-batches", headers=coordinator.headers,
                       json={"name": "Flight", "nationality_code": "IN",
                             "departs_on": "2025-11-06", "mode": "flight",
                             "border_organization_id": 999999})
    assert made.status_code == 422 and "border_organization_id" in made.text
    empty = client.patch(url, headers=coordinator.headers, json={})
    assert empty.status_code == 422 and "stage" in empty.text


def test_a_member_held_back_is_left_out_of_the_move_and_counted(client, session, coordinator,
                                                                 login_as):
    """The second look inside the lock: a record written around the service (a fear on a
    member still in the batch) is not moved, gets no exit, and the audit counts it."""
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    batch, rep, _ = _cleared_batch(session, coordinator, caseworker)
    _, other, _ = _cleared_batch(session, coordinator, caseworker)
    other.batch_id = batch.id
    rep.fear_of_return = "yes"
    session.add_all([rep, other])
    session.commit()
    moved = client.patch(f"/api/v1/repatriation-batches/{batch.id}",
                         headers=coordinator.headers, json={"stage": "departed"})
    assert moved.status_code == 200, moved.text
    session.expire_all()
    assert session.get(Repatriation, rep.id).stage == "exit_cleared"
    assert session.get(Repatriation, other.id).stage == "departed"
    assert [e.repatriation_id for e in session.exec(select(RepatriationExit)).all()] == [
        other.id]
    detail = events(session, actor_id=coordinator.user.id,
                    action="repatriation_batch.update")[-1].detail
    assert (detail["moved"], detail["left_out"]) == (1, 1)


def test_the_assessments_recorded_before_the_repair_are_kept_in_the_history(
        empty_database_url):
    """Migration 0016 copies every assessment already on a repatriation into the history, so
    that none is lost and the latest one counts as it did."""
    from app.migrate import downgrade, upgrade

    upgrade(empty_database_url)
    # the rows the models write are written at head (the models have later columns than
    # 0015's tables) and kept through the downgrade
    engine = make_engine(empty_database_url)
    with Session(engine) as s:
        ngo = factories.make_organization(s, name="Migrated Care")
        caseworker, _ = factories.make_user(s, role="caseworker", organization=ngo)
        case = factories.make_case(s, person=factories.make_person(s, organization=ngo),
                                   organization=ngo)
        s.commit()
        case_id, user_id = case.id, caseworker.id
    engine.dispose()
    downgrade(empty_database_url, "0015_crossings_range_index")
    engine = make_engine(empty_database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO repatriations (case_id, destination_country, name_latin, "
            "place_of_origin, consent_to_return, consent_to_share_with_embassy, "
            "fear_of_return, fear_of_return_note, protection_outcome, protection_rationale, "
            "protection_assessed_by_id, protection_assessed_at, emergency_document, "
            "emergency_document_number, stage, cancel_reason, created_by_id, updated_by_id, "
            "created_at, updated_at) VALUES (?, 'IN', '', '', 'yes', 'yes', 'yes', 'Afraid', "
            "'referred_to_unhcr', 'Credible threat', ?, '2025-11-07 00:00:00', 'not_needed', "
            "'', 'planning', '', ?, ?, '2025-11-06 00:00:00', '2025-11-07 00:00:00')"
            if conn.dialect.name == "sqlite" else
            "INSERT INTO repatriations (case_id, destination_country, name_latin, "
            "place_of_origin, consent_to_return, consent_to_share_with_embassy, "
            "fear_of_return, fear_of_return_note, protection_outcome, protection_rationale, "
            "protection_assessed_by_id, protection_assessed_at, emergency_document, "
            "emergency_document_number, stage, cancel_reason, created_by_id, updated_by_id, "
            "created_at, updated_at) VALUES (%s, 'IN', '', '', 'yes', 'yes', 'yes', 'Afraid', "
            "'referred_to_unhcr', 'Credible threat', %s, '2025-11-07 00:00:00+00', "
            "'not_needed', '', 'planning', '', %s, %s, '2025-11-06 00:00:00+00', "
            "'2025-11-07 00:00:00+00')", (case_id, user_id, user_id, user_id))
    engine.dispose()
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine) as s:
        from app.repatriation.models import ProtectionAssessmentRecord

        kept = s.exec(select(ProtectionAssessmentRecord)).one()
        assert (kept.outcome, kept.rationale, kept.fear_of_return, kept.assessed_by_id) == (
            "referred_to_unhcr", "Credible threat", "yes", user_id)
        rep = s.exec(select(Repatriation)).one()
        assert rep.fear_of_return_recorded_at is None  # the assessment counts as it did
    engine.dispose()
