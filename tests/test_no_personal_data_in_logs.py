"""No personal data in logs (DESIGN.md: "Personal data never goes into logs").

A full journey through the API and the pages runs with every logger captured at DEBUG
(SQLAlchemy's engine echo included), and no name, document number, phone, narrative, note or
password typed along the way may appear in any record: message with its arguments, and any
exception text.
"""

import logging
import re

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.crossings.rosters import csv_bytes, row, upload
from tests.pages import sign_in

GIVEN, FAMILY = "Zephyrine", "Quillfeather"
DOCUMENT = "ZQ98765431"
PHONE = "+66 81 234 5679"
NARRATIVE = "They kept us in the Vantablack tower basement and took our passports"
RATIONALE = "Ostrakon ledger shows the debt was invented"
REFERRAL_NOTES = "Call her sister Quokkamina before the visit"
ROSTER_GIVEN, ROSTER_FAMILY, ROSTER_DOCUMENT = "Brontide", "Marrowby", "RB5550001"
BAD_GIVEN, BAD_DOCUMENT, BAD_PHONE = "Xanthippeia", "XB4443332", "+66 99 888 7776"
BAD_NARRATIVE = "Nobody may read this Periwinkle compound story"
WRONG_PASSWORD = "Saltmarsh-Halcyon-wrong"

SECRETS = [GIVEN, FAMILY, DOCUMENT, PHONE, "66812345679", "812345679", NARRATIVE,
           "Vantablack", RATIONALE, "Ostrakon", REFERRAL_NOTES, "Quokkamina", ROSTER_GIVEN,
           ROSTER_FAMILY, ROSTER_DOCUMENT, BAD_GIVEN, BAD_DOCUMENT, BAD_PHONE, "66998887776",
           BAD_NARRATIVE, "Periwinkle", WRONG_PASSWORD, factories.DEFAULT_PASSWORD]


