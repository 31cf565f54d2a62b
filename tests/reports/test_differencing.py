"""Issue 10 part 2, the differencing attack, written as the security tester ran it: a border
official and a caseworker ask for counts beyond crossings over nested and overlapping ranges
(one day and one month apart) and subtract the answers, or poll one range before and after a
case is registered or a determination recorded, hoping for a difference of 1 to 4 that
isolates someone: in the outcome counts, the statistics export and the pipeline.

The world is built in the three calendar months before the current (Thai) one, whatever the
day the tests run: a crowd in every month, and in each month someone alone in their cell (an
Indian woman determined a trafficking victim, a Pakistani man who went through every stage, a
Bangladeshi woman). Coordinators still read exact counts, for any range, as things stand."""

import csv
import io
import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import select

from app.cases.models import CaseStatusChange
from app.clock import LOCAL_TZ, local_today
from app.repatriation.models import RepatriationStageChange
from app.reports.disclosure import Month
from app.reports.models import PublishedMonth
from tests import factories
from tests.conftest import one_world_per_module
from tests.reports.test_statistics_export import NO_INDICATORS, VICTIM

DAY = timedelta(days=1)


def _months() -> list[Month]:
    """The three completed months before the current one, oldest first, and the current."""
    current = Month.of(local_today())
    m1 = Month.of(current.first - DAY)
    m2 = Month.of(m1.first - DAY)
    m3 = Month.of(m2.first - DAY)
    return [m3, m2, m1, current]


def _at(day, hour=10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).astimezone(UTC)


class World:
    def __init__(self, session):
        self.session = session
        self.org = factories.make_organization(session, name="Border Care Foundation")
        self.worker, _ = factories.make_user(session, role="caseworker", organization=self.org)

    def person(self, nationality, sex, day, *, answers=None, outcome=None, referral=False,
               repatriation=None, closed=None):
        """Someone who crossed on `day` and, that day and the next, went as far as told; each
        record recorded when it happened."""
        s = self.session
        when = _at(day)
        person = factories.make_person(s, organization=self.org, nationality_code=nationality,
                                       sex=sex)
        factories.make_crossing(s, person=person, crossed_at=when, created_at=when)
        case = factories.make_case(s, person=person, organization=self.org)
        case.created_at = case.updated_at = when
        s.add(CaseStatusChange(case_id=case.id, to_status="open", event="opened",
                               changed_at=when))
        later = when + timedelta(hours=5)
        if answers is not None:
            screening = factories.make_screening(s, case=case, answers=answers, at=later)
            if outcome:
                factories.make_determination(s, case=case, outcome=outcome, screening=screening,
                                             decided_by=self.worker, at=later)
        if referral:
            factories.make_referral(s, case=case, created_by=self.worker, at=later)
        if repatriation:
            rep = factories.make_repatriation(s, case=case, created_by=self.worker,
                                              stage=repatriation)
            for change in s.exec(select(RepatriationStageChange).where(
                    RepatriationStageChange.repatriation_id == rep.id)):
                change.changed_at = later
        if closed:
            case.status, case.closure_reason = "closed", closed
            s.add(CaseStatusChange(case_id=case.id, from_status="open", to_status="closed",
                                   event="closed", reason=closed, changed_at=later))
        s.flush()
        return case


def _make_world(session) -> World:
    w = World(session)
    m3, m2, m1, _ = _months()
    for month in (m3, m2, m1):
        for k in range(18):
            day = month.first + timedelta(days=k % 27)
            w.person("IN", "male", day, answers=VICTIM, outcome="trafficking_victim",
                     referral=k % 2 == 0, repatriation="departed" if k < 6 else None,
                     closed="repatriated" if k < 6 else None)
        for k in range(9):
            w.person("IN", "female", month.first + timedelta(days=k), answers=VICTIM,
                     outcome="trafficking_victim")
        for k in range(8):
            w.person("PH", "female", month.first + timedelta(days=k + 3), answers=VICTIM)
        for k in range(7):
            w.person("CN", "male", month.first + timedelta(days=k + 5),
                     answers=NO_INDICATORS, outcome="willing_worker")
    # alone in their cells: the people the tester tried to single out
    w.person("IN", "female", m1.last, answers=VICTIM, outcome="trafficking_victim")
    w.person("PK", "male", m2.first + timedelta(days=14), answers=VICTIM,
             outcome="trafficking_victim", referral=True, repatriation="departed",
             closed="repatriated")
    w.person("BD", "female", m3.first + timedelta(days=20), answers=VICTIM,
             outcome="trafficking_victim")
    session.commit()
    return w


