"""The streaming writers and the formula guard. No database."""

import csv
import io
import itertools
from datetime import date, datetime

import openpyxl
import pytest

from app.reports.streaming import RowCounter, audited
from app.reports.writers import CSV_BATCH_ROWS, csv_chunks, neutralise, xlsx_chunks


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+66 81 000", "'+66 81 000"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("\nx", "'\nx"), ("＝1+1", "'＝1+1"), ("＋1", "'＋1"),
    ("－1", "'－1"), ("＠A1", "'＠A1"),
    ("Mae Sot", "Mae Sot"), ("", ""), ("a=b", "a=b"), ("'quoted", "'quoted"),
    ("สมชาย", "สมชาย"),
])
def test_neutralise_prefixes_formula_starts_only(value, expected):
    assert neutralise(value) == expected


def test_csv_has_bom_and_parses_back_with_every_kind_of_value():
    rows = [[1, "=HYPERLINK(\"x\")", None, True, date(2025, 10, 25), "王小明, \"Ming\"\n2"],
            [2, "-3", "", False, datetime(2025, 10, 25, 9, 30), "အောင်ဆန်း"]]
    data = b"".join(csv_chunks(["id", "text", "empty", "flag", "day", "name"], rows))
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed == [["id", "text", "empty", "flag", "day", "name"],
                      ["1", "'=HYPERLINK(\"x\")", "", "yes", "2025-10-25", "王小明, \"Ming\"\n2"],
                      ["2", "'-3", "", "no", "2025-10-25T09:30:00", "အောင်ဆန်း"]]


def test_csv_streams_before_it_has_read_every_row():
    endless = ([i, "row"] for i in itertools.count())
    counter = RowCounter(endless)
    chunks = csv_chunks(["id", "text"], counter)
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbf")
    assert counter.count == CSV_BATCH_ROWS  # one batch read, not the endless rest


def test_xlsx_parses_back_with_types_and_guarded_text():
    rows = [[1, "=1+2", None, 2.5, "สมชาย"], [2, "+1", "", 0, "王"]]
    data = b"".join(xlsx_chunks(["id", "text", "empty", "n", "name"], rows,
                                notes=["=not a formula either"]))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["id", "text", "empty", "n", "name"],
                      [1, "'=1+2", None, 2.5, "สมชาย"], [2, "'+1", None, 0, "王"]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert workbook["Notes"]["A1"].value == "'=not a formula either"


def test_audited_reports_rows_and_completion():
    calls = []
    counter = RowCounter(range(7))
    body = audited((b"x" for _ in counter), rows=lambda: counter.count,
                   on_done=lambda n, complete: calls.append((n, complete)))
    assert b"".join(body) == b"x" * 7
    assert calls == [(7, True)]


def test_audited_reports_an_export_cut_short():
    calls = []
    counter = RowCounter(range(100))
    body = audited((b"x" for _ in counter), rows=lambda: counter.count,
                   on_done=lambda n, complete: calls.append((n, complete)))
    next(body)
    next(body)
    body.close()  # what ExportResponse does when the client goes away
    # the rows read: two chunks sent, the third held back behind them
    assert calls == [(3, False)]


def test_audited_puts_the_export_on_record_before_its_last_chunk():
    calls = []
    counter = RowCounter(range(3))
    body = audited((b"x" for _ in counter), rows=lambda: counter.count,
                   on_done=lambda n, complete: calls.append((n, complete)))
    assert [next(body), next(body)] == [b"x", b"x"]
    assert calls == []
    assert next(body) == b"x"
    assert calls == [(3, True)]
    assert next(body, None) is None


def test_audited_records_a_failed_body_as_incomplete_and_raises():
    calls = []

    def chunks():
        yield b"a"
        yield b"b"
        raise OverflowError("a value the writer could not take")

    body = audited(chunks(), rows=lambda: 2,
                   on_done=lambda n, complete: calls.append((n, complete)))
    assert next(body) == b"a"
    with pytest.raises(OverflowError):
        next(body)
    assert calls == [(2, False)]
