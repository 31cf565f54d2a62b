"""THE access matrix: every API route × every role (and anonymous) has one expected status,
from DESIGN.md's roles table ("Roles and what each may see").

The routes are enumerated from the app itself (app.main.routers()); a route without an entry
fails test_every_api_route_has_a_matrix_entry, so a new route cannot ship unguarded. Each
(route, role) is then sent as a real, valid request against a small "world" whose records are
in scope for the roles that may use the route, so that an allowed role gets its success status
and a refused one gets 403 (or 404), with an audit event of outcome "denied".

Reading compounds (GET /api/v1/compounds) is taken as reference data open to every role:
DESIGN.md's "users, organisations, compounds, audit log" row is about managing them (POST),
and border officials record crossings from a compound and filter counts by it.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from fastapi import APIRouter
from sqlmodel import select

from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.auth import confirmation, set_password, throttle
from app.auth.models import SignInLock
from app.db import utcnow
from app.main import routers
from tests import factories
from tests.conftest import one_world_per_module, sign_in_as

ROLES = ("anonymous", "caseworker", "border_official", "coordinator", "admin")
SIGNED_IN = ROLES[1:]


def _row(anonymous=401, caseworker=403, border_official=403, coordinator=403, admin=403):
    return {"anonymous": anonymous, "caseworker": caseworker,
            "border_official": border_official, "coordinator": coordinator, "admin": admin}


def _everyone(status: int) -> dict[str, int]:
    return _row(caseworker=status, border_official=status, coordinator=status, admin=status)


V1 = "/api/v1"
MATRIX: dict[tuple[str, str], dict[str, int]] = {
    # sign-in and one's own account
    ("POST", f"{V1}/auth/token"): _everyone(200) | {"anonymous": 200},
    ("POST", f"{V1}/auth/revoke"): _everyone(204),
    # choosing one's password with the one-time code an administrator gave: anyone with a code
    ("POST", f"{V1}/auth/set-password"): _everyone(204) | {"anonymous": 204},
    ("GET", f"{V1}/me"): _everyone(200),
    ("POST", f"{V1}/me/password"): _everyone(200),
    ("PUT", f"{V1}/me/language"): _everyone(204),
    # reference data, open to every signed-in user; compounds are managed by coordinators and
    # administrators
    ("GET", f"{V1}/nationalities"): _everyone(200),
    ("GET", f"{V1}/screening/indicators"): _everyone(200),
    # the questionnaire on paper: those who record interviews
    ("GET", f"{V1}/screening/questionnaire.pdf"): _row(caseworker=200),
    ("GET", f"{V1}/compounds"): _everyone(200),
    ("POST", f"{V1}/compounds"): _row(coordinator=201, admin=201),
    # person identity: caseworker and border official their organisation's, coordinator all,
    # admin no; registering: caseworkers and border officials
    ("POST", f"{V1}/people"): _row(caseworker=201, border_official=201),
    ("GET", f"{V1}/people"): _row(caseworker=200, border_official=200, coordinator=200),
    ("GET", f"{V1}/people/{{person_id}}"):
        _row(caseworker=200, border_official=200, coordinator=200),
    ("GET", f"{V1}/people/{{person_id}}/duplicates"):
        _row(caseworker=200, border_official=200, coordinator=200),
    # correcting the names: the registering organisation only (the border post sees the NGO's
    # person through its crossing and may not)
    ("PATCH", f"{V1}/people/{{person_id}}"): _row(caseworker=200),
    # who linked a record: its registering organisation and the coordinators (the border
    # post sees the person through its crossing, not who else matched them)
    ("GET", f"{V1}/people/{{person_id}}/links"): _row(caseworker=200, coordinator=200),
    # merging two records of one person, and undoing it: coordinators
    ("POST", f"{V1}/people/{{person_id}}/merge"): _row(coordinator=201),
    ("GET", f"{V1}/people/{{person_id}}/merges"): _row(coordinator=200),
    ("POST", f"{V1}/person-merges/{{merge_id}}/undo"): _row(coordinator=200),
    # crossings: caseworker read for own cases; border official create, import, read;
    # coordinator read; admin no
    ("POST", f"{V1}/crossings"): _row(border_official=201),
    ("GET", f"{V1}/crossings"): _row(caseworker=200, border_official=200, coordinator=200),
    ("POST", f"{V1}/crossings/import"): _row(border_official=200),
    # counts, no names: everyone
    ("GET", f"{V1}/stats/nationalities"): _everyone(200),
    ("GET", f"{V1}/stats/outcomes"): _everyone(200),
    # the pipeline: coordinators exact; caseworkers by the small-count rule; border officials
    # its crossing and departure counts; administrators nothing
    ("GET", f"{V1}/stats/pipeline"): _row(caseworker=200, border_official=200, coordinator=200),
    # screening integrity: coordinators, and caseworkers for their own organisation
    ("GET", f"{V1}/stats/integrity"): _row(caseworker=200, coordinator=200),
    # re-screening: coordinators run it; caseworkers may look at their organisation's
    ("GET", f"{V1}/screening/rescreen"): _row(caseworker=200, coordinator=200),
    ("POST", f"{V1}/screening/rescreen"): _row(coordinator=200),
    # cases, interviews (caseworker only), screening and determination (coordinator reads)
    ("POST", f"{V1}/cases"): _row(caseworker=201),
    ("GET", f"{V1}/cases"): _row(caseworker=200, coordinator=200),
    ("GET", f"{V1}/cases/{{case_id}}"): _row(caseworker=200, coordinator=200),
    ("POST", f"{V1}/cases/{{case_id}}/interviews"): _row(caseworker=201),
    ("GET", f"{V1}/cases/{{case_id}}/interviews"): _row(caseworker=200),
    ("GET", f"{V1}/cases/{{case_id}}/screening"): _row(caseworker=200, coordinator=200),
    ("GET", f"{V1}/cases/{{case_id}}/screenings"): _row(caseworker=200, coordinator=200),
    ("POST", f"{V1}/cases/{{case_id}}/determination"): _row(caseworker=201),
    ("GET", f"{V1}/cases/{{case_id}}/determinations"): _row(caseworker=200, coordinator=200),
    # case status: the owning organisation's caseworkers close and reopen; coordinators read
    ("POST", f"{V1}/cases/{{case_id}}/close"): _row(caseworker=200),
    ("PUT", f"{V1}/cases/{{case_id}}/consent-to-share"): _row(caseworker=200),
    ("POST", f"{V1}/cases/{{case_id}}/reopen"): _row(caseworker=200),
    ("GET", f"{V1}/cases/{{case_id}}/history"): _row(caseworker=200, coordinator=200),
    # follow-ups: the owning organisation's caseworkers write them; coordinators read all
    ("POST", f"{V1}/cases/{{case_id}}/follow-ups"): _row(caseworker=201),
    ("PATCH", f"{V1}/follow-ups/{{follow_up_id}}"): _row(caseworker=200),
    ("GET", f"{V1}/follow-ups"): _row(caseworker=200, coordinator=200),
    # non-punishment: the owning organisation's caseworkers write the detention record,
    # coordinators read it; both may make the letter to the authority
    ("POST", f"{V1}/cases/{{case_id}}/detention"): _row(caseworker=201),
    ("GET", f"{V1}/cases/{{case_id}}/detention"): _row(caseworker=200, coordinator=200),
    ("PATCH", f"{V1}/cases/{{case_id}}/detention"): _row(caseworker=200),
    ("GET", f"{V1}/cases/{{case_id}}/non-punishment-letter.pdf"):
        _row(caseworker=200, coordinator=200),
    # repatriation: the owning organisation's caseworkers and the coordinators manage it;
    # border officials see batch lists for departure only, never the record; admins nothing
    ("POST", f"{V1}/cases/{{case_id}}/repatriation"): _row(caseworker=201, coordinator=201),
    ("GET", f"{V1}/cases/{{case_id}}/repatriation"): _row(caseworker=200, coordinator=200),
    ("PATCH", f"{V1}/cases/{{case_id}}/repatriation"): _row(caseworker=200, coordinator=200),
    # batches: coordinators make and move them and download the embassy manifest; the roles
    # that work on departures read them; border officials the departure list and the exits,
    # of the batches that name their organisation (tests/repatriation/test_safeguard_attacks)
    ("POST", f"{V1}/repatriation-batches"): _row(coordinator=201),
    ("GET", f"{V1}/repatriation-batches"):
        _row(caseworker=200, border_official=200, coordinator=200),
    ("GET", f"{V1}/repatriation-batches/{{batch_id}}"):
        _row(caseworker=200, border_official=200, coordinator=200),
    ("PATCH", f"{V1}/repatriation-batches/{{batch_id}}"): _row(coordinator=200),
    ("GET", f"{V1}/repatriation-batches/{{batch_id}}/manifest"): _row(coordinator=200),
    ("GET", f"{V1}/repatriation-batches/{{batch_id}}/departure"): _row(border_official=200),
    ("POST", f"{V1}/repatriation-batches/{{batch_id}}/exits"): _row(border_official=201),
    # referrals: caseworker create for own cases; coordinator read all, update status
    ("POST", f"{V1}/cases/{{case_id}}/referrals"): _row(caseworker=201),
    ("GET", f"{V1}/referrals"): _row(caseworker=200, coordinator=200),
    ("GET", f"{V1}/referrals/{{referral_id}}"): _row(caseworker=200, coordinator=200),
    ("PATCH", f"{V1}/referrals/{{referral_id}}"): _row(coordinator=200),
    ("GET", f"{V1}/referrals/{{referral_id}}/letter.pdf"): _row(caseworker=200, coordinator=200),
    # exports: caseworker own organisation's referrals; border official statistics only;
    # coordinator all; admin none
    ("GET", f"{V1}/reports/referrals"): _row(caseworker=200, coordinator=200),
    ("GET", f"{V1}/reports/statistics"): _row(border_official=200, coordinator=200),
    ("GET", f"{V1}/reports/ctdc"): _row(coordinator=200),
    # HTCDS exchange: caseworkers, their organisation's cases (indicator-derived fields)
    ("GET", f"{V1}/cases/{{case_id}}/htcds"): _row(caseworker=200),
    ("GET", f"{V1}/reports/htcds"): _row(caseworker=200),
    ("POST", f"{V1}/imports/htcds"): _row(caseworker=200),
    # users, organisations, audit log: administrators
    ("GET", f"{V1}/audit"): _row(admin=200),
    # administrators: their organisation's users (the matrix's is Passage-wide: every one's,
    # and the organisations); tests/admin/test_two_person_rule.py tries the other kind
    ("POST", f"{V1}/admin/users/{{user_id}}/set-password-code"): _row(admin=201),
    # the two-person rule: caseworkers and coordinators confirm the users an administrator
    # added to their organisation (the matrix's awaiting user is the NGO's: the coordinator,
    # of another organisation, does not reach them)
    ("GET", f"{V1}/users/awaiting-confirmation"): _row(caseworker=200, coordinator=200),
    ("POST", f"{V1}/users/{{user_id}}/confirm"): _row(caseworker=200, coordinator=404),
    ("GET", f"{V1}/admin/users"): _row(admin=200),
    ("POST", f"{V1}/admin/users"): _row(admin=201),
    ("GET", f"{V1}/admin/users/{{user_id}}"): _row(admin=200),
    ("PATCH", f"{V1}/admin/users/{{user_id}}"): _row(admin=200),
    ("DELETE", f"{V1}/admin/users/{{user_id}}/sessions"): _row(admin=200),
    ("GET", f"{V1}/admin/organizations"): _row(admin=200),
    ("POST", f"{V1}/admin/organizations"): _row(admin=201),
    ("GET", f"{V1}/admin/sign-in-locks"): _row(admin=200),
    ("DELETE", f"{V1}/admin/sign-in-locks/{{lock_id}}"): _row(admin=204),
}

# (route, role) -> why the app disagrees with DESIGN.md; run as xfail(strict=True) so that the
# disagreement shows, and so that the mark must go when the app is fixed.
KNOWN_DISAGREEMENTS: dict[tuple[tuple[str, str], str], str] = {}


# --- the guard ------------------------------------------------------------------------------

def api_routes(routers_: list[APIRouter]) -> set[tuple[str, str]]:
    """(METHOD, path template) of every API route of the routers; HEAD left out."""
    found = set()
    for router in routers_:
        for route in router.routes:
            path = getattr(route, "path", "")
            if not path.startswith("/api/"):
                continue
            for method in getattr(route, "methods", None) or ():
                if method != "HEAD":
                    found.add((method, path))
    return found


def matrix_coverage(routers_: list[APIRouter], matrix: dict) -> tuple[list, list]:
    """(routes without a matrix entry, matrix entries without a route), both sorted."""
    routes = api_routes(routers_)
    missing = sorted(routes - set(matrix), key=lambda k: (k[1], k[0]))
    stale = sorted(set(matrix) - routes, key=lambda k: (k[1], k[0]))
    return missing, stale


def test_every_api_route_has_a_matrix_entry():
    missing, stale = matrix_coverage(routers(), MATRIX)
    assert not missing, "API routes with no entry in the access matrix:\n" + "\n".join(
        f"  {m} {p}" for m, p in missing)
    assert not stale, "access matrix entries that match no route:\n" + "\n".join(
        f"  {m} {p}" for m, p in stale)


def test_matrix_coverage_reports_a_route_added_without_an_entry():
    extra = APIRouter(prefix="/api/v1")

    @extra.get("/people/{person_id}/secrets")
    def secrets(person_id: int):  # pragma: no cover - never called
        return {}

    pages = APIRouter()

    @pages.get("/people/{person_id}/secrets")  # a page, not an API route: not guarded here
    def page():  # pragma: no cover - never called
        return {}

    missing, stale = matrix_coverage([*routers(), extra, pages], MATRIX)
    assert missing == [("GET", "/api/v1/people/{person_id}/secrets")]
    assert stale == []


def test_matrix_coverage_reports_an_entry_whose_route_is_gone():
    matrix = dict(MATRIX) | {("DELETE", "/api/v1/people/{person_id}"): _row()}
    assert matrix_coverage(routers(), matrix) == ([], [("DELETE", "/api/v1/people/{person_id}")])


def test_matrix_rows_name_every_role_with_a_status():
    for key, row in MATRIX.items():
        assert set(row) == set(ROLES), key
        assert row["anonymous"] in (200, 204, 401), key
        assert all(isinstance(s, int) and 200 <= s < 500 for s in row.values()), key


# --- the world ------------------------------------------------------------------------------

@dataclass
class World:
    signed_in: dict[str, object]
    ngo: object
    person: object  # registered by the NGO, with its case; a crossing recorded by the border
    free_person: object  # registered by the NGO, no case yet
    case: object
    referral: object
    target_user: object  # an NGO user for the administration routes
    lock: object
    awaiting: object  # a caseworker an administrator added to the NGO, awaiting confirmation
    ids: dict[str, int] = field(default_factory=dict)
    session: object = None  # the running test's own session

    def new_code(self) -> tuple[str, str]:
        """(username, a set-password code) of the awaiting user, the code made now, in the
        test's transaction."""
        return self.awaiting.username, set_password.issue(
            self.session, actor=Actor.system("test"), user=self.awaiting,
            purpose=set_password.NEW_USER).code


