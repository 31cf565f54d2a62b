import re

import pytest
from sqlmodel import select

from app.crossings.models import Crossing
from app.demo.roster import count_by_nationality, generate_roster
from tests import factories
from tests.crossings.rosters import csv_bytes, row
from tests.pages import csrf_from, sign_in


def signed_in_border(client, session, username="page-border"):
    org = factories.make_organization(session, name="Page Post")
    factories.make_user(session, role="border_official", username=username, organization=org)
    factories.make_roster_compounds(session)
    session.commit()
    sign_in(client, username, factories.DEFAULT_PASSWORD)
    return org


FORM = {"given_name": "Sunita", "family_name": "Yadav", "sex": "female",
        "date_of_birth": "1997-01-09", "age_estimate": "", "nationality": "India",
        "document_number": "", "crossed_on": "2025-10-22", "crossed_time": "09:40",
        "crossing_point": "Mae Sot Friendship Bridge 2", "compound_id": "",
        "group_reference": ""}


def test_quick_form_records_a_crossing_and_keeps_point_and_day(client, session):
    org = signed_in_border(client, session)
    page = client.get("/crossings")
    assert page.status_code == 200 and "Record crossing" in page.text
    response = client.post("/crossings", data={**FORM, "csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    crossing = session.exec(select(Crossing).where(
        Crossing.recorded_by_organization_id == org.id)).one()
    assert response.headers["location"] == f"/crossings?recorded={crossing.id}"
    assert crossing.crossed_at.isoformat() == "2025-10-22T02:40:00+00:00"
    after = client.get(response.headers["location"])
    assert "Crossing of Sunita Yadav recorded." in after.text  # who was recorded
    assert 'value="Mae Sot Friendship Bridge 2"' in after.text  # kept for the next person
    assert 'value="2025-10-22"' in after.text
    assert re.search(r'id="f-given_name"[^>]*value=""', after.text)  # the person is not
    assert '<td dir="auto">Sunita Yadav</td>' in after.text


