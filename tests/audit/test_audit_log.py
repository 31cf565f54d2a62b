import csv
import io
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.audit.service import Actor
from tests import factories
from tests.pages import sign_in


def _actions(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [e["action"] for e in response.json()["items"]]


@pytest.fixture
def admin(login_as):
    return login_as("admin", organization="Tak Coordination Office", global_admin=True)


@pytest.fixture
def events(session):
    """Events of two actors on three days, written the way the app writes them."""
    org = factories.make_organization(session, name="Border Care Foundation")
    naw, _ = factories.make_user(session, role="caseworker", organization=org,
                                 username="naw-audit")
    other, _ = factories.make_user(session, role="border_official", username="somchai-audit")
    session.commit()
    as_naw = Actor.of(naw, "10.0.0.7")
    as_other = Actor.of(other, "10.0.0.8")
    factories.make_audit_event(session, actor=as_naw, action="person.read", entity_id=41,
                               at=datetime(2025, 10, 22, 3, tzinfo=UTC))
    factories.make_audit_event(session, actor=as_naw, action="case.create",
                               entity_type="case", entity_id=7,
                               at=datetime(2025, 10, 23, 3, tzinfo=UTC))
    factories.make_audit_event(session, actor=as_other, action="person.read", entity_id=42,
                               outcome="denied", at=datetime(2025, 10, 24, 3, tzinfo=UTC))
    session.commit()
    return {"naw": naw, "other": other}


def test_audit_list_is_newest_first_with_actor_role_organisation_and_client(client, admin,
                                                                           events):
    response = client.get("/api/v1/audit", headers=admin.headers,
                          params={"entity_type": "person"})
    body = response.json()
    assert body["total"] == 2 and body["limit"] == 50 and body["offset"] == 0
    newest, oldest = body["items"]
    assert newest["entity_id"] == "42" and oldest["entity_id"] == "41"
    assert oldest["actor_username"] == "naw-audit" and oldest["role"] == "caseworker"
    assert oldest["organization"] == "Border Care Foundation"
    assert oldest["client_address"] == "10.0.0.7" and oldest["outcome"] == "success"
    assert oldest["at"].startswith("2025-10-22T03:00:00")


@pytest.mark.parametrize(("params", "expected"), [
    ({"action": "person.read"}, ["person.read", "person.read"]),
    ({"action": "case.*"}, ["case.create"]),
    ({"outcome": "denied"}, ["person.read"]),
    ({"entity_type": "case", "entity_id": "7"}, ["case.create"]),
    ({"actor": "naw-audit"}, ["case.create", "person.read"]),
    ({"actor": "NAW-AUDIT"}, ["case.create", "person.read"]),
    # dates are whole days in Thailand (UTC+7); 03:00 UTC is 10:00 there
    ({"from": "2025-10-23", "to": "2025-10-23"}, ["case.create"]),
    ({"from": "2025-10-23T00:00:00Z"}, ["person.read", "case.create"]),
    ({"to": "2025-10-23T03:00:00Z"}, ["person.read"]),
])
def test_audit_list_filters(client, admin, events, params, expected):
    # events written while setting up (now, in 2026) are left out by the end date
    response = client.get("/api/v1/audit", headers=admin.headers,
                          params={**params, "to": params.get("to", "2025-10-31")})
    assert _actions(response) == expected


def test_audit_actor_filter_takes_a_user_id(client, admin, events):
    response = client.get("/api/v1/audit", headers=admin.headers,
                          params={"actor": str(events["other"].id), "to": "2025-10-31"})
    assert _actions(response) == ["person.read"]


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "25/10/2025"}, "from"),
    ({"to": "not a date"}, "to"),
    ({"outcome": "maybe"}, "outcome"),
    ({"actor": "x" * 151}, "actor"),
])
def test_audit_list_with_bad_filter_is_422_naming_it(client, admin, params, field):
    response = client.get("/api/v1/audit", headers=admin.headers, params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_audit_actor_filter_with_a_huge_number_is_not_a_server_error(client, admin):
    response = client.get("/api/v1/audit", headers=admin.headers,
                          params={"actor": "9" * 40})
    assert response.status_code == 200 and response.json()["total"] == 0


@pytest.mark.parametrize("role", ["caseworker", "border_official", "coordinator"])
def test_audit_list_is_refused_to_other_roles_and_the_refusal_audited(client, login_as,
                                                                      session, role):
    signed_in = login_as(role)
    response = client.get("/api/v1/audit", headers=signed_in.headers)
    assert response.status_code == 403
    refused = session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == signed_in.user.id, AuditEvent.outcome == "denied")).all()
    assert [e.action for e in refused] == ["GET /api/v1/audit"]


