import pytest
from sqlmodel import func, select

from app.audit.models import AuditEvent
from app.crossings.models import Crossing
from app.demo.roster import count_by_nationality, generate_roster
from app.people.models import IdentityLink, Person
from tests import factories
from tests.crossings.rosters import csv_bytes, row, text_csv, upload, xlsx_bytes


def counts(session) -> tuple[int, int]:
    people = session.exec(select(func.count()).select_from(Person)).one()
    crossings = session.exec(select(func.count()).select_from(Crossing)).one()
    return people, crossings


@pytest.fixture
def border(login_as, session):
    signed_in = login_as("border_official", organization="Mae Sot Border Post")
    factories.make_roster_compounds(session)
    session.commit()
    return signed_in


def nationality_counts(client, headers, **params) -> dict[str, int]:
    response = client.get("/api/v1/stats/nationalities", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return {r["code"]: r["count"] for r in response.json()["rows"]}


def test_import_1500_row_roster_and_counts_equal_the_roster(client, session, border):
    rows = generate_roster(size=1500, seed=11)
    before = counts(session)
    response = upload(client, border.headers, csv_bytes(rows))
    assert response.status_code == 200, response.text[:2000]
    report = response.json()
    assert report == {"dry_run": False, "rows": 1500, "people": 1500,
                      "crossings_created": 1500, "crossings_skipped": 0, "errors": []}
    assert counts(session) == (before[0] + 1500, before[1] + 1500)
    expected = count_by_nationality(rows)
    assert len(expected) == 28
    assert nationality_counts(client, border.headers) == expected
    by_stats = client.get("/api/v1/stats/nationalities", headers=border.headers).json()
    assert by_stats["total"] == 1500
    assert [r["count"] for r in by_stats["rows"]] == sorted(expected.values(), reverse=True)
    imported = session.exec(select(AuditEvent).where(
        AuditEvent.action == "crossing.import", AuditEvent.actor_id == border.user.id)).one()
    assert imported.detail["crossings_created"] == 1500 and imported.detail["format"] == "csv"


def test_import_xlsx_roster_counts_equal_the_roster(client, border):
    rows = generate_roster(size=300, seed=12)
    response = upload(client, border.headers, xlsx_bytes(rows), name="roster.xlsx")
    assert response.status_code == 200, response.text[:2000]
    assert response.json()["crossings_created"] == 300
    assert nationality_counts(client, border.headers) == count_by_nationality(rows)


def test_import_the_same_roster_twice_creates_no_new_crossings(client, session, border):
    content = csv_bytes(generate_roster(size=400, seed=13))
    assert upload(client, border.headers, content).status_code == 200
    after_first = counts(session)
    again = upload(client, border.headers, content)
    assert again.status_code == 200
    assert again.json() == {"dry_run": False, "rows": 400, "people": 400,
                            "crossings_created": 0, "crossings_skipped": 400, "errors": []}
    assert counts(session) == after_first


def test_dry_run_reports_and_writes_nothing(client, session, border):
    before = counts(session)
    response = upload(client, border.headers, csv_bytes(generate_roster(size=50, seed=14)),
                      dry_run=True)
    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert response.json()["people"] == response.json()["crossings_created"] == 50
    assert counts(session) == before


def test_roster_with_bad_rows_is_422_with_every_error_and_writes_nothing(client, session,
                                                                        border):
    rows = [
        row(),                                                  # 2: good
        row(given_name="", nationality="Atlantis"),             # 3: two errors
        row(crossed_at="22/10/2025 9h", sex="woman"),           # 4: two errors
        row(),                                                  # 5: good
        row(date_of_birth="1998-02-30", age_estimate="twenty"),  # 6
        row(compound="Nowhere Park", crossing_point=""),        # 7
        row(document_number="9" * 65, date_of_birth="2026-01-01"),  # 8: dob after crossing
        row(crossed_at="2099-01-01T10:00"),                    # 9
    ]
    before = counts(session)
    response = upload(client, border.headers, csv_bytes(rows))
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "given_name"), (3, "nationality"),
        (4, "sex"), (4, "crossed_at"),
        (6, "date_of_birth"), (6, "age_estimate"),
        (7, "crossing_point"), (7, "compound"),
        (8, "document_number"), (8, "date_of_birth"),
        (9, "crossed_at"),
    ]
    assert all(set(e) == {"row", "column", "message"} and e["message"] for e in errors)
    assert "Atlantis" not in response.text and "Nowhere" not in response.text
    assert counts(session) == before
    dry = upload(client, border.headers, csv_bytes(rows), dry_run=True)
    assert dry.status_code == 422 and dry.json()["detail"] == errors