# made once for the module's 400-odd tests: making the world cost more than most tests
# (a lambda: _make_world is defined below)
_module_connection, connection, _world, world = one_world_per_module(lambda s: _make_world(s))


def _make_world(session) -> World:
    caseworker = sign_in_as(session, "caseworker", organization="Matrix Border Care Foundation")
    border = sign_in_as(session, "border_official", organization="Matrix Mae Sot Border Post")
    coordinator = sign_in_as(session, "coordinator", organization="Matrix Coordination Office")
    admin = sign_in_as(session, "admin", organization="Matrix Administration",
                       global_admin=True)
    ngo = factories.make_organization(session, name="Matrix Border Care Foundation")
    border_post = factories.make_organization(session, name="Matrix Mae Sot Border Post",
                                              kind="border_post")
    factories.make_compound(session, name="KK Park")
    person = factories.make_person(session, organization=ngo, document_number="MX123456")
    free_person = factories.make_person(session, organization=ngo)
    case = factories.make_case(session, person=person, organization=ngo,
                               assigned_to=caseworker.user)
    screening = factories.make_screening(session, case=case, answers={
        "DR1": "yes", "DR2": "yes", "EX1": "yes", "EX2": "yes", "CD1": "yes", "CD3": "yes"},
        created_by=caseworker.user)
    factories.make_determination(session, case=case, outcome="trafficking_victim",
                                 decided_by=caseworker.user, screening=screening)
    referral = factories.make_referral(session, case=case, created_by=caseworker.user)
    factories.make_detention(session, case=case, recorded_by=caseworker.user)
    follow_up = factories.make_follow_up(session, case=case)
    repatriation_case = factories.make_case(
        session, organization=ngo, person=factories.make_person(session, organization=ngo),
        assigned_to=caseworker.user)
    factories.make_repatriation(session, case=repatriation_case, created_by=caseworker.user)
    # a batch with one person ready, and one whose person is cleared to leave
    batches = {}
    for key, stage in (("batch_id", "documents_ready"), ("cleared_batch_id", "exit_cleared")):
        batch = factories.make_batch(session, created_by=coordinator.user,
                                     stage="planned" if stage == "documents_ready"
                                     else "exit_cleared",
                                     border_organization_id=border.user.organization_id)
        member_case = factories.make_case(
            session, organization=ngo, person=factories.make_person(session, organization=ngo),
            assigned_to=caseworker.user)
        member = factories.make_repatriation(session, case=member_case,
                                             created_by=caseworker.user, stage=stage,
                                             batch_id=batch.id)
        batches[key] = batch.id
        batches[key.replace("batch_id", "member_id")] = member.id
    merge = factories.make_merge(session,
                                 survivor=factories.make_person(session, organization=ngo),
                                 duplicate=factories.make_person(session, organization=ngo))
    # a second case of the NGO, with nothing recorded yet, for the routes that record a first
    undetained = factories.make_case(session, organization=ngo,
                                     person=factories.make_person(session, organization=ngo),
                                     assigned_to=caseworker.user)
    closed = factories.make_case(session, organization=ngo, status="closed",
                                 person=factories.make_person(session, organization=ngo),
                                 assigned_to=caseworker.user)
    factories.make_crossing(session, person=person, organization=border_post)
    target_user, _ = factories.make_user(session, role="caseworker", organization=ngo)
    # a caseworker an administrator added to the NGO, awaiting its confirmation
    awaiting, _ = factories.make_user(session, role="caseworker", organization=ngo)
    confirmation.require_confirmation(awaiting, reason=confirmation.CREATED)
    session.add(awaiting)
    now = utcnow()
    # locked for longer than the module can take (a lock of 15 minutes, as the throttle
    # gives, could end while a slow machine is still at it)
    lock = SignInLock(name_hash=throttle.name_hash(factories.unique("locked-name-")),
                      client_address="192.0.2.1", locked_at=now,
                      locked_until=now + timedelta(hours=6))
    session.add(lock)
    session.flush()
    session.commit()
    return World(signed_in={"caseworker": caseworker, "border_official": border,
                            "coordinator": coordinator, "admin": admin},
                 ngo=ngo, person=person, free_person=free_person, case=case,
                 referral=referral, target_user=target_user, lock=lock, awaiting=awaiting,
                 ids={"person_id": person.id, "case_id": case.id,
                      "referral_id": referral.id, "user_id": target_user.id,
                      "lock_id": lock.id, "undetained_case_id": undetained.id,
                      "closed_case_id": closed.id, "follow_up_id": follow_up.id,
                      "merge_id": merge.id, "awaiting_user_id": awaiting.id,
                      "awaiting_username": awaiting.username,
                      "repatriation_case_id": repatriation_case.id, **batches})


