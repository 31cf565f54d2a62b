"""Embassy batches: who may join (and the 409 that says what is missing), a batch moved a
stage with all its members, departure recording each exit once, the departure list, and the
safeguard: a person held back is in no batch and on no list."""

import pytest
from sqlmodel import func, select

from app.cases.models import Case, FollowUp
from app.clock import utcnow
from app.crossings.models import Crossing
from app.people.models import Person
from app.repatriation.models import Repatriation, RepatriationExit
from tests import factories
from tests.crossings.rollup_check import assert_rollup_right
from tests.referrals.helpers import events

V1 = "/api/v1"


def _join(journey, batch_id, headers=None):
    return journey.patch(headers=headers, batch_id=batch_id)


def test_a_ready_person_joins_and_the_batch_lists_them(make_journey, make_batch_api, client,
                                                       coordinator, session):
    batch = make_batch_api()
    journey = make_journey(given_name="Ravi", family_name="Kumar", document_number="P1234567")
    journey.ready()
    joined = _join(journey, batch["id"])
    assert joined.status_code == 200, joined.text
    assert joined.json()["batch_id"] == batch["id"]
    read = client.get(f"{V1}/repatriation-batches/{batch['id']}", headers=coordinator.headers)
    body = read.json()
    assert body["counts"] == {"members": 1, "consent_to_share": 1, "withheld": 0,
                              "exits_recorded": 0}
    [member] = body["members"]
    assert (member["given_name"], member["document"]) == ("Ravi", "P1234567")
    assert events(session, action="repatriation_batch.read")
    listed = client.get(f"{V1}/repatriation-batches", headers=coordinator.headers,
                        params={"nationality": "in"}).json()
    assert listed["total"] == 1 and listed["items"][0]["members"] == 1


def test_the_caseworker_sees_only_their_own_members(make_journey, make_batch_api, client):
    batch = make_batch_api()
    mine, theirs = make_journey(), make_journey(organization="Other Shelter")
    for journey in (mine, theirs):
        journey.ready()
        assert _join(journey, batch["id"]).status_code == 200
    body = client.get(f"{V1}/repatriation-batches/{batch['id']}", headers=mine.headers).json()
    assert body["counts"]["members"] == 2
    assert [m["case_id"] for m in body["members"]] == [mine.setup.case.id]


@pytest.mark.parametrize(("fields", "words"), [
    ({"destination_country": "PH"}, "Destination"),
    ({"stage": None}, "Stage"),
])
def test_joining_without_what_is_needed_is_409_saying_what(make_journey, make_batch_api,
                                                          session, fields, words):
    batch = make_batch_api()
    journey = make_journey()
    if fields.get("stage", 1) is None:
        journey.start(consent_to_return="yes", fear_of_return="no")
    else:
        journey.ready(**fields)
    response = _join(journey, batch["id"])
    assert response.status_code == 409 and words in response.json()["detail"]
    session.expire_all()
    assert session.exec(select(Repatriation)).one().batch_id is None


def test_a_person_added_twice_is_409(make_journey, make_batch_api):
    batch = make_batch_api()
    journey = make_journey()
    journey.ready()
    assert _join(journey, batch["id"]).status_code == 200
    again = _join(journey, batch["id"])
    assert again.status_code == 409 and "already in this batch" in again.json()["detail"]


def test_leaving_a_batch_with_null(make_journey, make_batch_api):
    batch = make_batch_api()
    journey = make_journey()
    journey.ready()
    _join(journey, batch["id"])
    assert _join(journey, None).json()["batch_id"] is None


def test_an_unknown_or_bad_batch_is_404_or_422(make_journey):
    journey = make_journey()
    journey.ready()
    assert _join(journey, 999999).status_code == 404
    assert _join(journey, "x").status_code == 422


@pytest.mark.parametrize(("body", "field"), [
    ({"mode": "rocket"}, "mode"), ({"nationality_code": "ZZ"}, "nationality_code"),
    ({"name": ""}, "name"), ({"departs_on": "06/11/2025"}, "departs_on"),
    ({"name": "a\x00"}, "name")])
def test_a_bad_batch_is_422_naming_the_field(client, coordinator, body, field):
    from tests.repatriation.conftest import BATCH

    response = client.post(f"{V1}/repatriation-batches", headers=coordinator.headers,
                           json={**BATCH, **body})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field


def _batch_of(session, coordinator, caseworker, n=3, **batch_fields):
    batch = factories.make_batch(session, created_by=coordinator.user, **batch_fields)
    org_id = caseworker.user.organization_id
    from app.auth.models import Organization

    org = session.get(Organization, org_id)
    reps = []
    for _ in range(n):
        person = factories.make_person(session, organization=org)
        case = factories.make_case(session, person=person, organization=org)
        reps.append(factories.make_repatriation(session, case=case, created_by=caseworker.user,
                                                stage="documents_ready", batch_id=batch.id))
    session.commit()
    return batch, reps


