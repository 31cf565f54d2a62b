"""Issue 10 part 2, written as the attack: a border official (statistics export) or a
caseworker (outcome counts) who knows of one Bangladeshi woman on record tries to read her
outcome from the counts, alone or by differencing two answers whose ranges differ by a day
or by a month. The attacker is a linear program over every table consistent with what was
published (HiGHS through SciPy): the shown numbers, "<5" as 0..4, "x" as 5 or more, and every
row and column adding up to its total. Such tables form a network-flow polytope, so the LP's
bounds are reached by whole numbers: what the LP cannot pin, no one can.

Coordinators still read exact counts, for any range of days."""

import csv
import html
import io
from collections import Counter

import pytest

from app.reports.disclosure import rule_sentence
from tests import factories
from tests.conftest import one_world_per_module
from tests.pages import sign_in
from tests.reports.attacker import attack, attack_month, attack_outcomes, attack_tables
from tests.reports.test_statistics_export import NO_INDICATORS, SEXES, VICTIM

FEMALE = SEXES.index("female")
# the export's columns after the nationality and its code: 4 determinations, the total, sexes
DETERMINATIONS = ("trafficking_victim", "willing_worker", "undetermined", "none")


def _cases(session, org, decider, *, nationality, sex, n, at, answers=None, outcome=None):
    for _ in range(n):
        person = factories.make_person(session, organization=org, nationality_code=nationality,
                                       sex=sex)
        case = factories.make_case(session, person=person, organization=org)
        case.created_at = at
        if answers is not None:
            screening = factories.make_screening(session, case=case, answers=answers)
            if outcome:
                factories.make_determination(session, case=case, outcome=outcome,
                                             decided_by=decider, screening=screening)


class Cohort:
    def __init__(self, session):
        """Cases in October and November 2025, and one Bangladeshi woman, a trafficking victim,
        registered on 16 November: the only Bangladeshi on record."""
        org = factories.make_organization(session, name="Border Care Foundation")
        decider, _ = factories.make_user(session, role="caseworker", organization=org)
        for month in (10, 11):
            at = factories.aware(2025, month, 10)
            _cases(session, org, decider, nationality="IN", sex="male", n=12, at=at,
                   answers=VICTIM, outcome="trafficking_victim")
            _cases(session, org, decider, nationality="IN", sex="female", n=8, at=at,
                   answers=VICTIM, outcome="trafficking_victim")
            _cases(session, org, decider, nationality="IN", sex="male", n=6, at=at,
                   answers=NO_INDICATORS, outcome="willing_worker")
            _cases(session, org, decider, nationality="PH", sex="female", n=9, at=at,
                   answers=VICTIM)
            _cases(session, org, decider, nationality="PH", sex="male", n=3, at=at,
                   answers=VICTIM)
            _cases(session, org, decider, nationality="CN", sex="male", n=7, at=at)
        _cases(session, org, decider, nationality="BD", sex="female", n=1,
               at=factories.aware(2025, 11, 16), answers=VICTIM, outcome="trafficking_victim")
        session.commit()
        self.session, self.org = session, org


# made once for the module: making it cost more than most of its tests
_module_connection, connection, _world, world = one_world_per_module(Cohort)


def _export(client, headers, query: str) -> list[list[str]]:
    """The export's rows; for roles without exact counts, of the one month asked for,
    without the month column."""
    rows = _export_months(client, headers, query)
    if isinstance(rows, list):
        return rows
    [(_, one)] = rows.items()
    return one


def _export_months(client, headers, query: str):
    """Exact exports: the rows. Otherwise {month: that month's rows, its own header first,
    without the month column}."""
    response = client.get(f"/api/v1/reports/statistics?{query}", headers=headers)
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    if rows[0][0] not in ("month", "Month"):
        return rows
    months: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        months.setdefault(row[0], [rows[0][1:]]).append(row[1:])
    return months


def _row_of(rows, code):
    """The published cells of a nationality's row (determinations, total, sexes)."""
    return next(r[2:] for r in rows[1:] if r[1] == code)


def _body(rows) -> list[list[str]]:
    return [r[2:] for r in rows[1:]]


def _index(rows, code) -> int:
    return next(i for i, r in enumerate(rows[1:-1]) if r[1] == code)


# --- the statistics export, as a border official --------------------------------------

def test_her_rows_read_as_a_nationality_with_no_one(client, login_as, world):
    rows = _export(client, login_as("border_official").headers, "from=2025-11-01&to=2025-11-30")
    bangladesh, laos = _row_of(rows, "BD"), _row_of(rows, "LA")
    assert len(bangladesh) == 4 + 1 + 4  # every determination, the total, every sex
    assert bangladesh == laos  # the row exists for everyone: its presence says nothing
    assert set(bangladesh) == {"<5"}
    # no published number says "1" or "0" of anyone
    assert not [v for r in rows[1:] for v in r[2:] if v in {"0", "1", "2", "3", "4"}]