def _roster() -> bytes:
    from tests.crossings.rosters import csv_bytes, row

    return csv_bytes([row(given_name="Matrix", family_name="Roster",
                          document_number="MXROSTER1")])


def _request(key: tuple[str, str], world: World, role: str) -> dict:
    """The keyword arguments of a valid request for the route, as `role` would send it."""
    method, path = key
    kwargs: dict = {}
    body = BODIES.get(key)
    if body is not None:
        kwargs.update(body(world, role))
    return kwargs


def _sign_in_form(world: World, role: str) -> dict:
    signed = world.signed_in["caseworker" if role == "anonymous" else role]
    return {"data": {"username": signed.user.username, "password": signed.password}}


def _password_change(world: World, role: str) -> dict:
    password = world.signed_in[role].password if role in world.signed_in else "x"
    return {"json": {"current_password": password,
                     "new_password": "a brand new passphrase 2025"}}


def _set_password(world: World, role: str) -> dict:
    username, code = world.new_code()
    return {"json": {"username": username, "code": code,
                     "password": "a brand new passphrase 2025"}}


BODIES = {
    ("PATCH", f"{V1}/people/{{person_id}}"): lambda w, r: {
        "json": {"given_name_latin": "Matrix"}},
    ("POST", f"{V1}/auth/token"): _sign_in_form,
    ("POST", f"{V1}/users/{{user_id}}/confirm"): lambda w, r: {
        "json": {"username": w.ids["awaiting_username"], "role": "caseworker"}},
    ("POST", f"{V1}/me/password"): _password_change,
    ("PUT", f"{V1}/me/language"): lambda w, r: {"json": {"language": "en"}},
    ("POST", f"{V1}/compounds"): lambda w, r: {
        "json": {"name": factories.unique("Matrix Compound "), "region": "Myawaddy"}},
    ("POST", f"{V1}/people"): lambda w, r: {
        "json": {"given_name": "Matrix", "family_name": "Newcomer", "sex": "female",
                 "nationality_code": "PH"}},
    ("POST", f"{V1}/crossings"): lambda w, r: {
        "json": {"person_id": w.person.id, "crossed_at": "2025-10-23T10:00:00+07:00",
                 "crossing_point": "Mae Sot Friendship Bridge 2"}},
    ("POST", f"{V1}/crossings/import"): lambda w, r: {
        "files": {"file": ("roster.csv", io.BytesIO(_roster()), "text/csv")}},
    ("POST", f"{V1}/cases"): lambda w, r: {"json": {"person_id": w.free_person.id}},
    ("POST", f"{V1}/cases/{{case_id}}/interviews"): lambda w, r: {
        "json": {"consent_given": True, "answers": {"DR1": "yes", "EX1": "no"},
                 "narrative": "A second interview."}},
    ("POST", f"{V1}/cases/{{case_id}}/determination"): lambda w, r: {
        "json": {"outcome": "undetermined", "rationale": "More time is needed."}},
    ("POST", f"{V1}/cases/{{case_id}}/referrals"): lambda w, r: {
        "json": {"service": "medical", "recipient": "Mae Tao Clinic",
                 "consent_to_share": True}},
    ("GET", f"{V1}/screening/rescreen"): lambda w, r: {"params": {"rules_version": 2}},
    ("GET", f"{V1}/screening/questionnaire.pdf"): lambda w, r: {"params": {"lang": "en"}},
    ("POST", f"{V1}/screening/rescreen"): lambda w, r: {"params": {"rules_version": 2}},
    ("POST", f"{V1}/cases/{{case_id}}/detention"): lambda w, r: {
        "json": {"detained": True, "authority": "Tak Immigration Police"}},
    ("PATCH", f"{V1}/cases/{{case_id}}/detention"): lambda w, r: {"json": {"charged": True}},
    ("POST", f"{V1}/imports/htcds"): lambda w, r: {
        "files": {"file": ("cases.csv", io.BytesIO(
            b"prs_FirstName,prs_SecondName,prs_Citizenship\r\nMatrix,Htcds,PH\r\n"),
            "text/csv")}},
    ("PUT", f"{V1}/cases/{{case_id}}/consent-to-share"): lambda w, r: {
        "json": {"consent_to_share": True}},
    ("POST", f"{V1}/cases/{{case_id}}/close"): lambda w, r: {
        "json": {"reason": "lost_contact", "note": "No answer for a month."}},
    ("POST", f"{V1}/people/{{person_id}}/merge"): lambda w, r: {
        "json": {"duplicate_id": w.free_person.id, "note": "Same person."}},
    ("POST", f"{V1}/person-merges/{{merge_id}}/undo"): lambda w, r: {"json": {}},
    ("POST", f"{V1}/cases/{{case_id}}/follow-ups"): lambda w, r: {
        "json": {"title": "Visit the shelter", "due_on": "2030-01-15"}},
    ("PATCH", f"{V1}/follow-ups/{{follow_up_id}}"): lambda w, r: {
        "json": {"done": True, "note": "Visited."}},
    ("POST", f"{V1}/cases/{{case_id}}/reopen"): lambda w, r: {
        "json": {"note": "The person called again."}},
    ("PATCH", f"{V1}/referrals/{{referral_id}}"): lambda w, r: {
        "json": {"status": "accepted"}},
    ("POST", f"{V1}/cases/{{case_id}}/repatriation"): lambda w, r: {
        "json": {"consent_to_return": "yes", "fear_of_return": "yes"}},
    ("PATCH", f"{V1}/cases/{{case_id}}/repatriation"): lambda w, r: {
        "json": {"place_of_origin": "Kolkata"}},
    ("POST", f"{V1}/repatriation-batches"): lambda w, r: {
        "json": {"name": "Matrix flight", "nationality_code": "IN", "departs_on": "2025-11-06",
                 "mode": "flight"}},
    ("PATCH", f"{V1}/repatriation-batches/{{batch_id}}"): lambda w, r: {
        "json": {"stage": "exit_cleared"}},
    ("GET", f"{V1}/repatriation-batches/{{batch_id}}/manifest"): lambda w, r: {
        "params": {"format": "xlsx"}},
    ("POST", f"{V1}/repatriation-batches/{{batch_id}}/exits"): lambda w, r: {
        "json": {"repatriation_id": w.ids["cleared_member_id"]}},
    ("GET", f"{V1}/reports/referrals"): lambda w, r: {"params": {"format": "csv"}},
    ("GET", f"{V1}/reports/statistics"): lambda w, r: {"params": {"format": "csv"}},
    ("GET", f"{V1}/reports/ctdc"): lambda w, r: {"params": {"format": "csv"}},
    ("POST", f"{V1}/admin/users"): lambda w, r: {
        "json": {"username": factories.unique("matrix-user-"), "role": "caseworker",
                 "organization_id": w.ngo.id}},
    ("POST", f"{V1}/auth/set-password"): _set_password,
    ("PATCH", f"{V1}/admin/users/{{user_id}}"): lambda w, r: {
        "json": {"full_name": "Renamed By Admin"}},
    ("POST", f"{V1}/admin/organizations"): lambda w, r: {
        "json": {"name": factories.unique("Matrix Organisation "), "kind": "ngo"}},
}


