"""The CTDC export through the real stack: one row per case, no identifiers, k = 11."""

import csv
import io
from collections import Counter
from datetime import date

import pytest

from app.reports.ctdc import HEADER
from tests import factories
from tests.referrals.helpers import events


def _make(session, org, *, n: int, nationality: str | None, sex: str, born: date | None,
          answers=None, outcome=None, decider=None, compound=None, prefix="Person"):
    people = []
    for i in range(n):
        person = factories.make_person(session, organization=org, nationality_code=nationality,
                                       sex=sex, date_of_birth=born,
                                       given_name=f"{prefix}{i}", family_name="Identifiable",
                                       document_number=f"DOC{prefix}{i}")
        case = factories.make_case(session, person=person, organization=org)
        case.created_at = factories.aware(2025, 10, 23)
        if compound is not None:
            factories.make_crossing(session, person=person, compound_id=compound.id)
        if answers is not None:
            screening = factories.make_screening(session, case=case, answers=answers)
            if outcome:
                factories.make_determination(session, case=case, outcome=outcome,
                                             decided_by=decider, screening=screening)
        people.append(person)
    return people


@pytest.fixture
def cohort(session):
    org = factories.make_organization(session, name="Border Care Foundation")
    decider, _ = factories.make_user(session, role="caseworker", organization=org)
    kk_park = factories.make_compound(session, name="KK Park", country_code="MM")
    victim = {"DR1": "yes", "DR2": "yes", "EX1": "yes", "EX2": "yes", "CD1": "yes",
              "CD3": "yes", "CD6": "yes", "CR2": "no"}
    # 12 Indian men aged 24-26: a group of its own
    _make(session, org, n=12, nationality="IN", sex="male", born=date(2000, 1, 1),
          answers=victim, outcome="trafficking_victim", decider=decider, compound=kk_park,
          prefix="Arjun")
    # 6 Filipino and 5 Nepali men of the same age band: together 11, so "00"
    _make(session, org, n=6, nationality="PH", sex="male", born=date(2000, 6, 1),
          prefix="Jose")
    _make(session, org, n=5, nationality="NP", sex="male", born=date(2000, 3, 3),
          prefix="Bikash")
    # 3 Kenyan women aged 48+: too few even when generalised, so left out
    _make(session, org, n=3, nationality="KE", sex="female", born=date(1970, 1, 1),
          prefix="Wanjiru")
    session.commit()


def _rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"),
                                           newline="")))


def test_ctdc_export_is_one_row_per_case_in_ctdc_fields(client, login_as, cohort):
    response = client.get("/api/v1/reports/ctdc?format=csv",
                          headers=login_as("coordinator").headers)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = _rows(response)
    assert tuple(rows[0].keys()) == HEADER
    assert len(rows) == 12 + 11
    assert response.headers["X-Passage-Rows"] == "23"
    assert response.headers["X-Passage-Generalised"] == "11"
    assert response.headers["X-Passage-Suppressed"] == "3"
    indian = [r for r in rows if r["citizenship"] == "IN"]
    assert len(indian) == 12
    first = indian[0]
    assert (first["gender"], first["ageBroad"], first["majorityStatus"]) == \
        ("Male", "24--26", "Adult")
    assert first["CountryOfExploitation"] == "MM"
    assert first["isForcedLabour"] == "1" and first["typeOfLabourIllicitActivities"] == "1"
    assert first["meansOfControlWithholdsDocuments"] == "1" and first["isAbduction"] == "0"
    assert first["yearOfRegistration"] == "2025"


def test_ctdc_export_is_k_anonymous_over_gender_age_and_citizenship(client, login_as, cohort):
    rows = _rows(client.get("/api/v1/reports/ctdc", headers=login_as("coordinator").headers))
    groups = Counter((r["gender"], r["ageBroad"], r["citizenship"]) for r in rows)
    assert groups == {("Male", "24--26", "IN"): 12, ("Male", "24--26", "00"): 11}
    assert all(n >= 11 for n in groups.values())
    assert not any(r["citizenship"] in ("PH", "NP", "KE") for r in rows)


def test_ctdc_export_carries_no_names_or_identifiers(client, login_as, cohort):
    response = client.get("/api/v1/reports/ctdc", headers=login_as("coordinator").headers)
    text = response.content.decode("utf-8-sig")
    for value in ("Arjun", "Jose", "Bikash", "Identifiable", "DOC", "PSG-", "2000-01-01"):
        assert value not in text


def test_ctdc_export_is_audited_with_generalised_and_suppressed(client, session, login_as,
                                                                cohort):
    coordinator = login_as("coordinator")
    client.get("/api/v1/reports/ctdc?from=2025-10-01&to=2025-10-31",
               headers=coordinator.headers)
    [event] = events(session, action="export.ctdc", actor_id=coordinator.user.id)
    assert event.detail == {
        "format": "csv", "filters": {"from": "2025-10-01", "to": "2025-10-31"},
        "period": {"from": "2025-01-01", "to": "2025-12-31"}, "k": 11,
        "quasi_identifiers": ["gender", "ageBroad", "citizenship"], "cases": 26,
        "generalised": 11, "suppressed": 3, "rows": 23, "complete": True}


def test_ctdc_export_covers_whole_registration_years(client, login_as, cohort):
    headers = login_as("coordinator").headers
    next_year = client.get("/api/v1/reports/ctdc?from=2026-01-01", headers=headers)
    assert next_year.status_code == 200
    assert _rows(next_year) == []
    assert next_year.headers["X-Passage-Rows"] == "0"
    # a range of days within 2025 is all of 2025: a day or a month more differs in nothing
    whole = client.get("/api/v1/reports/ctdc?from=2025-01-01&to=2025-12-31", headers=headers)
    for query in ("from=2025-11-01", "from=2025-10-20&to=2025-10-21",
                  "from=2025-10-20&to=2025-11-20", "to=2025-10-01"):
        response = client.get(f"/api/v1/reports/ctdc?{query}", headers=headers)
        assert response.headers["X-Passage-Period"].startswith(
            "2025-01-01" if "from" in query else "/")
        assert _rows(response) == _rows(whole), query


@pytest.mark.parametrize("role", ["caseworker", "border_official", "admin"])
def test_ctdc_export_by_role_other_than_coordinator_is_403_and_audited(client, session,
                                                                        login_as, role):
    signed_in = login_as(role)
    response = client.get("/api/v1/reports/ctdc", headers=signed_in.headers)
    assert response.status_code == 403
    assert [e.action for e in events(session, actor_id=signed_in.user.id, outcome="denied")] \
        == ["GET /api/v1/reports/ctdc"]


def test_ctdc_export_in_xlsx_is_422_naming_format(client, login_as):
    response = client.get("/api/v1/reports/ctdc?format=xlsx",
                          headers=login_as("coordinator").headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "format"
