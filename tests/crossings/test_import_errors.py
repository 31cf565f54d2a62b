"""Damaged rosters and impossible crossing times: a 4xx that says what is wrong, in plain
words and where it is, never a 500; nothing is written."""

import io
import zipfile
from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from app.crossings.models import Crossing
from app.demo.roster import ROSTER_COLUMNS
from tests import factories
from tests.crossings.hostile import GOOD_ROW, inline_row, roster_workbook, workbook
from tests.crossings.rosters import text_csv, upload
from tests.pages import csrf_from, sign_in


@pytest.fixture
def border(login_as, session):
    signed_in = login_as("border_official", organization="Mae Sot Border Post")
    session.commit()
    return signed_in


def crossings(session) -> int:
    return session.exec(select(func.count()).select_from(Crossing)).one()


def file_message(response) -> str:
    detail = response.json()["detail"]
    assert detail[0]["loc"][-1] == "file", detail
    return detail[0]["msg"]


def cell(xml: str, column: str) -> dict[int, str]:
    """A raw cell at a roster column, for inline_row(raw=...)."""
    return {ROSTER_COLUMNS.index(column) + 1: xml}


def test_workbook_with_an_invalid_character_reference_is_422_naming_row_and_column(
        client, session, border):
    before = crossings(session)
    bad = inline_row(3, GOOD_ROW,
                     raw={1: '<c r="{ref}" t="inlineStr"><is><t>Pri&#0;ya</t></is></c>'})
    response = upload(client, border.headers,
                      roster_workbook(inline_row(2, GOOD_ROW), bad), name="r.xlsx")
    assert response.status_code == 422
    message = file_message(response)
    assert "could not be read as a roster" in message
    assert "at row 3, column A" in message and "such as a NUL byte" in message
    assert "Pri" not in message
    assert crossings(session) == before


@pytest.mark.parametrize(("value_xml", "message"), [
    ('<c r="{ref}"><v>yesterday</v></c>', "holds text where the workbook says a number"),
    ('<c r="{ref}" s="1"><v>99999999</v></c>', "Not a date a spreadsheet can hold"),
    ('<c r="{ref}" s="1"><v>-700000</v></c>', "Not a date a spreadsheet can hold"),
    ('<c r="{ref}" s="1"><v>1</v></c>', "Before the year 2000"),  # 1900-01-01
    ('<c r="{ref}" t="d"><v>twelve</v></c>', "stored date is damaged"),
    ('<c r="{ref}" t="s"><v>7</v></c>', "text the workbook does not have"),
])
def test_damaged_workbook_cell_is_reported_at_its_row_and_column(client, session, border,
                                                                value_xml, message):
    rows = [inline_row(2, GOOD_ROW), inline_row(3, GOOD_ROW, raw=cell(value_xml, "crossed_at"))]
    response = upload(client, border.headers, roster_workbook(*rows), name="r.xlsx")
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "crossed_at")]
    assert message in errors[0]["message"]


