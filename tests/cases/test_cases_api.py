import re
import threading

import pytest
from sqlmodel import Session, select

from app.audit.service import Actor
from app.cases import service
from app.cases.models import Case
from app.cases.schemas import CaseCreate
from app.db import make_engine
from tests import factories
from tests.cases.conftest import ALL_NO, TRAFFICKED, denied_events


def test_create_case_returns_readable_reference_owner_and_caseworker(desk):
    case = desk.open_case()
    assert re.fullmatch(r"PSG-20\d\d-\d{6}", case["reference"])
    assert case["reference"].endswith(f"{case['id']:06d}")
    assert case["status"] == "open"
    assert case["organization"] == "Border Care Foundation"
    assert case["assigned_to_id"] == desk.signed_in.user.id
    assert case["latest_suggestion"] is None and case["latest_outcome"] is None


def test_create_case_for_person_of_another_organisation_is_404_and_audited(desk, other_desk,
                                                                         session):
    stranger = other_desk.person()
    response = desk.client.post("/api/v1/cases", headers=desk.headers,
                                json={"person_id": stranger.id})
    assert response.status_code == 404
    events = denied_events(session, desk.signed_in.user.id)
    assert [(e.action, e.entity_type, e.entity_id) for e in events] == [
        ("case.create", "person", str(stranger.id))]


def test_create_case_for_missing_person_is_404(desk):
    response = desk.client.post("/api/v1/cases", headers=desk.headers,
                                json={"person_id": 987654})
    assert response.status_code == 404


def test_create_case_without_person_is_422_naming_person_id(desk):
    response = desk.client.post("/api/v1/cases", headers=desk.headers, json={})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "person_id"


def test_second_open_case_for_the_same_person_is_409(desk):
    person = desk.person()
    first = desk.client.post("/api/v1/cases", headers=desk.headers,
                             json={"person_id": person.id})
    again = desk.client.post("/api/v1/cases", headers=desk.headers,
                             json={"person_id": person.id})
    assert first.status_code == 201
    assert again.status_code == 409
    assert first.json()["reference"] in again.json()["detail"]


def test_case_assigned_to_a_user_of_another_organisation_is_422(desk, other_desk):
    person = desk.person()
    response = desk.client.post("/api/v1/cases", headers=desk.headers,
                                json={"person_id": person.id,
                                      "assigned_to_id": other_desk.signed_in.user.id})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "assigned_to_id"


def test_case_assigned_to_a_colleague(desk, session):
    colleague, _ = factories.make_user(session, role="caseworker",
                                       organization=desk.organization)
    session.commit()
    person = desk.person()
    response = desk.client.post("/api/v1/cases", headers=desk.headers,
                                json={"person_id": person.id, "assigned_to_id": colleague.id})
    assert response.status_code == 201
    assert response.json()["assigned_to_id"] == colleague.id


def test_references_of_many_cases_are_distinct(desk):
    references = {desk.open_case()["reference"] for _ in range(6)}
    assert len(references) == 6


