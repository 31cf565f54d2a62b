"""The attack: lock everyone out by failing to sign in as them. A lock on a name alone would
let one address lock out every name, administrators included; here a name's lock refuses
only the addresses that failed on it, and an address that fails on many names is locked
itself (app/auth/throttle.py). Each client below comes from an address of its own."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.audit.models import AuditEvent
from app.auth.models import SignInLock
from tests import factories
from tests.pages import sign_in

WRONG = "not the password at all"
ATTACKER = "198.51.100.66"


@pytest.fixture
def from_address(app) -> Iterator:
    """from_address("203.0.113.7") -> a client whose requests come from that address."""
    clients = []

    def _client(address: str) -> TestClient:
        client = TestClient(app, client=(address, 40000))
        clients.append(client)
        return client

    yield _client
    for client in clients:
        client.close()


def _token(client, username: str, password: str) -> int:
    return client.post("/api/v1/auth/token",
                       data={"username": username, "password": password}).status_code


def test_one_address_failing_on_twenty_names_is_blocked_after_its_limit(session, from_address):
    users = [factories.make_user(session, role="caseworker", username=f"sprayed-{n}")
             for n in range(20)]
    factories.make_user(session, role="admin", username="sprayed-admin")
    session.commit()
    attacker = from_address(ATTACKER)
    # one guess on each of twenty names: none locks a name (one failure each)...
    assert [_token(attacker, user.username, WRONG) for user, _ in users] == [401] * 20
    # ...but the address has reached its limit: refused for every name, even with the
    # right password, names it never tried included
    assert _token(attacker, "sprayed-0", factories.DEFAULT_PASSWORD) == 429
    assert _token(attacker, "sprayed-admin", factories.DEFAULT_PASSWORD) == 429
    response = attacker.post("/api/v1/auth/token",
                             data={"username": "sprayed-admin", "password": WRONG})
    assert "from this address" in response.json()["detail"]
    assert 850 <= int(response.headers["retry-after"]) <= 900
    # the owners of those names, elsewhere, are not affected
    for user, password in users[:3]:
        assert _token(from_address("203.0.113.10"), user.username, password) == 200
    lock = session.exec(select(SignInLock).where(SignInLock.name_hash == "*")).one()
    assert lock.client_address == ATTACKER and lock.user_id is None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.lock")).one()
    assert event.detail["scope"] == "address" and event.client_address == ATTACKER


def test_a_locked_user_still_signs_in_from_an_address_that_has_not_failed(session,
                                                                           from_address):
    admin, password = factories.make_user(session, role="admin", username="target-admin")
    session.commit()
    attacker = from_address(ATTACKER)
    assert [_token(attacker, "target-admin", WRONG) for _ in range(5)] == [401] * 5
    assert _token(attacker, "target-admin", password) == 429
    # the real administrator, at their own desk
    assert _token(from_address("203.0.113.20"), "target-admin", password) == 200
    # and the browser sign-in too
    page_client = from_address("203.0.113.21")
    assert sign_in(page_client, "target-admin", password).status_code == 303
    # the failing address stays locked, whatever the real user did meanwhile
    assert _token(attacker, "target-admin", password) == 429
    assert sign_in(attacker, "target-admin", password).status_code == 429
    lock = session.exec(select(SignInLock)).one()
    assert (lock.client_address, lock.user_id) == (ATTACKER, admin.id)


def test_one_address_cannot_lock_out_every_name(session, from_address):
    users = [factories.make_user(session, role=role, username=f"everyone-{role}")
             for role in ("caseworker", "border_official", "coordinator", "admin")]
    session.commit()
    attacker = from_address(ATTACKER)
    for user, _ in users:
        for _ in range(5):
            _token(attacker, user.username, WRONG)
    assert all(_token(attacker, user.username, password) == 429 for user, password in users)
    office = from_address("203.0.113.30")
    assert all(_token(office, user.username, password) == 200 for user, password in users)


def test_many_addresses_guessing_one_name_get_about_one_try_each(session, from_address):
    _, password = factories.make_user(session, role="coordinator", username="distributed")
    session.commit()
    bots = [from_address(f"192.0.2.{n}") for n in range(1, 9)]
    # five addresses, one guess each: the name reaches its limit with the fifth
    assert [_token(bot, "distributed", WRONG) for bot in bots[:5]] == [401] * 5
    assert _token(bots[4], "distributed", password) == 429
    # from then on each address that fails on the name is locked after that one failure
    assert [_token(bot, "distributed", WRONG) for bot in bots[:4]] == [401] * 4
    assert [_token(bot, "distributed", password) for bot in bots[:4]] == [429] * 4
    assert _token(bots[5], "distributed", WRONG) == 401
    assert _token(bots[5], "distributed", password) == 429
    # an address that has not failed signs in
    assert _token(bots[6], "distributed", password) == 200


def test_a_success_clears_only_its_own_address_failures(session, from_address):
    _, password = factories.make_user(session, role="caseworker", username="typist")
    session.commit()
    home, office = from_address("203.0.113.40"), from_address("203.0.113.41")
    assert [_token(home, "typist", WRONG) for _ in range(4)] == [401] * 4
    assert _token(office, "typist", password) == 200
    # the four failures from home still count for the name: the next failure locks it there
    assert _token(home, "typist", WRONG) == 401
    assert _token(home, "typist", password) == 429
    assert _token(office, "typist", password) == 200


def test_admin_sees_and_lifts_an_address_lock(client, session, from_address, login_as):
    admin = login_as("admin", global_admin=True)
    for n in range(20):
        _token(from_address(ATTACKER), f"nobody-{n}", WRONG)
    listed = client.get("/api/v1/admin/sign-in-locks", headers=admin.headers).json()
    assert [(lock["client_address"], lock["every_name"]) for lock in listed["items"]] == [
        (ATTACKER, True)]
    lock_id = listed["items"][0]["id"]
    assert client.delete(f"/api/v1/admin/sign-in-locks/{lock_id}",
                         headers=admin.headers).status_code == 204
    # lifted with a fresh count for the address
    assert _token(from_address(ATTACKER), "nobody-0", WRONG) == 401
    assert _token(from_address(ATTACKER), admin.user.username, admin.password) == 200
