import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.people.models import Person
from tests import factories

PERSON = {"given_name": "Ngọc Anh", "family_name": "Nguyễn", "sex": "female",
          "date_of_birth": "1999-04-02", "nationality_code": "vn",
          "document_number": "c 1234567", "phone": "+66 81 234 5678",
          "languages": ["Vietnamese", "English"]}


def events(session, **where):
    statement = select(AuditEvent)
    for name, value in where.items():
        statement = statement.where(getattr(AuditEvent, name) == value)
    return session.exec(statement).all()


def test_create_person_returns_the_design_fields_and_keeps_the_name_key(client, login_as,
                                                                        session):
    signed_in = login_as("caseworker", organization="Border Care Foundation")
    response = client.post("/api/v1/people", headers=signed_in.headers, json=PERSON)
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in PERSON} == {
        **PERSON, "nationality_code": "VN", "document_number": "C1234567"}
    assert body["age_estimate"] is None
    assert body["registered_by_organization_id"] == signed_in.user.organization_id
    person = session.get(Person, body["id"])
    assert person.name_key == "ngoc anh nguyen"
    assert person.created_by_id == signed_in.user.id
    created = events(session, action="person.create", entity_id=str(body["id"]))
    assert len(created) == 1 and "Nguyễn" not in str(created[0].detail)


@pytest.mark.parametrize(("field", "value"), [
    ("nationality_code", "ZZ"), ("nationality_code", "IND"), ("sex", "woman"),
    ("given_name", ""), ("given_name", "x" * 201), ("date_of_birth", "2999-01-01"),
    ("age_estimate", 130), ("document_number", "9" * 65), ("languages", ["x" * 51]),
])
def test_create_person_with_bad_field_is_422_naming_the_field(client, login_as, field, value):
    response = client.post("/api/v1/people", headers=login_as("border_official").headers,
                           json={**PERSON, field: value})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert field in detail[0]["loc"]
    assert all("input" not in e for e in detail)  # the submitted value is not echoed


@pytest.mark.parametrize(("role", "expected"), [
    ("caseworker", 201), ("border_official", 201), ("coordinator", 403), ("admin", 403)])
def test_create_person_by_role(client, login_as, session, role, expected):
    signed_in = login_as(role)
    response = client.post("/api/v1/people", headers=signed_in.headers, json=PERSON)
    assert response.status_code == expected
    if expected == 403:
        denied = events(session, actor_id=signed_in.user.id, outcome="denied")
        assert [e.action for e in denied] == ["POST /api/v1/people"]


def test_people_routes_need_sign_in(client):
    assert client.get("/api/v1/people").status_code == 401
    assert client.get("/api/v1/people/1").status_code == 401
    assert client.post("/api/v1/people", json=PERSON).status_code == 401


def test_read_person_is_audited_without_personal_values(client, login_as, session):
    signed_in = login_as("border_official", organization="Mae Sot Border Post")
    person = factories.make_person(session, organization=factories.make_organization(
        session, name="Mae Sot Border Post"), given_name="Priya", family_name="Sharma")
    session.commit()
    response = client.get(f"/api/v1/people/{person.id}", headers=signed_in.headers)
    assert response.status_code == 200
    assert response.json()["given_name"] == "Priya"
    read = events(session, action="person.read", entity_id=str(person.id))
    assert len(read) == 1 and read[0].actor_id == signed_in.user.id
    assert read[0].outcome == "success" and "Priya" not in str(read[0].detail)


def test_read_unknown_person_is_404(client, login_as):
    response = client.get("/api/v1/people/999999",
                          headers=login_as("coordinator").headers)
    assert response.status_code == 404


