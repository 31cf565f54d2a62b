from datetime import date

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.people import duplicates
from app.people.duplicates import Probe, find_duplicates, name_similarity
from app.people.models import IdentityLink
from tests import factories


@pytest.mark.parametrize(("a", "b"), [
    ("Juan Dela Cruz", "Dela Cruz, Juan"),
    ("Juan Dela Cruz", "Juan D. Cruz"),
    ("Juan Dela Cruz", "JUAN DELA CRUZ"),
    ("Juan Dela Cruz", "Juan Delacruz"),
    ("Juan Dela Cruz", "Juan Cruz"),
    ("José García", "Jose Garcia"),
    ("Aung Kyaw Moe", "Moe Aung Kyaw"),
    ("Nguyen Van An", "Nguyen Van Anh"),
    ("Li Wei", "Wei Li"),
    ("อนุชา ใจดี", "ใจดี อนุชา"),
    ("Gurpreet Singh", "Gurpreet  Singh."),
])
def test_similar_names_score_at_least_the_threshold(a, b):
    assert name_similarity(a, b) >= duplicates.NAME_THRESHOLD
    assert name_similarity(b, a) >= duplicates.NAME_THRESHOLD


@pytest.mark.parametrize(("a", "b"), [
    ("Juan Dela Cruz", "Maria Santos"),
    ("Rahul Sharma", "Rahul Verma"),
    ("Priya Sharma", "Pooja Sharma"),
    ("Li Wei", "Li Na"),
    ("Nguyen Van An", "Tran Van An"),
    ("Juan Dela Cruz", ""),
])
def test_different_names_score_below_the_threshold(a, b):
    assert name_similarity(a, b) < duplicates.NAME_THRESHOLD


def _register(client, headers, **fields):
    body = {"given_name": "Juan", "family_name": "Dela Cruz", "nationality_code": "PH",
            "date_of_birth": "1990-05-01", "sex": "male"} | fields
    response = client.post("/api/v1/people", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_swapped_name_order_and_one_year_birth_difference_is_found(client, login_as):
    headers = login_as("caseworker", organization="Border Care Foundation").headers
    first = _register(client, headers)
    assert first["possible_duplicates"] == []
    second = _register(client, headers, given_name="Dela Cruz,", family_name="Juan",
                       date_of_birth="1991-05-01")
    [found] = second["possible_duplicates"]
    assert found["person_id"] == first["id"]
    assert found["score"] >= 95
    assert "similar name" in found["reason"] and "same nationality" in found["reason"]
    assert "dates of birth 1 year apart" in found["reason"]
    assert set(found["matched_on"]) == {"name", "nationality", "date_of_birth"}
    assert found["visible"] is True


def test_initial_for_a_name_part_is_found(client, login_as):
    headers = login_as("caseworker").headers
    first = _register(client, headers)
    second = _register(client, headers, given_name="Juan D.", family_name="Cruz",
                       date_of_birth="1990-05-02")
    assert [d["person_id"] for d in second["possible_duplicates"]] == [first["id"]]


def test_same_document_number_is_found_whatever_the_name(client, login_as):
    headers = login_as("caseworker").headers
    first = _register(client, headers, document_number="P1234567A")
    second = _register(client, headers, given_name="Maria", family_name="Santos",
                       date_of_birth=None, nationality_code="IN",
                       document_number="p 1234 567a")
    [found] = second["possible_duplicates"]
    assert found["person_id"] == first["id"] and found["score"] == 100
    assert found["matched_on"] == ["document_number"]
    assert found["reason"].startswith("same document number")
    assert "document_number" not in found and "P1234567A" not in str(found)


def test_age_estimates_within_two_years_are_found_and_three_years_are_not(client, login_as):
    headers = login_as("caseworker").headers
    near = _register(client, headers, date_of_birth=None, age_estimate=30)
    _register(client, headers, date_of_birth=None, age_estimate=35)
    probe = _register(client, headers, date_of_birth=None, age_estimate=32,
                      given_name="Juan", family_name="Cruz")
    assert [d["person_id"] for d in probe["possible_duplicates"]] == [near["id"]]
    assert "ages 30 and 32" in probe["possible_duplicates"][0]["reason"]


def test_date_of_birth_against_an_age_estimate(session):
    org = factories.make_organization(session)
    # 34 on 1 November 2025
    person = factories.make_person(session, organization=org, given_name="Juan",
                                   family_name="Dela Cruz", nationality_code="PH",
                                   date_of_birth=None, age_estimate=34)
    found = find_duplicates(session, Probe("Juan", "Dela Cruz", "PH", date(1990, 5, 1)),
                            today=date(2025, 11, 1))
    assert [d.person.id for d in found] == [person.id]
    assert found[0].reasons[-1] == "ages 34 and 35"
    too_far = find_duplicates(session, Probe("Juan", "Dela Cruz", "PH", date(1994, 5, 1)),
                              today=date(2025, 11, 1))
    assert too_far == []  # 31 and 34: three years apart


def test_births_three_years_apart_or_another_nationality_are_not_duplicates(client, login_as):
    headers = login_as("caseworker").headers
    _register(client, headers)
    far = _register(client, headers, date_of_birth="1993-05-02")
    other_country = _register(client, headers, nationality_code="ID")
    unknown_age = _register(client, headers, date_of_birth=None)
    assert far["possible_duplicates"] == []
    assert other_country["possible_duplicates"] == []
    assert unknown_age["possible_duplicates"] == []


def test_duplicates_are_listed_at_any_time_best_first(client, login_as):
    headers = login_as("caseworker").headers
    exact = _register(client, headers)
    initial = _register(client, headers, given_name="Juan D.", family_name="Cruz")
    document = _register(client, headers, given_name="J.", family_name="Cruz",
                         document_number="X999", date_of_birth=None)
    probe = _register(client, headers, document_number="X999")
    response = client.get(f"/api/v1/people/{probe['id']}/duplicates", headers=headers)
    assert response.status_code == 200
    body = response.json()
    ids = [d["person_id"] for d in body["items"]]
    assert set(ids[:2]) == {document["id"], exact["id"]} and ids[2] == initial["id"]
    assert body["total"] == 3 and probe["id"] not in [d["person_id"] for d in body["items"]]
    assert [d["score"] for d in body["items"]] == sorted([d["score"] for d in body["items"]],
                                                         reverse=True)


def test_caseworker_registering_another_organisations_person_learns_nothing_of_it(
        client, login_as, session):
    border = login_as("border_official", organization="Mae Sot Border Post")
    theirs = _register(client, border.headers, document_number="PH7654321", phone="0812345678")
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    mine = _register(client, caseworker.headers, given_name="Juan", family_name="dela Cruz")
    # no warning naming the post's record: it would say Passage knows them, and show what
    # the post typed; the two records are linked for the post to see
    assert mine["possible_duplicates"] == []
    assert "PH7654321" not in str(mine) and "0812345678" not in str(mine)
    link = session.exec(select(IdentityLink).where(IdentityLink.person_id == theirs["id"])).one()
    assert (link.own_person_id, link.via) == (mine["id"], "registration")
    hidden = client.get(f"/api/v1/people/{theirs['id']}/duplicates",
                        headers=caseworker.headers)
    assert hidden.status_code == 404
    [event] = session.exec(select(AuditEvent).where(AuditEvent.actor_id == caseworker.user.id,
                                                    AuditEvent.outcome == "denied")).all()
    assert event.action == "person.duplicates" and event.entity_id == str(theirs["id"])
    links = client.get(f"/api/v1/people/{theirs['id']}/links", headers=border.headers)
    assert links.status_code == 200
    [seen] = links.json()["items"]
    assert (seen["organization"], seen["via"], seen["own_person_id"]) == (
        "Border Care Foundation", "registration", None)


def test_border_official_is_warned_only_of_records_they_may_see(client, login_as):
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    _register(client, caseworker.headers)
    border = login_as("border_official", organization="Mae Sot Border Post")
    own = _register(client, border.headers, date_of_birth="1990-06-01")
    again = _register(client, border.headers)
    assert [d["person_id"] for d in again["possible_duplicates"]] == [own["id"]]


@pytest.mark.parametrize(("role", "status"), [("admin", 403)])
def test_duplicates_route_is_refused_to_roles_without_people(client, login_as, session, role,
                                                             status):
    caseworker = login_as("caseworker")
    person = _register(client, caseworker.headers)
    signed_in = login_as(role)
    response = client.get(f"/api/v1/people/{person['id']}/duplicates",
                          headers=signed_in.headers)
    assert response.status_code == status
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_id == signed_in.user.id,
                                                   AuditEvent.outcome == "denied")).all()
    assert len(denied) == 1