def test_missing_required_columns_are_reported_on_row_1(client, border):
    content = text_csv(["Given_Name", "crossing_point"], ["Priya", "Bridge 2"])
    response = upload(client, border.headers, content)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"row": 1, "column": "nationality",
         "message": "The header row has no such column: add it, it is required"},
        {"row": 1, "column": "crossed_at",
         "message": "The header row has no such column: add it, it is required"},
    ]


@pytest.mark.parametrize("bom", [True, False])
def test_headers_in_any_case_extra_columns_and_blank_rows(client, border, bom):
    header = ["Remarks", "GIVEN_NAME", "Family Name", "Nationality", "Crossed_At",
              "Crossing_Point", "compound", "sex"]
    content = text_csv(
        header,
        ["first", "Thị Lan", "Nguyễn", "Vietnam", "2025-10-22 09:15", "Bridge 2", "kk park", "F"],
        ["", "", "", "", "", "", "", ""],
        ["third", "Kyaw", "", "Burma", "2025-10-22 09:20", "Bridge 2", "", ""],
    )
    if bom:
        content = "\ufeff".encode() + content
    response = upload(client, border.headers, content)
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == 2 and response.json()["crossings_created"] == 2
    assert nationality_counts(client, border.headers) == {"VN": 1, "MM": 1}


def test_blank_rows_keep_the_spreadsheet_numbering(client, border):
    content = text_csv(["given_name", "nationality", "crossed_at", "crossing_point"],
                       ["A", "IN", "2025-10-22 09:00", "Bridge"], [",,,"][0].split(","),
                       ["B", "XX", "2025-10-22 09:00", "Bridge"])
    response = upload(client, border.headers, content)
    assert [(e["row"], e["column"]) for e in response.json()["detail"]] == [(4, "nationality")]


def test_common_country_names_resolve(client, border):
    names = {"Vietnam": "VN", "Laos": "LA", "Russia": "RU", "South Korea": "KR",
             "Taiwan": "TW", "Türkiye": "TR", "Turkey": "TR", "Myanmar": "MM", "Burma": "MM",
             "INDIA": "IN", "ph": "PH", "Viet Nam": "VN"}
    rows = [row(given_name=f"Person {i}", nationality=name, document_number=f"D{i}")
            for i, name in enumerate(names)]
    response = upload(client, border.headers, csv_bytes(rows))
    assert response.status_code == 200, response.text
    expected: dict[str, int] = {}
    for code in names.values():
        expected[code] = expected.get(code, 0) + 1
    assert nationality_counts(client, border.headers) == expected


def test_people_on_the_posts_record_are_matched_not_duplicated(client, session, border):
    post = factories.make_organization(session, name="Mae Sot Border Post")
    by_document = factories.make_person(session, organization=post, given_name="Jose",
                                        family_name="Santos", nationality_code="PH",
                                        document_number="P1234567A")
    by_name = factories.make_person(session, organization=post, given_name="Wei",
                                    family_name="Wang", nationality_code="CN",
                                    date_of_birth=factories.aware(1995, 5, 5).date())
    session.commit()
    people_before, _ = counts(session)
    rows = [row(given_name="JOSE MARI", family_name="SANTOS", nationality="Philippines",
                document_number="p1234567a"),
            row(given_name="wei", family_name="WANG", nationality="China",
                date_of_birth="1995-05-05"),
            row(given_name="Wei", family_name="Wang", nationality="CN",
                date_of_birth="1995-05-05", crossed_at="2025-10-23T08:00:00+07:00"),
            row(given_name="Wei", family_name="Wang", nationality="CN",
                date_of_birth="1996-06-06")]
    response = upload(client, border.headers, csv_bytes(rows))
    assert response.json() == {"dry_run": False, "rows": 4, "people": 3,
                               "crossings_created": 4, "crossings_skipped": 0, "errors": []}
    assert counts(session)[0] == people_before + 1
    crossed = set(session.exec(select(Crossing.person_id).where(
        Crossing.recorded_by_organization_id == border.user.organization_id)).all())
    assert {by_document.id, by_name.id} <= crossed


def test_people_another_organisation_registered_are_linked_never_opened(client, session,
                                                                      border):
    ngo = factories.make_organization(session, name="Border Care Foundation")
    theirs = factories.make_person(session, organization=ngo, given_name="Wei",
                                   family_name="Wang", nationality_code="CN", phone="+66 81",
                                   date_of_birth=factories.aware(1995, 5, 5).date())
    session.commit()
    people_before, _ = counts(session)
    response = upload(client, border.headers, csv_bytes([
        row(given_name="wei", family_name="WANG", nationality="China",
            date_of_birth="1995-05-05")]))
    assert response.json()["people"] == 1 and response.json()["crossings_created"] == 1
    assert counts(session)[0] == people_before + 1  # the post's own record, as typed
    crossing = session.exec(select(Crossing).where(
        Crossing.recorded_by_organization_id == border.user.organization_id)).one()
    assert crossing.person_id != theirs.id
    link = session.exec(select(IdentityLink).where(IdentityLink.person_id == theirs.id)).one()
    assert (link.own_person_id, link.via) == (crossing.person_id, "roster")
    assert client.get(f"/api/v1/people/{theirs.id}",
                      headers=border.headers).status_code == 404
    mine = client.get(f"/api/v1/people/{crossing.person_id}", headers=border.headers).json()
    assert (mine["given_name"], mine["phone"]) == ("wei", None)


