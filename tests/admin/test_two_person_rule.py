"""No single administrator reaches case content (issue 10, part 4), tried as the attack.

An administrator (even a Passage-wide one) who creates a caseworker in an organisation, moves
a user into it, gives a user another role or resets a password, and signs in as that user,
reads nothing of the organisation's cases or people: the account awaits the confirmation of a
caseworker or coordinator of the organisation. An organisation's administrator reaches only
its users. Set-password codes work once, for 24 hours, and are never logged or stored."""

import logging
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.auth import access
from app.auth.models import SetPasswordCode, User
from app.cases.models import Case, Interview
from app.people.models import Person
from tests import factories
from tests.pages import csrf_from, sign_in

NARRATIVE = "Taken across the river at night by the Zephyrine Company"
PASSWORD = "the attacker's chosen passphrase"


@pytest.fixture
def ngo(session):
    return factories.make_organization(session, name="Border Care Foundation")


@pytest.fixture
def held_case(session, ngo):
    """A case of the NGO with an interview and its narrative, and the NGO's own caseworker."""
    caseworker, _ = factories.make_user(session, role="caseworker", organization=ngo,
                                        username="naw")
    person = factories.make_person(session, organization=ngo)
    case = factories.make_case(session, person=person, organization=ngo, assigned_to=caseworker)
    screening = factories.make_screening(session, case=case, answers={"DR1": "yes"},
                                         created_by=caseworker)
    interview = session.get(Interview, screening.interview_id)
    interview.narrative = NARRATIVE
    session.add(interview)
    session.commit()
    return case