def test_the_export_cannot_tell_her_outcome(client, login_as, world):
    rows = _export(client, login_as("border_official").headers, "from=2025-11-01&to=2025-11-30")
    body, i = _body(rows), _index(rows, "BD")
    count = len(body) - 1
    # each determination of hers, and her being a woman, across both tables: none pinned
    for k in [*range(len(DETERMINATIONS)), 4 + FEMALE]:
        low, high = attack_tables([(body, 0)], 1, count, [(0, i, k)])
        assert low == 0 and high >= 1, (k, low, high)


def test_ranges_one_day_apart_give_the_same_export(client, login_as, world):
    headers = login_as("border_official").headers
    before = _export(client, headers, "from=2025-11-01&to=2025-11-15")
    with_her = _export(client, headers, "from=2025-11-01&to=2025-11-16")
    after = _export(client, headers, "from=2025-11-02&to=2025-11-16")
    assert before == with_her == after  # each is November, whole


def test_ranges_one_month_apart_reveal_nothing_of_her(client, login_as, world):
    # issue 10's fix, second round: October and November is no longer one table to subtract
    # October from, but October's table and November's, each published on its own
    headers = login_as("border_official").headers
    october = _export(client, headers, "from=2025-10-01&to=2025-10-31")
    both = _export_months(client, headers, "from=2025-10-01&to=2025-11-30")
    assert list(both) == ["2025-10", "2025-11"]
    assert both["2025-10"] == october  # the same month, the same table
    november = both["2025-11"]
    publications = [(_body(october), 0), (_body(november), 1)]
    assert len(_body(october)) == len(_body(november))
    for k in range(len(DETERMINATIONS)):
        target = [(1, _index(november, "BD"), k)]
        low, high = attack_tables(publications, 2, len(_body(november)) - 1, target)
        assert low == 0 and high >= 1, (DETERMINATIONS[k], low, high)


def test_the_export_names_the_rule_and_the_whole_months(client, login_as, world):
    response = client.get("/api/v1/reports/statistics?from=2025-11-05&to=2025-11-16",
                          headers=login_as("border_official").headers)
    assert response.headers["X-Passage-Period"] == "2025-11-01/2025-11-30"
    assert response.headers["X-Passage-Exact"] == "0"


def test_coordinators_still_read_exact_counts_for_one_day(client, login_as, world):
    rows = _export(client, login_as("coordinator").headers, "from=2025-11-16&to=2025-11-16")
    assert rows[1:] == [
        ["Bangladesh", "BD", "1", "0", "0", "0", "1", "1", "0", "0", "0"],
        ["Total", "", "1", "0", "0", "0", "1", "1", "0", "0", "0"],
    ]


# --- outcome counts, as a caseworker of another organisation ----------------------------

