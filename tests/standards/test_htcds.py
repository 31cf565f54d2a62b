"""HTCDS export, through the real stack, checked against the standard's own field list,
picklists and case sheet (../shared/standards/htcds): identifying fields only with the case's
consent_to_share; caseworkers of the owning organisation only."""

import csv
import io
import re

import openpyxl
import pytest
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.cases.models import Case
from app.db import make_engine
from app.reports import htcds, htcds_export
from tests import factories
from tests.standards.files import htcds_case_sheet, htcds_fields

VICTIM = {"DR1": "yes", "DR2": "yes", "EX1": "yes", "EX2": "yes", "CD1": "yes", "CD3": "yes",
          "CD9": "yes"}
IDENTIFYING_VALUES = ("Amaya", "Reyes", "1999-04-02", "+63 917 555 0101", "P1234567")


def check_against_standard(name: str, value) -> None:
    """One field's value, as exported, against the field standard."""
    standard = htcds_fields()
    field = standard[htcds.FIELD_NAME.get(name, name)]
    kind = field["type"]
    values = value if isinstance(value, list) else (
        value.split(";") if "Multiselect" in kind and isinstance(value, str) else [value])
    for v in values:
        if v in ("", None):
            continue
        if name in ("prs_Citizenship", "prs_MailingCountry"):
            assert re.fullmatch(r"[A-Z]{2}", v), (name, v)
        elif "Picklist" in kind:
            assert v in field["values"], (name, v)
        elif kind == "Date":
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", v), (name, v)
        elif kind == "Checkbox":
            assert v in (True, False, "true", "false"), (name, v)


@pytest.fixture
def desk(session, login_as):
    caseworker = login_as("caseworker", organization="Mae Sot Shelter")
    org_id = caseworker.user.organization_id

    def case(consent: bool, **person):
        values = {"given_name": "Amaya", "family_name": "Reyes", "sex": "female",
                  "nationality_code": "PH", "phone": "+63 917 555 0101",
                  "document_number": "P1234567"}
        values.update(person)
        from app.auth.models import Organization

        org = session.get(Organization, org_id)
        from datetime import date
        values.setdefault("date_of_birth", date(1999, 4, 2))
        p = factories.make_person(session, organization=org, **values)
        c = factories.make_case(session, person=p, organization=org)
        c.consent_to_share = consent
        screening = factories.make_screening(session, case=c, answers=VICTIM)
        factories.make_determination(session, case=c, outcome="trafficking_victim",
                                     decided_by=caseworker.user, screening=screening)
        session.commit()
        return c

    caseworker.case = case
    return caseworker