def test_audit_list_needs_sign_in(client):
    assert client.get("/api/v1/audit").status_code == 401


def test_sign_in_success_and_failure_are_audited_with_client_address(client, session):
    user, password = factories.make_user(session, role="coordinator", username="signs-in")
    session.commit()
    client.post("/api/v1/auth/token", data={"username": "signs-in", "password": "wrong one!!!"})
    client.post("/api/v1/auth/token", data={"username": "signs-in", "password": password})
    client.post("/api/v1/auth/token", data={"username": "no-such-user", "password": "x" * 12})
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in")
                          .order_by(AuditEvent.id)).all()
    mine = [(e.actor_id, e.role, e.outcome, e.client_address) for e in events[-3:]]
    assert mine == [(user.id, "coordinator", "failure", "testclient"),
                    (user.id, "coordinator", "success", "testclient"),
                    (None, None, "failure", "testclient")]
    # the name tried for an account that does not exist is not kept: it may be a password
    assert events[-1].actor_username is None
    assert "no-such-user" not in str(events[-1].detail)


def test_refused_request_is_audited_even_though_its_work_is_rolled_back(client, login_as,
                                                                        session):
    caseworker = login_as("caseworker")
    response = client.post("/api/v1/admin/organizations", headers=caseworker.headers,
                           json={"name": "Should not exist"})
    assert response.status_code == 403
    event = session.exec(select(AuditEvent).where(AuditEvent.actor_id == caseworker.user.id,
                                                  AuditEvent.outcome == "denied")).one()
    assert event.action == "POST /api/v1/admin/organizations"
    assert event.role == "caseworker" and event.client_address == "testclient"
    assert event.detail == {"status": 403, "method": "POST"}


def test_audit_page_shows_filters_and_columns(client, session, events):
    factories.make_user(session, role="admin", username="audit-admin", global_admin=True)
    session.commit()
    sign_in(client, "audit-admin", factories.DEFAULT_PASSWORD)
    page = client.get("/admin/audit", params={"actor": "naw-audit", "to": "2025-10-31"})
    assert page.status_code == 200
    assert page.text.count("<h1>") == 1
    for column in ("Time", "Actor", "Role", "Organisation", "Action", "Record", "Client",
                   "Outcome"):
        assert f'<th scope="col">{column}</th>' in page.text
    assert "22 Oct 2025 10:00" in page.text  # Bangkok time
    assert "Border Care Foundation" in page.text and "10.0.0.7" in page.text
    assert "somchai-audit" not in page.text
    assert 'value="naw-audit"' in page.text  # the form is re-filled
    assert 'href="/admin/audit.csv?actor=naw-audit&amp;to=2025-10-31"' in page.text


def test_audit_page_pages_through_events(client, session):
    factories.make_user(session, role="admin", username="pager-admin", global_admin=True)
    for n in range(55):
        factories.make_audit_event(session, action="referral.read", entity_id=n,
                                   at=datetime(2025, 10, 1, tzinfo=UTC))
    session.commit()
    sign_in(client, "pager-admin", factories.DEFAULT_PASSWORD)
    first = client.get("/admin/audit", params={"action": "referral.read"})
    assert "55 events; showing 1–50" in first.text and "Older events" in first.text
    second = client.get("/admin/audit", params={"action": "referral.read", "offset": 50})
    assert "showing 51–55" in second.text and "Newer events" in second.text
    assert "Older events" not in second.text