def _outcomes(client, headers, query=""):
    response = client.get(f"/api/v1/stats/outcomes?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_outcome_counts_cannot_single_her_out(client, login_as, world):
    headers = login_as("caseworker", organization="Another NGO").headers
    body = _outcomes(client, headers, "from=2025-11-01&to=2025-11-30")
    assert body["exact"] is False and body["from"] == "2025-11-01"
    rows = {r["code"]: r for r in body["rows"]}
    assert len(rows) > 200  # every nationality, whether anyone of it has a case or not
    bangladesh, laos = rows["BD"], rows["LA"]
    assert {k: v for k, v in bangladesh.items() if k not in ("code", "name")} == \
        {k: v for k, v in laos.items() if k not in ("code", "name")}
    assert bangladesh["pairs"] is None
    assert {*bangladesh["suggestions"].values(), *bangladesh["determinations"].values(),
            bangladesh["cases"]} == {"<5"}
    assert "one calendar month at a time" in body["note"]
    # the linear program cannot tell her suggestion or her determination, nor that she is
    # a case at all
    for suggestion, determination in (("trafficking_victim", "trafficking_victim"),
                                      ("willing_worker", "willing_worker")):
        by_suggestion, by_determination = attack_outcomes(body, "BD", suggestion,
                                                          determination)
        assert by_suggestion[0] == 0 and by_suggestion[1] >= 1, by_suggestion
        assert by_determination[0] == 0 and by_determination[1] >= 1, by_determination


@pytest.mark.parametrize("month", ["from=2025-10-01&to=2025-10-31",
                                   "from=2025-11-01&to=2025-11-30"])
def test_outcome_counts_hide_no_small_count_from_the_linear_program(client, login_as, world,
                                                                   month):
    # one month at a time: a range of two is two tables (app.reports.disclosure)
    body = _outcomes(client, login_as("caseworker").headers, month)
    truth = _outcomes(client, login_as("coordinator").headers, month)
    exact = {r["code"]: r for r in truth["rows"]}
    attacked = 0
    for code, row in exact.items():
        published = next(r for r in body["rows"] if r["code"] == code)
        for s_key, d_key in zip(row["suggestions"], row["determinations"], strict=True):
            small_s = 0 < row["suggestions"][s_key] and \
                not isinstance(published["suggestions"][s_key], int)
            small_d = 0 < row["determinations"][d_key] and \
                not isinstance(published["determinations"][d_key], int)
            if not (small_s or small_d):
                continue
            by_s, by_d = attack_outcomes(body, code, s_key, d_key)
            if small_s:
                assert by_s[0] < by_s[1], (code, s_key, by_s)
            if small_d:
                assert by_d[0] < by_d[1], (code, d_key, by_d)
            attacked += 1
    assert attacked >= 2


def test_outcome_counts_one_day_apart_are_the_same(client, login_as, world):
    headers = login_as("border_official").headers
    assert _outcomes(client, headers, "from=2025-11-01&to=2025-11-15") == \
        _outcomes(client, headers, "from=2025-11-01&to=2025-11-16")


def test_outcome_counts_for_coordinators_are_exact(client, login_as, world):
    body = _outcomes(client, login_as("coordinator").headers, "from=2025-11-16&to=2025-11-16")
    assert body["exact"] is True and body["cases"] == 1
    [row] = body["rows"]
    assert row["code"] == "BD"
    assert row["pairs"]["trafficking_victim"]["trafficking_victim"] == 1
    assert body["note"] == ""


def test_pages_say_the_rule_in_one_sentence(client, session, world):
    sentence = html.escape(rule_sentence(5), quote=True)
    for role in ("border_official", "caseworker", "coordinator"):
        factories.make_user(session, role=role, username=f"rule-{role}")
    session.commit()
    sign_in(client, "rule-border_official", factories.DEFAULT_PASSWORD)
    for path in ("/stats/outcomes", "/exports", "/stats/pipeline"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.text.count(sentence) == 1, path
    client.cookies.clear()
    sign_in(client, "rule-caseworker", factories.DEFAULT_PASSWORD)
    assert client.get("/stats/outcomes").text.count(sentence) == 1
    client.cookies.clear()
    sign_in(client, "rule-coordinator", factories.DEFAULT_PASSWORD)
    exports = client.get("/exports").text
    assert sentence not in exports and sentence not in client.get("/stats/outcomes").text
    assert "whole years of registration" in exports


def test_the_attacker_finds_a_count_the_totals_give_away():
    # one "<5" beside a 5 in a row of 6: the small cell is 1, and the attacker says so
    grid = [["<5", "5", "0", "0", "6"], ["<5", "5", "0", "0", "6"]]
    assert attack([(grid, [0])], 1, 4, [(0, 0)]) == (1, 1)
    # the same with the row total hidden: anything from 0 to 4
    grid = [["<5", "5", "0", "0", "x"], ["<5", "5", "0", "0", "x"]]
    assert attack([(grid, [0])], 1, 4, [(0, 0)]) == (0, 4)


def test_the_attacker_reads_a_hidden_count_through_the_other_tables_total():
    # the statistics export's two tables, suppressed one at a time: the determination table
    # hides its row total, the sex table shows it (6 men): 5 victims, so 1 willing worker
    row = ["5", "<5", "0", "0", "x", "0", "6", "0", "0"]
    assert attack_tables([([row, row], 0)], 1, 1, [(0, 0, 1)]) == (1, 1)
    # with the sex table's cells hidden as well, the same reader learns nothing
    row = ["5", "<5", "0", "0", "x", "<5", "x", "0", "0"]
    assert attack_tables([([row, row], 0)], 1, 1, [(0, 0, 1)]) == (0, 4)


@pytest.mark.parametrize("seed", range(8))
def test_random_months_leave_no_small_count_or_zero_pinned(seed):
    """A month's one publication (app.reports.publication): three tables sharing their
    rows' totals, every hidden count (zeros included) kept to more than one value by the
    linear program over all of them."""
    import random

    from app.reports import publication

    rng = random.Random(seed)
    codes = ["IN", "PH", "CN", "BD", "LA", "KE", ""]
    names = {"IN": "India", "PH": "Philippines", "CN": "China", "BD": "Bangladesh",
             "LA": "Laos", "KE": "Kenya"}
    counts = Counter()
    for code in codes:
        for _ in range(rng.choice([0, 1, 2, 3, 8, 20, 60])):
            counts[(code, rng.choice(publication.SUGGESTIONS), rng.choice(publication.OUTCOMES),
                    rng.choice(publication.SEXES))] += 1
    month = publication.publish_month(counts, names, 5)
    if month.withheld:
        assert sum(counts.values()) < 5 or month.cases == "x"
        return
    keys = publication.KEYS
    rows = [(row.cases, [[row.suggestions[k] for k in keys[0]],
                         [row.determinations[k] for k in keys[1]],
                         [row.sexes[k] for k in keys[2]]]) for row in month.rows]
    totals = (month.cases, [[month.suggestions[k] for k in keys[0]],
                            [month.determinations[k] for k in keys[1]],
                            [month.sexes[k] for k in keys[2]]])
    targets = [("row", i) for i, r in enumerate(rows) if not isinstance(r[0], int)]
    targets += [("cell", t, i, j) for i, r in enumerate(rows) for t in range(3)
                for j, label in enumerate(r[1][t]) if not isinstance(label, int)]
    for target, (low, high) in zip(targets, attack_month(rows, totals, [4, 4, 4], targets),
                                   strict=True):
        assert high - low > 0.5, (seed, target, low, high)
