"""The statistics export: one row per nationality, its cases by determination with their total
and then by sex (two tables sharing the Total column), with small-cell and secondary
suppression of both together for roles without exact counts; the integrators' layout
(nationality × suggestion × determination × sex) with labels=codes for coordinators. Through
the real stack, the attack across the two tables included."""

import csv
import io

import openpyxl
import pytest

from tests import factories
from tests.referrals.helpers import events
from tests.reports.attacker import attack_tables

SEXES = ("female", "male", "other", "unknown")
# answers that make the adult rule true: deceptive recruitment, exploitation, coercion
VICTIM = {"DR1": "yes", "DR2": "yes", "EX1": "yes", "EX2": "yes", "CD1": "yes", "CD3": "yes"}
NO_INDICATORS = {code: "no" for code in (
    "DR1", "DR2", "DR3", "DR4", "DR5", "DR6", "DR7", "CR1", "CR2", "CR3", "CR4", "CR5",
    "CR6", "VR1", "VR2", "VR3", "VR4", "VR5", "EX1", "EX2", "EX3", "EX4", "EX5", "EX6",
    "CD1", "CD2", "CD3", "CD4", "CD5", "CD6", "CD7", "CD8", "CD9", "CD10", "CD11", "VD1",
    "VD2", "VD3", "VD4", "VD5")}


def _cases(session, org, decider, *, nationality: str, sex: str, n: int, answers=None,
           outcome: str | None = None, at=None):
    for _ in range(n):
        person = factories.make_person(session, organization=org, nationality_code=nationality,
                                       sex=sex)
        case = factories.make_case(session, person=person, organization=org)
        if at is not None:
            case.created_at = at
        if answers is not None:
            screening = factories.make_screening(session, case=case, answers=answers)
            if outcome:
                factories.make_determination(session, case=case, outcome=outcome,
                                             decided_by=decider, screening=screening)


# registered, screened and determined in October 2025: a month that has ended, which roles
# without exact counts read one month at a time (app.reports.disclosure)
OCTOBER = "from=2025-10-01&to=2025-10-31"
REGISTERED = factories.aware(2025, 10, 10)


@pytest.fixture
def cohort(session):
    org = factories.make_organization(session, name="Border Care Foundation")
    decider, _ = factories.make_user(session, role="caseworker", organization=org)
    at = REGISTERED
    _cases(session, org, decider, nationality="IN", sex="male", n=12, answers=VICTIM,
           outcome="trafficking_victim", at=at)
    _cases(session, org, decider, nationality="IN", sex="female", n=3, answers=VICTIM,
           outcome="trafficking_victim", at=at)
    _cases(session, org, decider, nationality="IN", sex="male", n=6, answers=NO_INDICATORS,
           outcome="willing_worker", at=at)
    _cases(session, org, decider, nationality="PH", sex="female", n=9, answers=VICTIM, at=at)
    _cases(session, org, decider, nationality="PH", sex="male", n=2, answers=VICTIM, at=at)
    _cases(session, org, decider, nationality="CN", sex="male", n=7, at=at)
    _cases(session, org, decider, nationality="CN", sex="female", n=1, at=at)
    session.commit()


def _published(response) -> list[list[str]]:
    """The rows; a one-month export of a role without exact counts without its month
    column (the same table as before it had one)."""
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if rows and rows[0][0] in ("month", "Month"):
        assert len({r[0] for r in rows[1:]}) <= 1
        rows = [r[1:] for r in rows]
    return rows


WORDS = ["Nationality", "Code", "Trafficking victim", "Willing worker", "Undetermined",
         "No determination yet", "Total", "Female", "Male", "Other sex", "Sex not known"]


def test_coordinators_read_nationality_by_determination_then_by_sex(client, login_as, cohort):
    response = client.get("/api/v1/reports/statistics", headers=login_as("coordinator").headers)
    assert response.status_code == 200, response.text
    rows = _published(response)
    assert rows == [
        WORDS,
        # most cases first; the sex columns add up to the same Total
        ["India", "IN", "15", "6", "0", "0", "21", "3", "18", "0", "0"],
        ["Philippines", "PH", "0", "0", "0", "11", "11", "9", "2", "0", "0"],
        ["China", "CN", "0", "0", "0", "8", "8", "1", "7", "0", "0"],
        ["Total", "", "15", "6", "0", "19", "40", "13", "27", "0", "0"],
    ]
    assert response.headers["X-Passage-Exact"] == "1"