def _bearer(client, username: str, password: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token",
                           data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _redeem(client, username: str, code: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/set-password",
                       json={"username": username, "code": code, "password": password})


def _denied(session, user_id: int) -> list[tuple[str, int]]:
    session.expire_all()
    return [(e.action, e.detail.get("status")) for e in session.exec(
        select(AuditEvent).where(AuditEvent.actor_id == user_id,
                                 AuditEvent.outcome == "denied").order_by(AuditEvent.id))]


def _reads_nothing(client, session, case, headers, user_id: int) -> None:
    """Every way to case content is refused, and each refusal audited."""
    tried = [f"/api/v1/cases/{case.id}/interviews", f"/api/v1/cases/{case.id}",
             f"/api/v1/people/{case.person_id}", "/api/v1/cases", "/api/v1/people",
             "/api/v1/referrals", f"/api/v1/cases/{case.id}/screening"]
    for path in tried:
        response = client.get(path, headers=headers)
        assert response.status_code in (403, 404), (path, response.status_code)
        assert NARRATIVE not in response.text
    assert len(_denied(session, user_id)) == len(tried)
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["awaiting_confirmation"] is True and me["permissions"] == ["account:own"]


def _the_access_layer_shows_nothing(session, username: str) -> None:
    user = session.exec(select(User).where(User.username == username)).one()
    actor = Actor.of(user)
    for model in (Case, Person):
        assert session.exec(select(model.id).where(access.visible(actor, model))).first() is None


# --- the attack: an administrator makes themselves a caseworker ----------------------------

def test_a_passage_wide_admin_creates_a_caseworker_and_reads_no_narrative(
        client, session, login_as, ngo, held_case):
    admin = login_as("admin", organization="Tak Coordination Office", global_admin=True)
    created = client.post("/api/v1/admin/users", headers=admin.headers, json={
        "username": "mole", "role": "caseworker", "organization_id": ngo.id})
    assert created.status_code == 201
    # the administrator holds the code, and uses it themselves
    assert _redeem(client, "mole", created.json()["set_password_code"]).status_code == 204
    headers = _bearer(client, "mole", PASSWORD)
    _reads_nothing(client, session, held_case, headers, created.json()["id"])
    _the_access_layer_shows_nothing(session, "mole")
    # nor in the browser: the home page says why
    sign_in(client, "mole", PASSWORD)
    home = client.get("/")
    assert "Your account awaits confirmation" in home.text
    assert 'href="/cases"' not in home.text and 'href="/people"' not in home.text
    page = client.get(f"/cases/{held_case.id}")
    assert page.status_code in (403, 404) and NARRATIVE not in page.text


def test_an_admin_of_another_organisation_cannot_create_a_user_there(client, session, login_as,
                                                                      ngo):
    admin = login_as("admin", organization="Another NGO")
    response = client.post("/api/v1/admin/users", headers=admin.headers, json={
        "username": "mole", "role": "caseworker", "organization_id": ngo.id})
    assert response.status_code == 403
    assert session.exec(select(User).where(User.username == "mole")).first() is None
    assert _denied(session, admin.user.id) == [("user.create", 403)]


def test_an_admin_who_moves_a_user_into_an_organisation_reads_nothing_through_them(
        client, session, login_as, ngo, held_case):
    admin = login_as("admin", organization="Tak Coordination Office", global_admin=True)
    # a caseworker elsewhere, confirmed there, whom the administrator controls
    elsewhere = factories.make_organization(session, name="Elsewhere Aid")
    accomplice, password = factories.make_user(session, role="caseworker",
                                               organization=elsewhere, username="accomplice")
    session.commit()
    headers = _bearer(client, "accomplice", password)
    moved = client.patch(f"/api/v1/admin/users/{accomplice.id}", headers=admin.headers,
                         json={"organization_id": ngo.id})
    assert moved.status_code == 200 and moved.json()["awaiting_confirmation"] is True
    assert moved.json()["awaiting_reason"] == "moved"
    _reads_nothing(client, session, held_case, headers, accomplice.id)
    _the_access_layer_shows_nothing(session, "accomplice")


def test_a_new_role_awaits_confirmation_too(client, session, login_as, ngo, held_case):
    """A border official of the NGO made a caseworker: the role opens case content."""
    admin = login_as("admin", organization="Tak Coordination Office", global_admin=True)
    border, password = factories.make_user(session, role="border_official", organization=ngo)
    session.commit()
    headers = _bearer(client, border.username, password)
    assert client.patch(f"/api/v1/admin/users/{border.id}", headers=admin.headers,
                        json={"role": "caseworker"}).json()["awaiting_reason"] == "role"
    _reads_nothing(client, session, held_case, headers, border.id)


def test_an_admin_who_resets_a_caseworkers_password_and_uses_the_code_reads_nothing(
        client, session, login_as, ngo, held_case):
    admin = login_as("admin", organization="Border Care Foundation")  # the NGO's own
    naw = session.exec(select(User).where(User.username == "naw")).one()
    reset = client.post(f"/api/v1/admin/users/{naw.id}/set-password-code",
                        headers=admin.headers)
    assert reset.status_code == 201
    assert _redeem(client, "naw", reset.json()["set_password_code"]).status_code == 204
    _reads_nothing(client, session, held_case, _bearer(client, "naw", PASSWORD), naw.id)


# --- confirmation: a caseworker or coordinator of the organisation ------------------------

SEEN = {"username": "newcomer", "role": "caseworker"}  # what the confirmer was shown

def _awaiting(session, ngo, *, role: str = "caseworker", username: str = "newcomer"):
    from app.auth import confirmation

    user, password = factories.make_user(session, role=role, organization=ngo,
                                         username=username)
    confirmation.require_confirmation(user, reason=confirmation.CREATED)
    session.add(user)
    session.commit()
    return user, password


@pytest.mark.parametrize("confirmer_role", ["caseworker", "coordinator"])
def test_a_caseworker_or_coordinator_of_the_organisation_confirms_and_then_the_user_reads(
        client, session, ngo, held_case, confirmer_role):
    newcomer, password = _awaiting(session, ngo)
    confirmer, confirmer_password = factories.make_user(session, role=confirmer_role,
                                                        organization=ngo)
    session.commit()
    headers = _bearer(client, confirmer.username, confirmer_password)
    listed = client.get("/api/v1/users/awaiting-confirmation", headers=headers).json()
    assert [u["username"] for u in listed["items"]] == ["newcomer"]
    assert listed["items"][0]["awaiting_reason"] == "created"
    newcomer_headers = _bearer(client, "newcomer", password)
    assert client.get(f"/api/v1/cases/{held_case.id}/interviews",
                      headers=newcomer_headers).status_code == 403
    confirmed = client.post(f"/api/v1/users/{newcomer.id}/confirm", headers=headers,
                            json=SEEN)
    assert confirmed.status_code == 200 and confirmed.json()["awaiting_confirmation"] is False
    assert confirmed.json()["confirmed_by_id"] == confirmer.id
    interviews = client.get(f"/api/v1/cases/{held_case.id}/interviews",
                            headers=newcomer_headers)
    assert interviews.status_code == 200 and NARRATIVE in interviews.text
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.confirm")).one()
    assert (event.actor_id, event.entity_id) == (confirmer.id, str(newcomer.id))
    assert event.detail["reason"] == "created"
    # confirmed once: no longer listed, and a second confirmation finds no one
    assert client.get("/api/v1/users/awaiting-confirmation",
                      headers=headers).json()["total"] == 0
    assert client.post(f"/api/v1/users/{newcomer.id}/confirm",
                       headers=headers, json=SEEN).status_code == 404


def test_a_border_official_of_the_organisation_cannot_confirm(client, session, ngo):
    newcomer, _ = _awaiting(session, ngo)
    border, password = factories.make_user(session, role="border_official", organization=ngo)
    session.commit()
    headers = _bearer(client, border.username, password)
    assert client.get("/api/v1/users/awaiting-confirmation", headers=headers).status_code == 403
    assert client.post(f"/api/v1/users/{newcomer.id}/confirm",
                       headers=headers, json=SEEN).status_code == 403
    assert _denied(session, border.id) == [
        ("GET /api/v1/users/awaiting-confirmation", 403),
        ("POST /api/v1/users/{user_id}/confirm", 403)]
    session.refresh(newcomer)
    assert newcomer.awaiting_confirmation is True


def test_an_admin_cannot_confirm_and_another_organisation_does_not_reach_the_user(
        client, session, login_as, ngo):
    newcomer, _ = _awaiting(session, ngo)
    admin = login_as("admin", organization="Border Care Foundation", global_admin=True)
    assert client.post(f"/api/v1/users/{newcomer.id}/confirm",
                       headers=admin.headers, json=SEEN).status_code == 403
    outsider = login_as("caseworker", organization="Another NGO")
    assert client.get("/api/v1/users/awaiting-confirmation",
                      headers=outsider.headers).json()["total"] == 0
    assert client.post(f"/api/v1/users/{newcomer.id}/confirm",
                       headers=outsider.headers, json=SEEN).status_code == 404
    assert _denied(session, outsider.user.id) == [("user.confirm", 404)]
    session.refresh(newcomer)
    assert newcomer.awaiting_confirmation is True


def test_users_awaiting_confirmation_cannot_confirm_each_other(client, session, ngo):
    """An administrator who made two accounts in the organisation gets nowhere either."""
    first, first_password = _awaiting(session, ngo, username="first-mole")
    second, _ = _awaiting(session, ngo, username="second-mole")
    headers = _bearer(client, "first-mole", first_password)
    assert client.post(f"/api/v1/users/{second.id}/confirm", headers=headers,
                       json=SEEN).status_code == 403
    assert client.post(f"/api/v1/users/{first.id}/confirm", headers=headers,
                       json=SEEN).status_code == 403


def test_a_role_changed_between_the_look_and_the_click_is_not_confirmed(
        client, session, login_as, ngo):
    """The attack: the confirmer is shown a caseworker; the organisation's administrator then
    makes them a coordinator (who reads every organisation's people); the confirmer's click,
    made on what they saw, must not confirm the coordinator."""
    newcomer, _ = _awaiting(session, ngo)
    confirmer, password = factories.make_user(session, role="caseworker", organization=ngo)
    session.commit()
    sign_in(client, confirmer.username, password)
    page = client.get("/confirmations")
    assert "Confirm newcomer" in page.text
    admin = login_as("admin", organization="Border Care Foundation")
    assert client.patch(f"/api/v1/admin/users/{newcomer.id}", headers=admin.headers,
                        json={"role": "coordinator"}).status_code == 200
    clicked = client.post(f"/confirmations/{newcomer.id}",
                          data={"csrf_token": csrf_from(page.text), "username": "newcomer",
                                "role": "caseworker"})
    assert clicked.status_code == 409 and "changed since you looked" in clicked.text
    api = client.post(f"/api/v1/users/{newcomer.id}/confirm", json=SEEN,
                      headers=_bearer(client, confirmer.username, password))
    assert api.status_code == 409
    session.refresh(newcomer)
    assert newcomer.awaiting_confirmation is True and newcomer.role == "coordinator"


def test_no_one_is_confirmed_before_choosing_their_own_password(client, session, login_as,
                                                                 ngo):
    """The attack: the administrator creates a caseworker and keeps the code; a colleague
    confirms the new name at once; the administrator redeems the code and holds a confirmed
    account. Confirmation waits until the user has chosen their password."""
    admin = login_as("admin", organization="Border Care Foundation")
    created = client.post("/api/v1/admin/users", headers=admin.headers, json={
        "username": "newcomer", "full_name": "New Comer", "role": "caseworker",
        "organization_id": ngo.id})
    assert created.status_code == 201, created.text
    confirmer, password = factories.make_user(session, role="coordinator", organization=ngo)
    session.commit()
    headers = _bearer(client, confirmer.username, password)
    early = client.post(f"/api/v1/users/{created.json()['id']}/confirm", headers=headers,
                        json=SEEN)
    assert early.status_code == 409 and "not yet chosen their password" in early.text
    assert _redeem(client, "newcomer", created.json()["set_password_code"]).status_code == 204
    assert client.post(f"/api/v1/users/{created.json()['id']}/confirm", headers=headers,
                       json=SEEN).status_code == 200


def test_the_confirmations_page_lists_and_confirms(client, session, ngo):
    newcomer, _ = _awaiting(session, ngo)
    coordinator, password = factories.make_user(session, role="coordinator", organization=ngo)
    session.commit()
    sign_in(client, coordinator.username, password)
    home = client.get("/")
    assert "1</strong> person awaits confirmation" in home.text
    page = client.get("/confirmations")
    assert page.status_code == 200 and "Confirm newcomer" in page.text
    assert "New account" in page.text
    refused = client.post(f"/confirmations/{newcomer.id}")  # no CSRF token
    assert refused.status_code == 403
    done = client.post(f"/confirmations/{newcomer.id}",
                       data={"csrf_token": csrf_from(page.text), "username": "newcomer",
                             "role": "caseworker"})
    assert done.status_code == 200 and "is confirmed" in done.text
    assert "No one awaits confirmation" in done.text
    session.refresh(newcomer)
    assert newcomer.awaiting_confirmation is False


# --- an organisation's administrator: its users only ---------------------------------------

def test_an_organisation_admin_cannot_touch_another_organisations_users(client, session,
                                                                         login_as, ngo):
    admin = login_as("admin", organization="Another NGO")
    theirs, _ = factories.make_user(session, role="caseworker", organization=ngo)
    mine, _ = factories.make_user(session, role="caseworker",
                                  organization=factories.make_organization(
                                      session, name="Another NGO"))
    session.commit()
    tries = [("GET", f"/api/v1/admin/users/{theirs.id}", None),
             ("PATCH", f"/api/v1/admin/users/{theirs.id}", {"is_active": False}),
             ("POST", f"/api/v1/admin/users/{theirs.id}/set-password-code", None),
             ("DELETE", f"/api/v1/admin/users/{theirs.id}/sessions", None)]
    for method, path, body in tries:
        assert client.request(method, path, headers=admin.headers,
                              json=body).status_code == 404, path
    assert [a for a, _ in _denied(session, admin.user.id)] == [
        "user.read", "user.update", "user.password_reset", "user.sessions_end"]
    listed = client.get("/api/v1/admin/users", headers=admin.headers).json()
    assert {u["username"] for u in listed["items"]} == {admin.user.username, mine.username}
    assert client.get("/api/v1/admin/users", headers=admin.headers,
                      params={"organization_id": ngo.id}).json()["total"] == 0
    # nor move their own user into another organisation
    moved = client.patch(f"/api/v1/admin/users/{mine.id}", headers=admin.headers,
                         json={"organization_id": ngo.id})
    assert moved.status_code == 403
    session.refresh(theirs)
    session.refresh(mine)
    assert theirs.is_active and mine.organization_id != ngo.id
    # the organisations are Passage-wide administration
    assert client.get("/api/v1/admin/organizations", headers=admin.headers).status_code == 403
    assert client.post("/api/v1/admin/organizations", headers=admin.headers,
                       json={"name": "Mine Now"}).status_code == 403


def test_an_organisation_admin_cannot_take_over_a_passage_wide_admin(client, session,
                                                                       login_as):
    admin = login_as("admin", organization="Tak Coordination Office")
    chief, _ = factories.make_user(session, role="admin", global_admin=True,
                                   organization=factories.make_organization(
                                       session, name="Tak Coordination Office"))
    session.commit()
    reset = client.post(f"/api/v1/admin/users/{chief.id}/set-password-code",
                        headers=admin.headers)
    assert reset.status_code == 404
    assert _denied(session, admin.user.id) == [("user.password_reset", 404)]


def test_the_users_page_offers_only_the_admins_own_organisation(client, session, ngo):
    admin, password = factories.make_user(session, role="admin", organization=ngo)
    factories.make_user(session, role="caseworker", username="someone-else")
    session.commit()
    sign_in(client, admin.username, password)
    page = client.get("/admin/users")
    assert "someone-else" not in page.text
    assert re.findall(r'<option value="(\d+)"', page.text) == [str(ngo.id)] * 2
    assert 'href="/admin/organizations"' not in client.get("/").text


# --- the code ---------------------------------------------------------------------------------

@pytest.fixture
def issued(client, login_as, ngo):
    admin = login_as("admin", organization="Border Care Foundation")
    created = client.post("/api/v1/admin/users", headers=admin.headers, json={
        "username": "ananya", "role": "caseworker", "organization_id": ngo.id})
    assert created.status_code == 201
    return created.json()


def test_the_code_works_once(client, session, issued):
    code = issued["set_password_code"]
    assert _redeem(client, "ananya", code).status_code == 204
    again = _redeem(client, "ananya", code, password="another long passphrase")
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "code"]
    assert "used already" in again.json()["detail"][0]["msg"]
    _bearer(client, "ananya", PASSWORD)  # the first password stands