@pytest.fixture
def debug_logs(caplog):
    """Every logger at DEBUG, before the test's database connection is made: SQLAlchemy
    decides whether a connection echoes its SQL when the connection is opened."""
    caplog.set_level(logging.DEBUG)
    for name in ["sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine", "sqlalchemy.pool",
                 "sqlalchemy.orm", "passage", "passage.access", "uvicorn", "uvicorn.error",
                 "httpx", "fpdf", "openpyxl", *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _leaks(records) -> list[str]:
    formatter = logging.Formatter()
    found = []
    for record in records:
        if record.name.startswith("httpx"):
            continue  # the test's HTTP client, not the app: it logs the URLs it requests
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + formatter.formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + record.stack_info
        folded = text.casefold()
        for secret in SECRETS:
            if secret.casefold() in folded:
                found.append(f"{record.name}: {secret!r} in {text[:300]!r}")
    return found


def _ok(response, status: int = 200):
    assert response.status_code == status, response.text[:500]
    return response


def test_journey_writes_no_personal_data_to_any_log(debug_logs, client, session, login_as,
                                                     app):
    caplog = _journey(debug_logs, client, session, login_as, app)
    leaks = _leaks(caplog.records)
    assert not leaks, "personal data in the logs:\n" + "\n".join(leaks)


def test_database_debug_echo_writes_no_personal_data(debug_logs, client, session, login_as,
                                                      app):
    caplog = _journey(debug_logs, client, session, login_as, app)
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
    leaks = _leaks(r for r in caplog.records if r.name.startswith("sqlalchemy"))
    assert not leaks, f"{len(leaks)} personal values in SQLAlchemy's row echo:\n" + "\n".join(
        leaks[:5])


def _journey(caplog, client, session, login_as, app):
    """Register, interview, decide, refer, export; through the API and the pages; with a
    failed sign-in, a 403, a 404 and two 422s. Returns the capture."""
    caplog.clear()
    factories.make_compound(session, name="KK Park")
    session.commit()
    border = login_as("border_official", organization="Log Test Border Post")
    caseworker = login_as("caseworker", organization="Log Test NGO")
    coordinator = login_as("coordinator", organization="Log Test Coordination")

    # the border official imports a small roster
    roster = csv_bytes([
        row(given_name=ROSTER_GIVEN, family_name=ROSTER_FAMILY, document_number=ROSTER_DOCUMENT),
        row(given_name="Priya", family_name="Sharma", document_number="IN0000001"),
    ])
    report = _ok(upload(client, border.headers, roster)).json()
    assert report["crossings_created"] == 2, report

    # the caseworker registers a person, opens a case, interviews, decides and refers
    person = _ok(client.post("/api/v1/people", headers=caseworker.headers, json={
        "given_name": GIVEN, "family_name": FAMILY, "sex": "female",
        "date_of_birth": "1999-02-03", "nationality_code": "PH", "document_number": DOCUMENT,
        "phone": PHONE, "languages": ["Tagalog"]}), 201).json()
    _ok(client.get(f"/api/v1/people/{person['id']}", headers=caseworker.headers))
    _ok(client.get(f"/api/v1/people/{person['id']}/duplicates", headers=caseworker.headers))
    case = _ok(client.post("/api/v1/cases", headers=caseworker.headers,
                           json={"person_id": person["id"]}), 201).json()
    _ok(client.post(f"/api/v1/cases/{case['id']}/interviews", headers=caseworker.headers, json={
        "consent_given": True, "language": "Tagalog", "narrative": NARRATIVE,
        "answers": {"DR1": "yes", "DR2": "yes", "EX1": "yes", "EX2": "yes", "CD1": "yes",
                    "CD3": "yes"},
        "section_notes": {"DR": NARRATIVE}}), 201)
    _ok(client.get(f"/api/v1/cases/{case['id']}", headers=caseworker.headers))
    _ok(client.post(f"/api/v1/cases/{case['id']}/determination", headers=caseworker.headers,
                    json={"outcome": "willing_worker", "rationale": RATIONALE}), 201)
    referral = _ok(client.post(f"/api/v1/cases/{case['id']}/referrals",
                               headers=caseworker.headers, json={
                                   "service": "shelter", "recipient": "Mae Sot Safe House",
                                   "consent_to_share": True, "notes": REFERRAL_NOTES}),
                   201).json()
    letter = _ok(client.get(f"/api/v1/referrals/{referral['id']}/letter.pdf",
                            headers=caseworker.headers))
    assert letter.content.startswith(b"%PDF")

    # ... and through the pages, signed in with a browser session (a name search included)
    with TestClient(app) as browser:
        assert sign_in(browser, caseworker.user.username, caseworker.password).status_code == 303
        page = _ok(browser.get("/people", params={"name": GIVEN}))
        assert FAMILY in page.text  # the search found the person: the page shows the name
        _ok(browser.get(f"/people/{person['id']}"))
        _ok(browser.get(f"/cases/{case['id']}"))
        _ok(browser.get("/referrals"))
        _ok(browser.get("/exports/referrals", params={"format": "csv"}))

    # the coordinator moves the referral on and exports
    _ok(client.patch(f"/api/v1/referrals/{referral['id']}", headers=coordinator.headers,
                     json={"status": "accepted", "note": "Bed arranged"}))
    referrals_csv = _ok(client.get("/api/v1/reports/referrals", headers=coordinator.headers,
                                   params={"format": "csv"}))
    assert GIVEN in referrals_csv.text  # consent given: the report names her, the log must not
    _ok(client.get("/api/v1/reports/statistics", headers=coordinator.headers,
                   params={"format": "csv"}))
    _ok(client.get("/api/v1/reports/ctdc", headers=coordinator.headers,
                   params={"format": "csv"}))
    _ok(client.get("/api/v1/people", headers=coordinator.headers,
                   params={"nationality": "PH"}))

    # a failed sign-in (API and page), a refusal (403), an out-of-scope read (404), and bad
    # input carrying personal values (422)
    _ok(client.post("/api/v1/auth/token", data={"username": caseworker.user.username,
                                                "password": WRONG_PASSWORD}), 401)
    with TestClient(app) as stranger:
        _ok(sign_in(stranger, border.user.username, WRONG_PASSWORD), 401)
    _ok(client.get(f"/api/v1/cases/{case['id']}/interviews", headers=border.headers), 403)
    other = login_as("caseworker", organization="Log Test Other NGO")
    _ok(client.get(f"/api/v1/people/{person['id']}", headers=other.headers), 404)
    bad_person = _ok(client.post("/api/v1/people", headers=caseworker.headers, json={
        "given_name": BAD_GIVEN, "family_name": FAMILY, "sex": "not a sex",
        "date_of_birth": "2999-01-01", "document_number": BAD_DOCUMENT, "phone": BAD_PHONE,
        "nationality_code": "ZZZ"}), 422)
    bad_interview = _ok(client.post(
        f"/api/v1/cases/{case['id']}/interviews", headers=caseworker.headers,
        json={"consent_given": "perhaps", "narrative": BAD_NARRATIVE,
              "answers": {"DR1": BAD_GIVEN}}), 422)
    for response in (bad_person, bad_interview):  # the error names fields, not values
        for secret in (BAD_GIVEN, BAD_DOCUMENT, BAD_PHONE, BAD_NARRATIVE):
            assert secret not in response.text

    # the capture really was at DEBUG for the app and the database
    names = {r.name for r in caplog.records}
    assert "passage.access" in names
    assert any(n.startswith("sqlalchemy.engine") for n in names), sorted(names)
    assert any("INSERT INTO people" in r.getMessage() for r in caplog.records)

    # the access log names route templates: no query string, no concrete ids
    access = [r.getMessage() for r in caplog.records if r.name == "passage.access"]
    assert "GET /people 200" in " ".join(access)
    assert "GET /api/v1/people/{person_id} 200" in " ".join(access)
    for line in access:
        assert "?" not in line and "name=" not in line, line
        assert not re.search(rf"/{person['id']}\b", line), line
    return caplog


def test_access_log_line_has_no_query_string(debug_logs, client, login_as):
    caseworker = login_as("caseworker", organization="Log Test Search NGO")
    debug_logs.clear()
    with TestClient(client.app) as browser:
        sign_in(browser, caseworker.user.username, caseworker.password)
        _ok(browser.get("/people", params={"name": GIVEN, "nationality": "PH"}))
    _ok(client.get("/api/v1/people", headers=caseworker.headers,
                   params={"nationality": "PH", "crossing_point": GIVEN}))
    _ok(client.get("/api/v1/no-such-route", params={"name": GIVEN}), 404)
    access = [r.getMessage() for r in debug_logs.records if r.name == "passage.access"]
    assert any(line.startswith("GET /people 200 ") for line in access), access
    assert any(line.startswith("GET /api/v1/people 200 ") for line in access), access
    assert any(line.startswith("GET (unmatched) 404 ") for line in access), access
    for line in access:
        assert GIVEN not in line and "?" not in line and "nationality" not in line, line
