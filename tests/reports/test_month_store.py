"""Each completed month's publication is stored at its first reading and read from then on
(app.reports.month_store): the outcome counts, the statistics export (CSV, XLSX) and the
pipeline of roles without exact counts. Through HTTP, on SQLite and on PostgreSQL
(PASSAGE_TEST_DATABASE_URL); the race of two first readers on a database of its own."""

import csv
import io
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import Session, select

from app.clock import local_today
from app.db import make_engine
from app.reports import month_store
from app.reports.disclosure import Month
from app.reports.models import PublishedMonth
from app.reports.reading import Reader, SessionReader
from tests import factories
from tests.reports.test_statistics_export import (
    REGISTERED,
    VICTIM,
    cohort,  # noqa: F401  (a fixture)
)

OCTOBER = {"from": "2025-10-01", "to": "2025-10-31"}
V1 = "/api/v1"


def _stored(session) -> list[tuple]:
    session.expire_all()
    return [(p.kind, p.month, p.threshold) for p in session.exec(
        select(PublishedMonth).order_by(PublishedMonth.kind, PublishedMonth.month,
                                        PublishedMonth.threshold))]


def _get(client, headers, path, params):
    response = client.get(f"{V1}{path}", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response


def _read(client, headers, params=None) -> dict:
    """Everything a border official reads of a month: the outcome counts, the statistics
    export in both formats, the pipeline."""
    params = params or OCTOBER
    return {
        "outcomes": _get(client, headers, "/stats/outcomes", params).json(),
        "csv": _get(client, headers, "/reports/statistics", params).content,
        "xlsx_rows": _xlsx(_get(client, headers, "/reports/statistics",
                                {**params, "format": "xlsx"}).content),
        "pipeline": _get(client, headers, "/stats/pipeline", params).json(),
    }


def _xlsx(content: bytes) -> list[tuple]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def _exact_cases(client, headers) -> dict[str, int]:
    body = _get(client, headers, "/stats/outcomes", OCTOBER).json()
    return {row["code"]: row["cases"] for row in body["rows"]}


def _late_case(session, nationality="IN"):
    """A case registered in October whose records reach Passage only now, dated as of then
    (the record a recomputation would count in October's table)."""
    org = factories.make_organization(session)
    person = factories.make_person(session, organization=org, nationality_code=nationality,
                                   sex="female")
    case = factories.make_case(session, person=person, organization=org)
    case.created_at = REGISTERED
    session.commit()


def test_a_month_is_stored_at_its_first_reading_and_read_from_then_on(
        client, login_as, session, cohort):  # noqa: F811
    border = login_as("border_official").headers
    assert _stored(session) == []
    first = _read(client, border)
    # one publication of the cases for the outcome counts and both formats of the export,
    # one of the pipeline
    assert _stored(session) == [("cases", "2025-10", 5), ("pipeline", "2025-10", 5)]
    coordinator = login_as("coordinator").headers
    exact = _exact_cases(client, coordinator)
    _late_case(session)
    # the same answer, from the stored month; coordinators read the case at once
    assert _read(client, border) == first
    assert _exact_cases(client, coordinator)["IN"] == exact["IN"] + 1
    caseworker = login_as("caseworker").headers
    _get(client, caseworker, "/stats/outcomes", OCTOBER)
    _get(client, caseworker, "/stats/pipeline", OCTOBER)
    assert len(_stored(session)) == 2  # every role reads the same two


def test_what_is_stored_is_what_is_read(client, login_as, session, cohort):  # noqa: F811
    """The answer comes from the stored cells, not from the records: a stored cell changed
    (as no one but this test would) is what the next reader gets."""
    border = login_as("border_official").headers
    before = _get(client, border, "/stats/outcomes", OCTOBER).json()
    stored = session.get(PublishedMonth, ("cases", "2025-10", 5, month_store.LAYOUTS["cases"]))
    cells = json.loads(json.dumps(stored.cells))
    cells["total"][0] = "marked"
    stored.cells = cells
    session.add(stored)
    session.commit()
    after = _get(client, border, "/stats/outcomes", OCTOBER).json()
    assert before["cases"] != "marked" and after["cases"] == "marked"
    text = _get(client, border, "/reports/statistics", OCTOBER).content.decode("utf-8-sig")
    total = next(row for row in csv.reader(io.StringIO(text)) if row[1] == "Total")
    assert "marked" in total


def test_a_changed_threshold_publishes_the_month_anew(client, login_as, session, app,
                                                     cohort):  # noqa: F811
    border = login_as("border_official").headers
    at_five = _get(client, border, "/stats/outcomes", OCTOBER).json()
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"suppression_threshold": 10})
    at_ten = _get(client, border, "/stats/outcomes", OCTOBER).json()
    assert at_ten["threshold"] == 10 and at_ten != at_five
    cells = [v for r in at_ten["rows"] for v in (*r["suggestions"].values(),
                                                  *r["determinations"].values())]
    assert "<10" in cells and "<5" not in cells
    assert _stored(session) == [("cases", "2025-10", 5), ("cases", "2025-10", 10)]
    # back to 5: the month as first published at 5
    app.state.settings = settings
    assert _get(client, border, "/stats/outcomes", OCTOBER).json() == at_five


