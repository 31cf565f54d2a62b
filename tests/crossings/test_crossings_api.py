from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from app.audit.models import AuditEvent
from app.crossings.models import Crossing
from app.people.models import Person
from tests import factories

POINT = "Mae Sot Friendship Bridge 2"


def inline(**person) -> dict:
    return {"person": {"given_name": "Rahul", "family_name": "Sharma", "sex": "male",
                       "date_of_birth": "1998-03-14", "nationality_code": "IN", **person},
            "crossed_at": "2025-10-22T09:15:00+07:00", "crossing_point": POINT}


def denied_actions(session, user) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == user.id, AuditEvent.outcome == "denied")).all()]


def people_count(session) -> int:
    return session.exec(select(func.count()).select_from(Person)).one()


def test_create_crossing_with_inline_person_registers_them(client, login_as, session):
    signed_in = login_as("border_official", organization="Mae Sot Border Post")
    compound = factories.make_compound(session, name="KK Park")
    session.commit()
    response = client.post("/api/v1/crossings", headers=signed_in.headers,
                           json={**inline(document_number="z1234567"),
                                 "compound_id": compound.id, "group_reference": "Boat 3"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert "person_created" not in body and body["compound_id"] == compound.id
    assert body["crossed_at"].startswith("2025-10-22T02:15:00")  # stored in UTC
    assert body["group_reference"] == "Boat 3"
    assert body["recorded_by_organization_id"] == signed_in.user.organization_id
    person = session.get(Person, body["person_id"])
    assert person.document_number == "Z1234567" and person.name_key == "rahul sharma"
    actions = [e.action for e in session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == signed_in.user.id)).all()]
    assert "person.create" in actions and "crossing.create" in actions


def test_create_crossing_matches_own_record_by_name_nationality_and_birth(client, login_as,
                                                                         session):
    signed_in = login_as("border_official", organization="Post M")
    own = factories.make_organization(session, name="Post M")
    known = factories.make_person(session, organization=own, given_name="Rahul",
                                  family_name="Sharma", nationality_code="IN",
                                  date_of_birth=datetime(1998, 3, 14).date())
    other_document = factories.make_person(session, organization=own, given_name="Rahul",
                                           family_name="Sharma", nationality_code="IN",
                                           document_number="P999",
                                           date_of_birth=datetime(1998, 3, 14).date())
    session.commit()
    before = people_count(session)
    same = client.post("/api/v1/crossings", headers=signed_in.headers,
                       json=inline(given_name="  rahul ", family_name="SHARMA"))
    assert same.json()["person_id"] == known.id
    assert people_count(session) == before
    born_elsewhere = client.post("/api/v1/crossings", headers=signed_in.headers,
                                 json=inline(nationality_code="NP"))
    assert born_elsewhere.json()["person_id"] not in (known.id, other_document.id)
    different_passport = client.post("/api/v1/crossings", headers=signed_in.headers,
                                     json={**inline(document_number="P111"),
                                           "crossed_at": "2025-10-23T10:00:00+07:00"})
    # same name and birth, but the known person without a document is the match, never the
    # one holding another passport
    assert different_passport.json()["person_id"] == known.id != other_document.id
    alike = client.post("/api/v1/crossings", headers=signed_in.headers,
                        json={**inline(given_name="Rahul K.", document_number="p 999"),
                              "crossed_at": "2025-10-24T10:00:00+07:00"})
    # a name spelt a little differently, with the same passport
    assert alike.json()["person_id"] == other_document.id


def test_a_document_number_alone_matches_no_one(client, login_as, session):
    signed_in = login_as("border_official", organization="Post N")
    own = factories.make_organization(session, name="Post N")
    known = factories.make_person(session, organization=own, given_name="Rahul",
                                  family_name="Sharma", nationality_code="IN",
                                  date_of_birth=datetime(1998, 3, 14).date(),
                                  document_number="Z1234567")
    session.commit()
    response = client.post("/api/v1/crossings", headers=signed_in.headers,
                           json=inline(given_name="zz", family_name="",
                                       document_number="Z1234567"))
    assert response.status_code == 201
    assert response.json()["person_id"] != known.id
    assert session.get(Person, response.json()["person_id"]).given_name == "zz"