def test_the_code_expires_after_24_hours(client, session, issued, monkeypatch):
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(hours=24, seconds=1))
    late = _redeem(client, "ananya", issued["set_password_code"])
    assert late.status_code == 422 and "expired" in late.json()["detail"][0]["msg"]
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(hours=23, minutes=59))
    assert _redeem(client, "ananya", issued["set_password_code"]).status_code == 204


def test_a_newer_code_ends_the_older_one(client, session, login_as, issued):
    admin = login_as("admin", organization="Border Care Foundation")
    newer = client.post(f"/api/v1/admin/users/{issued['id']}/set-password-code",
                        headers=admin.headers).json()["set_password_code"]
    old = _redeem(client, "ananya", issued["set_password_code"])
    assert old.status_code == 422 and "newer code" in old.json()["detail"][0]["msg"]
    assert _redeem(client, "ananya", newer).status_code == 204


def test_a_wrong_code_says_so_alike_for_every_name_and_counts_towards_the_lock(client, session,
                                                                              issued):
    for username in ("ananya", "no-such-user"):
        wrong = _redeem(client, username, "AAAAA-AAAAA-AAAAA-AAAAA")
        assert wrong.status_code == 422
        assert wrong.json()["detail"][0]["msg"].startswith("The user name or the code")
    for _ in range(4):
        _redeem(client, "ananya", "AAAAA-AAAAA-AAAAA-AAAAA")
    locked = _redeem(client, "ananya", issued["set_password_code"])
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    failures = session.exec(select(AuditEvent).where(
        AuditEvent.action == "auth.set_password", AuditEvent.outcome == "failure")).all()
    assert len(failures) == 6