def test_references_are_unique_when_cases_are_opened_concurrently(fresh_database_url):
    engine = make_engine(fresh_database_url)
    with Session(engine) as s:
        org = factories.make_organization(s, name="Concurrent NGO")
        user, _ = factories.make_user(s, role="caseworker", organization=org)
        people = [factories.make_person(s, organization=org).id for _ in range(24)]
        s.commit()
        actor = Actor(user_id=user.id, username=user.username, role=user.role,
                      organization_id=org.id)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_cases(person_ids: list[int]) -> None:
        try:
            start.wait()
            for pid in person_ids:
                with Session(engine) as s:
                    service.create_case(s, actor=actor, case_in=CaseCreate(person_id=pid))
                    s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=open_cases, args=(people[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        references = s.exec(select(Case.reference)).all()
    engine.dispose()
    assert len(references) == 24 == len(set(references))
    assert all(re.fullmatch(r"PSG-20\d\d-\d{6}", r) for r in references)


def test_list_cases_shows_only_own_organisation(desk, other_desk):
    mine = desk.open_case()
    theirs = other_desk.open_case()
    response = desk.client.get("/api/v1/cases", headers=desk.headers)
    assert response.status_code == 200
    body = response.json()
    ids = [c["id"] for c in body["items"]]
    assert mine["id"] in ids and theirs["id"] not in ids
    assert body["total"] == len(ids) and body["limit"] == 50 and body["offset"] == 0


def test_list_cases_filters_by_person_and_reference(desk):
    first = desk.open_case()
    desk.open_case()
    by_person = desk.client.get("/api/v1/cases", headers=desk.headers,
                                params={"person_id": first["person_id"]}).json()
    assert [c["id"] for c in by_person["items"]] == [first["id"]]
    by_reference = desk.client.get("/api/v1/cases", headers=desk.headers,
                                   params={"reference": first["reference"].lower()}).json()
    assert [c["id"] for c in by_reference["items"]] == [first["id"]]


def test_list_cases_carries_latest_suggestion_and_outcome(desk):
    case = desk.open_case(date_of_birth=None, age_estimate=30)
    desk.interview(case["id"], TRAFFICKED)
    desk.client.post(f"/api/v1/cases/{case['id']}/determination", headers=desk.headers,
                     json={"outcome": "trafficking_victim"})
    row = desk.client.get("/api/v1/cases", headers=desk.headers,
                          params={"person_id": case["person_id"]}).json()["items"][0]
    assert row["latest_suggestion"] == "trafficking_victim"
    assert row["latest_outcome"] == "trafficking_victim"
    assert row["status"] == "determined"


def test_case_of_another_organisation_is_404_and_audited(desk, other_desk, session):
    theirs = other_desk.open_case()
    for path in ("", "/screening", "/screenings", "/interviews", "/determinations"):
        response = desk.client.get(f"/api/v1/cases/{theirs['id']}{path}", headers=desk.headers)
        assert response.status_code == 404, path
    response = desk.interview(theirs["id"], TRAFFICKED)
    assert response.status_code == 404
    response = desk.client.post(f"/api/v1/cases/{theirs['id']}/determination",
                                headers=desk.headers, json={"outcome": "willing_worker",
                                                            "rationale": "x"})
    assert response.status_code == 404
    events = denied_events(session, desk.signed_in.user.id)
    assert len(events) == 7
    assert {e.entity_type for e in events} == {"case"}
    assert {e.entity_id for e in events} == {str(theirs["id"])}
    assert {e.action for e in events} == {"case.read", "screening.read", "interview.read",
                                          "determination.read", "interview.create",
                                          "determination.create"}


def test_missing_case_is_404(desk):
    assert desk.client.get("/api/v1/cases/999999", headers=desk.headers).status_code == 404


def test_caseworker_reads_case_with_interviews_answers_and_narrative(desk):
    case = desk.open_case()
    desk.interview(case["id"], TRAFFICKED, narrative="Promised a hotel job in Bangkok.")
    body = desk.client.get(f"/api/v1/cases/{case['id']}", headers=desk.headers).json()
    assert body["interviews"][0]["narrative"] == "Promised a hotel job in Bangkok."
    assert body["interviews"][0]["answers"]["DR1"] == "yes"
    assert body["screenings"][0]["classification"] == body["latest_suggestion"]


@pytest.mark.parametrize("path", ["", "/screening", "/screenings", "/determinations"])
def test_coordinator_reads_suggestions_but_never_answers_or_narratives(desk, login_as, path):
    case = desk.open_case()
    desk.interview(case["id"], ALL_NO | {"DR1": "yes"},
                   narrative="Secret narrative words", section_notes={"DR": "Secret note"})
    desk.client.post(f"/api/v1/cases/{case['id']}/determination", headers=desk.headers,
                     json={"outcome": "undetermined"})
    coordinator = login_as("coordinator")
    response = desk.client.get(f"/api/v1/cases/{case['id']}{path}",
                               headers=coordinator.headers)
    assert response.status_code == 200
    text = response.text
    assert "Secret narrative" not in text and "Secret note" not in text
    assert '"answers"' not in text and '"narrative"' not in text and '"interviews"' not in text
    if path == "":
        body = response.json()
        assert body["screenings"][0]["classification"] == "needs_assessment"
        assert body["determinations"][0]["outcome"] == "undetermined"