def test_duplicate_checks_are_audited_with_ids_never_names(client, login_as, session):
    caseworker = login_as("caseworker")
    first = _register(client, caseworker.headers, given_name="Uniquegiven")
    second = _register(client, caseworker.headers, given_name="Uniquegiven")
    event = session.exec(select(AuditEvent).where(
        AuditEvent.action == "person.duplicate_check",
        AuditEvent.entity_id == str(second["id"]))).one()
    assert event.detail == {"found": 1, "ids": [first["id"]]}
    assert "Uniquegiven" not in str(event.detail)


def test_only_the_candidate_block_is_scored(session, monkeypatch):
    """The database narrows candidates by nationality, birth window and name fragments; rows
    outside the block are never fetched or scored."""
    org = factories.make_organization(session)
    for n in range(60):
        # same name, other nationality or far-off birth: outside the block
        factories.make_person(session, organization=org, given_name="Juan",
                              family_name="Dela Cruz", nationality_code="ID",
                              date_of_birth=date(1990, 5, 1))
        factories.make_person(session, organization=org, given_name="Juan",
                              family_name="Dela Cruz", nationality_code="PH",
                              date_of_birth=date(1960 + n % 20, 1, 1))
        # same nationality and birth, unrelated name: filtered by the name fragments
        factories.make_person(session, organization=org, given_name=f"Xavier{n}",
                              family_name="Mendoza", nationality_code="PH",
                              date_of_birth=date(1990, 5, 1))
    inside = factories.make_person(session, organization=org, given_name="Juan",
                                   family_name="Dela Cruz", nationality_code="PH",
                                   date_of_birth=date(1991, 1, 1))
    scored = []
    real = duplicates.token_similarity
    monkeypatch.setattr(duplicates, "token_similarity",
                        lambda a, b: scored.append(b) or real(a, b))
    found = find_duplicates(session, Probe("Juan", "Dela Cruz", "PH", date(1990, 5, 1)),
                            today=date(2025, 11, 1))
    assert [d.person.id for d in found] == [inside.id]
    assert len(scored) == 1
