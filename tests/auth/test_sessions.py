"""Browser sessions and bearer tokens: a new id at each sign-in, idle and absolute timeouts,
sign-out and revocation on the server, password changes."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.auth.models import AuthSession
from app.db import utcnow
from tests import factories
from tests.pages import csrf_from, sign_in

NEW_PASSWORD = "a brand new passphrase"


def _browser_session(session, user_id: int) -> AuthSession:
    return session.exec(select(AuthSession).where(AuthSession.user_id == user_id,
                                                  AuthSession.kind == "cookie",
                                                  AuthSession.revoked_at.is_(None))).one()


@pytest.fixture
def browser_user(client, session):
    user, password = factories.make_user(session, role="caseworker", username="browser")
    session.commit()
    assert sign_in(client, "browser", password).status_code == 303
    return user


def _signed_in(client) -> bool:
    response = client.get("/", follow_redirects=False)
    return response.status_code == 200


def test_each_sign_in_gets_a_new_session_id_and_ends_the_one_before(client, session,
                                                                    browser_user):
    first = client.cookies.get("passage_session")
    sign_in(client, "browser", factories.DEFAULT_PASSWORD)
    second = client.cookies.get("passage_session")
    assert first and second and first != second
    rows = session.exec(select(AuthSession).where(AuthSession.user_id == browser_user.id)
                        .order_by(AuthSession.id)).all()
    assert [r.revoked_at is not None for r in rows] == [True, False]
    client.cookies.set("passage_session", first)
    assert not _signed_in(client)


def test_browser_session_lasts_at_most_12_hours(session, browser_user):
    row = _browser_session(session, browser_user.id)
    assert row.expires_at - row.created_at == pytest.approx(timedelta(hours=12),
                                                            abs=timedelta(seconds=1))


def test_browser_session_ends_after_30_idle_minutes(client, session, browser_user):
    row = _browser_session(session, browser_user.id)
    row.last_seen_at = utcnow() - timedelta(minutes=29)
    session.add(row)
    session.commit()
    assert _signed_in(client)  # and the visit counts as activity
    session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    session.add(row)
    session.commit()
    response = client.get("/compounds", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_browser_session_ends_after_12_hours_even_when_in_use(client, session, browser_user):
    row = _browser_session(session, browser_user.id)
    row.expires_at = utcnow() - timedelta(seconds=1)
    row.last_seen_at = utcnow()
    session.add(row)
    session.commit()
    assert not _signed_in(client)


def test_sign_out_ends_the_session_on_the_server_and_is_audited(client, session,
                                                                browser_user):
    old_cookie = client.cookies.get("passage_session")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    assert _browser_session_count(session, browser_user.id) == 0
    client.cookies.set("passage_session", old_cookie)
    assert not _signed_in(client)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_out")).one()
    assert event.actor_id == browser_user.id


def _browser_session_count(session, user_id: int) -> int:
    return len(session.exec(select(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))).all())


def test_token_expires_after_its_lifetime(client, session, login_as):
    signed_in = login_as("coordinator")
    row = session.exec(select(AuthSession).where(AuthSession.user_id == signed_in.user.id)).one()
    assert row.expires_at - row.created_at == pytest.approx(timedelta(minutes=60),
                                                            abs=timedelta(seconds=1))
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert client.get("/api/v1/me", headers=signed_in.headers).status_code == 401


def test_revoked_token_stops_working_and_others_do_not(client, session, login_as):
    signed_in = login_as("border_official")
    other = client.post("/api/v1/auth/token", data={"username": signed_in.user.username,
                                                    "password": signed_in.password}).json()
    assert client.post("/api/v1/auth/revoke", headers=signed_in.headers).status_code == 204
    assert client.get("/api/v1/me", headers=signed_in.headers).status_code == 401
    assert client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {other['access_token']}"}).status_code == 200
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.token_revoke")).one()
    assert event.actor_id == signed_in.user.id


def test_revoke_without_a_token_is_401(client):
    assert client.post("/api/v1/auth/revoke").status_code == 401


def test_change_own_password_ends_other_sessions_and_keeps_this_one(client, session,
                                                                    login_as):
    signed_in = login_as("caseworker")
    username = signed_in.user.username
    other = client.post("/api/v1/auth/token", data={"username": username,
                                                    "password": signed_in.password}).json()
    other_headers = {"Authorization": f"Bearer {other['access_token']}"}
    response = client.post("/api/v1/me/password", headers=signed_in.headers,
                           json={"current_password": signed_in.password,
                                 "new_password": NEW_PASSWORD})
    assert response.status_code == 200 and response.json() == {"sessions_ended": 1}
    assert client.get("/api/v1/me", headers=signed_in.headers).status_code == 200
    assert client.get("/api/v1/me", headers=other_headers).status_code == 401
    old = client.post("/api/v1/auth/token", data={"username": username,
                                                  "password": signed_in.password})
    new = client.post("/api/v1/auth/token", data={"username": username,
                                                  "password": NEW_PASSWORD})
    assert (old.status_code, new.status_code) == (401, 200)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.password_change",
                                                  AuditEvent.outcome == "success")).one()
    assert NEW_PASSWORD not in str(event.detail) and signed_in.password not in str(event.detail)


@pytest.mark.parametrize(("body", "field"), [
    ({"current_password": "wrong password!!", "new_password": NEW_PASSWORD},
     "current_password"),
    ({"current_password": factories.DEFAULT_PASSWORD, "new_password": "too short"},
     "new_password"),
    ({"current_password": factories.DEFAULT_PASSWORD,
      "new_password": factories.DEFAULT_PASSWORD}, "new_password"),
    ({"current_password": factories.DEFAULT_PASSWORD, "new_password": "x" * 1025},
     "new_password"),
    ({"new_password": NEW_PASSWORD}, "current_password"),
])
def test_change_own_password_with_bad_input_is_422_naming_the_field(client, login_as, body,
                                                                    field):
    signed_in = login_as("admin")
    response = client.post("/api/v1/me/password", headers=signed_in.headers, json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert client.get("/api/v1/me", headers=signed_in.headers).status_code == 200


def test_wrong_current_password_is_audited_as_a_failure(client, session, login_as):
    signed_in = login_as("coordinator")
    client.post("/api/v1/me/password", headers=signed_in.headers,
                json={"current_password": "wrong password!!", "new_password": NEW_PASSWORD})
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.password_change",
                                                  AuditEvent.actor_id == signed_in.user.id)
                         ).one()
    assert event.outcome == "failure"


def test_change_password_page(client, session, browser_user):
    page = client.get("/account/password")
    assert page.status_code == 200 and page.text.count("<h1>") == 1
    for name in ("current_password", "new_password", "confirm_password"):
        assert f'<label for="f-{name}">' in page.text
    mismatch = client.post("/account/password", data={
        "csrf_token": csrf_from(page.text), "current_password": factories.DEFAULT_PASSWORD,
        "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "!"})
    assert mismatch.status_code == 422 and 'id="e-confirm_password"' in mismatch.text
    wrong = client.post("/account/password", data={
        "csrf_token": csrf_from(page.text), "current_password": "not my password",
        "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "The current password is not correct" in wrong.text
    assert NEW_PASSWORD not in wrong.text  # passwords are never sent back
    done = client.post("/account/password", data={
        "csrf_token": csrf_from(page.text), "current_password": factories.DEFAULT_PASSWORD,
        "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 200 and "Your password was changed" in done.text
    assert _signed_in(client)  # this browser stays signed in
    client.cookies.clear()
    assert sign_in(client, "browser", NEW_PASSWORD).status_code == 303


def test_change_password_page_needs_csrf(client, browser_user):
    response = client.post("/account/password", data={
        "current_password": factories.DEFAULT_PASSWORD, "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert response.status_code == 403
