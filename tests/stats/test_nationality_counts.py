import csv
import io
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.crossings.schemas import NationalityCount
from app.crossings.stats import bar_chart
from tests import factories
from tests.pages import sign_in


@pytest.fixture
def crossings(session):
    """Six people, seven crossings: one Indian woman crossed twice."""
    post = factories.make_organization(session, name="Stats Post")
    kk = factories.make_compound(session, name="KK Park")
    shwe = factories.make_compound(session, name="Shwe Kokko")
    day = lambda d, h=3: datetime(2025, 10, d, h, tzinfo=UTC)  # noqa: E731
    people = {
        "in_f": factories.make_person(session, organization=post, nationality_code="IN",
                                      sex="female"),
        "in_m": factories.make_person(session, organization=post, nationality_code="IN",
                                      sex="male"),
        "in_m2": factories.make_person(session, organization=post, nationality_code="IN",
                                       sex="male"),
        "ph_f": factories.make_person(session, organization=post, nationality_code="PH",
                                      sex="female"),
        "ph_u": factories.make_person(session, organization=post, nationality_code="PH"),
        "cn_m": factories.make_person(session, organization=post, nationality_code="CN",
                                      sex="male"),
    }
    factories.make_person(session, organization=post, nationality_code="ET")  # never crossed
    plan = [("in_f", day(21), "Bridge 2", kk), ("in_f", day(23), "Bridge 1", kk),
            ("in_m", day(21), "Bridge 2", kk), ("in_m2", day(22), "Bridge 2", shwe),
            ("ph_f", day(22), "Bridge 1", kk), ("ph_u", day(23), "Bridge 1", shwe),
            ("cn_m", day(24), "Bridge 2", None)]
    for key, when, point, compound in plan:
        factories.make_crossing(session, person=people[key], crossed_at=when,
                                crossing_point=point,
                                compound_id=compound.id if compound else None)
    session.commit()
    return {"kk": kk.id, "shwe": shwe.id}


