"""HTCDS import through the real stack: the round trip of the demo's consenting cases into an
empty database and out again, all-or-nothing checks with {row, column, message}, dry run,
re-import adding nothing, matching as registration does."""

import csv
import io
import re
from collections import Counter
from datetime import date

import openpyxl
import pytest
from sqlmodel import Session, func, select

from app.auth.models import Organization
from app.cases.models import Case, Determination
from app.db import make_engine
from app.people.models import IdentityLink, Person
from app.reports import htcds, htcds_export
from tests import factories
from tests.standards.files import htcds_case_sheet


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _post(client, headers, content: bytes, *, dry_run=False, name="cases.csv"):
    return client.post(f"/api/v1/imports/htcds?dry_run={'true' if dry_run else 'false'}",
                       headers=headers, files={"file": (name, io.BytesIO(content), "text/csv")})


def _exported(client, headers) -> list[list[str]]:
    response = client.get("/api/v1/reports/htcds?format=csv", headers=headers)
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def demo_sheet(demo_database):
    """The consenting cases of the demo organisation that has most, as the case sheet."""
    assert demo_database.first_load.returncode == 0, demo_database.first_load.stderr
    engine = make_engine(demo_database.url)
    with Session(engine) as session:
        org_id, _ = session.exec(
            select(Case.organization_id, func.count()).where(Case.consent_to_share)
            .group_by(Case.organization_id).order_by(func.count().desc())).first()
        name = session.get(Organization, org_id).name
        rows = [htcds.sheet_row(htcds_export._source(row)) for row in session.exec(
            htcds_export._statement(Case.organization_id == org_id, Case.consent_to_share))]
    engine.dispose()
    return name, rows


def test_round_trip_of_the_demo_s_consenting_cases(client, login_as, demo_sheet):
    organization, rows = demo_sheet
    assert len(rows) > 20
    statuses = Counter(r[htcds.SHEET_COLUMNS.index("vic_TraffickingStatus")] for r in rows)
    assert len(statuses) == 3  # actual, not, possible victims all travel
    caseworker = login_as("caseworker", organization=organization)
    response = _post(client, caseworker.headers, _csv(htcds.SHEET_COLUMNS, rows))
    assert response.status_code == 200, response.text
    report = response.json()
    people = len({(r[2], r[3], r[5], r[7]) for r in rows})
    assert report["cases_created"] == people and report["rows"] == len(rows)
    again = _exported(client, caseworker.headers)
    assert again[0] == list(htcds.SHEET_COLUMNS)
    assert sorted(again[1:]) == sorted(rows)


def test_reimport_adds_nothing_and_a_dry_run_writes_nothing(client, session, login_as,
                                                           demo_sheet):
    organization, rows = demo_sheet
    caseworker = login_as("caseworker", organization=organization)
    content = _csv(htcds.SHEET_COLUMNS, rows[:10])
    dry = _post(client, caseworker.headers, content, dry_run=True).json()
    assert dry["dry_run"] is True and dry["cases_created"] == 10
    assert session.exec(select(func.count()).select_from(Case)).one() == 0
    assert _post(client, caseworker.headers, content).json()["cases_created"] == 10
    second = _post(client, caseworker.headers, content).json()
    assert second["cases_created"] == 0 and second["already_there"] == 10
    assert session.exec(select(func.count()).select_from(Case)).one() == 10


def test_the_labels_row_is_optional_and_rows_are_numbered_as_the_sheet_shows(
        client, session, login_as):
    names, labels = htcds_case_sheet()
    caseworker = login_as("caseworker")
    row = dict.fromkeys(names, "")
    row.update({"prs_FirstName": "Chaiya", "prs_SecondName": "Srisuk", "prs_Gender": "Male",
                "prs_Birthdate": "31/12/1990", "vic_TraffickingStatus": "Victim",
                "con_Consent": "true"})
    content = _csv(names, [labels, [row[n] for n in names]])
    response = _post(client, caseworker.headers, content)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert {(e["row"], e["column"]) for e in errors} == {
        (3, "prs_Gender"), (3, "prs_Birthdate"), (3, "vic_TraffickingStatus")}
    assert all(e["message"] for e in errors)
    assert session.exec(select(func.count()).select_from(Person)).one() == 0
    row.update({"prs_Gender": "Masculine", "prs_Birthdate": "1990-12-31",
                "vic_TraffickingStatus": "ActualVictimOfTrafficking",
                "vic_MethodsOfControl": "DebtBondage;WithholdsDocuments",
                "cas_Status": "Closed",
                "cas_ReasonForCaseClosure": "Moved to a third country or resettled"})
    response = _post(client, caseworker.headers, _csv(names, [labels, [row[n] for n in names]]))
    assert response.status_code == 200, response.text
    case = session.exec(select(Case)).one()
    assert case.status == "closed" and case.closure_reason == "relocated"
    assert case.consent_to_share is True
    assert session.exec(select(Determination.outcome)).one() == "trafficking_victim"
    [exported] = _exported(client, caseworker.headers)[1:]
    values = dict(zip(htcds.SHEET_COLUMNS, exported, strict=True))
    assert values["vic_MethodsOfControl"] == "DebtBondage;WithholdsDocuments"
    assert values["prs_Birthdate"] == "1990-12-31" and values["cas_Status"] == "Closed"


