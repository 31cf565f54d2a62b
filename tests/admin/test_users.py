import re

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.auth.models import User
from tests import factories
from tests.pages import csrf_from, sign_in

PASSWORD = "a long new password"


@pytest.fixture
def admin(login_as):
    # Passage-wide: manages every organisation's users (tests/admin/test_two_person_rule.py
    # tries an organisation's own administrator)
    return login_as("admin", organization="Tak Coordination Office", global_admin=True)


@pytest.fixture
def org(session):
    org = factories.make_organization(session, name="Safe Return Legal Aid")
    session.commit()
    return org


def _token(client, username: str, password: str):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _bearer(response) -> dict[str, str]:
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _redeem(client, username: str, code: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/set-password",
                       json={"username": username, "code": code, "password": password})


def test_admin_creates_a_user_who_chooses_their_password_with_the_code(client, session, admin,
                                                                        org):
    response = client.post("/api/v1/admin/users", headers=admin.headers, json={
        "username": "ananya", "full_name": "Ananya Rao", "role": "caseworker",
        "organization_id": org.id})
    assert response.status_code == 201 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["organization"] == "Safe Return Legal Aid" and body["is_active"] is True
    assert body["password_set"] is False and body["awaiting_confirmation"] is True
    assert "password" not in body and "password_hash" not in body
    code = body["set_password_code"]
    # no password opens the account before the code is redeemed
    assert _token(client, "ananya", "").status_code in (401, 422)
    assert _redeem(client, "ananya", code).status_code == 204
    me = client.get("/api/v1/me", headers=_bearer(_token(client, "ananya", PASSWORD))).json()
    assert (me["role"], me["organization"]) == ("caseworker", "Safe Return Legal Aid")
    # the two-person rule: nothing but their own account until their organisation confirms
    assert me["awaiting_confirmation"] is True and me["permissions"] == ["account:own"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.create",
                                                  AuditEvent.actor_id == admin.user.id)).one()
    assert event.entity_id == str(body["id"])
    issued = session.exec(select(AuditEvent).where(
        AuditEvent.action == "user.set_password_code")).one()
    assert issued.detail["purpose"] == "new_user" and code not in str(issued.detail)


