"""The cases list as a work queue: each case's person, nationality, status, next step and how
long it has waited; a filter for each next step; sorted by the server; the caseworker's own
waiting cases on the home page; a new case's page leads with the intake interview."""

import re
from datetime import UTC, timedelta

import pytest

from app.cases import next_step
from app.clock import local_date, local_today, utcnow
from tests import factories
from tests.pages import sign_in


def _days_ago(days: int):
    return utcnow() - timedelta(days=days)


def _waited(days: int) -> str:
    """How the page says a wait begun `days` ago: in days of the local calendar."""
    return f"{(local_today() - local_date(_days_ago(days))).days} days"


@pytest.fixture
def queue(session):
    """Six cases of one caseworker, one waiting for each next step (and a closed one)."""
    org = factories.make_organization(session, name="Queue Care")
    naw, _ = factories.make_user(session, role="caseworker", organization=org, username="q-naw")
    factories.make_user(session, role="coordinator", username="q-coord")
    cases = {}

    def case(step: str, given: str, nationality: str, opened: int, **kw):
        person = factories.make_person(session, organization=org, given_name=given,
                                       family_name="Test", nationality_code=nationality)
        c = factories.make_case(session, person=person, organization=org, assigned_to=naw, **kw)
        c.created_at = _days_ago(opened)
        session.add(c)
        cases[step] = c
        return c

    case("interview", "Aung", "MM", 10)
    decide = case("decide", "Bui", "VN", 30)
    factories.make_screening(session, case=decide, created_by=naw, at=_days_ago(5))
    for step, given, nationality, opened in (("follow_up", "Chen", "CN", 40),
                                             ("referral", "Dewi", "ID", 50),
                                             ("none", "Esra", "TR", 60)):
        c = case(step, given, nationality, opened, status="determined")
        screening = factories.make_screening(session, case=c, created_by=naw,
                                             at=_days_ago(opened - 1))
        factories.make_determination(session, case=c, outcome="trafficking_victim",
                                     decided_by=naw, screening=screening,
                                     at=_days_ago(opened - 2))
    factories.make_follow_up(session, case=cases["follow_up"], title="Call the embassy",
                             due_on=local_today() - timedelta(days=3))
    factories.make_follow_up(session, case=cases["none"], title="Later",
                             due_on=local_today() + timedelta(days=7))
    factories.make_referral(session, case=cases["referral"], created_by=naw,
                            at=_days_ago(20))
    case("closed", "Farah", "PK", 70, status="closed")
    next_step.refresh(session, [c.id for c in cases.values()])  # opened days ago
    session.commit()
    return cases


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in body.split("</tr>") if "<td" in row]


def test_cases_list_shows_person_nationality_status_next_step_and_waiting(client, queue):
    sign_in(client, "q-naw", factories.DEFAULT_PASSWORD)
    page = client.get("/cases")
    assert page.status_code == 200
    rows = _rows(page.text)
    # longest waiting first; cases waiting for nothing last
    assert [r.split(" ")[1] for r in rows] == ["Dewi", "Aung", "Bui", "Chen", "Esra", "Farah"]
    by_name = {r.split(" ")[1]: r for r in rows}
    assert f"Myanmar MM Open Intake interview {_waited(10)}" in by_name["Aung"]
    assert f"Decide {_waited(5)}" in by_name["Bui"]
    assert "Determined Follow-up due 3 days" in by_name["Chen"]
    assert f"Referral pending {_waited(20)}" in by_name["Dewi"]
    assert by_name["Esra"].endswith("Nothing waiting —")
    assert "Closed Closed —" in by_name["Farah"]


@pytest.mark.parametrize(("step", "name"), [
    ("interview", "Aung"), ("decide", "Bui"), ("follow_up", "Chen"), ("referral", "Dewi"),
    ("none", "Esra"), ("closed", "Farah")])
def test_each_next_step_is_a_filter(client, queue, step, name):
    sign_in(client, "q-naw", factories.DEFAULT_PASSWORD)
    page = client.get("/cases", params={"next_step": step})
    assert page.status_code == 200
    assert [r.split(" ")[1] for r in _rows(page.text)] == [name]
    assert "1 case waiting for" in page.text


