"""Sign-in throttling: five failures for a name within 15 minutes lock the name for 15
minutes from the address that failed, in the database, so the lock holds across server
processes. (Other addresses, and the limit per address: test_throttle_by_address.py.)"""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import String
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import SignInFailure, SignInLock
from app.db import make_engine, utcnow
from tests import factories
from tests.live import start_server, stop_server
from tests.pages import csrf_from, sign_in

WRONG = "not the password at all"


def _token(client, username: str, password: str):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _fail(client, username: str, times: int = 5) -> list[int]:
    return [_token(client, username, WRONG).status_code for _ in range(times)]


@pytest.fixture
def account(session):
    user, password = factories.make_user(session, role="caseworker", username="throttled")
    session.commit()
    return user, password


def test_five_wrong_passwords_then_the_right_one_is_429(client, session, account):
    user, password = account
    assert _fail(client, "throttled") == [401] * 5
    response = _token(client, "throttled", password)
    assert response.status_code == 429
    assert 850 <= int(response.headers["retry-after"]) <= 900
    assert "Try again in 15 minutes" in response.json()["detail"]
    outcomes = session.exec(select(AuditEvent.action, AuditEvent.outcome).where(
        AuditEvent.actor_id == user.id).order_by(AuditEvent.id)).all()
    assert outcomes == [("auth.sign_in", "failure")] * 5 + [("auth.lock", "success"),
                                                          ("auth.sign_in", "locked")]


def test_four_failures_do_not_lock(client, account):
    _, password = account
    assert _fail(client, "throttled", 4) == [401] * 4
    assert _token(client, "throttled", password).status_code == 200


def test_a_successful_sign_in_starts_the_count_again(client, account):
    _, password = account
    _fail(client, "throttled", 4)
    assert _token(client, "throttled", password).status_code == 200
    assert _fail(client, "throttled", 4) == [401] * 4
    assert _token(client, "throttled", password).status_code == 200


def test_the_lock_is_per_name(client, session, account):
    other, password = factories.make_user(session, role="caseworker", username="not-throttled")
    session.commit()
    _fail(client, "throttled")
    assert _token(client, "not-throttled", password).status_code == 200
    # case and spaces do not make a new name
    assert _token(client, " THROTTLED ", account[1]).status_code == 429


def test_failures_older_than_the_window_do_not_count(client, session, account):
    _, password = account
    _fail(client, "throttled", 4)
    for failure in session.exec(select(SignInFailure)).all():
        failure.at = utcnow() - timedelta(minutes=16)
        session.add(failure)
    session.commit()
    assert _token(client, "throttled", WRONG).status_code == 401
    assert _token(client, "throttled", password).status_code == 200


def test_the_lock_ends_after_15_minutes(client, session, account):
    _, password = account
    _fail(client, "throttled")
    lock = session.exec(select(SignInLock)).one()
    assert lock.locked_until - lock.locked_at == timedelta(minutes=15)
    lock.locked_until = utcnow() - timedelta(seconds=1)
    session.add(lock)
    session.commit()
    assert _token(client, "throttled", password).status_code == 200


def test_sign_in_page_is_429_after_five_failures(client, account):
    _, password = account
    for _ in range(5):
        assert sign_in(client, "throttled", WRONG).status_code == 401
    response = sign_in(client, "throttled", password)
    assert response.status_code == 429
    assert "Too many failed sign-ins for this name" in response.text
    assert "retry-after" in response.headers
    assert "passage_session" not in response.headers.get("set-cookie", "")


def test_failures_on_the_page_and_the_api_add_up(client, account):
    _, password = account
    for _ in range(3):
        sign_in(client, "throttled", WRONG)
    _fail(client, "throttled", 2)
    assert _token(client, "throttled", password).status_code == 429


def test_a_name_that_is_no_account_is_locked_and_never_stored_as_typed(client, session,
                                                                       connection):
    typed = "My-Secret-Passphrase-2025"  # a password typed into the name field
    assert _fail(client, typed) == [401] * 5
    assert _token(client, typed, WRONG).status_code == 429
    lock = session.exec(select(SignInLock)).one()
    assert lock.user_id is None and len(lock.name_hash) == 64
    # nothing in any text column of any table holds the name
    for table_name in ("sign_in_failures", "sign_in_locks", "audit_events"):
        table = SignInLock.metadata.tables[table_name]
        columns = [c for c in table.columns if isinstance(c.type, String)]
        for row in connection.execute(table.select()).mappings():
            assert all(typed.lower() not in str(row[c.name]).lower() for c in columns)
        assert typed not in str(connection.execute(table.select()).all())


def test_wrong_current_password_counts_towards_the_lock(client, login_as):
    signed_in = login_as("coordinator")
    for _ in range(5):
        response = client.post("/api/v1/me/password", headers=signed_in.headers,
                               json={"current_password": WRONG,
                                     "new_password": "a brand new passphrase"})
        assert response.status_code == 422
    response = client.post("/api/v1/me/password", headers=signed_in.headers,
                           json={"current_password": signed_in.password,
                                 "new_password": "a brand new passphrase"})
    assert response.status_code == 429
    assert _token(client, signed_in.user.username, signed_in.password).status_code == 429