@pytest.mark.parametrize(("changes", "field"), [
    ({"password": PASSWORD}, "password"),  # administrators never set a password
    ({"role": "king"}, "role"),
    ({"organization_id": 999999}, "organization_id"),
    ({"username": "has space"}, "username"),
    ({"username": ""}, "username"),
    ({"full_name": "x" * 201}, "full_name"),
    ({"is_admin": True}, "is_admin"),
])
def test_create_user_with_bad_input_is_422_naming_the_field(client, admin, org, changes,
                                                            field):
    body = {"username": "newcomer", "role": "caseworker", "organization_id": org.id,
            **changes}
    response = client.post("/api/v1/admin/users", headers=admin.headers, json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_create_user_with_a_taken_username_is_409(client, admin, org):
    body = {"username": "twice", "role": "coordinator", "organization_id": org.id}
    assert client.post("/api/v1/admin/users", headers=admin.headers, json=body).status_code == 201
    assert client.post("/api/v1/admin/users", headers=admin.headers, json=body).status_code == 409


def test_a_name_that_looks_like_a_colleagues_is_refused(client, session, admin, org):
    """The attack: an administrator adds `cаseworker` (a Cyrillic а) or `Caseworker` beside the
    real `caseworker`, so that a confirmer or a reader of the audit log takes one for the
    other. Only Latin letters, and no name that differs from another only in case."""
    factories.make_user(session, role="caseworker", organization=org, username="caseworker")
    session.commit()
    body = {"role": "caseworker", "organization_id": org.id, "full_name": "Naw Htoo Paw"}
    lookalike = client.post("/api/v1/admin/users", headers=admin.headers,
                            json={**body, "username": "c\u0430seworker"})
    assert lookalike.status_code == 422
    assert lookalike.json()["detail"][0]["loc"][-1] == "username"
    other_case = client.post("/api/v1/admin/users", headers=admin.headers,
                             json={**body, "username": "Caseworker"})
    assert other_case.status_code == 409
    assert session.exec(select(User).where(User.full_name == "Naw Htoo Paw")).all() == []


def test_the_command_line_refuses_a_lookalike_name_too(fresh_database_url):
    from tests.crossings.test_cli import run

    made = run(fresh_database_url, "createuser", "caseworker", "--role", "caseworker",
               "--organization", "O", "--password-stdin", input="a long enough password\n")
    assert made.returncode == 0, made.stderr
    for name in ("c\u0430seworker", "CaseWorker"):
        refused = run(fresh_database_url, "createuser", name, "--role", "caseworker",
                      "--organization", "O", "--password-stdin",
                      input="a long enough password\n")
        assert refused.returncode != 0


def test_list_users_filters_by_role_organisation_status_and_text(client, session, admin, org):
    factories.make_user(session, role="caseworker", organization=org, username="cw-listed")
    gone, _ = factories.make_user(session, role="caseworker", organization=org,
                                  username="cw-gone")
    gone.is_active = False
    session.add(gone)
    factories.make_user(session, role="border_official", username="bo-listed")
    session.commit()

    def names(**params):
        response = client.get("/api/v1/admin/users", headers=admin.headers, params=params)
        assert response.status_code == 200
        return [u["username"] for u in response.json()["items"]]

    assert names(organization_id=org.id) == ["cw-gone", "cw-listed"]
    assert names(organization_id=org.id, active=True) == ["cw-listed"]
    assert names(role="border_official") == ["bo-listed"]
    assert names(q="LISTED") == ["bo-listed", "cw-listed"]
    assert names(q="%") == []  # a wildcard is a character, not a pattern


def test_disabling_a_user_stops_their_token_and_browser_session_at_once(client, session,
                                                                        admin):
    user, password = factories.make_user(session, role="caseworker", username="leaver")
    session.commit()
    token = _bearer(_token(client, "leaver", password))
    browser = client.__class__(client.app)
    sign_in(browser, "leaver", password)
    assert browser.get("/", follow_redirects=False).status_code == 200

    response = client.patch(f"/api/v1/admin/users/{user.id}", headers=admin.headers,
                            json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert browser.get("/", follow_redirects=False).status_code == 303
    assert _token(client, "leaver", password).status_code == 401

    # enabling lets them sign in again; the old sessions stay ended
    client.patch(f"/api/v1/admin/users/{user.id}", headers=admin.headers,
                 json={"is_active": True})
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert _token(client, "leaver", password).status_code == 200
    actions = session.exec(select(AuditEvent.action).where(
        AuditEvent.actor_id == admin.user.id, AuditEvent.entity_id == str(user.id))
        .order_by(AuditEvent.id)).all()
    assert actions == ["user.disable", "user.enable"]


def test_admin_cannot_disable_themselves_or_change_their_own_role(client, admin):
    path = f"/api/v1/admin/users/{admin.user.id}"
    assert client.patch(path, headers=admin.headers,
                        json={"is_active": False}).status_code == 409
    assert client.patch(path, headers=admin.headers,
                        json={"role": "caseworker"}).status_code == 409
    assert client.post(f"{path}/set-password-code", headers=admin.headers).status_code == 409
    assert client.patch(path, headers=admin.headers,
                        json={"password": PASSWORD}).status_code == 422
    assert client.get("/api/v1/me", headers=admin.headers).json()["role"] == "admin"


def test_admin_changes_role_and_organisation_and_it_applies_at_once(client, session, admin,
                                                                    org):
    signed_in_user, password = factories.make_user(session, role="caseworker",
                                                   username="mover")
    session.commit()
    token = _bearer(_token(client, "mover", password))
    response = client.patch(f"/api/v1/admin/users/{signed_in_user.id}", headers=admin.headers,
                            json={"role": "coordinator", "organization_id": org.id,
                                  "full_name": "Maria Santos"})
    assert response.status_code == 200
    me = client.get("/api/v1/me", headers=token).json()
    assert (me["role"], me["organization"], me["full_name"]) == (
        "coordinator", "Safe Return Legal Aid", "Maria Santos")
    assert me["awaiting_confirmation"] is True and me["permissions"] == ["account:own"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert event.detail["fields"] == ["full_name", "organization_id", "role"]
    assert event.detail["awaiting_confirmation"] is True
    assert "Maria Santos" not in str(event.detail)


def test_a_reset_ends_the_password_and_every_session_and_gives_a_code(client, session, admin):
    user, password = factories.make_user(session, role="caseworker", username="forgetful")
    session.commit()
    token = _bearer(_token(client, "forgetful", password))
    response = client.post(f"/api/v1/admin/users/{user.id}/set-password-code",
                           headers=admin.headers)
    assert response.status_code == 201 and response.headers["cache-control"] == "no-store"
    code = response.json()["set_password_code"]
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert _token(client, "forgetful", password).status_code == 401  # the old one is gone
    read = client.get(f"/api/v1/admin/users/{user.id}", headers=admin.headers).json()
    assert read["live_sessions"] == 0 and read["password_set"] is False
    assert read["awaiting_confirmation"] is True and read["awaiting_reason"] == "password_reset"
    assert _redeem(client, "forgetful", code).status_code == 204
    assert _token(client, "forgetful", PASSWORD).status_code == 200
    actions = session.exec(select(AuditEvent.action).where(
        AuditEvent.actor_id == admin.user.id, AuditEvent.entity_id == str(user.id))
        .order_by(AuditEvent.id)).all()
    assert actions == ["user.password_reset", "user.set_password_code"]


def test_admin_ends_all_sessions_of_a_user(client, session, admin):
    user, password = factories.make_user(session, role="caseworker", username="lost-phone")
    session.commit()
    tokens = [_bearer(_token(client, "lost-phone", password)) for _ in range(2)]
    assert client.get(f"/api/v1/admin/users/{user.id}",
                      headers=admin.headers).json()["live_sessions"] == 2
    response = client.delete(f"/api/v1/admin/users/{user.id}/sessions", headers=admin.headers)
    assert response.status_code == 200 and response.json() == {"sessions_ended": 2}
    assert all(client.get("/api/v1/me", headers=t).status_code == 401 for t in tokens)
    assert _token(client, "lost-phone", password).status_code == 200  # not disabled


def test_unknown_user_is_404_and_a_huge_id_is_422(client, admin):
    assert client.get("/api/v1/admin/users/999999", headers=admin.headers).status_code == 404
    assert client.patch("/api/v1/admin/users/999999", headers=admin.headers,
                        json={"is_active": False}).status_code == 404
    huge = client.get(f"/api/v1/admin/users/{10**20}", headers=admin.headers)
    assert huge.status_code == 422 and huge.json()["detail"][0]["loc"] == ["path", "user_id"]


# --- pages ---------------------------------------------------------------------------------

@pytest.fixture
def admin_browser(client, session):
    user, password = factories.make_user(session, role="admin", username="page-admin",
                                         global_admin=True)
    session.commit()
    sign_in(client, "page-admin", password)
    return user


def test_users_page_adds_a_user(client, session, admin_browser, org):
    page = client.get("/admin/users")
    assert page.status_code == 200 and page.text.count("<h1>") == 1
    for name in ("username", "full_name", "role", "organization_id"):
        assert f'<label for="f-{name}">' in page.text
    assert 'type="password"' not in page.text
    response = client.post("/admin/users", data={
        "csrf_token": csrf_from(page.text), "username": "naw", "full_name": "Naw Htoo Paw",
        "role": "caseworker", "organization_id": str(org.id)})
    assert response.status_code == 200 and "The user was created" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert "Naw Htoo Paw" in response.text and "Awaiting confirmation" in response.text
    code = re.search(r'<p class="code-once"><code>([A-Z0-9-]+)</code>', response.text)[1]
    naw = session.exec(select(User).where(User.username == "naw")).one()
    assert naw.role == "caseworker"
    # shown once: the user's page does not show it again
    again = client.get(f"/admin/users/{naw.id}")
    assert again.status_code == 200 and code not in again.text
    assert _redeem(client, "naw", code).status_code == 204


def test_users_page_with_errors_is_422_refilled(client, admin_browser, org):
    page = client.get("/admin/users")
    response = client.post("/admin/users", data={
        "csrf_token": csrf_from(page.text), "username": "naw", "full_name": "Naw Htoo Paw",
        "role": "caseworker", "organization_id": ""})
    assert response.status_code == 422
    assert 'id="e-organization_id"' in response.text
    assert 'value="Naw Htoo Paw"' in response.text
    assert "error-summary" in response.text


def test_user_page_disables_enables_and_ends_sessions(client, session, admin_browser):
    user, password = factories.make_user(session, role="border_official", username="somchai")
    session.commit()
    token = _bearer(_token(client, "somchai", password))
    page = client.get(f"/admin/users/{user.id}")
    assert page.status_code == 200 and "Disable somchai" in page.text
    disabled = client.post(f"/admin/users/{user.id}/disable",
                           data={"csrf_token": csrf_from(page.text)})
    assert disabled.status_code == 200 and "The user is disabled" in disabled.text
    assert "Enable somchai" in disabled.text
    assert client.get("/api/v1/me", headers=token).status_code == 401
    enabled = client.post(f"/admin/users/{user.id}/enable",
                          data={"csrf_token": csrf_from(disabled.text)})
    assert "Disable somchai" in enabled.text
    token = _bearer(_token(client, "somchai", password))
    ended = client.post(f"/admin/users/{user.id}/end-sessions",
                        data={"csrf_token": csrf_from(enabled.text)})
    assert "Every session and token of the user has ended" in ended.text
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_user_page_changes_role_and_resets_the_password(client, session, admin_browser, org):
    user, _ = factories.make_user(session, role="caseworker", username="promoted")
    session.commit()
    page = client.get(f"/admin/users/{user.id}")
    saved = client.post(f"/admin/users/{user.id}", data={
        "csrf_token": csrf_from(page.text), "full_name": "Promoted Person",
        "role": "coordinator", "organization_id": str(org.id)})
    assert saved.status_code == 200 and "The changes were saved" in saved.text
    session.refresh(user)
    assert (user.role, user.organization_id) == ("coordinator", org.id)
    assert "Awaiting confirmation" in saved.text and "Given another role" not in saved.text
    done = client.post(f"/admin/users/{user.id}/password",
                       data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 200 and "The password is reset" in done.text
    code = re.search(r'<p class="code-once"><code>([A-Z0-9-]+)</code>', done.text)[1]
    assert _token(client, "promoted", factories.DEFAULT_PASSWORD).status_code == 401
    assert _redeem(client, "promoted", code).status_code == 204
    assert _token(client, "promoted", PASSWORD).status_code == 200


def test_own_user_page_offers_no_way_to_lock_yourself_out(client, admin_browser):
    page = client.get(f"/admin/users/{admin_browser.id}")
    assert "This is your own account" in page.text and "Disable page-admin" not in page.text
    refused = client.post(f"/admin/users/{admin_browser.id}/disable",
                          data={"csrf_token": csrf_from(page.text)})
    assert refused.status_code == 422 and "You cannot disable your own account" in refused.text


def test_admin_destinations_show_only_to_admins(client, session):
    for role, sees in [("admin", True), ("coordinator", False), ("caseworker", False)]:
        factories.make_user(session, role=role, username=f"nav-{role}",
                            global_admin=role == "admin")
        session.commit()
        sign_in(client, f"nav-{role}", factories.DEFAULT_PASSWORD)
        home = client.get("/").text
        for href in ("/admin/users", "/admin/organizations", "/admin/sign-in-locks",
                     "/admin/audit"):
            assert (f'href="{href}"' in home) == sees, (role, href)
        assert 'href="/account/password"' in home