# routes that need other records than the world's usual ones
ROUTE_IDS = {
    ("POST", f"{V1}/cases/{{case_id}}/detention"):
        lambda w: {"case_id": w.ids["undetained_case_id"]},
    ("POST", f"{V1}/cases/{{case_id}}/reopen"): lambda w: {"case_id": w.ids["closed_case_id"]},
    ("GET", f"{V1}/cases/{{case_id}}/repatriation"):
        lambda w: {"case_id": w.ids["repatriation_case_id"]},
    ("PATCH", f"{V1}/cases/{{case_id}}/repatriation"):
        lambda w: {"case_id": w.ids["repatriation_case_id"]},
    ("POST", f"{V1}/repatriation-batches/{{batch_id}}/exits"):
        lambda w: {"batch_id": w.ids["cleared_batch_id"]},
    ("POST", f"{V1}/users/{{user_id}}/confirm"):
        lambda w: {"user_id": w.ids["awaiting_user_id"]},
}


def _denied(session, user_id: int) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == user_id, AuditEvent.outcome == "denied")).all())


def _cases():
    for key in sorted(MATRIX, key=lambda k: (k[1], k[0])):
        for role in ROLES:
            marks = []
            if (key, role) in KNOWN_DISAGREEMENTS:
                marks.append(pytest.mark.xfail(reason=KNOWN_DISAGREEMENTS[(key, role)],
                                               strict=True))
            yield pytest.param(key, role, marks=marks, id=f"{key[0]} {key[1]} {role}")


@pytest.mark.parametrize(("key", "role"), list(_cases()))
def test_route_gives_each_role_its_status(client, session, world, key, role):
    method, template = key
    expected = MATRIX[key][role]
    headers = world.signed_in[role].headers if role in world.signed_in else {}
    url = template.format(**(world.ids | ROUTE_IDS.get(key, lambda w: {})(world)))
    response = client.request(method, url, headers=headers, **_request(key, world, role))
    assert response.status_code == expected, response.text[:500]
    if role == "anonymous":
        return
    user_id = world.signed_in[role].user.id
    denied = _denied(session, user_id)
    if expected in (403, 404):
        assert len(denied) == 1, [e.action for e in denied]
        assert denied[0].detail["status"] == expected
        assert denied[0].role == role
    else:
        assert denied == []
