"""The exports page: what each role sees, and downloads with the filters."""

import csv
import io

import pytest

from tests import factories
from tests.pages import sign_in
from tests.referrals.helpers import another_case, events


@pytest.fixture
def users(session):
    ngo = factories.make_organization(session, name="Border Care Foundation")
    caseworker, _ = factories.make_user(session, role="caseworker", organization=ngo,
                                        username="ex-cw")
    for role in ("coordinator", "border_official", "admin"):
        factories.make_user(session, role=role, username=f"ex-{role}")
    case, _ = another_case(session, ngo, given_name="Ramon")
    factories.make_referral(session, case=case, created_by=caseworker, service="legal",
                            recipient="Tak Legal Clinic")
    factories.make_referral(session, case=case, created_by=caseworker, service="shelter",
                            recipient="Mae Sot Safe House")
    session.commit()


@pytest.mark.parametrize(("username", "sections"), [
    ("ex-coordinator", {"Download referral report (CSV)", "Download statistics (CSV)",
                        "Download CTDC data set (CSV)"}),
    ("ex-cw", {"Download referral report (CSV)"}),
    ("ex-border_official", {"Download statistics (CSV)"}),
])
def test_exports_page_shows_each_role_its_exports(client, users, username, sections):
    sign_in(client, username, factories.DEFAULT_PASSWORD)
    page = client.get("/exports")
    assert page.status_code == 200
    assert page.text.count("<h1>") == 1
    every = {"Download referral report (CSV)", "Download statistics (CSV)",
             "Download CTDC data set (CSV)"}
    for label in every:
        assert (label in page.text) == (label in sections), label
    assert 'href="/exports"' in client.get("/").text


def test_exports_page_is_403_for_admin_and_absent_from_their_navigation(client, session, users):
    sign_in(client, "ex-admin", factories.DEFAULT_PASSWORD)
    assert client.get("/exports").status_code == 403
    assert 'href="/exports"' not in client.get("/").text
    assert client.get("/exports/statistics").status_code == 403


def test_exports_page_downloads_the_filtered_referral_report(client, session, users):
    sign_in(client, "ex-coordinator", factories.DEFAULT_PASSWORD)
    response = client.get("/exports/referrals?service=legal&status=&recipient=&from=&to="
                          "&format=csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Recipient"] for r in rows] == ["Tak Legal Clinic"]  # in words by default
    assert len(events(session, action="export.referrals")) == 1


def test_exports_page_with_bad_dates_is_422_with_the_error_next_to_the_field(client, users):
    sign_in(client, "ex-coordinator", factories.DEFAULT_PASSWORD)
    response = client.get("/exports/referrals?from=2025-10-10&to=2025-10-01&format=csv")
    assert response.status_code == 422
    assert 'id="e-referrals-to"' in response.text and "error-summary" in response.text
    stats = client.get("/exports/statistics?from=not-a-date&format=xlsx")
    assert stats.status_code == 422 and 'id="e-stats-from"' in stats.text
    ctdc = client.get("/exports/ctdc?to=31/10/2025")
    assert ctdc.status_code == 422 and 'id="e-ctdc-to"' in ctdc.text


def test_exports_page_downloads_statistics_and_ctdc(client, users):
    sign_in(client, "ex-coordinator", factories.DEFAULT_PASSWORD)
    stats = client.get("/exports/statistics?from=&to=&format=xlsx")
    assert stats.status_code == 200 and stats.content.startswith(b"PK")
    ctdc = client.get("/exports/ctdc?from=&to=")
    assert ctdc.status_code == 200 and "X-Passage-Suppressed" in ctdc.headers


def test_exports_page_refuses_caseworker_statistics(client, session, users):
    sign_in(client, "ex-cw", factories.DEFAULT_PASSWORD)
    assert client.get("/exports/statistics?format=csv").status_code == 403
    assert client.get("/exports/ctdc").status_code == 403
    assert len(events(session, outcome="denied")) == 2


def test_board_links_to_exports_with_its_filters(client, users):
    sign_in(client, "ex-coordinator", factories.DEFAULT_PASSWORD)
    board = client.get("/referrals?service=legal")
    assert 'href="/exports?service=legal"' in board.text
    page = client.get("/exports?service=legal")
    assert '<option value="legal" selected>' in page.text