# made once for the module: making it cost more than any of its tests
_module_connection, connection, _world, world = one_world_per_module(_make_world)


def _ranges(*, few: bool = False) -> list[tuple[str, str]]:
    """Nested and overlapping ranges: month ends, one day in, one day out, one month apart,
    and ends in the current month (not yet published to them). `few`: the last two months'
    (the statistics export, 4,000 rows a month, takes longer to read)."""
    m3, m2, m1, current = _months()
    starts = [m3.first, m3.first + DAY, m2.first, m2.first - DAY, m1.first]
    ends = [m3.last, m2.last - DAY, m2.last, m1.last - DAY, m1.last, local_today(),
            current.last]
    if few:
        starts, ends = [m2.first, m2.first + DAY, m1.first], [m2.last, m1.last - DAY,
                                                              m1.last, local_today()]
    return [(a.isoformat(), b.isoformat()) for a in starts for b in ends if a <= b]


# --- reading each feature as a set of cells -----------------------------------------------

def _outcome_cells(body) -> dict[tuple, object]:
    """Every published number of an outcome answer, keyed by (table, row, column); the table
    is its month, or "range" for a total over the range as asked."""
    tables = body["months"] if body["months"] is not None else [body]
    cells = {}
    for table in tables:
        key = table.get("month") or ("range" if body["exact"] else table["from"][:7])
        cells[(key, "total", "cases")] = table["cases"]
        for name in ("suggestions", "determinations"):
            for k, v in (table[name] or {}).items():
                cells[(key, "total", f"{name}.{k}")] = v
        for row in table["rows"]:
            cells[(key, row["code"], "cases")] = row["cases"]
            for name in ("suggestions", "determinations"):
                for k, v in row[name].items():
                    cells[(key, row["code"], f"{name}.{k}")] = v
            for s, pairs in (row["pairs"] or {}).items():  # coordinators only
                for o, v in pairs.items():
                    cells[(key, row["code"], f"{s}/{o}")] = v
    return cells


def _top_level(body) -> dict[tuple, object]:
    """What the tester compared: the answer's own figures, whatever its range."""
    if body["months"] is not None:
        assert body["cases"] is None and body["rows"] == []
        return {}
    return {k[1:]: v for k, v in _outcome_cells(body).items()}