def test_a_case_with_consent_carries_its_identity_in_the_standard_s_fields(client, desk):
    case = desk.case(consent=True)
    response = client.get(f"/api/v1/cases/{case.id}/htcds", headers=desk.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["prs_FirstName"] == "Amaya" and body["prs_SecondName"] == "Reyes"
    assert body["prs_Birthdate"] == "1999-04-02" and body["prs_IdentityNumber"] == "P1234567"
    assert body["prs_MobilePhone"] == "+63 917 555 0101"
    assert body["con_Consent"] is True
    assert body["prs_Gender"] == "Feminine" and body["prs_Citizenship"] == ["PH"]
    assert body["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert body["vic_TypeOfExploitation"] == ["ForcedLabour"]
    assert "ThreatensChildrenFamily" in body["vic_MethodsOfControl"]
    assert "WithholdsDocuments" in body["vic_MethodsOfControl"]
    assert body["cas_Status"] == "Active"
    for name, value in body.items():
        check_against_standard(name, value)


def test_a_case_without_consent_has_no_identifying_field(client, session, desk):
    case = desk.case(consent=False)
    response = client.get(f"/api/v1/cases/{case.id}/htcds", headers=desk.headers)
    body = response.json()
    assert body["con_Consent"] is False
    assert not set(body) & htcds.IDENTIFYING
    assert not [v for v in IDENTIFYING_VALUES if v in response.text]
    assert body["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"  # the rest is there
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "case.htcds")).all()
    assert event.entity_id == str(case.id) and event.detail == {"consent_to_share": False}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_report_has_the_case_sheet_s_columns_and_no_identity_without_consent(
        client, desk, fmt):
    with_consent = desk.case(consent=True)
    desk.case(consent=False, given_name="Noconsent", family_name="Hidden",
              phone="+66 81 000 0000", document_number="X999")
    response = client.get(f"/api/v1/reports/htcds?format={fmt}", headers=desk.headers)
    assert response.status_code == 200, response.text
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = [["" if v is None else str(v) for v in r]
                for r in sheet.iter_rows(values_only=True)]
    names, _ = htcds_case_sheet()
    published = [n for n in names if n]
    assert rows[0] == published[:34] + ["cas_ReasonForOutgoingReferral"] + published[34:]
    assert len(rows) == 3
    by_consent = {r[rows[0].index("con_Consent")]: dict(zip(rows[0], r, strict=True))
                  for r in rows[1:]}
    assert by_consent["true"]["prs_FirstName"] == "Amaya"
    hidden = by_consent["false"]
    assert all(hidden[n] == "" for n in rows[0] if n in htcds.IDENTIFYING)
    assert "Noconsent" not in response.text if fmt == "csv" else True
    for row in rows[1:]:
        for name, value in zip(rows[0], row, strict=True):
            check_against_standard(name, value)
    assert with_consent.id  # the consenting case is the one with a name


def test_every_value_of_the_demo_s_cases_is_in_the_standard(demo_database):
    assert demo_database.first_load.returncode == 0, demo_database.first_load.stderr
    engine = make_engine(demo_database.url)
    with Session(engine) as session:
        rows = [htcds.sheet_row(htcds_export._source(row))
                for row in session.exec(htcds_export._statement())]
        consenting = session.exec(select(Case).where(Case.consent_to_share)).all()
    engine.dispose()
    assert len(rows) > 100 and consenting
    statuses = set()
    for row in rows:
        values = dict(zip(htcds.SHEET_COLUMNS, row, strict=True))
        statuses.add(values["cas_Status"])
        for name, value in values.items():
            check_against_standard(name, value)
        if values["con_Consent"] == "false":
            assert all(values[n] == "" for n in htcds.IDENTIFYING if n in values)
    assert {"Active", "Closed"} <= statuses


@pytest.mark.parametrize("role", ["coordinator", "border_official", "admin"])
def test_other_roles_get_no_htcds(client, session, login_as, desk, role):
    case = desk.case(consent=True)
    signed_in = login_as(role)
    assert client.get(f"/api/v1/cases/{case.id}/htcds",
                      headers=signed_in.headers).status_code == 403
    assert client.get("/api/v1/reports/htcds", headers=signed_in.headers).status_code == 403
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_id == signed_in.user.id,
                                                   AuditEvent.outcome == "denied")).all()
    assert len(denied) == 2


def test_another_organisation_s_caseworker_gets_404_and_an_empty_report(
        client, login_as, desk):
    case = desk.case(consent=True)
    other = login_as("caseworker", organization="Another NGO")
    assert client.get(f"/api/v1/cases/{case.id}/htcds", headers=other.headers).status_code \
        == 404
    report = client.get("/api/v1/reports/htcds?format=csv", headers=other.headers)
    assert "Amaya" not in report.text
    assert len(report.content.decode("utf-8-sig").strip().splitlines()) == 1


def test_consent_is_recorded_on_the_case_and_audited(client, session, desk):
    case = desk.case(consent=False)
    response = client.put(f"/api/v1/cases/{case.id}/consent-to-share", headers=desk.headers,
                          json={"consent_to_share": True})
    assert response.status_code == 200 and response.json()["consent_to_share"] is True
    assert client.get(f"/api/v1/cases/{case.id}/htcds",
                      headers=desk.headers).json()["prs_FirstName"] == "Amaya"
    [event] = session.exec(select(AuditEvent).where(
        AuditEvent.action == "case.consent_to_share")).all()
    assert event.entity_id == str(case.id)
    bad = client.put(f"/api/v1/cases/{case.id}/consent-to-share", headers=desk.headers,
                     json={"consent_to_share": "perhaps"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "consent_to_share"