def test_workbook_dates_in_range_are_read_as_thai_time(client, session, border):
    # 45951.5 is 2025-10-21 12:00 as a spreadsheet counts days
    good = inline_row(2, GOOD_ROW, raw=cell('<c r="{ref}" s="1"><v>45951.5</v></c>',
                                            "crossed_at"))
    response = upload(client, border.headers, roster_workbook(good), name="r.xlsx")
    assert response.status_code == 200, response.text
    crossing = session.exec(select(Crossing).order_by(Crossing.id.desc())).first()
    assert crossing.crossed_at == datetime(2025, 10, 21, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(("crossed_at", "message"), [
    ("0001-01-01 00:00", "Before the year 2000"),
    ("1900-01-01T00:00+07:00", "Before the year 2000"),
    ("9999-12-31 23:59", "In the future"),
    ("9999-12-31T23:59-12:00", "In the future"),
    ("2999-01-01 00:00", "In the future"),
])
def test_roster_crossing_time_out_of_range_is_reported_at_its_row(client, session, border,
                                                                 crossed_at, message):
    header = ["given_name", "nationality", "crossed_at", "crossing_point"]
    content = text_csv(header, ["Priya", "IN", "2025-10-22 09:00", "Bridge"],
                       ["Priya", "IN", crossed_at, "Bridge"])
    before = crossings(session)
    response = upload(client, border.headers, content)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == [{"row": 3, "column": "crossed_at", "message": message}]
    assert crossings(session) == before


def test_roster_time_without_an_offset_is_thai_time(client, session, border):
    content = text_csv(["given_name", "nationality", "crossed_at", "crossing_point"],
                       ["Priya", "IN", "2025-10-22 09:15", "Bridge"])
    assert upload(client, border.headers, content).status_code == 200
    crossing = session.exec(select(Crossing).order_by(Crossing.id.desc())).first()
    assert crossing.crossed_at == datetime(2025, 10, 22, 2, 15, tzinfo=UTC)


def test_nul_byte_in_a_csv_cell_is_reported_at_its_row_and_column(client, session, border):
    content = text_csv(["given_name", "nationality", "crossed_at", "crossing_point"],
                       ["Priya", "IN", "2025-10-22 09:00", "Bridge"],
                       ["Pri\x00ya", "IN", "2025-10-22 09:00", "Bridge"],
                       ["Kyaw", "MM", "2025-10-22 09:00", "Bri\x07dge"])
    before = crossings(session)
    response = upload(client, border.headers, content)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "given_name"),
                                                        (4, "crossing_point")]
    assert all("control character (such as a NUL byte)" in e["message"] for e in errors)
    assert crossings(session) == before


@pytest.mark.parametrize(("content", "message"), [
    (b'given_name,nationality,crossed_at,"crossing_point\r\nPriya,IN,2025-10-22 09:00,Bridge\r\n',
     'the quote (") opened on line 1 is never closed'),
    (b'given_name,nationality,crossed_at,crossing_point\r\nPriya,IN,2025-10-22 09:00,"Bridge\r\n'
     b'Kyaw,MM,2025-10-22 09:00,Bridge\r\n', 'the quote (") opened on line 2 is never closed'),
    (b'given_name,nationality,crossed_at,"crossing\r\npoint"\r\nPriya,IN,2025-10-22 09:00,B\r\n',
     "its header row has a line break inside quotes"),
    (b"given_name,nationality,crossed_at,crossing_point\r\n",
     "it has a header but no rows of people below it"),
    (b'given_name,nationality,crossed_at,crossing_point\r\nPriya,"IN"x,2025-10-22,Bridge\r\n',
     "Line 2 of the file cannot be read as CSV"),
])
def test_csv_that_cannot_be_read_as_a_roster_is_422(client, session, border, content, message):
    before = crossings(session)
    response = upload(client, border.headers, content)
    assert response.status_code == 422, response.text
    text = file_message(response)
    assert message in text
    assert crossings(session) == before


def test_values_after_a_long_run_of_empty_rows_are_refused_not_left_out(client, border):
    header = ["given_name", "nationality", "crossed_at", "crossing_point"]
    good = ["Priya", "IN", "2025-10-22 09:00", "Bridge"]
    csv_rows = [good, *[["", "", "", ""]] * 1000, ["Kyaw", "MM", "2025-10-22 09:00", "Bridge"]]
    csv_refused = upload(client, border.headers, text_csv(header, *csv_rows))
    assert csv_refused.status_code == 422
    assert file_message(csv_refused).startswith("Line 1,003 has values after 1,000")
    sheet_rows = [inline_row(2, GOOD_ROW), *(f'<row r="{n}"/>' for n in range(3, 1503)),
                  inline_row(1503, GOOD_ROW)]
    xlsx_refused = upload(client, border.headers, roster_workbook(*sheet_rows), name="r.xlsx")
    assert xlsx_refused.status_code == 422
    assert file_message(xlsx_refused).startswith("Row 1,503 has values after 1,000")
    # a gap in the numbering is no run of rows: nothing to read in between
    gap = roster_workbook(inline_row(2, GOOD_ROW), inline_row(900_000, GOOD_ROW))
    assert upload(client, border.headers, gap, name="r.xlsx", dry_run=True).json()["rows"] == 2


