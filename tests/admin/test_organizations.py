import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from tests import factories
from tests.pages import csrf_from, sign_in


def test_admin_creates_and_lists_organisations_with_user_counts(client, session, login_as):
    admin = login_as("admin", organization="Tak Coordination Office", global_admin=True)
    response = client.post("/api/v1/admin/organizations", headers=admin.headers,
                           json={"name": "  Mae Sot Border Post ", "kind": "border_post"})
    assert response.status_code == 201
    created = response.json()
    assert (created["name"], created["kind"], created["users"]) == (
        "Mae Sot Border Post", "border_post", 0)
    listed = client.get("/api/v1/admin/organizations", headers=admin.headers).json()
    counts = {o["name"]: o["users"] for o in listed["items"]}
    assert counts == {"Mae Sot Border Post": 0, "Tak Coordination Office": 1}
    event = session.exec(select(AuditEvent).where(
        AuditEvent.action == "organization.create")).one()
    assert event.entity_id == str(created["id"]) and event.actor_id == admin.user.id


def test_duplicate_organisation_is_409_whatever_the_case(client, login_as):
    admin = login_as("admin", global_admin=True)
    body = {"name": "Border Care Foundation"}
    assert client.post("/api/v1/admin/organizations", headers=admin.headers,
                       json=body).status_code == 201
    again = client.post("/api/v1/admin/organizations", headers=admin.headers,
                        json={"name": "border care foundation"})
    assert again.status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"name": ""}, "name"), ({"name": "x" * 201}, "name"),
    ({"name": "X", "kind": "army"}, "kind"), ({}, "name"),
])
def test_bad_organisation_is_422_naming_the_field(client, login_as, body, field):
    admin = login_as("admin", global_admin=True)
    response = client.post("/api/v1/admin/organizations", headers=admin.headers, json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_organisations_page_adds_one_and_shows_errors(client, session):
    factories.make_user(session, role="admin", username="org-admin", global_admin=True)
    session.commit()
    sign_in(client, "org-admin", factories.DEFAULT_PASSWORD)
    page = client.get("/admin/organizations")
    assert page.status_code == 200 and page.text.count("<h1>") == 1
    assert '<label for="f-name">' in page.text and '<label for="f-kind">' in page.text
    added = client.post("/admin/organizations", data={
        "csrf_token": csrf_from(page.text), "name": "Safe Return Legal Aid", "kind": "ngo"})
    assert added.status_code == 200 and "Safe Return Legal Aid" in added.text
    duplicate = client.post("/admin/organizations", data={
        "csrf_token": csrf_from(page.text), "name": "Safe Return Legal Aid", "kind": "ngo"})
    assert duplicate.status_code == 422
    assert "An organisation with this name already exists" in duplicate.text
    empty = client.post("/admin/organizations", data={
        "csrf_token": csrf_from(page.text), "name": "", "kind": "ngo"})
    assert empty.status_code == 422 and 'id="e-name"' in empty.text