def test_create_the_same_crossing_twice_is_409(client, login_as):
    headers = login_as("border_official").headers
    assert client.post("/api/v1/crossings", headers=headers, json=inline()).status_code == 201
    again = client.post("/api/v1/crossings", headers=headers, json=inline())
    assert again.status_code == 409
    assert "already recorded" in again.json()["detail"]


def test_create_crossing_without_offset_is_thai_time(client, login_as):
    response = client.post("/api/v1/crossings", headers=login_as("border_official").headers,
                           json={**inline(), "crossed_at": "2025-10-22T09:15"})
    assert response.json()["crossed_at"].startswith("2025-10-22T02:15:00")


@pytest.mark.parametrize("payload", [
    {"crossed_at": "2025-10-22T09:15:00+07:00", "crossing_point": POINT},
    {**inline(), "person_id": 1},
    {**inline(), "crossing_point": ""},
    {**inline(), "crossed_at": "yesterday"},
    {**inline(), "crossing_point": "x" * 201},
])
def test_create_crossing_with_bad_payload_is_422(client, login_as, payload):
    response = client.post("/api/v1/crossings", headers=login_as("border_official").headers,
                           json=payload)
    assert response.status_code == 422


def test_create_crossing_with_unknown_nationality_or_compound_is_422_naming_it(client,
                                                                              login_as):
    headers = login_as("border_official").headers
    nationality = client.post("/api/v1/crossings", headers=headers,
                              json=inline(nationality_code="QQ"))
    assert nationality.status_code == 422
    assert nationality.json()["detail"][0]["loc"] == ["body", "person", "nationality_code"]
    compound = client.post("/api/v1/crossings", headers=headers,
                           json={**inline(), "compound_id": 987654})
    assert compound.status_code == 422
    assert compound.json()["detail"][0]["loc"][-1] == "compound_id"


def test_create_crossing_for_a_person_out_of_scope_is_404_and_audited(client, login_as,
                                                                      session):
    signed_in = login_as("border_official", organization="Post X")
    elsewhere = factories.make_person(session)
    mine = factories.make_person(session, organization=factories.make_organization(
        session, name="Post X"))
    session.commit()
    hidden = client.post("/api/v1/crossings", headers=signed_in.headers,
                         json={"person_id": elsewhere.id, "crossed_at": "2025-10-22T09:00",
                               "crossing_point": POINT})
    assert hidden.status_code == 404
    assert denied_actions(session, signed_in.user) == ["crossing.create"]
    ok = client.post("/api/v1/crossings", headers=signed_in.headers,
                     json={"person_id": mine.id, "crossed_at": "2025-10-22T09:00",
                           "crossing_point": POINT})
    assert ok.status_code == 201 and ok.json()["person_id"] == mine.id


@pytest.mark.parametrize("role", ["caseworker", "coordinator", "admin"])
def test_create_crossing_by_other_roles_is_403_and_audited(client, login_as, session, role):
    signed_in = login_as(role)
    response = client.post("/api/v1/crossings", headers=signed_in.headers, json=inline())
    assert response.status_code == 403
    assert denied_actions(session, signed_in.user) == ["POST /api/v1/crossings"]


def test_crossings_need_sign_in(client):
    assert client.get("/api/v1/crossings").status_code == 401
    assert client.post("/api/v1/crossings", json=inline()).status_code == 401


@pytest.fixture
def two_posts(session):
    """Crossings recorded by two border posts; a case for one person at an NGO."""
    post_a = factories.make_organization(session, name="Post A")
    post_b = factories.make_organization(session, name="Post B")
    ngo = factories.make_organization(session, name="NGO C")
    a_person = factories.make_person(session, organization=post_a)
    b_person = factories.make_person(session, organization=post_b)
    a_crossing = factories.make_crossing(session, person=a_person)
    b_crossing = factories.make_crossing(session, person=b_person)
    factories.make_case(session, person=b_person, organization=ngo)
    session.commit()
    return {"a": a_crossing.id, "b": b_crossing.id}