def test_coordinators_keep_the_integrators_layout_with_labels_codes(client, login_as, cohort):
    response = client.get("/api/v1/reports/statistics?labels=codes",
                          headers=login_as("coordinator").headers)
    assert response.status_code == 200, response.text
    rows = _published(response)
    assert rows[0] == ["nationality_code", "nationality", "suggestion", "determination",
                       *SEXES, "total"]
    by_key = {tuple(r[:4]): r[4:] for r in rows[1:]}
    assert by_key == {
        ("CN", "China", "none", "none"): ["1", "7", "0", "0", "8"],
        ("IN", "India", "trafficking_victim", "trafficking_victim"): ["3", "12", "0", "0", "15"],
        ("IN", "India", "willing_worker", "willing_worker"): ["0", "6", "0", "0", "6"],
        ("PH", "Philippines", "trafficking_victim", "none"): ["9", "2", "0", "0", "11"],
        ("", "Total", "", ""): ["13", "27", "0", "0", "40"],
    }


def test_border_officials_read_every_nationality(client, login_as, cohort):
    response = client.get(f"/api/v1/reports/statistics?{OCTOBER}",
                          headers=login_as("border_official").headers)
    rows = _published(response)
    assert rows[0] == WORDS
    names = [r[0] for r in rows[1:-1]]
    assert len(names) == len(set(names)) == 249 + 1  # every ISO country and "not recorded"
    assert rows[-1][:2] == ["Total", ""]
    # the two tables suppressed as one: what would pin a small count of either is hidden
    assert rows[-1][2:] == ["15", "x", "<5", "19", "40", "x", "27", "<5", "<5"]
    # rows with a number first, most first; then by name, "not recorded" last
    assert [r[1] for r in rows[1:3]] == ["PH", "CN"]
    assert rows[-2][0] == "Not recorded"
    assert response.headers["X-Passage-Exact"] == "0"
    # with labels=codes the same numbers under the machine codes: one publication, not two
    codes = _published(client.get(f"/api/v1/reports/statistics?{OCTOBER}&labels=codes",
                                  headers=login_as("border_official").headers))
    assert codes[0] == ["nationality_code", "nationality", "trafficking_victim",
                        "willing_worker", "undetermined", "none", "total", *SEXES]
    assert sorted(r[2:] for r in codes[1:]) == sorted(r[2:] for r in rows[1:])


def test_statistics_shows_no_count_below_the_threshold(client, login_as, cohort):
    rows = _published(client.get(f"/api/v1/reports/statistics?{OCTOBER}",
                                 headers=login_as("border_official").headers))
    labels = [v for r in rows[1:] for v in r[2:]]
    assert "<5" in labels
    for label in labels:
        if label.isdigit():
            assert int(label) >= 5


def test_no_hidden_count_can_be_worked_out_from_the_other_tables_totals(
        client, login_as, cohort):
    """The attack across the two tables: a reader of both knows each row's determinations and
    its sexes add up to one total, and each column to its total. Every hidden count of
    someone, in either table, must keep more than one value over every pair of tables
    consistent with the export (a linear program, tests/reports/attacker.py)."""
    rows = _published(client.get(f"/api/v1/reports/statistics?{OCTOBER}",
                                 headers=login_as("border_official").headers))
    truth = {r[1]: r[2:] for r in _published(client.get(
        "/api/v1/reports/statistics", headers=login_as("coordinator").headers))[1:-1]}
    body = [r[2:] for r in rows[1:]]
    count = len(body) - 1
    attacked = 0
    for i, row in enumerate(rows[1:-1]):
        exact = truth.get(row[1], ["0"] * 9)
        for column, label in enumerate(row[2:]):
            if label.isdigit() or exact[column] == "0":
                continue
            # columns 0-3 determinations, 4 the row's total, 5-8 sexes
            target = ([(0, i, k) for k in range(4)] if column == 4
                      else [(0, i, column if column < 4 else column - 1)])
            low, high = attack_tables([(body, 0)], 1, count, target)
            assert low < high, (row[:2], WORDS[2 + column], label, low, high)
            attacked += 1
    assert attacked >= 3


def test_statistics_threshold_follows_the_setting(client, login_as, cohort, app):
    app.state.settings = app.state.settings.model_copy(update={"suppression_threshold": 10})
    rows = _published(client.get(f"/api/v1/reports/statistics?{OCTOBER}",
                                 headers=login_as("border_official").headers))
    labels = [v for r in rows[1:] for v in r[4:]]
    assert "<10" in labels and "<5" not in labels
    assert all(not 1 <= int(v) < 10 for v in labels if v.isdigit())


