"""A month is published once to roles without exact counts (app.reports.publication): the
statistics export and the outcome counts (API and page) print the same value for every cell
they share, and a reader of both together can pin no hidden count. Through HTTP, as the
attack: the export's nationality × determination and × sex, the outcome counts' nationality
× suggestion and × determination, one linear program over all of them."""

import html
import re

from tests import factories
from tests.pages import sign_in
from tests.reports.attacker import attack_month
from tests.reports.test_statistics_export import (
    OCTOBER,
    _published,
    cohort,  # noqa: F401  (a fixture)
)

OUTCOMES = ("trafficking_victim", "willing_worker", "undetermined", "none")
SEXES = ("female", "male", "other", "unknown")


def _both(client, login_as, role="border_official"):
    headers = login_as(role).headers
    export = _published(client.get(f"/api/v1/reports/statistics?{OCTOBER}", headers=headers))
    counts = client.get(f"/api/v1/stats/outcomes?{OCTOBER}", headers=headers)
    assert counts.status_code == 200
    body = counts.json()
    stats = {row[1] or None: row[2:] for row in export[1:-1]}
    return stats, export[-1][2:], body


def test_every_shared_cell_is_the_same_in_both_answers(client, login_as, cohort):  # noqa: F811
    stats, total, body = _both(client, login_as)
    assert {row["code"] for row in body["rows"]} == set(stats)
    hidden = 0
    for row in body["rows"]:
        cells = stats[row["code"]]
        assert [str(row["determinations"][k]) for k in OUTCOMES] == cells[:4], row["code"]
        assert str(row["cases"]) == cells[4], row["code"]
        hidden += sum(not str(c).isdigit() for c in cells[:5]
                      ) if row["code"] in ("IN", "PH", "CN") else 0
    assert [str(body["determinations"][k]) for k in OUTCOMES] == total[:4]
    assert str(body["cases"]) == total[4]
    assert hidden >= 3  # the month has small cells, and they are hidden in both


def test_the_outcome_page_prints_the_same_month(client, session, login_as, cohort):  # noqa: F811
    stats, _, _ = _both(client, login_as)
    factories.make_user(session, role="border_official", username="one-net")
    session.commit()
    client.cookies.clear()
    sign_in(client, "one-net", factories.DEFAULT_PASSWORD)
    page = client.get(f"/stats/outcomes?{OCTOBER}")
    assert page.status_code == 200
    for code in ("IN", "PH", "CN"):
        row = re.search(r'<span class="code">' + code + r"</span></th>(.*?)</tr>", page.text)
        cells = [html.unescape(c).strip() for c in re.findall(r'<td class="num">(.*?)</td>',
                                                              row.group(1))]
        # cases, four suggestions, four determinations
        assert cells[0] == stats[code][4], code
        assert cells[5:9] == stats[code][:4], code


def test_both_answers_together_pin_no_hidden_count(client, login_as, cohort):  # noqa: F811
    stats, total, body = _both(client, login_as)
    truth = {row["code"]: row for row in client.get(
        f"/api/v1/stats/outcomes?{OCTOBER}",
        headers=login_as("coordinator").headers).json()["rows"]}
    suggestions = list(body["suggestions"])
    # the nationalities with cases, and two without: every other row is like these
    chosen = [r for r in body["rows"] if r["code"] in truth]
    chosen += [r for r in body["rows"] if r["code"] not in truth][:2]
    others = [r for r in body["rows"] if r not in chosen]
    rows = []
    for row in chosen + others:
        cells = stats[row["code"]]
        rows.append((cells[4], [[row["suggestions"][k] for k in suggestions], cells[:4],
                                cells[5:]]))
    totals = (total[4], [[body["suggestions"][k] for k in suggestions], total[:4], total[5:]])
    targets = []
    for i, (cases, tables) in enumerate(rows[:len(chosen)]):
        if not str(cases).isdigit():
            targets.append(("row", i))
        targets += [("cell", t, i, j) for t in range(3) for j, label in enumerate(tables[t])
                    if not str(label).isdigit()]
    assert len(targets) >= 10
    for target, (low, high) in zip(targets, attack_month(rows, totals, [4, 4, 4], targets),
                                   strict=True):
        assert high - low > 0.5, (target, low, high)


def test_coordinators_keep_exact_counts_in_both(client, login_as, cohort):  # noqa: F811
    stats, total, body = _both(client, login_as, "coordinator")
    assert body["exact"] is True
    ph = next(r for r in body["rows"] if r["code"] == "PH")
    assert ph["cases"] == 11 and stats["PH"][4] == "11"