def test_a_weak_password_keeps_the_code(client, issued):
    weak = _redeem(client, "ananya", issued["set_password_code"], password="short")
    assert weak.status_code == 422 and weak.json()["detail"][0]["loc"] == ["body", "password"]
    assert _redeem(client, "ananya", issued["set_password_code"]).status_code == 204


def test_a_code_is_typed_in_any_case_with_or_without_dashes(client, issued):
    typed = issued["set_password_code"].replace("-", " ").lower()
    assert _redeem(client, "ananya", typed).status_code == 204


def test_a_disabled_users_code_no_longer_works(client, session, login_as, issued):
    admin = login_as("admin", organization="Border Care Foundation")
    client.patch(f"/api/v1/admin/users/{issued['id']}", headers=admin.headers,
                 json={"is_active": False})
    client.patch(f"/api/v1/admin/users/{issued['id']}", headers=admin.headers,
                 json={"is_active": True})
    assert _redeem(client, "ananya", issued["set_password_code"]).status_code == 422


@pytest.fixture
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)
    for name in ["sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine", "passage",
                 "passage.access", "uvicorn", "uvicorn.error",
                 *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_the_code_is_in_no_log_no_audit_event_and_not_stored(debug_logs, client, session,
                                                             login_as, ngo):
    admin = login_as("admin", organization="Border Care Foundation")
    created = client.post("/api/v1/admin/users", headers=admin.headers, json={
        "username": "ananya", "role": "caseworker", "organization_id": ngo.id}).json()
    reset = client.post(f"/api/v1/admin/users/{created['id']}/set-password-code",
                        headers=admin.headers).json()
    codes = [created["set_password_code"], reset["set_password_code"]]
    _redeem(client, "ananya", codes[0])  # replaced: refused
    assert _redeem(client, "ananya", codes[1]).status_code == 204
    variants = {c for code in codes for c in (code, code.replace("-", ""))}
    for record in debug_logs.records:
        if record.name.startswith("httpx"):
            continue  # the test's client
        assert not any(v in record.getMessage() for v in variants), record.name
    session.expire_all()
    for event in session.exec(select(AuditEvent)):
        assert not any(v in str(event.detail) for v in variants), event.action
    for row in session.exec(select(SetPasswordCode)):
        assert row.code_hash not in variants and len(row.code_hash) == 64
        assert not any(v in row.code_hash for v in variants)


# --- the page -------------------------------------------------------------------------------

def test_the_set_password_page_redeems_a_code_with_csrf(client, session, issued):
    page = client.get("/set-password")
    assert page.status_code == 200
    for name in ("username", "code", "password", "confirm_password"):
        assert f'<label for="f-{name}">' in page.text
    form = {"username": "ananya", "code": issued["set_password_code"], "password": PASSWORD,
            "confirm_password": PASSWORD}
    assert client.post("/set-password", data=form).status_code == 403  # no CSRF token
    token = csrf_from(page.text)
    differ = client.post("/set-password", data={**form, "confirm_password": "x" * 12,
                                                 "csrf_token": token})
    assert differ.status_code == 422 and 'id="e-confirm_password"' in differ.text
    wrong = client.post("/set-password", data={**form, "code": "BBBBB-BBBBB-BBBBB-BBBBB",
                                               "csrf_token": token})
    assert wrong.status_code == 422 and "The user name or the code is not right" in wrong.text
    assert issued["set_password_code"] not in wrong.text and PASSWORD not in wrong.text
    done = client.post("/set-password", data={**form, "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login?password_set=true"
    assert "Your password is set" in client.get(done.headers["location"]).text
    used = client.post("/set-password", data={**form, "csrf_token": token})
    assert used.status_code == 422 and "used already" in used.text
    assert sign_in(client, "ananya", PASSWORD).status_code == 303


# --- the command line: the server operator's way in ----------------------------------------

def test_the_command_line_makes_confirmed_users_passage_wide_admins_and_confirms(
        fresh_database_url):
    from tests.test_cli import client_on, run

    for username, role in (("operator-admin", "admin"), ("first-cw", "caseworker")):
        made = run(fresh_database_url, "createuser", username, "--role", role,
                   "--organization", "New NGO", "--password-stdin", input=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    assert run(fresh_database_url, "grant-global-admin", "first-cw").returncode == 2
    granted = run(fresh_database_url, "grant-global-admin", "operator-admin")
    assert granted.returncode == 0 and "now a Passage-wide administrator" in granted.stdout
    with client_on(fresh_database_url) as client:
        # createuser needs no confirmation
        me = client.get("/api/v1/me", headers=_bearer(client, "first-cw", PASSWORD)).json()
        assert me["awaiting_confirmation"] is False and "case:write" in me["permissions"]
        admin = _bearer(client, "operator-admin", PASSWORD)
        assert client.get("/api/v1/me", headers=admin).json()["global_admin"] is True
        other = client.post("/api/v1/admin/organizations", headers=admin,
                            json={"name": "Other NGO"}).json()
        created = client.post("/api/v1/admin/users", headers=admin, json={
            "username": "lonely", "role": "caseworker", "organization_id": other["id"]})
        assert created.status_code == 201
    # no one in Other NGO can confirm its first caseworker: the operator does
    confirmed = run(fresh_database_url, "confirm-user", "lonely")
    assert confirmed.returncode == 0 and "lonely is confirmed" in confirmed.stdout
    revoked = run(fresh_database_url, "grant-global-admin", "operator-admin", "--revoke")
    assert revoked.returncode == 0
    with client_on(fresh_database_url) as client:
        lonely = client.get(f"/api/v1/admin/users/{created.json()['id']}",
                            headers=_bearer(client, "operator-admin", PASSWORD))
        assert lonely.status_code == 404  # no longer Passage-wide


def test_the_access_layer_itself_shows_an_awaiting_user_no_row_of_any_model(
        session, ngo, held_case, monkeypatch):
    """Whatever the permissions say: with them given back to an awaiting coordinator (who
    otherwise reads every case), the access layer still shows no row of any registered
    model."""
    from dataclasses import replace

    from app.auth import permissions

    coordinator, _ = factories.make_user(session, role="coordinator", organization=ngo)
    session.flush()
    monkeypatch.setattr(permissions, "permissions_of",
                        lambda user: permissions.ROLE_PERMISSIONS[permissions.Role(user.role)])
    confirmed = Actor.of(coordinator)
    awaiting = replace(confirmed, awaiting_confirmation=True)
    assert session.exec(select(Case.id).where(access.visible(confirmed, Case))).first()
    assert session.exec(select(Person.id).where(access.visible(confirmed, Person))).first()
    for model in access._REGISTERED:
        assert session.exec(select(model.id).where(
            access.visible(awaiting, model))).first() is None, model.__name__


def test_an_organisation_admin_sees_and_lifts_only_its_users_sign_in_locks(client, session,
                                                                           login_as, ngo):
    admin = login_as("admin", organization="Another NGO")
    mine, _ = factories.make_user(session, role="caseworker", username="mine",
                                  organization=factories.make_organization(
                                      session, name="Another NGO"))
    factories.make_user(session, role="caseworker", username="theirs", organization=ngo)
    session.commit()
    for username in ("mine", "theirs", "nobody-at-all"):
        for _ in range(5):
            client.post("/api/v1/auth/token", data={"username": username, "password": "x"})
    locks = client.get("/api/v1/admin/sign-in-locks", headers=admin.headers).json()["items"]
    assert [lock["username"] for lock in locks] == ["mine"]
    chief = login_as("admin", organization="Tak Coordination Office", global_admin=True)
    every = client.get("/api/v1/admin/sign-in-locks", headers=chief.headers).json()["items"]
    assert {lock["username"] for lock in every} == {"mine", "theirs", None}
    theirs = next(lock for lock in every if lock["username"] == "theirs")
    assert client.delete(f"/api/v1/admin/sign-in-locks/{theirs['id']}",
                         headers=admin.headers).status_code == 404
    assert _denied(session, admin.user.id) == [("auth.lock_lift", 404)]
    assert client.delete(f"/api/v1/admin/sign-in-locks/{locks[0]['id']}",
                         headers=admin.headers).status_code == 204
    assert mine.id == locks[0]["user_id"]


def test_the_users_list_filters_those_awaiting_confirmation(client, session, login_as, ngo):
    admin = login_as("admin", organization="Border Care Foundation")
    _awaiting(session, ngo)
    names = client.get("/api/v1/admin/users", headers=admin.headers,
                       params={"awaiting_confirmation": True}).json()["items"]
    assert [u["username"] for u in names] == ["newcomer"]


def test_a_passage_wide_administrator_given_another_role_loses_the_flag(client, session,
                                                                        login_as):
    """Else an administrator made coordinator, then admin again by another Passage-wide
    administrator, would be Passage-wide again without the command line."""
    chief = login_as("admin", organization="Passage Office", global_admin=True)
    deputy, _ = factories.make_user(session, role="admin", global_admin=True,
                                    username="deputy-chief")
    session.commit()
    assert client.patch(f"/api/v1/admin/users/{deputy.id}", headers=chief.headers,
                        json={"role": "coordinator"}).status_code == 200
    assert client.patch(f"/api/v1/admin/users/{deputy.id}", headers=chief.headers,
                        json={"role": "admin"}).status_code == 200
    session.refresh(deputy)
    assert deputy.role == "admin" and deputy.global_admin is False