def test_statistics_date_range_counts_cases_registered_in_it(client, session, login_as):
    org = factories.make_organization(session)
    decider, _ = factories.make_user(session, role="caseworker", organization=org)
    _cases(session, org, decider, nationality="VN", sex="male", n=6,
           at=factories.aware(2025, 10, 10))
    _cases(session, org, decider, nationality="VN", sex="male", n=8,
           at=factories.aware(2025, 10, 20))
    session.commit()
    headers = login_as("coordinator").headers
    rows = _published(client.get("/api/v1/reports/statistics?from=2025-10-15&to=2025-10-31",
                                 headers=headers))
    assert rows[-1][6] == "8"  # the Total column


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_statistics_parse_back_in_both_formats(client, login_as, cohort, fmt):
    response = client.get(f"/api/v1/reports/statistics?format={fmt}&{OCTOBER}",
                          headers=login_as("border_official").headers)
    assert response.status_code == 200
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        rows = [r[1:] for r in workbook.worksheets[0].iter_rows(values_only=True)]
        assert list(rows[0]) == WORDS
        assert rows[-1][6] == 40  # numbers in number cells
        assert rows[-1][4] == "<5"  # a hidden count is text
        assert "Notes" in workbook.sheetnames
        numbers = [v for r in rows[1:] for v in r[2:] if not isinstance(v, str)]
        assert numbers and all(isinstance(v, int) and v >= 5 for v in numbers)
        assert {v for r in rows[1:] for v in r[2:] if isinstance(v, str)} <= {"<5", "x"}
    else:
        assert _published(response)[-1][6] == "40"


def test_coordinators_xlsx_holds_every_count_as_a_number(client, login_as, cohort):
    response = client.get("/api/v1/reports/statistics?format=xlsx",
                          headers=login_as("coordinator").headers)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == WORDS
    assert list(rows[1]) == ["India", "IN", 15, 6, 0, 0, 21, 3, 18, 0, 0]
    assert list(rows[-1]) == ["Total", None, 15, 6, 0, 19, 40, 13, 27, 0, 0]


def test_statistics_export_is_audited_with_filters_rows_and_suppression(client, session,
                                                                        login_as, cohort):
    border = login_as("border_official")
    response = client.get("/api/v1/reports/statistics?from=2025-10-05&to=2025-10-31&"
                          "format=xlsx", headers=border.headers)
    assert response.status_code == 200
    [event] = events(session, action="export.statistics", actor_id=border.user.id)
    assert event.detail["filters"] == {"from": "2025-10-05", "to": "2025-10-31"}
    assert event.detail["period"] == {"from": "2025-10-01", "to": "2025-10-31"}
    assert event.detail["as_of"] == response.headers["X-Passage-As-Of"]
    assert event.detail["rows"] == len(_published(client.get(
        f"/api/v1/reports/statistics?{OCTOBER}", headers=border.headers))) - 1
    assert event.detail["threshold"] == 5 and event.detail["primary_suppressed"] > 0
    assert event.detail["complete"] is True


@pytest.mark.parametrize("role", ["caseworker", "admin"])
def test_statistics_by_role_without_it_is_403_and_audited(client, session, login_as, role):
    signed_in = login_as(role)
    response = client.get("/api/v1/reports/statistics", headers=signed_in.headers)
    assert response.status_code == 403
    assert [e.action for e in events(session, actor_id=signed_in.user.id, outcome="denied")] \
        == ["GET /api/v1/reports/statistics"]


def test_statistics_with_too_few_cases_shows_no_count(client, session, login_as):
    org = factories.make_organization(session)
    decider, _ = factories.make_user(session, role="caseworker", organization=org)
    _cases(session, org, decider, nationality="KE", sex="female", n=2, at=REGISTERED)
    session.commit()
    response = client.get(f"/api/v1/reports/statistics?{OCTOBER}",
                          headers=login_as("border_official").headers)
    rows = _published(response)
    # two cases: every published number would be "<5" and the total gives them away
    labels = [v for r in rows[1:] for v in r[4:]]
    assert all(v in ("<5", "x") for v in labels)
    assert "2" not in labels


def test_statistics_with_no_cases_is_just_the_header(client, login_as):
    rows = _published(client.get("/api/v1/reports/statistics",
                                 headers=login_as("coordinator").headers))
    assert len(rows) == 1


def test_statistics_with_bad_date_is_422_naming_it(client, login_as):
    response = client.get("/api/v1/reports/statistics?to=someday",
                          headers=login_as("coordinator").headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "to"