def test_workbook_declaring_its_own_entities_is_refused(client, border):
    laughs = workbook([inline_row(1, ROSTER_COLUMNS), inline_row(2, GOOD_ROW)],
                      shared_strings=['<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
                                      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                                      '<sst xmlns="x"><si><t>&b;</t></si></sst>'])
    response = upload(client, border.headers, laughs, name="r.xlsx")
    assert response.status_code == 422
    assert "declares its own XML entities" in file_message(response)


def test_workbook_of_too_many_parts_or_texts_is_refused(client, border):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as many:
        for n in range(1001):
            many.writestr(f"part{n}.xml", "<a/>")
    too_many_parts = upload(client, border.headers, buffer.getvalue(), name="r.xlsx")
    assert too_many_parts.status_code == 422
    assert "it holds 1,001 parts" in file_message(too_many_parts)

    texts = workbook([inline_row(1, ROSTER_COLUMNS), inline_row(2, GOOD_ROW)],
                     shared_strings=['<sst xmlns="x">',
                                     *(f"<si><t>{n}</t></si>" for n in range(500_001)),
                                     "</sst>"])
    too_many_texts = upload(client, border.headers, texts, name="r.xlsx")
    assert too_many_texts.status_code == 413
    assert "more than 500,000 different texts" in too_many_texts.json()["detail"]


def test_cells_beyond_the_widest_header_are_not_kept(client, border):
    far = '<c r="ZZ{n}" t="inlineStr"><is><t>note</t></is></c>'
    rows = [inline_row(2, GOOD_ROW).replace("</row>", far.format(n=2) + "</row>")]
    response = upload(client, border.headers, roster_workbook(*rows), name="r.xlsx",
                      dry_run=True)
    assert response.status_code == 200 and response.json()["rows"] == 1


# --- single crossings: the same bounds as the roster ---

@pytest.mark.parametrize(("crossed_at", "message"), [
    ("0001-01-01T00:00", "Before the year 2000"),
    ("1900-01-01T00:00:00+07:00", "Before the year 2000"),
    ("2999-01-01T00:00", "In the future"),
    ("9999-12-31T23:59:59-12:00", "In the future"),
    (1700000000, "Not a date and time"),
    ("1700000000", "Not a date and time"),
    (1.5, "Not a date and time"),
])
def test_single_crossing_at_an_impossible_time_is_422_naming_crossed_at(
        client, session, border, crossed_at, message):
    before = crossings(session)
    response = client.post("/api/v1/crossings", headers=border.headers, json={
        "person": {"given_name": "Rahul", "nationality_code": "IN"},
        "crossed_at": crossed_at, "crossing_point": "Bridge"})
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "crossed_at" and message in error["msg"]
    assert crossings(session) == before


@pytest.mark.parametrize(("day", "message"), [
    ("0001-01-01", "Before the year 2000"), ("1900-01-01", "Before the year 2000"),
    ("2999-01-01", "In the future"), ("9999-12-31", "In the future"),
])
def test_quick_form_at_an_impossible_day_is_422_at_the_day_field(client, session, day,
                                                               message):
    org = factories.make_organization(session, name="Form Post")
    factories.make_user(session, role="border_official", username="form-border",
                        organization=org)
    session.commit()
    sign_in(client, "form-border", factories.DEFAULT_PASSWORD)
    page = client.get("/crossings")
    before = crossings(session)
    response = client.post("/crossings", data={
        "given_name": "Sunita", "nationality": "India", "crossed_on": day,
        "crossed_time": "09:40", "crossing_point": "Bridge", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert message in response.text
    assert response.text.count('class="field-error"') == 1
    assert crossings(session) == before



def test_a_roster_with_thousands_of_problems_lists_the_first_thousand_and_counts_the_rest(
        client, border):
    header = ["given_name", "nationality", "crossed_at", "crossing_point"]
    content = text_csv(header, *[["", "Atlantis", "2025-10-22 09:00", "Bridge"]] * 600)
    response = upload(client, border.headers, content)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert len(errors) == 1001
    assert errors[999] == {"row": 501, "column": "nationality", "message": errors[1]["message"]}
    assert errors[1000] == {"row": 502, "column": None,
                            "message": "200 more problems from this row on are not listed: "
                                       "correct those above and check the file again"}