@pytest.mark.parametrize(("role", "organization", "expected"), [
    ("border_official", "Post A", {"a"}),
    ("border_official", "Post B", {"b"}),
    ("caseworker", "NGO C", {"b"}),
    ("caseworker", "NGO D", set()),
    ("coordinator", "Office", {"a", "b"}),
])
def test_list_crossings_follows_the_scope_of_design(client, login_as, two_posts, role,
                                                    organization, expected):
    headers = login_as(role, organization=organization).headers
    response = client.get("/api/v1/crossings?limit=1000", headers=headers)
    assert response.status_code == 200
    ids = {c["id"] for c in response.json()["items"]}
    assert ids & set(two_posts.values()) == {two_posts[k] for k in expected}


def test_list_crossings_by_admin_is_403_and_audited(client, login_as, session):
    signed_in = login_as("admin")
    assert client.get("/api/v1/crossings", headers=signed_in.headers).status_code == 403
    assert denied_actions(session, signed_in.user) == ["GET /api/v1/crossings"]


def test_list_crossings_filters_on_thai_days_point_compound_nationality(client, login_as,
                                                                       session):
    signed_in = login_as("border_official", organization="Post F")
    post = factories.make_organization(session, name="Post F")
    compound = factories.make_compound(session)
    indian = factories.make_person(session, organization=post, nationality_code="IN")
    thai = factories.make_person(session, organization=post, nationality_code="TH")
    # 23:30 on 21 Oct in Thailand, and 00:30 on 22 Oct: the same UTC day, two Thai days
    late = factories.make_crossing(session, person=indian, compound_id=compound.id,
                                   crossed_at=datetime(2025, 10, 21, 16, 30, tzinfo=UTC))
    early = factories.make_crossing(session, person=thai, crossing_point="Tha Sai Luat",
                                    crossed_at=datetime(2025, 10, 21, 17, 30, tzinfo=UTC))
    session.commit()

    def ids(query: str) -> list[int]:
        response = client.get("/api/v1/crossings?" + query, headers=signed_in.headers)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert ids("") == [early.id, late.id]  # latest first
    assert ids("from=2025-10-21&to=2025-10-21") == [late.id]
    assert ids("from=2025-10-22") == [early.id]
    assert ids("to=2025-10-21") == [late.id]
    assert ids("crossing_point=Tha+Sai+Luat") == [early.id]
    assert ids(f"compound_id={compound.id}") == [late.id]
    assert ids("nationality=TH") == [early.id]
    assert ids(f"person_id={indian.id}") == [late.id]
    assert ids("limit=1&offset=1") == [late.id]
    page = client.get("/api/v1/crossings?limit=1", headers=signed_in.headers).json()
    assert page["total"] == 2 and page["limit"] == 1 and page["offset"] == 0
    assert set(page["items"][0]) == {"id", "person_id", "crossed_at", "crossing_point",
                                     "compound_id", "group_reference", "direction",
                                     "recorded_by_organization_id", "created_at"}


def test_list_crossings_is_audited_by_ids(client, login_as, session):
    signed_in = login_as("border_official", organization="Post L")
    person = factories.make_person(session, organization=factories.make_organization(
        session, name="Post L"), given_name="Kavita")
    crossing = factories.make_crossing(session, person=person)
    session.commit()
    client.get("/api/v1/crossings", headers=signed_in.headers)
    listed = session.exec(select(AuditEvent).where(AuditEvent.action == "crossing.list",
                                                   AuditEvent.actor_id == signed_in.user.id)
                          ).one()
    assert listed.detail["ids"] == [crossing.id] and listed.detail["person_ids"] == [person.id]
    assert "Kavita" not in str(listed.detail)


def test_crossing_rows_are_unique_per_person_time_point(session):
    person = factories.make_person(session)
    factories.make_crossing(session, person=person)
    session.commit()
    assert session.exec(select(func.count()).select_from(Crossing).where(
        Crossing.person_id == person.id)).one() == 1