def _statistics_cells(text: str) -> tuple[dict, dict]:
    """(cells keyed by (month, row, sex), the figures without their month)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert header[0] == "Month"
    by_month, flat = {}, {}
    for row in body:  # month, nationality, code, then the two tables' numbers
        for j, value in enumerate(row[3:]):
            by_month[(row[0], *row[1:3], header[3 + j])] = value
            flat.setdefault((*row[1:3], header[3 + j]), []).append(value)
    return by_month, flat


def _pipeline_cells(body) -> dict[tuple, object]:
    tables = body["months"] if body["months"] is not None else [body]
    cells = {}
    for table in tables:
        key = table.get("month") or ("range" if body["exact"] else table["from"][:7])
        for column, v in table["overall"].items():
            cells[(key, "total", column)] = v
        for row in table["rows"]:
            for column, v in row["counts"].items():
                cells[(key, row["code"], column)] = v
    return cells


def _small_differences(a: dict, b: dict, *, skip=()) -> list:
    """The cells both answers publish as numbers whose difference is 1 to 4."""
    found = []
    for key in a.keys() & b.keys():
        x, y = a[key], b[key]
        if any(part in skip for part in key):
            continue
        if isinstance(x, int) and isinstance(y, int) and 1 <= abs(x - y) <= 4:
            found.append((key, x, y))
    return found


def _overlapping(answers: dict):
    """Every pair of answers whose ranges overlap (nested ones included): the pairs a
    subtraction could isolate someone with."""
    for (r1, a), (r2, b) in itertools.combinations(answers.items(), 2):
        if r1[0] <= r2[1] and r2[0] <= r1[1]:
            yield (r1, a), (r2, b)


def _same_month_everywhere(answers: dict, cells_of) -> None:
    """A month's table reads the same in every answer it is part of: no range, nested or
    overlapping, gives it differently."""
    seen: dict[str, tuple] = {}
    for r, answer in answers.items():
        tables: dict[str, dict] = {}
        for key, value in cells_of(answer).items():
            tables.setdefault(key[0], {})[key[1:]] = value
        for month, cells in tables.items():
            if month in seen:
                first, where = seen[month]
                assert cells == first, (month, r, where)
            else:
                seen[month] = (cells, r)


def _get(client, headers, path, start, end):
    response = client.get(path, headers=headers, params={"from": start, "to": end})
    assert response.status_code == 200, response.text
    return response


# --- outcome counts -------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["border_official", "caseworker"])
def test_outcome_ranges_one_day_or_one_month_apart_differ_by_no_small_count(
        client, login_as, world, role):
    headers = login_as(role, organization="Another NGO").headers
    answers = {r: _get(client, headers, "/api/v1/stats/outcomes", *r).json()
               for r in _ranges()}
    assert all(body["exact"] is False for body in answers.values())
    tops = {r: _top_level(body) for r, body in answers.items()}
    for (r1, a), (r2, b) in _overlapping(tops):
        # the tester's subtraction of the answers' own figures
        assert not _small_differences(a, b), (r1, r2)
    # and month by month: a month reads the same whatever range it came in
    _same_month_everywhere(answers, _outcome_cells)


def test_outcome_answers_never_add_months_up(client, login_as, world):
    m3, m2, m1, current = _months()
    headers = login_as("caseworker").headers
    body = _get(client, headers, "/api/v1/stats/outcomes", m3.first.isoformat(),
                current.last.isoformat()).json()
    assert body["cases"] is None and body["suggestions"] is None and body["rows"] == []
    assert [m["month"] for m in body["months"]] == [m3.key, m2.key, m1.key]  # not the current
    assert all(len(m["rows"]) > 200 for m in body["months"])  # every nationality, every month
    one = _get(client, headers, "/api/v1/stats/outcomes", m1.first.isoformat(),
               m1.last.isoformat()).json()
    assert one["months"] is None and (one["from"], one["to"]) == (m1.first.isoformat(),
                                                                  m1.last.isoformat())
    assert one["cases"] == body["months"][-1]["cases"]
    nothing = _get(client, headers, "/api/v1/stats/outcomes", current.first.isoformat(),
                   current.last.isoformat()).json()
    assert nothing["months"] == [] and nothing["cases"] is None


# --- the statistics export ----------------------------------------------------------------

def test_statistics_ranges_one_day_or_one_month_apart_differ_by_no_small_count(
        client, login_as, world):
    headers = login_as("border_official").headers
    answers = {}
    for r in _ranges(few=True):
        text = _get(client, headers, "/api/v1/reports/statistics", *r).content.decode(
            "utf-8-sig")
        answers[r] = _statistics_cells(text)
    _same_month_everywhere({r: months for r, (months, _) in answers.items()},
                           lambda months: months)
    # the tester's subtraction, row by row, where each answer has one figure for the row
    # (a range of several months has one per month, never one for the range)
    singles = {r: {k: v[0] for k, v in flat.items()} for r, (_, flat) in answers.items()
               if all(len(v) == 1 for v in flat.values())}
    for (r1, a), (r2, b) in _overlapping(singles):
        for key in a.keys() & b.keys():
            if a[key].isdigit() and b[key].isdigit():
                assert not 1 <= abs(int(a[key]) - int(b[key])) <= 4, (r1, r2, key)


def test_statistics_export_has_a_month_column_and_no_total_across_months(
        client, login_as, world):
    m3, m2, m1, _ = _months()
    response = _get(client, login_as("border_official").headers,
                    "/api/v1/reports/statistics", m3.first.isoformat(), local_today().isoformat())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["Month", "Nationality"]
    assert {r[0] for r in rows[1:]} == {m3.key, m2.key, m1.key}
    totals = [r for r in rows[1:] if r[1] == "Total"]
    assert [t[0] for t in totals] == [m3.key, m2.key, m1.key]  # one a month, none overall
    assert response.headers["X-Passage-Period"] == f"{m3.first}/{m1.last}"
    assert response.headers["X-Passage-As-Of"].startswith(
        datetime.combine(local_today().replace(day=1), time(),
                         tzinfo=LOCAL_TZ).isoformat()[:10])


# --- the pipeline ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["border_official", "caseworker"])
def test_pipeline_ranges_one_day_or_one_month_apart_differ_by_no_small_count(
        client, login_as, world, role):
    headers = login_as(role, organization="Another NGO").headers
    answers = {r: _get(client, headers, "/api/v1/stats/pipeline", *r).json()
               for r in _ranges()}
    _same_month_everywhere(answers, _pipeline_cells)
    tops = {r: {k[1:]: v for k, v in _pipeline_cells(body).items()}
            for r, body in answers.items() if body["months"] is None}
    for (r1, a), (r2, b) in _overlapping(tops):
        # crossings are exact for everyone and not the subject; every stage beyond them is
        assert not _small_differences(a, b, skip=("crossed",)), (r1, r2)


def test_pipeline_months_are_tables_of_their_own_in_json_and_csv(client, login_as, world):
    m3, m2, m1, _ = _months()
    headers = login_as("caseworker").headers
    body = _get(client, headers, "/api/v1/stats/pipeline", m3.first.isoformat(),
                m1.last.isoformat()).json()
    assert body["overall"] is None and body["rows"] == []
    assert [m["month"] for m in body["months"]] == [m3.key, m2.key, m1.key]
    response = client.get("/api/v1/stats/pipeline", headers=headers, params={
        "from": m3.first.isoformat(), "to": m1.last.isoformat(), "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["month", "code", "nationality"]
    assert [r[0] for r in rows[1:] if r[2] == "Total"] == [m3.key, m2.key, m1.key]


# --- polling: what is recorded this month changes nothing they read -----------------------

def _published_anew(session) -> None:
    """Forget the stored publications (app.reports.month_store): the next reading publishes
    every month again from the records, as a first reading does. Once stored, a month never
    changes whatever is recorded; this checks that its first publication, made after the
    records below, counts only what was recorded before the month ended."""
    session.exec(delete(PublishedMonth))
    session.commit()


def _everything(client, headers, *, statistics: bool):
    m3, *_ = _months()
    start, end = m3.first.isoformat(), local_today().isoformat()
    read = [_get(client, headers, "/api/v1/stats/outcomes", start, end).json(),
            _get(client, headers, "/api/v1/stats/pipeline", start, end).json(),
            _get(client, headers, "/api/v1/stats/pipeline", start, end).json()]
    for month in _months()[:3]:
        read.append(_get(client, headers, "/api/v1/stats/outcomes", month.first.isoformat(),
                         month.last.isoformat()).json())
    if statistics:
        read.append(_get(client, headers, "/api/v1/reports/statistics", start, end).content)
    return read


@pytest.mark.parametrize("role", ["border_official", "caseworker"])
def test_records_added_this_month_change_nothing_they_read(client, login_as, world, session,
                                                           role):
    headers = login_as(role, organization="Another NGO").headers
    before = _everything(client, headers, statistics=role == "border_official")
    _, m2, m1, _ = _months()
    today = local_today()
    # a case registered today, screened and determined today
    world.person("IN", "female", today, answers=VICTIM, outcome="trafficking_victim",
                 referral=True)
    # a crossing recorded today for a day of last month, of someone with a case
    late = factories.make_person(session, organization=world.org, nationality_code="PK",
                                 sex="male")
    factories.make_crossing(session, person=late, crossed_at=_at(m1.first + DAY))
    factories.make_case(session, person=late, organization=world.org)
    session.commit()
    assert _everything(client, headers, statistics=role == "border_official") == before
    _published_anew(session)
    assert _everything(client, headers, statistics=role == "border_official") == before


@pytest.mark.parametrize("role", ["border_official", "caseworker"])
def test_a_determination_recorded_today_changes_nothing_they_read(client, login_as, world,
                                                                  session, role):
    headers = login_as(role, organization="Another NGO").headers
    _, m2, m1, _ = _months()
    # last month's Chinese men: one determined again today, one referred, one sent home,
    # one case closed; the Filipino women (never determined): one determined today
    case = world.person("CN", "male", m1.first + DAY, answers=NO_INDICATORS)
    session.commit()
    before = _everything(client, headers, statistics=role == "border_official")
    factories.make_determination(session, case=case, outcome="trafficking_victim",
                                 decided_by=world.worker, at=datetime.now(UTC))
    factories.make_referral(session, case=case, created_by=world.worker, at=datetime.now(UTC))
    factories.make_repatriation(session, case=case, created_by=world.worker, stage="departed")
    case.status, case.closure_reason = "closed", "repatriated"
    session.add(CaseStatusChange(case_id=case.id, from_status="open", to_status="closed",
                                 event="closed", reason="repatriated"))
    session.commit()
    assert _everything(client, headers, statistics=role == "border_official") == before
    _published_anew(session)
    assert _everything(client, headers, statistics=role == "border_official") == before


@pytest.mark.parametrize("role", ["border_official", "caseworker"])
def test_a_month_once_published_never_changes(client, login_as, world, session, role):
    """The attack through the turn of a month: read a month's table, let a later month pass in
    which that month's people were determined, referred and sent home, and read it again.
    A month counts what was recorded before it ended, so its table, once published, stays as
    it was (here: records of two months ago, completed in last month, change nothing)."""
    headers = login_as(role, organization="Another NGO").headers
    _, m2, m1, _ = _months()
    case = world.person("CN", "male", m2.first + DAY, answers=NO_INDICATORS)
    session.commit()
    before = _everything(client, headers, statistics=role == "border_official")
    later = _at(m1.first + DAY)  # recorded last month: counted for last month's table only
    factories.make_determination(session, case=case, outcome="trafficking_victim",
                                 decided_by=world.worker, at=later)
    factories.make_referral(session, case=case, created_by=world.worker, at=later)
    session.add(CaseStatusChange(case_id=case.id, from_status="open", to_status="closed",
                                 event="closed", reason="repatriated", changed_at=later))
    case.status, case.closure_reason = "closed", "repatriated"
    session.commit()
    after = _everything(client, headers, statistics=role == "border_official")
    assert after == before
    _published_anew(session)
    assert _everything(client, headers, statistics=role == "border_official") == before


# --- coordinators ---------------------------------------------------------------------------

def test_coordinators_still_read_exact_counts_for_any_range_as_things_stand(
        client, login_as, world, session):
    headers = login_as("coordinator").headers
    _, m2, m1, _ = _months()
    day = m1.last.isoformat()
    body = _get(client, headers, "/api/v1/stats/outcomes", day, day).json()
    assert body["exact"] is True and body["months"] is None and body["as_of"] is None
    assert body["cases"] == 1
    [row] = body["rows"]
    assert row["code"] == "IN"
    assert row["pairs"]["trafficking_victim"]["trafficking_victim"] == 1
    pk_day = (m2.first + timedelta(days=14)).isoformat()
    pipeline = _get(client, headers, "/api/v1/stats/pipeline", pk_day, pk_day).json()
    pakistan = next(r for r in pipeline["rows"] if r["code"] == "PK")["counts"]
    assert pakistan["crossed"] == pakistan["determined"] == pakistan["departed"] == 1
    assert pakistan["closed_repatriated"] == 1
    # and what is recorded today counts at once
    world.person("BD", "female", local_today(), answers=VICTIM, outcome="willing_worker")
    session.commit()
    today = local_today().isoformat()
    now = _get(client, headers, "/api/v1/stats/outcomes", today, today).json()
    assert now["cases"] == 1
    assert now["rows"][0]["pairs"]["trafficking_victim"]["willing_worker"] == 1
    rows = list(csv.reader(io.StringIO(_get(
        client, headers, "/api/v1/reports/statistics", today, today).content.decode(
        "utf-8-sig"), newline="")))
    assert rows[0][0] == "Nationality"  # no month column: one exact table
    # willing worker 1, total 1; female 1
    assert rows[-1][2:] == ["0", "1", "0", "0", "1", "1", "0", "0", "0"]


# --- the pages ------------------------------------------------------------------------------

def test_pages_show_a_table_a_month_and_say_the_rule_once(client, session, world):
    from html import escape

    from app.reports.disclosure import rule_sentence
    from tests.pages import sign_in

    m3, m2, m1, _ = _months()
    user, password = factories.make_user(session, role="caseworker")
    session.commit()
    sign_in(client, user.username, password)
    sentence = escape(rule_sentence(5), quote=True)
    params = {"from": m3.first.isoformat(), "to": local_today().isoformat()}
    outcomes = client.get("/stats/outcomes", params=params)
    assert outcomes.status_code == 200 and outcomes.text.count(sentence) == 1
    assert outcomes.text.count('<table class="outcomes">') == 3
    pipeline = client.get("/stats/pipeline", params=params)
    assert pipeline.status_code == 200 and pipeline.text.count(sentence) == 1
    for month in (m3, m2, m1):
        assert f'id="month-{month.key}"' in pipeline.text
    csv_text = client.get("/stats/pipeline.csv", params=params).content.decode("utf-8-sig")
    assert csv_text.startswith("month,code,nationality")
    # with no range, the page shows the last month that has ended
    default = client.get("/stats/outcomes")
    assert default.text.count('<table class="outcomes">') == 1
    assert "(one whole month)" in default.text


def test_a_range_of_more_months_than_one_answer_holds_is_refused_naming_from(client, login_as,
                                                                               world):
    from app.reports.disclosure import MAX_MONTHS

    m3, *_ = _months()
    start = m3.first
    for _ in range(MAX_MONTHS):
        start = Month.of(start - DAY).first
    headers = login_as("border_official").headers
    for path in ("/api/v1/stats/outcomes", "/api/v1/stats/pipeline",
                 "/api/v1/reports/statistics"):
        response = client.get(path, headers=headers, params={"from": start.isoformat()})
        assert response.status_code == 422, (path, response.text)
        assert response.json()["detail"][0]["loc"][-1] == "from"
    # coordinators ask for any range
    assert client.get("/api/v1/stats/outcomes", headers=login_as("coordinator").headers,
                      params={"from": start.isoformat()}).status_code == 200
