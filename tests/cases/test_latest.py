"""A case's latest screening and latest determination are the ones recorded last (the highest
id), the same on every page, list, count and export, even when an earlier-recorded row carries
a later time."""

import csv
import io

import pytest

from tests import factories
from tests.reports.test_statistics_export import NO_INDICATORS, VICTIM

CASES = 6  # above the suppression threshold, so the export shows the counts


@pytest.fixture
def revised(session):
    """Cases screened twice and decided twice, the second of each dated before the first
    (an interview held earlier, entered later)."""
    org = factories.make_organization(session, name="Latest Care")
    decider, _ = factories.make_user(session, role="caseworker", organization=org)
    cases = []
    for _ in range(CASES):
        person = factories.make_person(session, organization=org, nationality_code="VN",
                                       sex="male")
        case = factories.make_case(session, person=person, organization=org)
        first = factories.make_screening(session, case=case, answers=VICTIM,
                                         at=factories.aware(2025, 10, 24))
        second = factories.make_screening(session, case=case, answers=NO_INDICATORS,
                                          at=factories.aware(2025, 10, 20))
        factories.make_determination(session, case=case, outcome="trafficking_victim",
                                     decided_by=decider, screening=first,
                                     at=factories.aware(2025, 10, 26))
        factories.make_determination(session, case=case, outcome="willing_worker",
                                     decided_by=decider, screening=second,
                                     at=factories.aware(2025, 10, 21))
        cases.append((case, second))
    session.commit()
    assert first.classification == "trafficking_victim"
    assert second.classification == "willing_worker"
    return cases


def test_latest_is_the_row_recorded_last_everywhere(client, login_as, revised):
    coordinator = login_as("coordinator")
    case, second = revised[0]

    screening = client.get(f"/api/v1/cases/{case.id}/screening", headers=coordinator.headers)
    assert screening.json()["id"] == second.id

    listed = client.get("/api/v1/cases", headers=coordinator.headers,
                        params={"person_id": case.person_id}).json()["items"]
    assert [(c["latest_suggestion"], c["latest_outcome"]) for c in listed] == [
        ("willing_worker", "willing_worker")]

    outcomes = client.get("/api/v1/stats/outcomes", headers=coordinator.headers).json()
    assert outcomes["suggestions"]["willing_worker"] == CASES
    assert outcomes["determinations"]["willing_worker"] == CASES
    assert outcomes["suggestions"]["trafficking_victim"] == 0

    # the integrators' layout keeps the suggestion beside the determination
    export = client.get("/api/v1/reports/statistics?labels=codes", headers=coordinator.headers)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"), newline="")))
    by_key = {tuple(r[:4]): r[-1] for r in rows[1:]}
    assert by_key[("VN", "Vietnam", "willing_worker", "willing_worker")] == str(CASES)
    assert not any(k[2] == "trafficking_victim" for k in by_key)