def _exits(session, batch_id=None):
    session.expire_all()
    statement = select(func.count()).select_from(Crossing).where(Crossing.direction == "exit")
    return session.exec(statement).one()


def test_departed_twice_records_each_exit_once(client, session, coordinator, login_as):
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    batch, reps = _batch_of(session, coordinator, caseworker, n=3)
    for _ in range(2):  # two more people came in and stay
        factories.make_crossing(session, person=factories.make_person(session))
    session.commit()
    url = f"{V1}/repatriation-batches/{batch.id}"
    early = client.patch(url, headers=coordinator.headers, json={"stage": "departed"})
    assert early.status_code == 409 and "comes after" in early.json()["detail"]
    assert _exits(session) == 0
    assert client.patch(url, headers=coordinator.headers,
                        json={"stage": "exit_cleared"}).status_code == 200
    for _ in range(2):
        response = client.patch(url, headers=coordinator.headers, json={"stage": "departed"})
        assert response.status_code == 200, response.text
        assert response.json()["counts"]["exits_recorded"] == 3
    assert _exits(session) == 3
    assert len(session.exec(select(RepatriationExit)).all()) == 3
    stages = {r.stage for r in session.exec(select(Repatriation)).all()}
    assert stages == {"departed"}
    counts = client.get(f"{V1}/stats/nationalities", headers=coordinator.headers,
                        params={"direction": "exit"}).json()
    assert counts["total"] == 3 == len(reps)
    entries = client.get(f"{V1}/stats/nationalities", headers=coordinator.headers).json()
    assert entries["total"] == 2  # the batch's people have no entry on record here
    assert_rollup_right(session)  # the exits recorded kept the counts' rollup
    received = client.patch(url, headers=coordinator.headers, json={"stage": "received"})
    assert {m["stage"] for m in received.json()["members"]} == {"received"}
    proposed = session.exec(select(FollowUp).where(
        FollowUp.case_id.in_([r.case_id for r in reps]))).all()
    assert len(proposed) == 3 and all("close the case" in f.title for f in proposed)


def test_an_empty_batch_cannot_move(client, session, coordinator):
    batch = factories.make_batch(session, created_by=coordinator.user)
    session.commit()
    response = client.patch(f"{V1}/repatriation-batches/{batch.id}",
                            headers=coordinator.headers, json={"stage": "exit_cleared"})
    assert response.status_code == 409 and "no one" in response.json()["detail"]


def test_border_official_ticks_the_departure_list(client, session, coordinator, login_as):
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    border = login_as("border_official", organization="Mae Sot Border Post")
    batch, reps = _batch_of(session, coordinator, caseworker, n=2,
                            border_organization_id=border.user.organization_id)
    url = f"{V1}/repatriation-batches/{batch.id}"
    listed = client.get(f"{url}/departure", headers=border.headers)
    assert listed.status_code == 200
    people = listed.json()["people"]
    assert len(people) == 2 and not any(p["cleared"] for p in people)
    assert set(people[0]) == {"repatriation_id", "given_name", "family_name", "name_latin",
                              "document", "cleared", "exit_recorded"}
    too_early = client.post(f"{url}/exits", headers=border.headers,
                            json={"repatriation_id": reps[0].id})
    assert too_early.status_code == 409 and "clearance" in too_early.json()["detail"]
    assert _exits(session) == 0
    client.patch(url, headers=coordinator.headers, json={"stage": "exit_cleared"})
    tick = client.post(f"{url}/exits", headers=border.headers,
                       json={"repatriation_id": reps[0].id})
    assert tick.status_code == 201 and tick.json()["created"] is True
    again = client.post(f"{url}/exits", headers=border.headers,
                        json={"repatriation_id": reps[0].id})
    assert again.json()["created"] is False
    assert _exits(session) == 1
    session.expire_all()
    assert session.get(Repatriation, reps[0].id).stage == "departed"
    # the batch departs: the other person's exit is recorded, the first one's not again
    client.patch(url, headers=coordinator.headers, json={"stage": "departed"})
    assert _exits(session) == 2
    stranger = client.post(f"{url}/exits", headers=border.headers,
                           json={"repatriation_id": 999999})
    assert stranger.status_code == 422


def test_the_departure_list_is_for_the_border(client, session, coordinator, login_as):
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    batch, _ = _batch_of(session, coordinator, caseworker, n=1)
    url = f"{V1}/repatriation-batches/{batch.id}/departure"
    for role in ("caseworker", "admin"):
        other = login_as(role, organization=f"{role} place")
        assert client.get(url, headers=other.headers).status_code == 403
        assert events(session, actor_id=other.user.id, outcome="denied")


