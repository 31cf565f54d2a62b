"""Exports that must not end silently: every filter of every export is checked before the
first byte (422 naming the field), and a body that fails after it began is cut short, marked
incomplete and recorded as incomplete."""

import csv
import io
from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.db import make_engine, session_factory_for
from app.reports.streaming import INCOMPLETE_CSV_LINE, ExportInterrupted
from app.reports.writers import CSV_BATCH_ROWS
from tests import factories
from tests.live import start_server, stop_server
from tests.referrals.helpers import events

NUL = "A%00B"
TOO_LARGE_ID = "99999999999"

# (role, path, parameter, value): every filter of every export, with a value that the
# database cannot take or that cannot be a day
BAD_FILTERS = [
    ("coordinator", "/api/v1/reports/referrals", "recipient", NUL),
    ("coordinator", "/api/v1/reports/referrals", "case_id", TOO_LARGE_ID),
    ("coordinator", "/api/v1/reports/referrals", "case_id", "0"),
    ("coordinator", "/api/v1/reports/referrals?format=xlsx&", "recipient", NUL),
    ("coordinator", "/api/v1/reports/referrals", "from", "0001-01-01"),
    ("coordinator", "/api/v1/reports/referrals", "to", "9999-12-31"),
    ("coordinator", "/api/v1/reports/referrals", "to", "2025-02-30"),
    ("coordinator", "/api/v1/reports/statistics", "from", "0001-01-01"),
    ("coordinator", "/api/v1/reports/statistics?format=xlsx&", "to", "9999-12-31"),
    ("coordinator", "/api/v1/reports/ctdc", "from", "0001-01-01"),
    ("coordinator", "/api/v1/reports/ctdc", "to", "9999-12-31"),
]
BAD_PAGE_FILTERS = [
    ("coordinator", "/exports/referrals", "recipient", NUL, "Remove the control characters"),
    ("coordinator", "/exports/referrals", "to", "9999-12-31", "Use a date between"),
    ("coordinator", "/exports/statistics", "from", "0001-01-01", "Use a date between"),
    ("coordinator", "/exports/ctdc", "to", "9999-12-31", "Use a date between"),
    ("admin", "/admin/audit.csv", "actor", NUL, "Remove the control characters"),
    ("admin", "/admin/audit.csv", "action", "A%00*", "Remove the control characters"),
    ("admin", "/admin/audit.csv", "entity_type", NUL, "Remove the control characters"),
    ("admin", "/admin/audit.csv", "entity_id", NUL, "Remove the control characters"),
    ("admin", "/admin/audit.csv", "from", "0001-01-01", "Use a date between"),
    ("admin", "/admin/audit.csv", "to", "9999-12-31", "Use a date between"),
    ("admin", "/admin/audit.csv", "to", "9999-12-31T23:59:59", "Use a date between"),
    ("border_official", "/stats/nationalities.csv", "crossing_point", NUL,
     "Remove the control characters"),
    ("border_official", "/stats/nationalities.csv", "nationality", "%00A",
     "Remove the control characters"),
    ("border_official", "/stats/nationalities.csv", "compound_id", TOO_LARGE_ID,
     "Use a record number"),
    ("border_official", "/stats/nationalities.csv", "to", "9999-12-31", "Use a date between"),
]


def _url(path: str, name: str, value: str) -> str:
    joiner = "" if path.endswith("&") else "?"
    return f"{path}{joiner}{name}={value}"


def _export_events(session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(
        AuditEvent.action.in_(["export.referrals", "export.statistics", "export.ctdc",
                               "audit.export", "stats.export"]))).all())