@pytest.mark.parametrize(("sort", "names"), [
    ("name", ["Aung", "Bui", "Chen", "Dewi", "Esra", "Farah"]),
    ("-name", ["Farah", "Esra", "Dewi", "Chen", "Bui", "Aung"]),
    ("-waiting", ["Chen", "Bui", "Aung", "Dewi", "Esra", "Farah"]),
    ("nationality", ["Chen", "Dewi", "Aung", "Farah", "Esra", "Bui"]),
    ("next", ["Aung", "Bui", "Chen", "Dewi", "Esra", "Farah"]),
    ("opened", ["Aung", "Bui", "Chen", "Dewi", "Esra", "Farah"]),
])
def test_the_server_sorts_the_cases(client, queue, sort, names):
    sign_in(client, "q-naw", factories.DEFAULT_PASSWORD)
    page = client.get("/cases", params={"sort": sort})
    assert page.status_code == 200
    assert [r.split(" ")[1] for r in _rows(page.text)] == names
    # the column headers are links that sort, and say which way the table is sorted
    if sort.lstrip("-") != "opened":
        assert 'aria-sort="' in page.text and "sort=" in page.text


def test_a_filter_the_form_never_offers_is_answered_in_words(client, queue):
    sign_in(client, "q-naw", factories.DEFAULT_PASSWORD)
    page = client.get("/cases", params={"next_step": "lunch"})
    assert page.status_code == 422
    assert "<h1>Cases</h1>" in page.text
    assert 'id="e-q-next_step">Choose one of the options offered</p>' in page.text


def test_home_page_lists_the_caseworkers_waiting_cases(client, queue):
    sign_in(client, "q-naw", factories.DEFAULT_PASSWORD)
    home = client.get("/").text
    section = home.split('id="your-cases"', 1)[1].split("</section>", 1)[0]
    rows = _rows(section)
    assert [r.split(" ")[1] for r in rows] == ["Dewi", "Aung", "Bui", "Chen"]
    assert "4 of your cases wait for a step" in section


def test_coordinator_sees_the_queue_without_indicators(client, queue):
    sign_in(client, "q-coord", factories.DEFAULT_PASSWORD)
    page = client.get("/cases", params={"next_step": "decide"})
    assert page.status_code == 200
    assert [r.split(" ")[1] for r in _rows(page.text)] == ["Bui"]


def test_new_case_page_leads_with_one_primary_button(client, queue):
    sign_in(client, "q-naw", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{queue['interview'].id}").text
    main = page.split("<main", 1)[1]
    primaries = re.findall(r'<(?:a|button)[^>]*class="[^"]*\bprimary\b[^"]*"[^>]*>([^<]*)<', main)
    assert primaries == ["Start the intake interview"]
    assert main.index("Start the intake interview") < main.index('id="determination-h"')
    assert f'action="/cases/{queue["interview"].id}/determination"' not in main
    assert "recorded after the intake interview" in main
    # once interviewed, the determination form is there
    later = client.get(f"/cases/{queue['decide'].id}").text
    assert f'action="/cases/{queue["decide"].id}/determination"' in later
    assert "Start the intake interview" not in later


def test_waiting_sorts_by_the_thai_days_the_page_shows(client, session):
    """07:00 Thai time is midnight UTC: a wait begun at 23:00 Thai time and one begun at 06:00
    the next morning fall on one UTC day but on two Thai days. Sorted by UTC days they tied
    and the newer case came first, under the older wait's longer 'days' (as the attack)."""
    from datetime import datetime, time

    from app.clock import LOCAL_TZ

    org = factories.make_organization(session, name="Thai Days Care")
    naw, _ = factories.make_user(session, role="caseworker", organization=org,
                                 username="td-naw")
    day = local_today() - timedelta(days=5)
    opened = {"Late": datetime.combine(day - timedelta(days=1), time(23, 0), tzinfo=LOCAL_TZ),
              "Early": datetime.combine(day, time(6, 0), tzinfo=LOCAL_TZ)}
    assert opened["Late"].astimezone(UTC).date() == opened["Early"].astimezone(UTC).date()
    for given in ("Late", "Early"):  # the older wait gets the lower id: the tie-break loses it
        person = factories.make_person(session, organization=org, given_name=given,
                                       family_name="Days", nationality_code="MM")
        c = factories.make_case(session, person=person, organization=org, assigned_to=naw)
        c.created_at = opened[given]
        session.add(c)
        next_step.refresh(session, [c.id])
    session.commit()
    sign_in(client, "td-naw", factories.DEFAULT_PASSWORD)
    for sort, expected in (("waiting", ["Late", "Early"]), ("-waiting", ["Early", "Late"])):
        rows = _rows(client.get("/cases", params={"sort": sort}).text)
        assert [r.split(" ")[1] for r in rows] == expected
        waited = [int(re.search(r"(\d+) days?$", r).group(1)) for r in rows]
        assert waited == sorted(waited, reverse=sort == "waiting")
        assert waited[0] != waited[1]
