"""Integrity analytics: the agreement matrix, the override flag, suppression for caseworkers,
interview quality and days, through the API with seeded cases."""

from datetime import timedelta

import pytest

from tests import factories
from tests.cases.conftest import TRAFFICKED
from tests.factories import aware
from tests.referrals.helpers import events

NATIONALITIES = ("PH", "IN", "VN")
ASSESS = {"CD3": "yes"}  # a strong indicator: needs assessment


def _seed_org(session, name: str, *, indicated: int, overridden: int, others: int = 0,
              caseworker=None):
    """An organisation's determined cases: `indicated` with indicators of trafficking found,
    `overridden` of them determined willing_worker; `others` needs-assessment cases left
    undetermined. Nationalities in turn, so that no nationality stands out."""
    org = factories.make_organization(session, name=name)
    if caseworker is None:
        caseworker, _ = factories.make_user(session, role="caseworker", organization=org)
    at = aware(2025, 10, 24)
    n = 0
    for answers, count, overrides in ((TRAFFICKED, indicated, overridden),
                                      (ASSESS, others, 0)):
        for i in range(count):
            person = factories.make_person(session, organization=org,
                                           nationality_code=NATIONALITIES[n % 3],
                                           age_estimate=30, date_of_birth=None)
            n += 1
            case = factories.make_case(session, person=person, organization=org)
            factories.make_crossing(session, person=person, organization=org,
                                    crossed_at=at - timedelta(days=2))
            screening = factories.make_screening(session, case=case, answers=answers,
                                                 created_by=caseworker, at=at,
                                                 rules_version=2)
            if answers is TRAFFICKED:
                outcome = "willing_worker" if i < overrides else "trafficking_victim"
            else:
                outcome = "undetermined"
            factories.make_determination(session, case=case, outcome=outcome,
                                         decided_by=caseworker, screening=screening,
                                         at=at + timedelta(days=3),
                                         rationale="Reviewed." if outcome == "willing_worker"
                                         else "")
    session.commit()
    return org, caseworker



def _report(client, headers, **params):
    response = client.get("/api/v1/stats/integrity", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _row(report, by: str, label: str) -> dict:
    [breakdown] = [b for b in report["breakdowns"] if b["by"] == by]
    [row] = [r for r in breakdown["rows"] if r["label"] == label]
    return row






def test_suppression_groups_small_caseworker_rows_together(client, session, login_as):
    org = factories.make_organization(session, name="Tiny NGO")
    signed_in = login_as("caseworker", organization="Tiny NGO")
    _seed_org(session, "Tiny NGO", indicated=3, overridden=1, caseworker=signed_in.user)
    report = _report(client, signed_in.headers)
    caseworkers = [b for b in report["breakdowns"] if b["by"] == "caseworker"][0]["rows"]
    assert [r["label"] for r in caseworkers] == ["Others (fewer than 5 cases each)"]
    assert report["overall"]["cases"] == "<5"
    assert org is not None


def test_an_ordinary_spread_is_tested_and_not_flagged(client, session, login_as):
    # every organisation overriding about as often as the rest: 5 to 7 in 100
    for n, overridden in enumerate([6, 5, 7]):
        _seed_org(session, f"Spread NGO {n}", indicated=100, overridden=overridden)
    coordinator = login_as("coordinator", organization="Coordination Office")
    report = _report(client, coordinator.headers)
    assert report["flags"] == []
    orgs = [b for b in report["breakdowns"] if b["by"] == "organization"][0]["rows"]
    assert all(r["p_value"] is not None and r["p_value"] > 0.01 for r in orgs)


@pytest.mark.parametrize(("role", "status"), [("border_official", 403), ("admin", 403),
                                              ("anonymous", 401)])
def test_integrity_refused_to_other_roles_and_audited(client, session, login_as, role,
                                                      status):
    headers = {}
    if role != "anonymous":
        signed_in = login_as(role)
        headers = signed_in.headers
    assert client.get("/api/v1/stats/integrity", headers=headers).status_code == status
    if role != "anonymous":
        assert len(events(session, actor_id=signed_in.user.id, outcome="denied")) == 1