@pytest.mark.parametrize(("role", "path", "name", "value"), BAD_FILTERS)
def test_api_export_with_a_bad_filter_is_422_naming_it_before_any_byte(
        client, login_as, session, role, path, name, value):
    response = client.get(_url(path, name, value), headers=login_as(role).headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    assert "content-disposition" not in response.headers
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", name]
    assert error["msg"] and "\x00" not in error["msg"]
    assert _export_events(session) == []


@pytest.mark.parametrize(("role", "path", "name", "value", "message"), BAD_PAGE_FILTERS)
def test_page_export_with_a_bad_filter_is_422_naming_it_before_any_byte(
        client, login_as, session, role, path, name, value, message):
    response = client.get(_url(path, name, value), headers=login_as(role).headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in response.headers
    assert message in response.text
    assert name in response.text.lower() or "until" in response.text.lower()
    assert _export_events(session) == []


def test_export_filters_at_the_edges_of_the_ranges_are_accepted(client, login_as):
    headers = login_as("coordinator").headers
    for query in ("from=1900-01-01&to=2999-12-31", "case_id=2147483647",
                  "recipient=Mae%09Sot"):
        response = client.get(f"/api/v1/reports/referrals?{query}", headers=headers)
        assert response.status_code == 200, (query, response.text)


# --- a body that fails after it began -------------------------------------------------

# A row whose time cannot be shown in Thai time (it would fall in the year 10000): stored
# data that breaks the writer part way through the file, after the first chunk has gone.
UNSHOWABLE = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
GOOD_ROWS = 2 * CSV_BATCH_ROWS + 100  # the first chunk, and the one held back behind it


def _referrals_with_a_broken_last_row(session):
    organization = factories.make_organization(session, name="Border Care Foundation")
    caseworker, _ = factories.make_user(session, role="caseworker", organization=organization)
    person = factories.make_person(session, organization=organization)
    case = factories.make_case(session, person=person, organization=organization)
    for i in range(GOOD_ROWS):
        factories.make_referral(session, case=case, created_by=caseworker,
                                recipient=f"Safe House {i}", at=factories.aware(2025, 10, 1))
    factories.make_referral(session, case=case, created_by=caseworker, at=UNSHOWABLE)
    session.commit()


def test_csv_export_failing_part_way_is_cut_short_and_recorded_as_incomplete(
        client, login_as, session):
    _referrals_with_a_broken_last_row(session)
    coordinator = login_as("coordinator")
    with pytest.raises(ExportInterrupted):
        client.get("/api/v1/reports/referrals", headers=coordinator.headers)
    (event,) = events(session, action="export.referrals")
    assert event.detail["complete"] is False
    assert CSV_BATCH_ROWS <= event.detail["rows"] <= GOOD_ROWS + 1
    assert event.actor_id == coordinator.user.id


def test_export_whose_first_chunk_fails_answers_an_error_not_a_file(client, login_as, session):
    """An XLSX is made whole before its first byte, so the same broken row is answered with
    an error status, never a 200; the attempt is on record as incomplete."""
    _referrals_with_a_broken_last_row(session)
    response = client.get("/api/v1/reports/referrals?format=xlsx",
                          headers=login_as("coordinator").headers)
    assert response.status_code >= 400
    assert "content-disposition" not in response.headers
    (event,) = events(session, action="export.referrals")
    assert event.detail["complete"] is False


def test_served_export_failing_part_way_is_an_error_for_the_client(fresh_database_url,
                                                                    tmp_path):
    """Over a real connection: the client's HTTP library reports the truncated body, what
    it did receive ends with a line saying the file is incomplete, and a bad filter is a 422
    before anything streams."""
    engine = make_engine(fresh_database_url)
    with session_factory_for(engine)() as session:
        _referrals_with_a_broken_last_row(session)
    server = start_server(fresh_database_url, tmp_path / "server.log")
    try:
        password = server.create_user("coord", "coordinator", "Tak Coordination Office")
        token = httpx.post(server.base_url + "/api/v1/auth/token",
                           data={"username": "coord", "password": password}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}

        for query in ("recipient=A%00B", "case_id=99999999999"):
            refused = httpx.get(f"{server.base_url}/api/v1/reports/referrals?{query}",
                                headers=headers)
            assert refused.status_code == 422
            assert refused.json()["detail"][0]["loc"][-1] in query

        received = bytearray()
        with pytest.raises(httpx.RemoteProtocolError), httpx.stream(
                "GET", server.base_url + "/api/v1/reports/referrals", headers=headers,
                timeout=30) as response:
            assert response.status_code == 200  # the status line had gone when it broke
            for chunk in response.iter_bytes():
                received.extend(chunk)
        assert received.endswith(INCOMPLETE_CSV_LINE)
        rows = list(csv.reader(io.StringIO(received.decode("utf-8-sig"), newline="")))
        assert len(rows[-1]) == 1 and len(rows[0]) > 1  # the last line is no row of the file

        with session_factory_for(engine)() as session:
            recorded = session.exec(select(AuditEvent).where(
                AuditEvent.action == "export.referrals")).all()
        assert [e.detail["complete"] for e in recorded] == [False]
        assert "the export failed after it began" not in received.decode("utf-8-sig")
    finally:
        stop_server(server)
        engine.dispose()
