"""The pipeline: of the people who crossed in a period, how many reached each stage; exact
for coordinators, whole months and "<5" for the other roles, crossings and departures only
for border officials, nothing for administrators."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.cases.models import CaseStatusChange
from app.clock import local_day_start, local_today
from app.reports.disclosure import Month, publish, published_months
from tests import factories
from tests.pages import sign_in

OCT = lambda d, h=3: datetime(2025, 10, d, h, tzinfo=UTC)  # noqa: E731


@pytest.fixture
def world(session):
    """Indians and Filipinos who crossed in October 2025, at every stage; one Chinese man
    who crossed in November; a merged record that is never counted."""
    ngo = factories.make_organization(session, name="Border Care Foundation")
    worker, _ = factories.make_user(session, role="caseworker", organization=ngo)
    people = []

    def person(nationality, day, *, stage=None, reason=None):
        p = factories.make_person(session, organization=ngo, nationality_code=nationality)
        # recorded when it happened: roles without exact counts read the records of the
        # months that have ended, as recorded by then
        factories.make_crossing(session, person=p, crossed_at=day, created_at=day)
        people.append(p)
        if stage is None:
            return p
        status = "closed" if reason else ("determined" if stage == "determined" else "open")
        case = factories.make_case(session, person=p, organization=ngo, assigned_to=worker,
                                   status=status)
        case.created_at = day
        case.closure_reason = reason
        if reason:
            session.add(CaseStatusChange(case_id=case.id, to_status="closed", event="closed",
                                         reason=reason, changed_at=day))
        if stage in ("interviewed", "determined", "referred"):
            answers = {"DR1": "yes", "DR2": "yes", "EX1": "yes", "EX2": "yes", "CD1": "yes",
                       "CD3": "yes"} if nationality == "IN" else {}
            screening = factories.make_screening(session, case=case, answers=answers)
            if stage in ("determined", "referred"):
                factories.make_determination(session, case=case, screening=screening,
                                             outcome="trafficking_victim", decided_by=worker)
            if stage == "referred":
                factories.make_referral(session, case=case, created_by=worker)
        return p

    for _ in range(3):
        person("IN", OCT(21))
    for _ in range(2):
        person("IN", OCT(22), stage="opened")
    for _ in range(6):
        person("IN", OCT(23), stage="determined")
    for _ in range(2):
        person("IN", OCT(24), stage="referred", reason="repatriated")
    for _ in range(4):
        person("PH", OCT(25), stage="interviewed")
    person("PH", OCT(26))
    november = datetime(2025, 11, 2, 3, tzinfo=UTC)
    person("CN", november, stage="opened")
    tombstone = factories.make_person(session, organization=ngo, nationality_code="IN",
                                      merged_into_id=people[0].id)
    factories.make_crossing(session, person=tombstone, crossed_at=OCT(28), created_at=OCT(28))
    session.commit()
    return people


def _pipeline(client, headers, **params):
    response = client.get("/api/v1/stats/pipeline", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _row(result, code):
    return next(r for r in result["rows"] if r["code"] == code)["counts"]


def test_coordinators_read_every_stage_exactly_for_any_range(client, world, login_as):
    coordinator = login_as("coordinator")
    result = _pipeline(client, coordinator.headers, **{"from": "2025-10-21",
                                                        "to": "2025-10-31"})
    assert result["exact"] is True and result["from"] == "2025-10-21"
    assert result["note"] == ""
    overall = result["overall"]
    assert {k: overall[k] for k in ("crossed", "case", "interview", "determined", "referral",
                                    "closed", "closed_repatriated", "repatriation_started",
                                    "departed")} == {
        "crossed": 18, "case": 14, "interview": 12, "determined": 8, "referral": 2,
        "closed": 2, "closed_repatriated": 2, "repatriation_started": 0, "departed": 0}
    assert overall["suggestion_trafficking_victim"] == 8
    assert overall["suggestion_needs_assessment"] == 4
    assert overall["determination_trafficking_victim"] == 8
    assert [(r["code"], r["counts"]["crossed"]) for r in result["rows"]] == [("IN", 13),
                                                                             ("PH", 5)]
    assert _row(result, "PH")["interview"] == 4 and _row(result, "PH")["case"] == 4

    one_day = _pipeline(client, coordinator.headers, **{"from": "2025-10-23",
                                                         "to": "2025-10-23"})
    assert one_day["overall"]["crossed"] == 6 and one_day["overall"]["determined"] == 6
    filtered = _pipeline(client, coordinator.headers, nationality="PH")
    assert [r["code"] for r in filtered["rows"]] == ["PH"]


def test_caseworkers_get_whole_months_and_small_counts_hidden(client, world, login_as, session):
    caseworker = login_as("caseworker")
    result = _pipeline(client, caseworker.headers, **{"from": "2025-10-23",
                                                       "to": "2025-10-23"})
    # one day asked for, the whole month counted
    assert (result["from"], result["to"]) == ("2025-10-01", "2025-10-31")
    assert result["exact"] is False and "<5" in result["note"]
    assert result["overall"]["crossed"] == 18  # crossings stay exact
    assert _row(result, "PH")["crossed"] == 5
    # every cell of every row is there, zeros included, and none from 0 to 4 is shown
    for counts in [r["counts"] for r in result["rows"]] + [result["overall"]]:
        assert set(counts) == {c["key"] for c in result["columns"]}
        for key, value in counts.items():
            if key != "crossed":
                assert value in ("<5", "x") or value >= 5, (key, value)
    assert _row(result, "IN")["referral"] == "<5"
    assert _row(result, "PH")["determined"] == "<5"  # a zero
    # 14 cases and 12 interviews would say exactly 2 people had a case and no interview
    # (a difference from 1 to 4): the audit of the whole table hides them (pipeline_audit)
    assert "x" in (result["overall"]["case"], result["overall"]["interview"])
    session.expire_all()
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "stats.pipeline",
                                                    AuditEvent.actor_id == caseworker.user.id))
    # the range as asked, and the moment the counts stood at
    assert event.detail["from"] == "2025-10-23" and event.detail["exact"] is False
    assert event.detail["as_of"] == result["as_of"]


def test_a_nationality_asked_for_reads_its_row_of_the_months_one_table(client, world,
                                                                       login_as):
    """Not a second table of a part of the month, suppressed on its own, that could be set
    against the month's table: the row of the month's one publication (app.reports.month_store),
    whichever is asked first."""
    caseworker = login_as("caseworker")
    october = {"from": "2025-10-01", "to": "2025-10-31"}
    filipinos = _pipeline(client, caseworker.headers, **october, nationality="PH")
    whole = _pipeline(client, caseworker.headers, **october)
    assert [r["code"] for r in filipinos["rows"]] == ["PH"]
    assert filipinos["rows"][0]["counts"] == _row(whole, "PH") == filipinos["overall"]
    nobody = _pipeline(client, caseworker.headers, **october, nationality="KE")
    assert nobody["rows"] == [] and nobody["overall"]["crossed"] == 0
    assert {v for k, v in nobody["overall"].items() if k != "crossed"} == {"<5"}


def test_no_small_count_can_be_worked_out_from_the_totals(client, world, login_as):
    caseworker = login_as("caseworker")
    result = _pipeline(client, caseworker.headers, **{"from": "2025-10-01",
                                                       "to": "2025-10-31"})
    for key in ("case", "interview", "referral", "closed"):
        shown = [r["counts"][key] for r in result["rows"]]
        total = result["overall"][key]
        hidden = [v for v in shown if not isinstance(v, int)]
        if isinstance(total, int) and hidden:
            # the total minus what is shown is shared by at least two hidden cells
            assert len(hidden) >= 2, (key, shown, total)


def test_border_officials_read_crossings_and_departures_and_admins_nothing(client, world,
                                                                           login_as, session):
    border = login_as("border_official")
    result = _pipeline(client, border.headers)
    assert [c["key"] for c in result["columns"]] == ["crossed", "departed"]
    # no range: every month from the first crossing to the last completed one, a table each
    october, november = result["months"][:2]
    assert (october["month"], november["month"]) == ("2025-10", "2025-11")
    assert set(october["overall"]) == {"crossed", "departed"}
    assert october["overall"]["crossed"] == 18 and november["overall"]["crossed"] == 1
    assert result["overall"] is None
    admin = login_as("admin")
    refused = client.get("/api/v1/stats/pipeline", headers=admin.headers)
    assert refused.status_code == 403
    session.expire_all()
    assert session.exec(select(AuditEvent).where(AuditEvent.actor_id == admin.user.id,
                                                 AuditEvent.outcome == "denied")).one()


def test_a_bad_filter_is_refused_naming_the_field(client, world, login_as):
    coordinator = login_as("coordinator")
    for params, field in [({"from": "yesterday"}, "from"), ({"to": "2025-13-01"}, "to"),
                          ({"from": "2025-10-10", "to": "2025-10-01"}, "to"),
                          ({"nationality": "Philippines"}, "nationality")]:
        response = client.get("/api/v1/stats/pipeline", headers=coordinator.headers,
                              params=params)
        assert response.status_code == 422, params
        assert response.json()["detail"][0]["loc"][-1] == field


def test_the_page_draws_the_funnel_with_its_numbers_and_offers_the_csv(client, world,
                                                                        session):
    user, password = factories.make_user(session, role="coordinator")
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    page = client.get("/stats/pipeline", params={"from": "2025-10-01", "to": "2025-10-31"})
    assert page.status_code == 200
    svg = page.text[page.text.index("<svg"):page.text.index("</svg>")]
    assert "<title>Crossed: 18</title>" in svg and "<title>Case opened: 14</title>" in svg
    assert "<title>Departed: 0</title>" in svg
    assert "Repatriations are not recorded in Passage yet" not in page.text
    download = client.get("/stats/pipeline.csv", params={"from": "2025-10-01",
                                                          "to": "2025-10-31"})
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [(r["code"], r["crossed"], r["interview"]) for r in rows] == [
        ("IN", "13", "8"), ("PH", "5", "4"), ("", "18", "12")]
    bad = client.get("/stats/pipeline", params={"from": "someday"})
    assert bad.status_code == 422 and 'id="e-q-from"' in bad.text


@pytest.mark.parametrize(("start", "end", "earliest", "expected"), [
    (date(2025, 10, 23), date(2025, 10, 23), None, ["2025-10"]),
    (date(2024, 2, 10), date(2024, 3, 11), None, ["2024-02", "2024-03"]),
    (None, date(2025, 2, 3), date(2024, 12, 5), ["2024-12", "2025-01", "2025-02"]),
    (None, date(2025, 2, 3), None, []),
])
def test_published_months_are_the_whole_months_the_range_meets(start, end, earliest,
                                                               expected):
    plan = published_months(start, end, earliest=earliest)
    assert [m.key for m in plan.months] == expected
    assert plan.months[0].first.day == 1 if expected else True
    assert Month.of(date(2024, 2, 10)).last == date(2024, 2, 29)


def test_published_months_stop_before_the_current_month():
    current = Month.of(local_today())
    last = Month.of(current.first - timedelta(days=1))
    assert [m.key for m in published_months(last.first, None, earliest=None).months] == \
        [last.key]
    assert published_months(current.first, None, earliest=None).months == []
    far = published_months(last.first, current.last + timedelta(days=400), earliest=None)
    assert [m.key for m in far.months] == [last.key]
    assert far.as_of == local_day_start(current.first)


def test_publish_hides_zeros_too_and_protects_a_lone_small_cell():
    table = publish([[12], [3], [20]], width=1, threshold=5, exact=False)
    assert table.cells[1] == ["<5"]
    # 35 - 12 - 20 would give the 3 away: another cell or the total is hidden as well
    hidden = [row[0] for row in table.cells if not isinstance(row[0], int)]
    assert len(hidden) >= 2 or not isinstance(table.grand_total, int)
    zeros = publish([[0, 7], [6, 9]], width=2, threshold=5, exact=False)
    assert zeros.cells[0][0] == "<5"
    assert publish([[0, 7], [6, 9]], width=2, threshold=5, exact=True).cells == [[0, 7], [6, 9]]
    nobody = publish([], width=3, threshold=5, exact=False)
    assert nobody.column_totals == ["<5"] * 3 and nobody.grand_total == "<5"


def test_a_period_with_no_crossing_answers_every_column(client, world, login_as):
    for role in ("coordinator", "caseworker", "border_official"):
        result = _pipeline(client, login_as(role).headers, **{"from": "2000-01-01",
                                                               "to": "2000-01-31"})
        assert result["rows"] == []
        assert set(result["overall"]) == {c["key"] for c in result["columns"]}
        assert result["overall"]["crossed"] == 0


def test_a_month_is_named_in_the_readers_language(client, world, session):
    """The month headings come from Babel in the request's locale, not strftime's English."""
    user, password = factories.make_user(session, role="caseworker")
    session.commit()
    assert sign_in(client, user.username, password).status_code == 303
    params = {"from": "2025-09-01", "to": "2025-10-31"}  # two months: a table each
    english = client.get("/stats/pipeline", params=params).text
    assert "Crossed in October 2025: 18" in english
    user.preferred_language = "th"
    session.add(user)
    session.commit()
    thai = client.get("/stats/pipeline", params=params).text
    assert "ตุลาคม 2025" in thai and "October" not in thai