def get(client, headers, **params):
    response = client.get("/api/v1/stats/nationalities", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_counts_distinct_people_by_nationality_largest_first(client, login_as, crossings):
    body = get(client, login_as("coordinator").headers)
    assert body["total"] == 6
    assert [(r["code"], r["name"], r["count"]) for r in body["rows"]] == [
        ("IN", "India", 3), ("PH", "Philippines", 2), ("CN", "China", 1)]
    assert body["by_sex"] is None and body["rows"][0]["by_sex"] is None


def test_counts_follow_the_filters(client, login_as, crossings):
    headers = login_as("border_official").headers

    def rows(**params):
        return {r["code"]: r["count"] for r in get(client, headers, **params)["rows"]}

    assert rows(**{"from": "2025-10-22", "to": "2025-10-23"}) == {"IN": 2, "PH": 2}
    assert rows(to="2025-10-21") == {"IN": 2}
    assert rows(crossing_point="Bridge 1") == {"IN": 1, "PH": 2}
    assert rows(compound_id=crossings["shwe"]) == {"IN": 1, "PH": 1}
    assert rows(compound_id=crossings["kk"], crossing_point="Bridge 2") == {"IN": 2}
    assert get(client, headers, **{"from": "2026-01-01"}) == {"total": 0, "rows": [],
                                                               "by_sex": None}


def test_counts_by_sex(client, login_as, crossings):
    body = get(client, login_as("caseworker").headers, by_sex="true")
    by_code = {r["code"]: r["by_sex"] for r in body["rows"]}
    assert by_code["IN"] == {"female": 1, "male": 2, "other": 0, "unknown": 0}
    assert by_code["PH"] == {"female": 1, "male": 0, "other": 0, "unknown": 1}
    assert body["by_sex"] == {"female": 2, "male": 3, "other": 0, "unknown": 1}


def test_a_crossing_late_at_night_counts_on_its_thai_day(client, login_as, session):
    person = factories.make_person(session, nationality_code="KE")
    # 16 Nov 2025, 23:30 in Thailand = 16:30 UTC; the next Thai day starts at 17:00 UTC
    factories.make_crossing(session, person=person,
                            crossed_at=datetime(2025, 11, 16, 16, 30, tzinfo=UTC))
    session.commit()
    headers = login_as("admin").headers
    on_16 = get(client, headers, **{"from": "2025-11-16", "to": "2025-11-16"})
    on_17 = get(client, headers, **{"from": "2025-11-17", "to": "2025-11-17"})
    assert on_16["total"] == 1 and on_17["total"] == 0


@pytest.mark.parametrize("role", ["caseworker", "border_official", "coordinator", "admin"])
def test_every_role_may_read_the_counts(client, login_as, role):
    response = client.get("/api/v1/stats/nationalities", headers=login_as(role).headers)
    assert response.status_code == 200


def test_counts_need_sign_in_and_valid_filters(client, login_as):
    assert client.get("/api/v1/stats/nationalities").status_code == 401
    headers = login_as("coordinator").headers
    assert client.get("/api/v1/stats/nationalities?from=someday",
                      headers=headers).status_code == 422
    assert client.get("/api/v1/stats/nationalities?compound_id=x",
                      headers=headers).status_code == 422


def test_dashboard_shows_filters_table_chart_and_csv_link(client, session, crossings):
    factories.make_user(session, role="caseworker", username="dash-cw")
    session.commit()
    sign_in(client, "dash-cw", factories.DEFAULT_PASSWORD)
    page = client.get(f"/stats/nationalities?from=&to=&crossing_point=&"
                      f"compound_id={crossings['kk']}&by_sex=true")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1>") == 1 and "<script" not in html and "style=" not in html
    assert '<svg class="bar-chart"' in html and "<title id=\"chart-title\">" in html
    assert ">India</text>" in html and 'class="bar-value"' in html
    assert "People who crossed</text>" in html  # the axis label
    assert '<td class="num">2</td>' in html  # India from KK Park
    assert f'href="/stats/nationalities.csv?compound_id={crossings["kk"]}&amp;by_sex=true"' \
        in html
    assert 'selected>KK Park</option>' in html


def test_dashboard_without_crossings_says_what_to_do(client, session):
    factories.make_user(session, role="border_official", username="dash-empty")
    session.commit()
    sign_in(client, "dash-empty", factories.DEFAULT_PASSWORD)
    html = client.get("/stats/nationalities?from=2030-01-01").text
    assert "No crossings match these filters" in html and "import a roster" in html


def test_csv_download_is_the_table_and_is_audited(client, session, crossings):
    user, _ = factories.make_user(session, role="border_official", username="dash-csv")
    session.commit()
    sign_in(client, "dash-csv", factories.DEFAULT_PASSWORD)
    response = client.get("/stats/nationalities.csv?by_sex=true&crossing_point=Bridge+1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment;" in response.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table == [["code", "nationality", "people", "female", "male", "other", "unknown"],
                     ["PH", "Philippines", "2", "1", "0", "0", "1"],
                     ["IN", "India", "1", "1", "0", "0", "0"],
                     ["", "Total", "3", "2", "0", "0", "1"]]
    exported = session.exec(select(AuditEvent).where(AuditEvent.actor_id == user.id,
                                                     AuditEvent.action == "stats.export")).one()
    assert exported.detail["crossing_point"] == "Bridge 1"


def test_dashboard_needs_sign_in(client):
    response = client.get("/stats/nationalities", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize(("largest", "ticks"), [
    (1, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (480, [0, 100, 200, 300, 400, 500]),
    (1500, [0, 500, 1000, 1500]),
])
def test_bar_chart_has_round_ticks_and_bars_in_proportion(largest, ticks):
    rows = [NationalityCount(code="IN", name="India", count=largest),
            NationalityCount(code="LA", name="Lao People's Democratic Republic", count=1)]
    chart = bar_chart(rows)
    assert [t.value for t in chart.ticks] == ticks
    assert chart.bars[0].width == round(chart.plot_width * largest / ticks[-1], 1)
    assert chart.bars[1].label.endswith("…") and len(chart.bars[1].label) <= 20
    assert chart.bars[1].y > chart.bars[0].y and chart.height > chart.plot_bottom


def test_bar_chart_without_rows_is_empty():
    chart = bar_chart([])
    assert chart.bars == [] and chart.ticks == []