def test_quick_form_with_errors_is_422_refilled_with_errors_by_the_fields(client, session):
    signed_in_border(client, session)
    page = client.get("/crossings")
    bad = {**FORM, "given_name": "", "nationality": "Atlantis", "crossed_time": ""}
    response = client.post("/crossings", data={**bad, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert response.text.count('class="field-error"') == 3
    assert 'value="Atlantis"' in response.text and 'value="Yadav"' in response.text


def test_quick_form_twice_says_the_crossing_is_already_recorded(client, session):
    signed_in_border(client, session)
    page = client.get("/crossings")
    data = {**FORM, "csrf_token": csrf_from(page.text)}
    client.post("/crossings", data=data)
    again = client.post("/crossings", data=data)
    assert again.status_code == 422 and "already recorded" in again.text


def test_caseworker_sees_no_crossing_form_and_cannot_post_it(client, session):
    factories.make_user(session, role="caseworker", username="page-cw")
    session.commit()
    sign_in(client, "page-cw", factories.DEFAULT_PASSWORD)
    page = client.get("/crossings")
    assert page.status_code == 200 and "Record crossing" not in page.text
    response = client.post("/crossings", data={**FORM, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 403
    assert client.get("/crossings/import").status_code == 403


def test_roster_page_checks_then_imports_the_carried_file(client, session):
    signed_in_border(client, session)
    rows = generate_roster(size=120, seed=21)
    page = client.get("/crossings/import")
    assert page.status_code == 200 and "Check roster" in page.text
    checked = client.post("/crossings/import",
                          data={"action": "check", "csrf_token": csrf_from(page.text)},
                          files={"file": ("kk-park.csv", csv_bytes(rows), "text/csv")})
    assert checked.status_code == 200
    assert "no problems" in checked.text and "Import 120 rows" in checked.text
    assert session.exec(select(Crossing)).all() == []  # nothing written by the check
    carried = re.search(r'name="roster_data" value="([^"]+)"', checked.text).group(1)
    done = client.post("/crossings/import",
                       data={"action": "import", "roster_data": carried,
                             "filename": "kk-park.csv", "csrf_token": csrf_from(checked.text)},
                       follow_redirects=False)
    assert done.status_code == 303
    report = client.get(done.headers["location"])
    assert "Roster imported" in report.text and "120 crossings recorded" in report.text
    dashboard = client.get("/stats/nationalities").text
    india = count_by_nationality(rows)["IN"]
    assert re.search(rf'<th scope="row">India</th><td class="code">IN</td>'
                     rf'<td class="num">{india}</td>', dashboard)


def test_roster_page_shows_every_error_by_row_and_imports_nothing(client, session):
    signed_in_border(client, session)
    rows = [row(), row(nationality="Atlantis", sex="woman"), row(), row(crossed_at="soon")]
    page = client.get("/crossings/import")
    response = client.post("/crossings/import",
                           data={"action": "check", "csrf_token": csrf_from(page.text)},
                           files={"file": ("bad.csv", csv_bytes(rows), "text/csv")})
    assert response.status_code == 422
    assert "Nothing was imported: 3 problems in 2 rows" in response.text
    assert re.search(r'<th scope="row" class="num">3</th>\s*<td><ul class="plain">'
                     r'<li>Column <strong>“sex”</strong>', response.text)
    assert '<th scope="row" class="num">5</th>' in response.text
    assert 'name="roster_data"' not in response.text and "Import 4 rows" not in response.text
    assert session.exec(select(Crossing)).all() == []


def test_roster_page_without_a_file_or_with_an_unreadable_one_says_so(client, session):
    signed_in_border(client, session)
    page = client.get("/crossings/import")
    token = csrf_from(page.text)
    empty = client.post("/crossings/import", data={"action": "check", "csrf_token": token})
    assert empty.status_code == 422 and "Choose a roster file" in empty.text
    damaged = client.post("/crossings/import", data={"action": "import", "csrf_token": token,
                                                     "roster_data": "not base64!"})
    assert damaged.status_code == 422 and "upload it again" in damaged.text


def test_roster_page_carries_a_checked_file_of_up_to_900_kb_in_the_form(client, session):
    import os

    from app.crossings import roster_files

    signed_in_border(client, session)
    carried = roster_files.pack(os.urandom(600_000))  # incompressible: about 800 KB of text
    assert carried is not None and len(carried) > 780_000
    page = client.get("/crossings/import")
    response = client.post("/crossings/import",
                           data={"action": "import", "roster_data": carried,
                                 "csrf_token": csrf_from(page.text)})
    # the field reached the importer, which found it is no roster
    assert response.status_code == 422 and "neither an XLSX workbook nor" in response.text


def test_roster_page_asks_for_a_file_too_large_to_carry_again(client, session, monkeypatch):
    from app.crossings import roster_files

    signed_in_border(client, session)
    monkeypatch.setattr(roster_files, "CARRY_LIMIT", 10)
    page = client.get("/crossings/import")
    checked = client.post("/crossings/import",
                          data={"action": "check", "csrf_token": csrf_from(page.text)},
                          files={"file": ("r.csv", csv_bytes([row()]), "text/csv")})
    assert checked.status_code == 200
    assert 'name="roster_data"' not in checked.text
    assert "Choose the same file again" in checked.text
    done = client.post("/crossings/import",
                       data={"action": "import", "csrf_token": csrf_from(checked.text)},
                       files={"file": ("r.csv", csv_bytes([row()]), "text/csv")},
                       follow_redirects=False)
    assert done.status_code == 303
    assert len(session.exec(select(Crossing)).all()) == 1


def test_quick_form_keeps_the_compound_for_the_next_person_of_the_group(client, session):
    signed_in_border(client, session)
    compound = factories.make_compound(session, name="KK Park")
    session.commit()
    page = client.get("/crossings")
    response = client.post("/crossings", data={**FORM, "compound_id": str(compound.id),
                                               "csrf_token": csrf_from(page.text)})
    assert response.status_code == 200
    assert re.search(rf'<option value="{compound.id}" selected>KK Park</option>', response.text)


def test_crossings_page_names_no_crossing_the_reader_may_not_see(client, session):
    other = factories.make_organization(session)
    person = factories.make_person(session, organization=other, given_name="Hidden")
    crossing = factories.make_crossing(session, person=person)
    signed_in_border(client, session)
    page = client.get(f"/crossings?recorded={crossing.id}")
    assert page.status_code == 200 and "Hidden" not in page.text
    assert client.get("/crossings?recorded=99999999999999999999").status_code == 200


def test_import_page_offers_a_template_that_passes_the_check(client, session, login_as):
    signed_in_border(client, session)
    page = client.get("/crossings/import")
    assert 'href="/crossings/import/template.csv"' in page.text
    template = client.get("/crossings/import/template.csv")
    assert template.status_code == 200
    assert template.headers["content-disposition"].startswith("attachment;")
    lines = template.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:4] == ["given_name", "family_name", "sex", "date_of_birth"]
    from tests.crossings.rosters import upload

    official = login_as("border_official")
    checked = upload(client, official.headers, template.content, dry_run=True)
    assert checked.status_code == 200, checked.text
    assert checked.json()["rows"] == 1 and checked.json()["errors"] == []


@pytest.mark.parametrize("role", ["caseworker", "coordinator"])
def test_roster_template_is_for_those_who_import(client, session, role):
    user, password = factories.make_user(session, role=role)
    session.commit()
    sign_in(client, user.username, password)
    assert client.get("/crossings/import/template.csv").status_code == 403


def test_roster_errors_show_the_value_in_the_file_but_the_api_does_not(client, session,
                                                                        login_as):
    signed_in_border(client, session)
    content = csv_bytes([row(sex="maybe", date_of_birth="14/03/1998")])
    page = client.get("/crossings/import")
    shown = client.post("/crossings/import", data={"action": "check",
                                                   "csrf_token": csrf_from(page.text)},
                        files={"file": ("roster.csv", content, "text/csv")})
    assert shown.status_code == 422
    assert "(the file has “<span dir=\"auto\">maybe</span>”)" in shown.text
    from tests.crossings.rosters import upload

    api = upload(client, login_as("border_official").headers, content, dry_run=True)
    assert api.status_code == 422 and "sex" in api.text
    assert "maybe" not in api.text and "14/03/1998" not in api.text