def test_unknown_columns_and_a_sheet_without_names_are_refused(client, login_as):
    caseworker = login_as("caseworker")
    response = _post(client, caseworker.headers,
                     _csv(["prs_SecondName", "favourite_colour"], [["Reyes", "blue"]]))
    assert response.status_code == 422
    assert {(e["row"], e["column"]) for e in response.json()["detail"]} == {
        (1, "favourite_colour"), (1, "prs_FirstName")}


def test_an_xlsx_sheet_imports_too(client, session, login_as):
    caseworker = login_as("caseworker")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["prs_FirstName", "prs_SecondName", "prs_Citizenship", "con_Consent"])
    sheet.append(["Linh", "Nguyen", "VN", "false"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post("/api/v1/imports/htcds", headers=caseworker.headers,
                           files={"file": ("cases.xlsx", io.BytesIO(buffer.getvalue()),
                                           "application/octet-stream")})
    assert response.status_code == 200, response.text
    person = session.exec(select(Person)).one()
    assert person.nationality_code == "VN" and person.given_name == "Linh"


def test_another_organisation_s_record_is_linked_never_shown(client, session, login_as):
    other = factories.make_organization(session, name="Other NGO")
    theirs = factories.make_person(session, organization=other, given_name="Ramon",
                                   family_name="Cruz", nationality_code="PH",
                                   date_of_birth=date(1995, 5, 5))
    session.commit()
    caseworker = login_as("caseworker")
    content = _csv(["prs_FirstName", "prs_SecondName", "prs_Birthdate", "prs_Citizenship"],
                   [["Ramon", "Cruz", "1995-05-05", "PH"]])
    response = _post(client, caseworker.headers, content)
    assert response.status_code == 200
    assert set(response.json()) == {"dry_run", "rows", "cases_created", "already_there",
                                    "errors"}
    assert response.json()["cases_created"] == 1
    case = session.exec(select(Case)).one()
    assert case.person_id != theirs.id  # their record is not opened
    [link] = session.exec(select(IdentityLink)).all()
    assert link.person_id == theirs.id and link.own_person_id == case.person_id


@pytest.mark.parametrize("role", ["coordinator", "border_official", "admin"])
def test_other_roles_cannot_import(client, login_as, role):
    response = _post(client, login_as(role).headers,
                     _csv(["prs_FirstName"], [["Anyone"]]))
    assert response.status_code == 403


def test_a_file_that_is_not_a_sheet_is_a_clear_422(client, login_as):
    caseworker = login_as("caseworker")
    response = _post(client, caseworker.headers, b"PK\x03\x04 not really a workbook")
    assert response.status_code == 422
    assert "XLSX" in str(response.json()["detail"])
    assert _post(client, caseworker.headers, b"").status_code == 422


def test_the_page_checks_first_then_imports(client, session):
    from tests.pages import csrf_from, sign_in

    factories.make_user(session, role="caseworker", username="htcds-page",
                        organization=factories.make_organization(session, name="Page NGO"))
    session.commit()
    sign_in(client, "htcds-page", factories.DEFAULT_PASSWORD)
    page = client.get("/imports/htcds")
    assert page.status_code == 200 and "Check sheet" in page.text
    content = _csv(["prs_FirstName", "prs_SecondName", "prs_Gender"],
                   [["Aung", "Kyaw", "Masculine"], ["Min", "Thu", "Female"]])
    refused = client.post("/imports/htcds", data={"csrf_token": csrf_from(page.text),
                                                  "action": "check"},
                          files={"file": ("cases.csv", io.BytesIO(content), "text/csv")})
    assert refused.status_code == 422
    assert "prs_Gender" in refused.text and "Nothing was imported" in refused.text
    content = content.replace(b"Female", b"Feminine")
    checked = client.post("/imports/htcds", data={"csrf_token": csrf_from(page.text),
                                                  "action": "check"},
                          files={"file": ("cases.csv", io.BytesIO(content), "text/csv")})
    assert checked.status_code == 200 and "Import 2 rows" in checked.text
    assert session.exec(select(func.count()).select_from(Case)).one() == 0
    carry = re.search(r'name="sheet_data" value="([^"]+)"', checked.text).group(1)
    done = client.post("/imports/htcds", data={"csrf_token": csrf_from(checked.text),
                                               "action": "import", "sheet_data": carry,
                                               "filename": "cases.csv"},
                       follow_redirects=True)
    assert done.status_code == 200 and "Cases imported" in done.text
    assert session.exec(select(func.count()).select_from(Case)).one() == 2


@pytest.mark.parametrize("path", ["/imports/htcds", "/exports/htcds?format=csv"])
@pytest.mark.parametrize("role", ["coordinator", "border_official", "admin"])
def test_the_htcds_pages_are_refused_to_other_roles_and_audited(client, session, path, role):
    from app.audit.models import AuditEvent
    from tests.pages import sign_in

    user, _ = factories.make_user(session, role=role, username=f"htcds-{role}")
    session.commit()
    sign_in(client, f"htcds-{role}", factories.DEFAULT_PASSWORD)
    assert client.get(path).status_code == 403
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_id == user.id,
                                                   AuditEvent.outcome == "denied")).all()
    assert [e.action for e in denied] == [f"GET {path.split('?')[0]}"]
