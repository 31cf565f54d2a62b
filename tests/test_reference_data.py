import pytest
from sqlmodel import select

from app.audit.models import AuditEvent


def test_nationalities_lists_every_iso_country(client, login_as):
    headers = login_as("border_official").headers
    response = client.get("/api/v1/nationalities", headers=headers)
    assert response.status_code == 200
    body = response.json()
    codes = {row["code"] for row in body["items"]}
    assert body["total"] == len(body["items"]) >= 249
    assert {"IN", "PH", "CN", "MM", "TH"} <= codes
    names = {row["code"]: row["name"] for row in body["items"]}
    assert names["IN"] == "India" and names["MM"] == "Myanmar"


def test_nationalities_need_sign_in(client):
    assert client.get("/api/v1/nationalities").status_code == 401


@pytest.mark.parametrize(
    ("role", "expected"),
    [("caseworker", 403), ("border_official", 403), ("coordinator", 201), ("admin", 201)],
)
def test_create_compound_by_role(client, login_as, session, role, expected):
    signed_in = login_as(role)
    response = client.post("/api/v1/compounds", headers=signed_in.headers,
                           json={"name": f"Test compound {role}", "country_code": "mm",
                                 "region": "Myawaddy, Kayin State"})
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["country_code"] == "MM"
    else:
        refused = session.exec(select(AuditEvent).where(
            AuditEvent.actor_id == signed_in.user.id, AuditEvent.outcome == "denied")).all()
        assert [e.action for e in refused] == ["POST /api/v1/compounds"]


def test_create_compound_anonymous_is_401(client):
    assert client.post("/api/v1/compounds", json={"name": "X"}).status_code == 401


def test_compounds_are_listed_for_every_role(client, login_as):
    coordinator = login_as("coordinator")
    client.post("/api/v1/compounds", headers=coordinator.headers,
                json={"name": "KK Park", "country_code": "MM"})
    for role in ("caseworker", "border_official", "coordinator", "admin"):
        response = client.get("/api/v1/compounds", headers=login_as(role).headers)
        assert response.status_code == 200
        assert "KK Park" in [c["name"] for c in response.json()["items"]]


def test_compound_with_unknown_country_is_422_naming_the_field(client, login_as):
    response = client.post("/api/v1/compounds", headers=login_as("admin").headers,
                           json={"name": "Somewhere", "country_code": "ZZ"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "country_code"


def test_compound_with_missing_name_is_422_naming_the_field(client, login_as):
    response = client.post("/api/v1/compounds", headers=login_as("admin").headers,
                           json={"country_code": "MM"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "name"
    assert "input" not in response.json()["detail"][0]


def test_duplicate_compound_is_409(client, login_as):
    headers = login_as("coordinator").headers
    assert client.post("/api/v1/compounds", headers=headers,
                       json={"name": "Shwe Kokko"}).status_code == 201
    assert client.post("/api/v1/compounds", headers=headers,
                       json={"name": "shwe kokko"}).status_code == 409


@pytest.mark.parametrize("name", ["ÉTOILE Park", "Shwe Kokko "])
def test_the_same_name_twice_is_409_not_a_server_error(client, login_as, name):
    """Found by the fuzz tests: SQLite's lower() folds ASCII letters only, so a name with a
    capital beyond ASCII was not found again and its second insert hit the unique index."""
    headers = login_as("coordinator").headers
    assert client.post("/api/v1/compounds", headers=headers,
                       json={"name": name}).status_code == 201
    assert client.post("/api/v1/compounds", headers=headers,
                       json={"name": name}).status_code == 409