def test_audit_csv_has_the_filtered_events_and_the_export_is_audited(client, session,
                                                                     events):
    admin, _ = factories.make_user(session, role="admin", username="csv-admin", global_admin=True)
    session.commit()
    sign_in(client, "csv-admin", factories.DEFAULT_PASSWORD)
    response = client.get("/admin/audit.csv", params={"action": "person.read",
                                                      "to": "2025-10-31"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    # UTF-8 with a byte order mark, as every export: Excel then reads Thai and Burmese
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["actor"], r["entity_id"], r["outcome"]) for r in rows] == [
        ("somchai-audit", "42", "denied"), ("naw-audit", "41", "success")]
    assert rows[1]["organization"] == "Border Care Foundation"
    assert rows[1]["time_utc"] == "2025-10-22T03:00:00+00:00"
    export = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.export",
                                                   AuditEvent.actor_id == admin.id)).one()
    assert export.detail["filters"]["action"] == "person.read"
    assert export.detail["rows"] == 2 and export.detail["complete"] is True


def test_audit_csv_neutralises_cells_that_a_spreadsheet_would_run(client, session):
    factories.make_user(session, role="admin", username="csv-admin2", global_admin=True)
    factories.make_audit_event(session, actor=Actor.anonymous("1.2.3.4", username="=cmd|x"),
                               action="auth.sign_in", entity_type="user", entity_id=None)
    session.commit()
    sign_in(client, "csv-admin2", factories.DEFAULT_PASSWORD)
    rows = list(csv.DictReader(io.StringIO(
        client.get("/admin/audit.csv", params={"actor": "=cmd|x"}).content.decode("utf-8-sig"))))
    assert [r["actor"] for r in rows] == ["'=cmd|x"]


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
@pytest.mark.parametrize("role", ["caseworker", "border_official", "coordinator"])
def test_audit_pages_are_refused_to_other_roles_and_audited(client, session, path, role):
    user, _ = factories.make_user(session, role=role)
    session.commit()
    sign_in(client, user.username, factories.DEFAULT_PASSWORD)
    assert client.get(path).status_code == 403
    refused = session.exec(select(AuditEvent).where(AuditEvent.actor_id == user.id,
                                                    AuditEvent.outcome == "denied")).all()
    assert [e.action for e in refused] == [f"GET {path}"]


def test_an_organisations_administrator_reads_only_its_staffs_events(client, session, login_as):
    """Who read which record is the organisation's own business: another organisation's
    administrator reads none of it, on the page, in the API or in the CSV; a Passage-wide
    administrator reads every event, anonymous ones too."""
    ours = factories.make_organization(session, name="Audit Ours")
    theirs = factories.make_organization(session, name="Audit Theirs")
    naw, _ = factories.make_user(session, role="caseworker", organization=ours,
                                 username="audit-ours-naw")
    lin, _ = factories.make_user(session, role="caseworker", organization=theirs,
                                 username="audit-theirs-lin")
    factories.make_audit_event(session, actor=Actor.of(naw, "10.0.0.7"), action="person.read",
                               entity_id=41)
    factories.make_audit_event(session, actor=Actor.of(lin, "10.0.0.8"), action="person.read",
                               entity_id=42)
    session.commit()
    ours_admin = login_as("admin", organization="Audit Ours")
    everyone_admin = login_as("admin", organization="Audit Office", global_admin=True)

    def actors(admin) -> set[str]:
        items = client.get("/api/v1/audit", headers=admin.headers,
                           params={"action": "person.read", "limit": 500}).json()["items"]
        return {e["actor_username"] for e in items}

    assert actors(ours_admin) == {"audit-ours-naw"}
    assert {"audit-ours-naw", "audit-theirs-lin"} <= actors(everyone_admin)
    exported = client.get("/admin/audit.csv", headers=ours_admin.headers,
                          params={"action": "person.read"})
    assert exported.status_code == 200
    assert "audit-ours-naw" in exported.text and "audit-theirs-lin" not in exported.text
