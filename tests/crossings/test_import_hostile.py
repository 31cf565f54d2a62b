"""Hostile spreadsheets against a served Passage: each is refused with a 413 or 422 that says
what is wrong, and the server's peak memory (VmHWM) stays under 300 MB throughout."""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app.demo.roster import ROSTER_COLUMNS
from tests.conftest import _create_database, _drop_database
from tests.crossings import hostile
from tests.live import LiveServer, start_server, stop_server

PEAK_LIMIT_MB = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> LiveServer:
    folder = tmp_path_factory.mktemp("hostile")
    database_url = _create_database(folder)
    live = start_server(database_url, folder / "server.log")
    try:
        yield live
    finally:
        stop_server(live)
        _drop_database(database_url)


@pytest.fixture(scope="module")
def headers(server) -> dict[str, str]:
    password = server.create_user("somchai", "border_official", "Mae Sot Border Post")
    token = httpx.post(server.base_url + "/api/v1/auth/token",
                       data={"username": "somchai", "password": password}, timeout=30)
    assert token.status_code == 200, token.text
    return {"Authorization": "Bearer " + token.json()["access_token"]}


def peak_mb(server: LiveServer) -> float:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def cpu_seconds(server: LiveServer) -> float:
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def send(server: LiveServer, headers, content: bytes) -> httpx.Response:
    return httpx.post(server.base_url + "/api/v1/crossings/import?dry_run=true",
                      headers=headers, files={"file": ("roster.xlsx", content, XLSX)},
                      timeout=120)


def message(response: httpx.Response) -> str:
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else detail[0]["msg"]


@pytest.fixture(scope="module")
def bomb() -> bytes:
    content = hostile.shared_strings_bomb(187)
    assert len(content) < 600_000  # about 470 KB that unpacks to 187 MB
    return content


def test_shared_strings_bomb_is_413_before_it_is_parsed(server, headers, bomb):
    cpu = cpu_seconds(server)
    response = send(server, headers, bomb)
    assert response.status_code == 413, response.text
    assert message(response).startswith("The workbook is too large once unpacked: its part "
                                        "xl/sharedStrings.xml holds 187.0 MB")
    assert cpu_seconds(server) - cpu < 2
    assert peak_mb(server) < PEAK_LIMIT_MB


def test_part_that_lies_about_its_size_is_422_and_never_unpacked_whole(server, headers, bomb):
    liar = hostile.with_declared_size(bomb, "xl/sharedStrings.xml", 4096)
    response = send(server, headers, liar)
    assert response.status_code == 422, response.text
    assert message(response) == ("The file is not a readable XLSX workbook: its part "
                                 "xl/sharedStrings.xml is damaged or not the size it declares")
    assert peak_mb(server) < PEAK_LIMIT_MB


def test_million_empty_rows_cost_little_and_are_no_roster(server, headers):
    content = hostile.million_empty_rows()
    cpu = cpu_seconds(server)
    response = send(server, headers, content)
    assert response.status_code == 422, response.text
    assert message(response) == ("The file could not be read as a roster: it has a header but "
                                 "no rows of people below it")
    assert cpu_seconds(server) - cpu < 8  # 27 s and more when every row was padded
    assert peak_mb(server) < PEAK_LIMIT_MB


def test_empty_rows_then_a_person_are_refused_naming_the_row(server, headers):
    person = hostile.inline_row(200_002, hostile.GOOD_ROW)
    response = send(server, headers, hostile.million_empty_rows(200_000, then=person))
    assert response.status_code == 422, response.text
    assert message(response).startswith("Row 200,002 has values after 1,000 or more empty "
                                        "rows: delete the empty rows")
    assert peak_mb(server) < PEAK_LIMIT_MB


def test_hostile_files_at_once_keep_the_server_under_300_mb(server, headers, bomb):
    sheet = [hostile.inline_row(1, ROSTER_COLUMNS),
             *(hostile.inline_row(n, hostile.GOOD_ROW) for n in range(2, 3002))]
    files = [bomb, bomb, hostile.million_empty_rows(200_000), hostile.workbook(sheet)]
    with ThreadPoolExecutor(len(files)) as pool:
        responses = list(pool.map(lambda content: send(server, headers, content), files))
    assert [r.status_code for r in responses] == [413, 413, 422, 200]
    assert responses[3].json()["rows"] == 3000
    assert peak_mb(server) < PEAK_LIMIT_MB


def test_largest_roster_and_one_full_of_problems_stay_under_300_mb(server, headers):
    people = [hostile.inline_row(n, (f"Person {n}", *hostile.GOOD_ROW[1:]))
              for n in range(2, 20_002)]
    largest = send(server, headers, hostile.workbook([hostile.inline_row(1, ROSTER_COLUMNS),
                                                      *people]))
    assert largest.status_code == 200, largest.text
    assert largest.json()["rows"] == 20_000
    assert peak_mb(server) < PEAK_LIMIT_MB

    bad = ",".join(["x" * 201, "y", "zz", "bad", "bad", "Atlantis", "9" * 65, "bad", "p",
                    "Nowhere"])
    content = (",".join(ROSTER_COLUMNS) + "\r\n" + (bad + "\r\n") * 20_000).encode()
    response = httpx.post(server.base_url + "/api/v1/crossings/import", headers=headers,
                          files={"file": ("roster.csv", content, "text/csv")}, timeout=120)
    assert response.status_code == 422
    assert len(response.json()["detail"]) == 1001  # 160,000 problems: the first 1,000 listed
    assert peak_mb(server) < PEAK_LIMIT_MB