def test_the_current_month_is_never_stored(client, login_as, session, cohort):  # noqa: F811
    current = Month.of(local_today())
    last = Month.of(current.first - timedelta(days=1))
    border = login_as("border_official").headers
    params = {"from": last.first.isoformat(), "to": current.last.isoformat()}
    _read(client, border, params)
    caseworker = login_as("caseworker").headers
    _get(client, caseworker, "/stats/outcomes", {"from": current.first.isoformat()})
    assert _stored(session) == [("cases", last.key, 5), ("pipeline", last.key, 5)]
    with pytest.raises(ValueError, match="ended"):
        month_store.read(session, SessionReader(session), kind="cases", months=[current],
                         threshold=5, publish=lambda month: {})


def test_nothing_personal_is_stored(client, login_as, session, cohort):  # noqa: F811
    org = factories.make_organization(session)
    person = factories.make_person(
        session, organization=org, nationality_code="KE", sex="female",
        given_name="Distinctivename", family_name="Unusualfamily",
        document_number="ZX9081726", phone="+66 81 234 5678")
    factories.make_crossing(session, person=person, crossed_at=REGISTERED,
                            created_at=REGISTERED)
    case = factories.make_case(session, person=person, organization=org)
    case.created_at = REGISTERED
    session.commit()
    _read(client, login_as("border_official").headers)
    _get(client, login_as("caseworker").headers, "/stats/pipeline", OCTOBER)
    session.expire_all()
    stored = session.exec(select(PublishedMonth)).all()
    text = json.dumps([p.cells for p in stored], ensure_ascii=False)
    for personal in ("Distinctivename", "Unusualfamily", "ZX9081726", "234 5678",
                     case.reference):
        assert personal not in text
    # and nothing but codes and published cells (no id, no count they are not shown)
    for publication in stored:
        cells = publication.cells
        if publication.kind == "cases":
            rows = [(code, [cases, *s, *d, *x]) for code, cases, s, d, x in cells["rows"]]
            rows.append(("total", [cells["total"][0], *(v for part in cells["total"][1:]
                                                        for v in part)]))
            exact_columns: set[int] = set()
        else:
            rows = [(code, values) for code, values in cells["rows"]]
            rows.append(("total", cells["overall"]))
            # crossings are exact for everyone; every other column is published by the rule
            exact_columns = {cells["columns"].index("crossed")}
        for code, values in rows:
            assert code in ("", "total", None) or (len(code) == 2 and code.isupper())
            for j, value in enumerate(values):
                if j in exact_columns:
                    assert isinstance(value, int)
                else:
                    assert value in ("<5", "x") or (isinstance(value, int) and value >= 5), (
                        publication.kind, code, j, value)


