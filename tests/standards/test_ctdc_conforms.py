"""The CTDC export on the demo data, checked column by column against CTDC's own data
dictionary and lookups (../shared/standards/ctdc), and through the API: 62 columns in order,
-99 wherever Passage has no answer, never an empty cell, k = 11 kept with its headers."""

import csv
import io
from collections import Counter

import pytest
from sqlmodel import Session

from app.db import make_engine
from app.reports import ctdc, service
from app.reports.reading import Reader
from app.reports.schemas import CaseDateFilters
from tests.standards.files import ctdc_columns, ctdc_lookups

FLAG = {"0", "1", "-99"}


@pytest.fixture(scope="module")
def demo_rows(demo_database):
    assert demo_database.first_load.returncode == 0, demo_database.first_load.stderr
    engine = make_engine(demo_database.url)
    with Session(engine) as session:
        reader = Reader(session)
        try:
            rows = [ctdc.ctdc_row(s) for s in service._ctdc_sources(reader, CaseDateFilters())]
        finally:
            reader.close()
    engine.dispose()
    assert len(rows) > 100
    return [dict(zip(ctdc.HEADER, row, strict=True)) for row in rows]


def test_the_header_is_the_dictionary_s_62_columns_in_order():
    assert list(ctdc.HEADER) == [name for name, _ in ctdc_columns()]
    assert len(ctdc.HEADER) == 62


def _groups() -> dict[str, tuple[str, ...]]:
    return {"meansOfControlConcatenated": ctdc.MEANS_FIELDS,
            "typeOfExploitConcatenated": ctdc.EXPLOITATION,
            "typeOfLabourConcatenated": ctdc.LABOUR_FIELDS,
            "typeOfSexConcatenated": ctdc.SEX_FIELDS}


def test_every_value_on_the_demo_is_in_the_dictionary_s_vocabularies(demo_rows):
    lookups = ctdc_lookups()
    missing = lookups["Lookup"] & {"-99"}
    allowed = {
        "Datasource": lookups["Datasource"],
        "gender": lookups["Gender"] | missing,
        "ageBroad": lookups["Age range 2"] | missing,
        "MajorityEntry": lookups["Age range 2"] | missing,
        "majorityStatus": lookups["Age category"] | missing,
        "majorityStatusAtExploit": lookups["Age category"] | missing,
        "citizenship": lookups["Country"],
        "CountryOfExploitation": lookups["Country"] | missing,
        "RecruiterRelationship": missing,
    }
    types = dict(ctdc_columns())
    seen: dict[str, Counter] = {name: Counter() for name in ctdc.HEADER}
    for row in demo_rows:
        for name, value in row.items():
            seen[name][value] += 1
            assert value != "", (name, row)
            if name in allowed:
                assert value in allowed[name], (name, value)
            elif name == "yearOfRegistration":
                assert value.isdigit() and len(value) == 4
            elif name in _groups():
                ones = sorted(n for n in _groups()[name] if row[n] == "1")
                if not ones:
                    assert value == "-99", (name, value)
                else:
                    parts = value.split(";")
                    assert parts == sorted(parts) and len(parts) == len(ones), (name, value)
            else:  # every other column is a flag (Bool, or the recruiter columns)
                assert types[name] in ("Bool", ""), name
                assert value in FLAG, (name, value)
    # the demo answers the columns Passage records: no longer empty for half the rows
    assert seen["isForcedLabour"]["1"] > 0 and seen["isForcedLabour"]["0"] > 0
    assert seen["typeOfLabourIllicitActivities"]["1"] > 0
    assert seen["meansOfControlDebtBondage"]["1"] > 0
    assert seen["gender"]["Female"] > 0 and seen["gender"]["Male"] > 0
    assert seen["majorityStatus"]["Adult"] > 0


def test_the_export_keeps_k_11_and_says_what_it_left_out(client, login_as, session):
    from tests import factories

    org = factories.make_organization(session)
    for _ in range(13):
        person = factories.make_person(session, organization=org, nationality_code="IN",
                                       sex="male", date_of_birth=None, age_estimate=25)
        factories.make_case(session, person=person, organization=org)
    person = factories.make_person(session, organization=org, nationality_code="NP",
                                   sex="male", date_of_birth=None, age_estimate=25)
    factories.make_case(session, person=person, organization=org)
    session.commit()
    response = client.get("/api/v1/reports/ctdc", headers=login_as("coordinator").headers)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(ctdc.HEADER)
    assert response.headers["X-Passage-K"] == "11"
    # the one Nepali man is alone in his group, and too few to merge into "00": left out
    assert response.headers["X-Passage-Generalised"] == "0"
    assert response.headers["X-Passage-Suppressed"] == "1"
    citizenships = Counter(r[ctdc.CITIZENSHIP_POSITION] for r in rows[1:])
    assert citizenships == {"IN": 13}
    assert all("" not in r for r in rows[1:])
