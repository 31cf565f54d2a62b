import pytest
from sqlalchemy import update

from app.cases.models import Case, Determination, Screening
from tests import factories
from tests.cases.conftest import ALL_NO, TRAFFICKED

OCTOBER = "from=2025-10-01&to=2025-10-31"


def _recorded_in_october(session):
    """Move what the desk recorded today to October 2025: roles without exact counts read
    only months that have ended, as recorded by then (app.reports.disclosure)."""
    at = factories.aware(2025, 10, 20)
    session.exec(update(Case).values(created_at=at))
    session.exec(update(Screening).values(created_at=at))
    session.exec(update(Determination).values(decided_at=at))
    session.commit()


@pytest.fixture
def outcomes(desk):
    """Five Indian cases (3 victims, 1 needs assessment, 1 without interview), one Filipino."""
    def case(nationality, answers=None, outcome=None, rationale=""):
        c = desk.open_case(nationality_code=nationality, date_of_birth=None, age_estimate=30)
        if answers is not None:
            desk.interview(c["id"], answers)
        if outcome:
            r = desk.client.post(f"/api/v1/cases/{c['id']}/determination", headers=desk.headers,
                                 json={"outcome": outcome, "rationale": rationale})
            assert r.status_code == 201, r.text
        return c

    first = case("IN", ALL_NO)  # willing_worker first ...
    desk.interview(first["id"], TRAFFICKED)  # ... then only the latest counts
    case("IN", TRAFFICKED, "trafficking_victim")
    case("IN", TRAFFICKED, "willing_worker", rationale="Documents show a contract he chose.")
    case("IN", ALL_NO | {"CD1": "yes"}, "undetermined")
    case("IN")
    case("PH", TRAFFICKED, "trafficking_victim")


def test_coordinator_gets_exact_counts_by_nationality(client, login_as, outcomes):
    response = client.get("/api/v1/stats/outcomes", headers=login_as("coordinator").headers)
    assert response.status_code == 200
    body = response.json()
    assert body["exact"] is True and body["note"] == ""
    assert body["cases"] == 6
    assert body["suggestions"] == {"trafficking_victim": 4, "needs_assessment": 1,
                                   "willing_worker": 0, "none": 1}
    assert body["determinations"] == {"trafficking_victim": 2, "willing_worker": 1,
                                      "undetermined": 1, "none": 2}
    rows = {r["code"]: r for r in body["rows"]}
    assert [r["code"] for r in body["rows"]] == ["IN", "PH"]
    assert rows["IN"]["name"] == "India" and rows["IN"]["cases"] == 5
    assert rows["IN"]["suggestions"]["trafficking_victim"] == 3
    assert rows["PH"]["determinations"]["trafficking_victim"] == 1


@pytest.mark.parametrize("role", ["caseworker", "border_official", "admin"])
def test_other_roles_get_every_nationality_and_no_small_count(client, login_as, outcomes,
                                                             role, session):
    headers = login_as(role).headers
    today = client.get("/api/v1/stats/outcomes", headers=headers).json()
    # registered this month: not published to them before the month ends
    assert today["cases"] is None and all(m["cases"] == "<5" for m in today["months"])
    _recorded_in_october(session)
    response = client.get(f"/api/v1/stats/outcomes?{OCTOBER}", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["exact"] is False and "<5" in body["note"]
    assert body["cases"] == 6
    codes = [r["code"] for r in body["rows"]]
    assert len(codes) == 250 and codes[-1] is None  # every ISO country, then "not recorded"
    rows = {r["code"]: r for r in body["rows"]}
    # India's 5 is hidden too: beside the published total of 6 it would tell the Philippines' 1
    assert rows["PH"]["cases"] == "<5" and rows["IN"]["cases"] == "x"
    cells = [v for r in body["rows"]
             for v in (*r["suggestions"].values(), *r["determinations"].values())]
    assert not [v for v in cells if isinstance(v, int) and v < 5]
    assert rows["PH"] == {**rows["VN"], "code": "PH", "name": "Philippines"}
    assert all(r["pairs"] is None for r in body["rows"])


def test_outcome_counts_widen_to_whole_months_for_others(client, login_as, outcomes):
    body = client.get("/api/v1/stats/outcomes?from=2025-10-16&to=2025-10-20",
                      headers=login_as("caseworker").headers).json()
    assert (body["from"], body["to"]) == ("2025-10-01", "2025-10-31")
    exact = client.get("/api/v1/stats/outcomes?from=2025-10-16&to=2025-10-20",
                       headers=login_as("coordinator").headers).json()
    assert (exact["from"], exact["to"]) == ("2025-10-16", "2025-10-20")


def test_outcome_counts_with_a_bad_date_are_422_naming_it(client, login_as):
    response = client.get("/api/v1/stats/outcomes?from=soon",
                          headers=login_as("caseworker").headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "from"


def test_outcome_counts_carry_no_names(client, login_as, session, desk):
    person = factories.make_person(session, organization=desk.organization,
                                   given_name="Distinctivename", family_name="Unusualfamily")
    session.commit()
    desk.client.post("/api/v1/cases", headers=desk.headers, json={"person_id": person.id})
    text = client.get("/api/v1/stats/outcomes", headers=login_as("coordinator").headers).text
    assert "Distinctivename" not in text and "Unusualfamily" not in text


def test_outcome_counts_need_sign_in(client):
    assert client.get("/api/v1/stats/outcomes").status_code == 401