def test_admin_sees_and_lifts_a_lock(client, session, login_as, account):
    user, password = account
    admin = login_as("admin", global_admin=True)
    _fail(client, "throttled")
    listed = client.get("/api/v1/admin/sign-in-locks", headers=admin.headers).json()
    assert listed["total"] == 1
    lock = listed["items"][0]
    assert lock["username"] == "throttled" and lock["user_id"] == user.id
    lifted = client.delete(f"/api/v1/admin/sign-in-locks/{lock['id']}", headers=admin.headers)
    assert lifted.status_code == 204
    assert client.get("/api/v1/admin/sign-in-locks", headers=admin.headers).json()["total"] == 0
    past = client.get("/api/v1/admin/sign-in-locks", headers=admin.headers,
                      params={"include_past": True}).json()
    assert past["items"][0]["lifted_by_id"] == admin.user.id
    # lifted with a fresh count: one more failure does not lock again
    assert _token(client, "throttled", WRONG).status_code == 401
    assert _token(client, "throttled", password).status_code == 200
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.lock_lift")).one()
    assert event.actor_id == admin.user.id and event.entity_id == str(lock["id"])


def test_lifting_an_unknown_lock_is_404(client, login_as):
    admin = login_as("admin", global_admin=True)
    assert client.delete("/api/v1/admin/sign-in-locks/999999",
                         headers=admin.headers).status_code == 404


def test_admin_lifts_a_lock_on_the_locks_page(client, session, account):
    _, password = account
    factories.make_user(session, role="admin", username="lock-admin",
                        global_admin=True)
    session.commit()
    _fail(client, "throttled")
    sign_in(client, "lock-admin", factories.DEFAULT_PASSWORD)
    page = client.get("/admin/sign-in-locks")
    assert page.status_code == 200 and "Lift lock for throttled" in page.text
    lock = session.exec(select(SignInLock)).one()
    lifted = client.post(f"/admin/sign-in-locks/{lock.id}/lift",
                         data={"csrf_token": csrf_from(page.text)})
    assert lifted.status_code == 200 and "The lock was lifted" in lifted.text
    assert "No name is locked at the moment." in lifted.text
    assert _token(client, "throttled", password).status_code == 200


@pytest.mark.parametrize("role", ["caseworker", "border_official", "coordinator"])
def test_locks_are_refused_to_other_roles_and_audited(client, session, login_as, role):
    signed_in = login_as(role)
    assert client.get("/api/v1/admin/sign-in-locks",
                      headers=signed_in.headers).status_code == 403
    assert client.delete("/api/v1/admin/sign-in-locks/1",
                         headers=signed_in.headers).status_code == 403
    refused = session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == signed_in.user.id, AuditEvent.outcome == "denied")).all()
    assert [e.action for e in refused] == ["GET /api/v1/admin/sign-in-locks",
                                           "DELETE /api/v1/admin/sign-in-locks/{lock_id}"]


def test_lock_holds_across_two_server_processes(fresh_database_url, tmp_path):
    """Failures spread over two `passage serve` processes on one database lock the name in
    both; a burst of parallel guesses gets no more than five tries (PostgreSQL)."""
    engine = make_engine(fresh_database_url)
    with Session(engine) as s:
        factories.make_user(s, role="border_official", username="two-servers")
        factories.make_user(s, role="caseworker", username="burst")
        s.commit()
    first = start_server(fresh_database_url, tmp_path / "first.log")
    try:
        second = start_server(fresh_database_url, tmp_path / "second.log")
        try:
            servers = [first.base_url, second.base_url]

            def attempt(n: int, username: str, password: str = WRONG) -> int:
                return httpx.post(servers[n % 2] + "/api/v1/auth/token", timeout=60,
                                  data={"username": username, "password": password}
                                  ).status_code

            assert [attempt(n, "two-servers") for n in range(5)] == [401] * 5
            assert [attempt(n, "two-servers", factories.DEFAULT_PASSWORD)
                    for n in range(2)] == [429, 429]

            with ThreadPoolExecutor(16) as pool:
                burst = list(pool.map(lambda n: attempt(n, "burst"), range(16)))
            assert set(burst) <= {401, 429}
            if fresh_database_url.startswith("postgresql"):
                assert burst.count(401) == 5
            assert [attempt(n, "burst", factories.DEFAULT_PASSWORD)
                    for n in range(2)] == [429, 429]
        finally:
            stop_server(second)
    finally:
        stop_server(first)
    with Session(engine) as s:
        name_locks = s.exec(select(SignInLock).where(SignInLock.name_hash != "*")).all()
        assert [lock.client_address for lock in name_locks] == ["127.0.0.1"] * 2
        # failures stay until they leave the window: they still count for the address
        assert {f.client_address for f in s.exec(select(SignInFailure)).all()} == {"127.0.0.1"}
        locks = s.exec(select(AuditEvent).where(AuditEvent.action == "auth.lock")).all()
        if fresh_database_url.startswith("postgresql"):
            assert [lock.detail["scope"] for lock in locks] == ["name", "name"]
    engine.dispose()