# --- the safeguard, as an attack ---------------------------------------------------------

def test_a_person_who_fears_return_cannot_join_and_the_refusal_says_why(make_journey,
                                                                       make_batch_api,
                                                                       session):
    batch = make_batch_api()
    journey = make_journey()
    journey.ready()
    journey.patch(fear_of_return="yes")  # back to planning
    response = _join(journey, batch["id"])
    assert response.status_code == 409
    assert "fears returning and no protection assessment" in response.json()["detail"]
    session.expire_all()
    assert session.exec(select(Repatriation)).one().batch_id is None


def test_a_fear_recorded_while_in_a_batch_takes_the_person_out(make_journey, make_batch_api,
                                                              client, coordinator):
    batch = make_batch_api()
    journey = make_journey()
    journey.ready()
    _join(journey, batch["id"])
    body = journey.patch(fear_of_return="yes").json()
    assert body["batch_id"] is None and body["stage"] == "planning"
    read = client.get(f"{V1}/repatriation-batches/{batch['id']}", headers=coordinator.headers)
    assert read.json()["counts"]["members"] == 0 and read.json()["members"] == []


def test_a_record_forced_into_a_batch_is_on_no_list(client, session, coordinator, login_as):
    """Whatever the stored record says (written around the service), a person with a fear of
    return that no assessment cleared is on no list, and no exit is recorded for them."""
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    border = login_as("border_official", organization="Mae Sot Border Post")
    batch, reps = _batch_of(session, coordinator, caseworker, n=2,
                            border_organization_id=border.user.organization_id)
    forced = reps[1]
    forced.fear_of_return = "yes"
    forced.protection_outcome = "referred_to_unhcr"
    session.add(forced)
    session.commit()
    url = f"{V1}/repatriation-batches/{batch.id}"
    read = client.get(url, headers=coordinator.headers).json()
    assert [m["repatriation_id"] for m in read["members"]] == [reps[0].id]
    departure = client.get(f"{url}/departure", headers=border.headers).json()
    assert [p["repatriation_id"] for p in departure["people"]] == [reps[0].id]
    client.patch(url, headers=coordinator.headers, json={"stage": "exit_cleared"})
    client.patch(url, headers=coordinator.headers, json={"stage": "departed"})
    session.expire_all()
    assert session.get(Repatriation, forced.id).stage == "documents_ready"
    assert _exits(session) == 1
    tick = client.post(f"{url}/exits", headers=border.headers,
                       json={"repatriation_id": forced.id})
    assert tick.status_code == 422


def test_an_exit_the_border_recorded_already_is_the_batchs(client, session, coordinator,
                                                          login_as):
    """A border post that recorded the exit by hand (or by roster) before the batch is marked
    departed: the batch ties that crossing to the journey instead of recording another."""
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    batch, reps = _batch_of(session, coordinator, caseworker, n=2)
    url = f"{V1}/repatriation-batches/{batch.id}"
    client.patch(url, headers=coordinator.headers, json={"stage": "exit_cleared"})
    person = session.get(Person, session.get(Case, reps[0].case_id).person_id)
    by_hand = factories.make_crossing(session, person=person, crossed_at=utcnow(),
                                      crossing_point="Mae Sot Airport", direction="exit")
    session.commit()
    client.patch(url, headers=coordinator.headers, json={"stage": "departed"})
    assert _exits(session) == 2
    linked = session.exec(select(RepatriationExit).where(
        RepatriationExit.repatriation_id == reps[0].id)).one()
    assert linked.crossing_id == by_hand.id


def test_a_person_in_one_batch_is_not_moved_to_another_silently(make_journey,
                                                               make_batch_api):
    first, second = make_batch_api(), make_batch_api(name="Air India special flight AI-2")
    journey = make_journey()
    journey.ready()
    assert _join(journey, first["id"]).status_code == 200
    moved = _join(journey, second["id"])
    assert moved.status_code == 409 and "another batch" in moved.json()["detail"]
    assert _join(journey, None).status_code == 200
    assert _join(journey, second["id"]).json()["batch_id"] == second["id"]


def test_listing_the_batches_is_audited(client, session, login_as):
    from app.audit.models import AuditEvent

    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    assert client.get("/api/v1/repatriation-batches",
                      headers=coordinator.headers).status_code == 200
    session.expire_all()
    events = session.exec(select(AuditEvent).where(
        AuditEvent.action == "repatriation_batch.list",
        AuditEvent.actor_id == coordinator.user.id)).all()
    assert len(events) == 1 and events[0].outcome == "success"