def test_a_row_repeated_in_the_roster_is_one_crossing(client, border):
    rows = [row(document_number="A1"), row(document_number="A1"),
            row(document_number="A1", crossing_point="Tha Sai Luat, Mae Sot")]
    response = upload(client, border.headers, csv_bytes(rows))
    assert response.json()["people"] == 1
    assert response.json()["crossings_created"] == 2
    assert response.json()["crossings_skipped"] == 1


def test_file_over_10_mb_is_413(client, session, border):
    before = counts(session)
    header = b"given_name,nationality,crossed_at,crossing_point\r\n"
    just_over = header + b"x" * (10 * 1024 * 1024 - len(header) + 1)
    response = upload(client, border.headers, just_over)
    assert response.status_code == 413 and "10 MB" in response.json()["detail"]
    far_over = header + b"x" * (12 * 1024 * 1024)  # refused on its Content-Length
    assert upload(client, border.headers, far_over).status_code == 413
    assert counts(session) == before


def test_roster_over_20000_rows_is_413(client, border):
    lines = [["P", "IN", "2025-10-22 09:00", "Bridge"]] * 20_001
    content = text_csv(["given_name", "nationality", "crossed_at", "crossing_point"], *lines)
    response = upload(client, border.headers, content)
    assert response.status_code == 413 and "20,000" in response.json()["detail"]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty"),
    ("given_name\r\nPriya\r\n".encode("utf-16"), "neither an XLSX workbook nor"),
    (b"PK\x03\x04 not really a zip", "not a readable XLSX workbook"),
])
def test_unreadable_file_is_422_naming_the_file(client, border, content, message):
    response = upload(client, border.headers, content)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == "file" and message in detail["msg"]


def test_import_without_a_file_is_422(client, border):
    response = client.post("/api/v1/crossings/import", headers=border.headers)
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["caseworker", "coordinator", "admin"])
def test_import_by_other_roles_is_403_and_audited(client, login_as, session, role):
    signed_in = login_as(role)
    response = upload(client, signed_in.headers, csv_bytes([row()]))
    assert response.status_code == 403
    denied = session.exec(select(AuditEvent).where(AuditEvent.actor_id == signed_in.user.id,
                                                   AuditEvent.outcome == "denied")).all()
    assert [e.action for e in denied] == ["POST /api/v1/crossings/import"]


def test_import_needs_sign_in(client):
    assert upload(client, {}, csv_bytes([row()])).status_code == 401


def test_body_announced_over_the_limit_is_refused_before_it_is_read(app, border):
    import asyncio
    import threading

    messages = []

    async def receive():
        raise AssertionError("the body was read")

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/v1/crossings/import", "raw_path": b"/api/v1/crossings/import",
             "query_string": b"", "root_path": "", "server": ("testserver", 80),
             "client": ("127.0.0.1", 5000), "app": app,
             "headers": [(b"host", b"testserver"),
                         (b"authorization", border.headers["Authorization"].encode()),
                         (b"content-type", b"multipart/form-data; boundary=x"),
                         (b"content-length", str(50 * 1024 * 1024).encode())]}
    # in a thread of its own: a session-wide Playwright may hold this thread's event loop
    worker = threading.Thread(target=asyncio.run, args=(app(scope, receive, send),))
    worker.start()
    worker.join()
    assert messages[0]["status"] == 413


def test_two_imports_at_the_same_moment_register_each_person_once(fresh_database_url):
    import threading

    from sqlmodel import Session

    from app.audit.service import Actor
    from app.crossings import importer, roster_files
    from app.db import make_engine

    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time in: the second import waits or fails")
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        org = factories.make_organization(session, name="Race Post")
        user, _ = factories.make_user(session, role="border_official", organization=org)
        session.commit()
        actor = Actor.of(user)
    rows = [{**r, "compound": ""} for r in generate_roster(size=300, seed=41)]
    reports, barrier = [], threading.Barrier(2)

    def run_import():
        with Session(engine) as session:
            roster = roster_files.roster_from_dicts(rows)
            barrier.wait()
            reports.append(importer.import_roster(session, actor=actor, roster=roster))
            session.commit()

    threads = [threading.Thread(target=run_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        assert counts(session) == (300, 300)
    engine.dispose()
    assert sorted(r.crossings_skipped for r in reports) == [0, 300]