def test_an_edit_or_merge_of_a_person_after_publication_changes_nothing_they_read(
        client, login_as, session, cohort):  # noqa: F811
    """Issue 9: a person's nationality corrected, or two records merged, after a month was
    published would move someone between its rows: a border official reading the month
    before and after could tell whose row changed. The month's table stays as published;
    coordinators read the change at once."""
    org = factories.make_organization(session, name="Late Records NGO")
    decider, _ = factories.make_user(session, role="caseworker", organization=org)

    def person(nationality, sex):
        p = factories.make_person(session, organization=org, nationality_code=nationality,
                                  sex=sex)
        factories.make_crossing(session, person=p, crossed_at=REGISTERED, created_at=REGISTERED)
        case = factories.make_case(session, person=p, organization=org)
        case.created_at = REGISTERED
        screening = factories.make_screening(session, case=case, answers=VICTIM)
        factories.make_determination(session, case=case, outcome="trafficking_victim",
                                     decided_by=decider, screening=screening)
        return p

    edited = person("IN", "female")
    duplicate = person("IN", "male")
    survivor = factories.make_person(session, organization=org, nationality_code="CN",
                                     sex="male")
    session.commit()
    border = login_as("border_official").headers
    coordinator = login_as("coordinator")
    before = _read(client, border)
    exact = _exact_cases(client, coordinator.headers)

    # no route changes a nationality today: the correction is made in the database, as a
    # later form, an import or an operator would make it
    edited.nationality_code = "PH"
    session.add(edited)
    session.commit()
    merged = client.post(f"{V1}/people/{survivor.id}/merge", headers=coordinator.headers,
                         json={"duplicate_id": duplicate.id, "note": "One passport, two records"})
    assert merged.status_code == 201, merged.text

    assert _read(client, border) == before
    now = _exact_cases(client, coordinator.headers)
    assert now["IN"] == exact["IN"] - 2
    assert now["PH"] == exact["PH"] + 1 and now["CN"] == exact["CN"] + 1

    # and it is the stored month that holds them: published anew, the people are in their
    # new rows (the pipeline's crossings are exact for everyone)
    session.exec(delete(PublishedMonth))
    session.commit()
    crossed = {r["code"]: r["counts"]["crossed"]
               for r in _get(client, border, "/stats/pipeline", OCTOBER).json()["rows"]}
    assert {r["code"]: r["counts"]["crossed"] for r in before["pipeline"]["rows"]} == {"IN": 2}
    assert crossed == {"PH": 1, "CN": 1}


# --- two first readers at once ----------------------------------------------------------------

def test_two_first_readers_at_once_agree_on_the_stored_month(fresh_database_url):
    """Both find the month missing and publish it (differently here, as two readers of a
    database that changed between them would); each inserts with ON CONFLICT DO NOTHING and
    reads back: both answer with the one stored first. Each reader in its own session and
    connection, committing, as two requests do (an export's reads on a plain WAL reader on
    SQLite, as app.reports.reading makes them)."""
    engine = make_engine(fresh_database_url)
    month = Month.of(local_today().replace(day=1) - timedelta(days=1))
    both_missing = threading.Barrier(2, timeout=30)
    answers: dict[str, list] = {}
    errors: list[BaseException] = []

    def first_reader(name: str) -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                reader = Reader(session)
                try:
                    def publish(m: Month) -> dict:
                        both_missing.wait()  # neither has stored it yet
                        return {"by": name}

                    answers[name] = month_store.read(session, reader, kind="cases",
                                                     months=[month], threshold=5,
                                                     publish=publish)
                finally:
                    reader.close()
                session.commit()
        except BaseException as exc:  # noqa: BLE001  (reported by the test below)
            errors.append(exc)

    threads = [threading.Thread(target=first_reader, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert answers["a"] == answers["b"] and answers["a"][0]["by"] in ("a", "b")
    with Session(engine) as session:
        [stored] = session.exec(select(PublishedMonth)).all()
        assert [stored.cells] == answers["a"]
    engine.dispose()
