"""Filters on every page: a blank field is no filter, and a bad one (a malformed date, an end
before the start) shows the same page again with the message beside the field and the form
filled in as typed (422), never the bare error page."""

import csv
import io
from datetime import UTC, datetime

import pytest

from app.audit.service import Actor
from tests import factories
from tests.pages import sign_in

FRAMEWORK_PHRASES = ("Input should be", "String should", "value_error", "Field required")


@pytest.fixture
def audit_events(session):
    org = factories.make_organization(session, name="Filter Care")
    naw, _ = factories.make_user(session, role="caseworker", organization=org,
                                 username="naw-filters")
    factories.make_audit_event(session, actor=Actor.of(naw, "10.0.0.7"), action="person.read",
                               entity_id=41, at=datetime(2025, 10, 22, 3, tzinfo=UTC))
    factories.make_audit_event(session, action="case.create", entity_type="case",
                               entity_id=7, at=datetime(2025, 10, 23, 3, tzinfo=UTC))
    session.commit()
    return naw


def _signed_in(client, session, role: str, organization: str | None = None) -> None:
    org = factories.make_organization(session, name=organization) if organization else None
    user, password = factories.make_user(session, role=role, organization=org)
    session.commit()
    sign_in(client, user.username, password)


BLANK_DATES = {"from": "", "to": "", "entity_type": "", "entity_id": "", "action": "",
               "outcome": ""}


def test_audit_log_filtered_by_actor_alone_shows_their_events(client, session, audit_events):
    _signed_in(client, session, "admin", organization="Filter Care")
    page = client.get("/admin/audit", params={**BLANK_DATES, "actor": "naw-filters"})
    assert page.status_code == 200, page.text
    assert "1 event." in page.text and '<span class="code">person.read</span>' in page.text
    assert '<span class="code">case.create</span>' not in page.text  # a row, not the filter
    assert 'value="naw-filters"' in page.text


def test_audit_csv_filtered_by_actor_alone_has_their_events(client, session, audit_events):
    _signed_in(client, session, "admin", organization="Filter Care")
    response = client.get("/admin/audit.csv", params={**BLANK_DATES, "actor": "naw-filters"})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["actor"], r["action"]) for r in rows] == [("naw-filters", "person.read")]


def test_audit_api_filtered_by_actor_with_blank_dates_answers_the_events(client, login_as,
                                                                        audit_events):
    admin = login_as("admin", organization="Filter Care")
    response = client.get("/api/v1/audit", headers=admin.headers,
                          params={**BLANK_DATES, "actor": "naw-filters"})
    assert response.status_code == 200, response.text
    assert [e["action"] for e in response.json()["items"]] == ["person.read"]


# (page, role, the id of the field beside which the error shows, the page's heading)
FILTER_PAGES = [
    ("/admin/audit", "admin", "", "Audit log"),
    ("/admin/audit.csv", "admin", "", "Audit log"),
    ("/stats/nationalities", "coordinator", "q-", "Nationality counts"),
    ("/stats/nationalities.csv", "coordinator", "q-", "Nationality counts"),
    ("/crossings", "border_official", "q-", "Crossings"),
    ("/referrals", "coordinator", "", "Referral board"),
    ("/exports/referrals", "coordinator", "referrals-", "Exports"),
    ("/exports/statistics", "coordinator", "stats-", "Exports"),
    ("/exports/ctdc", "coordinator", "ctdc-", "Exports"),
]


@pytest.mark.parametrize(("path", "role", "prefix", "heading"), FILTER_PAGES)
def test_blank_filters_are_no_filter(client, session, path, role, prefix, heading):
    _signed_in(client, session, role)
    response = client.get(path, params={"from": "", "to": ""})
    assert response.status_code == 200, response.text[-2000:]


@pytest.mark.parametrize(("path", "role", "prefix", "heading"), FILTER_PAGES)
@pytest.mark.parametrize(("params", "field", "message"), [
    ({"from": "2025-13-45", "to": ""}, "from", "Enter a date like 2025-10-25"),
    ({"from": "2025-10-25", "to": "2025-10-01"}, "to",
     "The end date is before the start date"),
])
def test_bad_filter_shows_the_page_again_with_the_error_beside_the_field(
        client, session, path, role, prefix, heading, params, field, message):
    _signed_in(client, session, role)
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f"<h1>{heading}</h1>" in page  # the same page, not the error page
    error_id = f"e-{prefix}{field}"
    assert f'id="{error_id}">{message}</p>' in page
    assert 'class="error-summary"' in page
    for name, value in params.items():
        if value:  # the filter form is filled in as it was typed
            assert f'id="f-{prefix}{name}"' in page or f'id="{prefix}{name}"' in page
            assert f'value="{value}"' in page
    assert not any(phrase in page for phrase in FRAMEWORK_PHRASES)