@pytest.mark.parametrize(("role", "link", "expected"), [
    ("caseworker", None, 404),
    ("caseworker", "registered", 200),
    ("caseworker", "case", 200),
    ("caseworker", "crossing", 404),  # a crossing recorded by their org is not a case
    ("border_official", None, 404),
    ("border_official", "registered", 200),
    ("border_official", "crossing", 200),
    ("border_official", "case", 404),
    ("coordinator", None, 200),
    ("admin", "registered", 403),
])
def test_read_person_follows_the_scope_of_design(client, login_as, session, role, link,
                                                 expected):
    signed_in = login_as(role, organization="Own org")
    own = factories.make_organization(session, name="Own org")
    other = factories.make_organization(session, name="Other org")
    person = factories.make_person(session, organization=own if link == "registered" else other)
    if link == "case":
        factories.make_case(session, person=person, organization=own)
    if link == "crossing":
        factories.make_crossing(session, person=person, organization=own)
    session.commit()
    response = client.get(f"/api/v1/people/{person.id}", headers=signed_in.headers)
    assert response.status_code == expected
    if expected != 200:
        denied = events(session, actor_id=signed_in.user.id, outcome="denied")
        assert len(denied) == 1
        assert denied[0].entity_id == str(person.id)
        assert response.json()["detail"] in ("No such person", "Your role does not allow this")


def test_list_people_shows_only_the_people_in_scope(client, login_as, session):
    signed_in = login_as("border_official", organization="Post A")
    post_a = factories.make_organization(session, name="Post A")
    ngo = factories.make_organization(session, name="NGO B")
    registered = factories.make_person(session, organization=post_a)
    crossed = factories.make_person(session, organization=ngo)
    factories.make_crossing(session, person=crossed, organization=post_a)
    hidden = factories.make_person(session, organization=ngo)
    session.commit()
    body = client.get("/api/v1/people", headers=signed_in.headers).json()
    assert {p["id"] for p in body["items"]} == {registered.id, crossed.id}
    assert body["total"] == 2 and body["limit"] == 50 and body["offset"] == 0
    assert hidden.id not in {p["id"] for p in body["items"]}
    listed = events(session, action="person.list", actor_id=signed_in.user.id)
    assert sorted(listed[0].detail["ids"]) == sorted([registered.id, crossed.id])


def test_list_people_as_coordinator_sees_everyone_and_pages(client, login_as, session):
    org = factories.make_organization(session)
    people = [factories.make_person(session, organization=org) for _ in range(3)]
    session.commit()
    headers = login_as("coordinator").headers
    first = client.get("/api/v1/people?limit=2", headers=headers).json()
    second = client.get("/api/v1/people?limit=2&offset=2", headers=headers).json()
    ids = [p["id"] for p in first["items"] + second["items"]]
    assert {p.id for p in people} <= set(ids) and len(ids) == len(set(ids))
    assert first["total"] == second["total"] >= 3 and len(first["items"]) == 2


def test_list_people_filters_by_nationality_and_crossing(client, login_as, session):
    signed_in = login_as("border_official", organization="Post F")
    post = factories.make_organization(session, name="Post F")
    compound = factories.make_compound(session)
    indian = factories.make_person(session, organization=post, nationality_code="IN")
    filipino = factories.make_person(session, organization=post, nationality_code="PH")
    factories.make_crossing(session, person=indian, crossed_at=factories.aware(2025, 10, 21),
                            compound_id=compound.id)
    factories.make_crossing(session, person=filipino, crossed_at=factories.aware(2025, 10, 25),
                            crossing_point="Ban Wang Pha, Mae Ramat")
    session.commit()

    def ids(query: str) -> set[int]:
        response = client.get("/api/v1/people?" + query, headers=signed_in.headers)
        assert response.status_code == 200, response.text
        return {p["id"] for p in response.json()["items"]}

    assert ids("nationality=ph") == {filipino.id}
    assert ids("from=2025-10-20&to=2025-10-22") == {indian.id}
    assert ids("crossing_point=Ban+Wang+Pha,+Mae+Ramat") == {filipino.id}
    assert ids(f"compound_id={compound.id}") == {indian.id}
    assert ids("from=&to=&nationality=") == {indian.id, filipino.id}
    bad = client.get("/api/v1/people?from=2025-10-22&to=2025-10-21", headers=signed_in.headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "to"


def test_list_people_by_admin_is_403_and_audited(client, login_as, session):
    signed_in = login_as("admin")
    assert client.get("/api/v1/people", headers=signed_in.headers).status_code == 403
    denied = events(session, actor_id=signed_in.user.id, outcome="denied")
    assert [e.action for e in denied] == ["GET /api/v1/people"]
