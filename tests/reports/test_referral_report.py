"""The referral report: streamed CSV and XLSX that parse back with exactly the filtered rows,
inert against formula injection, and silent about anonymous referrals' people."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from tests import factories
from tests.referrals.helpers import another_case, caseworker_case, events

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_rows(response) -> list[dict[str, str]]:
    assert response.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark"
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _xlsx_rows(response) -> list[dict[str, object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _rows(response, fmt: str):
    return _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)


@pytest.fixture
def referrals(session, login_as):
    """Four referrals of one organisation (one anonymous, one with a hostile recipient) and
    one of another organisation."""
    setup = caseworker_case(session, login_as, given_name="สมชาย", family_name="แก้วมณี",
                            document_number="AA1234567", phone="+66 81 000 0001",
                            date_of_birth=date(1990, 5, 17), nationality_code="TH", sex="male")
    user = setup.signed_in.user
    case2, anonymous_person = another_case(
        session, setup.organization, given_name="Zarni", family_name="Aungmyat",
        document_number="MA7654321", phone="+95 9 000 0002", nationality_code="MM")
    made = {
        "shelter": factories.make_referral(session, case=setup.case, created_by=user,
                                           service="shelter", recipient="Mae Sot Safe House",
                                           at=factories.aware(2025, 10, 20)),
        "hostile": factories.make_referral(session, case=setup.case, created_by=user,
                                           service="legal",
                                           recipient='=HYPERLINK("http://evil.example","x")',
                                           notes="+1 call first", at=factories.aware(2025, 10, 22),
                                           status="accepted"),
        "anonymous": factories.make_referral(session, case=case2, created_by=user,
                                             service="embassy", recipient="Embassy of Myanmar",
                                             consent_to_share=False,
                                             notes="Afraid of Zarni's recruiter",
                                             at=factories.aware(2025, 10, 24)),
        "medical": factories.make_referral(session, case=case2, created_by=user,
                                           service="medical", recipient="@Mae Sot Hospital",
                                           at=factories.aware(2025, 10, 28), status="declined"),
    }
    other = factories.make_organization(session, name="Safe Return Legal Aid")
    stranger, _ = factories.make_user(session, role="caseworker", organization=other)
    foreign_case, _ = another_case(session, other, given_name="Maria", family_name="Santos")
    made["foreign"] = factories.make_referral(session, case=foreign_case, created_by=stranger,
                                              service="shelter", recipient="Tak Shelter",
                                              at=factories.aware(2025, 10, 21))
    session.commit()
    return setup, made, anonymous_person


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_coordinator_report_holds_every_referral_and_parses_back(client, login_as, referrals,
                                                                  fmt):
    setup, made, _ = referrals
    coordinator = login_as("coordinator", organization="Tak Coordination Office")
    response = client.get(f"/api/v1/reports/referrals?labels=codes&format={fmt}",
                          headers=coordinator.headers)
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["content-disposition"].endswith(f'.{fmt}"')
    rows = _rows(response, fmt)
    assert [int(r["referral_id"]) for r in rows] == [made[k].id for k in (
        "shelter", "foreign", "hostile", "anonymous", "medical")]
    first = rows[0]
    assert first["given_name"] == "สมชาย" and first["family_name"] == "แก้วมณี"
    assert first["case_reference"] == setup.case.reference
    # a date cell in XLSX, a date in CSV
    assert first["referred_on"] == ("2025-10-20" if fmt == "csv" else datetime(2025, 10, 20))
    assert first["consent_to_share"] == "yes" and first["nationality"] == "Thailand"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_report_filters_select_exactly_the_matching_rows(client, login_as, referrals, fmt):
    _, made, _ = referrals
    headers = login_as("coordinator").headers
    cases = [
        ("status=accepted", ["hostile"]),
        ("service=shelter", ["shelter", "foreign"]),
        ("recipient=mae%20sot", ["shelter", "medical"]),
        ("from=2025-10-21&to=2025-10-24", ["foreign", "hostile", "anonymous"]),
        ("from=2025-10-29", []),
        ("service=embassy&status=pending", ["anonymous"]),
    ]
    for query, expected in cases:
        response = client.get(f"/api/v1/reports/referrals?labels=codes&format={fmt}&{query}",
                              headers=headers)
        assert response.status_code == 200
        assert [int(r["referral_id"]) for r in _rows(response, fmt)] == \
            [made[k].id for k in expected], query


def test_report_dates_are_whole_thai_days(client, session, login_as):
    setup = caseworker_case(session, login_as)
    # 23:30 UTC on 19 Oct is 06:30 on 20 Oct in Bangkok
    late = factories.make_referral(session, case=setup.case, created_by=setup.signed_in.user,
                                   at=factories.aware(2025, 10, 19, 23))
    session.commit()
    headers = login_as("coordinator").headers
    on_20th = _csv_rows(client.get(
        "/api/v1/reports/referrals?labels=codes&from=2025-10-20&to=2025-10-20", headers=headers))
    assert [int(r["referral_id"]) for r in on_20th] == [late.id]
    assert on_20th[0]["referred_on"] == "2025-10-20"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_report_neutralises_formulas_so_no_cell_starts_with_a_formula_character(
        client, login_as, referrals, fmt):
    _, made, _ = referrals
    response = client.get(f"/api/v1/reports/referrals?labels=codes&format={fmt}",
                          headers=login_as("coordinator").headers)
    rows = _rows(response, fmt)
    hostile = next(r for r in rows if int(r["referral_id"]) == made["hostile"].id)
    assert hostile["recipient"] == "'" + '=HYPERLINK("http://evil.example","x")'
    assert hostile["notes"] == "'+1 call first"
    medical = next(r for r in rows if int(r["referral_id"]) == made["medical"].id)
    assert medical["recipient"] == "'@Mae Sot Hospital"
    for row in rows:
        for value in row.values():
            if isinstance(value, str):
                assert not value.startswith(FORMULA_STARTS), value


def test_xlsx_report_stores_no_formula_at_all(client, login_as, referrals):
    response = client.get("/api/v1/reports/referrals?labels=codes&format=xlsx",
                          headers=login_as("coordinator").headers)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))  # not read-only: types
    for row in workbook.worksheets[0].iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_anonymous_referral_carries_nothing_that_identifies_the_person(
        client, login_as, referrals, fmt):
    _, made, person = referrals
    response = client.get(f"/api/v1/reports/referrals?labels=codes&format={fmt}",
                          headers=login_as("coordinator").headers)
    raw = response.content if fmt == "csv" else b""
    rows = _rows(response, fmt)
    anonymous = next(r for r in rows if int(r["referral_id"]) == made["anonymous"].id)
    assert anonymous["consent_to_share"] == "no"
    for column in ("given_name", "family_name", "sex", "date_of_birth", "age_estimate",
                   "nationality", "document_number", "phone", "notes"):
        assert anonymous[column] in ("", None), column
    # the person's other referral (consented) may name them; this one must not, anywhere
    everything = " ".join(str(v) for v in anonymous.values())
    for value in (person.given_name, person.family_name, person.document_number, person.phone,
                  "Afraid"):
        assert value not in everything
    if fmt == "csv":
        assert b"Afraid of" not in raw


def test_caseworker_report_holds_only_their_organisations_referrals(client, session, login_as,
                                                                    referrals):
    setup, made, _ = referrals
    response = client.get("/api/v1/reports/referrals?labels=codes", headers=setup.signed_in.headers)
    assert response.status_code == 200
    ids = {int(r["referral_id"]) for r in _csv_rows(response)}
    assert ids == {made[k].id for k in ("shelter", "hostile", "anonymous", "medical")}
    [event] = events(session, action="export.referrals", actor_id=setup.signed_in.user.id)
    assert event.detail["scope"] == "organization" and event.detail["rows"] == 4


def test_report_export_is_audited_with_filters_and_row_count(client, session, login_as,
                                                             referrals):
    coordinator = login_as("coordinator")
    response = client.get("/api/v1/reports/referrals?labels=codes&format=xlsx&service=shelter"
                          "&from=2025-10-01&recipient=safe", headers=coordinator.headers)
    assert response.status_code == 200
    [event] = events(session, action="export.referrals", actor_id=coordinator.user.id)
    assert event.outcome == "success" and event.entity_type == "report"
    assert event.detail == {
        "format": "xlsx", "labels": "codes", "scope": "all", "rows": 1, "complete": True,
        "filters": {"from": "2025-10-01", "to": None, "status": None, "service": "shelter",
                    "recipient_filter": True, "case_id": None}}


@pytest.mark.parametrize("role", ["border_official", "admin"])
def test_report_by_role_without_referral_export_is_403_and_audited(client, session, login_as,
                                                                   role):
    signed_in = login_as(role)
    response = client.get("/api/v1/reports/referrals?labels=codes", headers=signed_in.headers)
    assert response.status_code == 403
    assert [e.action for e in events(session, actor_id=signed_in.user.id, outcome="denied")] \
        == ["GET /api/v1/reports/referrals"]
    assert events(session, action="export.referrals") == []


def test_report_anonymous_is_401(client):
    assert client.get("/api/v1/reports/referrals?labels=codes").status_code == 401


@pytest.mark.parametrize(("query", "field"), [
    ("format=pdf", "format"), ("status=lost", "status"), ("service=spa", "service"),
    ("from=yesterday", "from"), ("from=2025-10-10&to=2025-10-01", "to"),
    ("recipient=" + "x" * 201, "recipient"),
])
def test_report_with_bad_filter_is_422_naming_it(client, login_as, query, field):
    response = client.get(f"/api/v1/reports/referrals?labels=codes&{query}",
                          headers=login_as("coordinator").headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_empty_report_is_just_the_header(client, login_as):
    response = client.get("/api/v1/reports/referrals?labels=codes",
                          headers=login_as("coordinator").headers)
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [",".join(
        ["referral_id", "case_reference", "referred_on", "organization", "service",
         "recipient", "status", "status_changed_at", "status_note", "consent_to_share",
         "given_name",
         "family_name", "sex", "date_of_birth", "age_estimate", "nationality",
         "document_number", "phone", "notes"])]


def test_report_reads_in_words_by_default(client, login_as, referrals):
    setup, made, _ = referrals
    response = client.get("/api/v1/reports/referrals", headers=login_as("coordinator").headers)
    rows = _csv_rows(response)
    assert list(rows[0])[:10] == ["Referral", "Case", "Referred on", "Organisation", "Service",
                                  "Recipient", "Status", "Status changed", "Status note",
                                  "Consent to share"]
    hostile = next(r for r in rows if int(r["Referral"]) == made["hostile"].id)
    assert (hostile["Service"], hostile["Status"], hostile["Consent to share"]) == (
        "Legal aid", "Accepted", "Yes")
    first = next(r for r in rows if int(r["Referral"]) == made["shelter"].id)
    assert first["Sex"] == "Male" and first["Nationality"] == "Thailand"
    anonymous = next(r for r in rows if int(r["Referral"]) == made["anonymous"].id)
    assert anonymous["Consent to share"] == "No" and anonymous["Given name"] == ""


def test_xlsx_report_is_a_sheet_a_coordinator_can_use(client, login_as, referrals):
    response = client.get("/api/v1/reports/referrals?format=xlsx",
                          headers=login_as("coordinator").headers)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.freeze_panes == "A2"  # the header stays in view
    assert sheet.auto_filter.ref == f"A1:S{sheet.max_row}"
    assert sheet["C2"].is_date and sheet["C2"].value == datetime(2025, 10, 20)
    assert sheet["H2"].is_date  # when the status changed, a date and time
    assert sheet["A2"].data_type == "n"  # the referral's number is a number
    assert sheet.column_dimensions["F"].width >= 12
