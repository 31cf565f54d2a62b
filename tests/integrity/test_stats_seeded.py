"""Integrity analytics on one seeded world, made once for the module (tests.conftest's
one_world_per_module): one organisation overriding 40% of its indicator cases to
willing_worker, three overriding 5%. The flag, the matrix, the breakdowns, the CSV, the
caseworker's suppressed view, the audit and the page, through the API."""

import csv
import io

from app.auth.models import Organization
from tests import factories
from tests.conftest import one_world_per_module
from tests.integrity.test_stats import _report, _row, _seed_org
from tests.referrals.helpers import events


class Seeded:
    def __init__(self, session):
        self.session = session
        self.overriding = _seed_org(session, "Quick Release NGO", indicated=30, overridden=12,
                                    others=6)
        self.ordinary = [_seed_org(session, f"Careful NGO {n}", indicated=40, overridden=2,
                                   others=6) for n in range(3)]


_module_connection, connection, _world, world = one_world_per_module(Seeded)


def test_an_organisation_overriding_40_percent_is_flagged(client, session, login_as, world):
    coordinator = login_as("coordinator", organization="Coordination Office")
    report = _report(client, coordinator.headers)
    assert report["suppressed_below"] is None
    [flag] = report["flags"]
    assert (flag["by"], flag["label"]) == ("organization", "Quick Release NGO")
    assert (flag["overrides"], flag["indicator_cases"]) == (12, 30)
    assert flag["override_rate"] == 0.4 and flag["rest_override_rate"] == 0.05
    assert flag["p_value"] < 0.01

    row = _row(report, "organization", "Quick Release NGO")
    assert row["flagged"] is True
    assert row["matrix"]["trafficking_victim"] == {"trafficking_victim": 18,
                                                   "willing_worker": 12, "undetermined": 0}
    assert row["matrix"]["needs_assessment"]["undetermined"] == 6
    assert (row["cases"], row["agreed"]) == (36, 24)
    careful = _row(report, "organization", "Careful NGO 0")
    # 2 overrides: too few to test, never flagged
    assert careful["overrides"] == 2 and careful["p_value"] is None
    assert careful["flagged"] is False
    # nationalities were spread evenly: none departs
    assert not any(r["flagged"] for r in
                   [b for b in report["breakdowns"] if b["by"] == "nationality"][0]["rows"])


def test_overall_matrix_and_other_breakdowns(client, session, login_as, world):
    coordinator = login_as("coordinator", organization="Coordination Office")
    report = _report(client, coordinator.headers)
    overall = report["overall"]
    assert overall["cases"] == 30 + 6 + 3 * 46
    assert overall["indicator_cases"] == 150 and overall["overrides"] == 18
    assert overall["override_rate"] == 0.12
    assert {b["by"] for b in report["breakdowns"]} == {
        "organization", "caseworker", "nationality", "language", "interpreter"}
    interpreter = [b for b in report["breakdowns"] if b["by"] == "interpreter"][0]
    assert [r["label"] for r in interpreter["rows"]] == ["Without an interpreter"]
    # interview quality: answers left out count as "don't know", so each interviewer's share
    # is the strong indicators the seeded answers leave out
    quality = {q["caseworker"]: q for q in report["interview_quality"]}
    assert len(quality) == 4
    some = next(iter(quality.values()))
    assert 0 < some["share_unknown"] < 1
    days = {d["label"]: d for d in report["durations"]}
    assert days["All cases in view"]["crossing_to_interview_median_days"] == 2.0
    assert days["All cases in view"]["interview_to_determination_median_days"] == 3.0


def test_csv_holds_the_same_numbers(client, login_as, world):
    coordinator = login_as("coordinator", organization="Coordination Office")
    response = client.get("/api/v1/stats/integrity", headers=coordinator.headers,
                          params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["section", "by", "group", "measure", "value"]
    assert ["agreement", "organization", "Quick Release NGO", "flagged", "True"] in rows
    assert ["agreement", "organization", "Quick Release NGO", "overrides", "12"] in rows


def test_caseworker_sees_their_organisation_only_with_small_cells_suppressed(
        client, session, login_as, world):
    signed_in = login_as("caseworker", organization="Quick Release NGO")
    report = _report(client, signed_in.headers)
    assert report["suppressed_below"] == 5
    assert report["scope"] == "Quick Release NGO only"
    assert report["overall"]["cases"] == 36
    orgs = [b for b in report["breakdowns"] if b["by"] == "organization"][0]["rows"]
    assert [r["label"] for r in orgs] == ["Quick Release NGO"]
    # counts from 1 to 4 never shown: the matrix's zero cells stay 0, 6 is shown
    matrix = report["overall"]["matrix"]
    values = [v for row in matrix.values() for v in row.values()]
    assert all(v == 0 or v == "x" or v == "<5" or (isinstance(v, int) and v >= 5)
               for v in values)
    # nationality groups of 12 cases: each with 4 overrides, which is a small cell
    nationality = [b for b in report["breakdowns"] if b["by"] == "nationality"][0]["rows"]
    assert all(r["overrides"] in ("<5", "x") for r in nationality)
    assert all(r["override_rate"] is None for r in nationality)


def test_integrity_read_is_audited(client, session, login_as, world):
    coordinator = login_as("coordinator", organization="Coordination Office")
    _report(client, coordinator.headers)
    [event] = events(session, actor_id=coordinator.user.id, action="stats.integrity")
    assert event.detail["flags"] == 1 and event.detail["exact"] is True


def test_integrity_page_draws_svg_bars_and_tables(client, session, world):
    from tests.pages import sign_in

    org = session.get(Organization, world.overriding[0].id)
    user, password = factories.make_user(session, role="coordinator",
                                         organization=factories.make_organization(
                                             session, name="Coordination Office"))
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    page = client.get("/stats/integrity")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3 and "<rect" in page.text
    assert "Quick Release NGO" in page.text and "flagged" in page.text
    assert org.name in page.text
