"""Names across scripts (issue 16, part 4): a person's names as written and in Latin letters,
through the API, the pages, the duplicate check, the search and the roster import."""

import re

import pytest
from sqlmodel import select

from app.audit.models import AuditEvent
from app.auth.models import Organization
from app.people.models import IdentityLink, Person
from tests import factories
from tests.crossings.rosters import text_csv, upload
from tests.pages import csrf_from, sign_in

BURMESE = "ဇော်မင်းထွန်း"


def _register(client, headers, **fields):
    body = {"given_name": BURMESE, "given_name_latin": "Zaw Min Tun", "nationality_code": "MM",
            "date_of_birth": "1994-02-11", "sex": "male"} | fields
    response = client.post("/api/v1/people", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_zaw_min_htun_finds_the_burmese_record_by_its_latin_form(client, login_as):
    headers = login_as("caseworker", organization="Border Care Foundation").headers
    burmese = _register(client, headers)
    assert (burmese["given_name"], burmese["given_name_latin"], burmese["family_name_latin"]) \
        == (BURMESE, "Zaw Min Tun", "")
    typed = _register(client, headers, given_name="Zaw Min Htun", given_name_latin="")
    [found] = typed["possible_duplicates"]
    assert found["person_id"] == burmese["id"] and found["score"] >= 90
    assert (found["given_name"], found["given_name_latin"]) == (BURMESE, "Zaw Min Tun")
    assert "similar name in Latin letters" in found["reason"]
    assert set(found["matched_on"]) == {"name_latin", "nationality", "date_of_birth"}
    # and the other way round, at any time
    listed = client.get(f"/api/v1/people/{burmese['id']}/duplicates", headers=headers).json()
    assert [d["person_id"] for d in listed["items"]] == [typed["id"]]


def test_a_name_without_latin_form_is_compared_transliterated(client, login_as):
    headers = login_as("caseworker").headers
    hindi = _register(client, headers, given_name="राजेश", family_name="कुमार",
                      given_name_latin="", nationality_code="IN")
    assert hindi["given_name_latin"] == ""  # nothing saved that nobody checked
    typed = _register(client, headers, given_name="Rajesh", family_name="Kumar",
                      given_name_latin="", nationality_code="IN")
    assert [d["person_id"] for d in typed["possible_duplicates"]] == [hindi["id"]]
    # names in Latin letters alone are compared as before
    other = _register(client, headers, given_name="Suresh", family_name="Patel",
                      given_name_latin="", nationality_code="IN")
    assert other["possible_duplicates"] == []


def test_another_organisations_burmese_record_is_not_revealed_by_its_latin_form(
        client, login_as, session):
    border = login_as("border_official", organization="Mae Sot Border Post")
    theirs = _register(client, border.headers, document_number="MA123456")
    caseworker = login_as("caseworker", organization="Border Care Foundation")
    mine = _register(client, caseworker.headers, given_name="Zaw Min Htun",
                     given_name_latin="")
    # as before Latin forms: no warning names the post's record, nothing of it is shown
    assert mine["possible_duplicates"] == []
    assert "Zaw Min Tun" not in str(mine) and BURMESE not in str(mine)
    assert "MA123456" not in str(mine)
    # matching across organisations compares the names as written, as it did: no link
    assert session.exec(select(IdentityLink).where(
        IdentityLink.person_id == theirs["id"])).all() == []
    for url in (f"/api/v1/people/{theirs['id']}", f"/api/v1/people/{theirs['id']}/duplicates"):
        assert client.get(url, headers=caseworker.headers).status_code == 404
    searched = client.get("/people", params={"name": "zaw min"}, headers=caseworker.headers)
    assert BURMESE not in searched.text and "Zaw Min Tun" not in searched.text


def test_latin_forms_are_read_and_corrected_by_the_registering_organisation_only(
        client, login_as, session):
    owner = login_as("caseworker", organization="Border Care Foundation")
    person = _register(client, owner.headers, given_name_latin="")
    read = client.get(f"/api/v1/people/{person['id']}", headers=owner.headers).json()
    assert (read["given_name_latin"], read["family_name_latin"]) == ("", "")
    patched = client.patch(f"/api/v1/people/{person['id']}", headers=owner.headers,
                           json={"given_name_latin": "Zaw Min Tun"})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["given_name"], patched.json()["given_name_latin"]) == (
        BURMESE, "Zaw Min Tun")
    assert session.get(Person, person["id"]).name_key_latin == "zaw min tun"
    listed = client.get("/api/v1/people", headers=owner.headers).json()["items"]
    assert listed[0]["given_name_latin"] == "Zaw Min Tun"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "person.update")).one()
    assert event.detail == {"fields": ["given_name_latin"]}
    # Latin letters only
    thai = client.patch(f"/api/v1/people/{person['id']}", headers=owner.headers,
                        json={"family_name_latin": "ใจดี"})
    assert thai.status_code == 422 and "family_name_latin" in thai.text
    # a caseworker of an organisation holding a case on them sees them and may not correct
    # their names; a coordinator neither; another organisation does not see them at all
    holder = login_as("caseworker", organization="Case Holder NGO")
    factories.make_case(session, person=session.get(Person, person["id"]),
                        organization=session.get(Organization, holder.user.organization_id))
    session.commit()
    assert client.get(f"/api/v1/people/{person['id']}", headers=holder.headers).status_code \
        == 200
    coordinator = login_as("coordinator")
    other = login_as("caseworker", organization="Another NGO")
    for signed_in, status in ((holder, 403), (coordinator, 403), (other, 404)):
        refused = client.patch(f"/api/v1/people/{person['id']}", headers=signed_in.headers,
                               json={"given_name_latin": "X"})
        assert refused.status_code == status
    denied = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert {(e.actor_id, e.action) for e in denied} == {
        (holder.user.id, "person.update"), (other.user.id, "person.read"),
        (coordinator.user.id, "PATCH /api/v1/people/{person_id}")}
    assert session.get(Person, person["id"]).given_name_latin == "Zaw Min Tun"


def _caseworker(client, session):
    org = factories.make_organization(session, name="Border Care Foundation")
    _, password = factories.make_user(session, role="caseworker", organization=org,
                                      username="naw")
    session.commit()
    assert sign_in(client, "naw", password).status_code == 303


def _form(**fields) -> dict:
    return {"given_name": "สมชาย", "family_name": "ใจดี", "given_name_latin": "",
            "family_name_latin": "", "sex": "male", "date_of_birth": "1990-05-01",
            "age_estimate": "", "nationality_code": "TH", "document_number": "", "phone": "",
            "languages": "Thai"} | fields


def _value(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="text" value="([^"]*)"', html)[1]


def test_register_form_proposes_latin_forms_to_check_before_saving(client, session):
    _caseworker(client, session)
    page = client.get("/people/new")
    assert 'name="given_name_latin"' in page.text
    first = client.post("/people/new", data=_form(csrf_token=csrf_from(page.text)))
    # nothing saved: the proposal is in the form, to correct
    assert first.status_code == 200 and 'id="latin-proposed"' in first.text
    assert (_value(first.text, "given_name_latin"), _value(first.text, "family_name_latin")) \
        == ("Smchay", "Aichdi")
    assert session.exec(select(Person)).all() == []
    assert 'name="latin_checked" value="1"' in first.text
    fingerprint = re.search(r'name="confirmed" value="([0-9a-f]+)"', first.text)[1]
    corrected = client.post("/people/new", data=_form(
        csrf_token=csrf_from(first.text), given_name_latin="Somchai",
        family_name_latin="Jaidee", latin_checked="1", confirmed=fingerprint),
        follow_redirects=False)
    assert corrected.status_code == 303
    [person] = session.exec(select(Person)).all()
    assert (person.given_name, person.given_name_latin, person.family_name_latin) == (
        "สมชาย", "Somchai", "Jaidee")
    # the list and the person's page show both; the search finds them by either
    listed = client.get("/people", params={"name": "somchai"}).text
    assert "สมชาย ใจดี</a>" in listed and "Somchai Jaidee</span>" in listed
    detail = client.get(f"/people/{person.id}").text
    assert "Name in Latin letters" in detail and "Somchai Jaidee" in detail
    assert f'href="/people/{person.id}/edit"' in detail


def test_latin_forms_left_empty_after_the_proposal_stay_empty(client, session):
    _caseworker(client, session)
    page = client.get("/people/new")
    first = client.post("/people/new", data=_form(csrf_token=csrf_from(page.text)))
    again = client.post("/people/new", data=_form(csrf_token=csrf_from(first.text),
                                                  latin_checked="1"), follow_redirects=False)
    assert again.status_code == 303
    [person] = session.exec(select(Person)).all()
    assert (person.given_name_latin, person.family_name_latin) == ("", "")
    assert person.name_key_latin == "smchay aichdi"  # still compared transliterated


def test_a_name_in_latin_letters_is_registered_at_once(client, session):
    _caseworker(client, session)
    page = client.get("/people/new")
    response = client.post("/people/new", data=_form(
        csrf_token=csrf_from(page.text), given_name="Juan", family_name="Dela Cruz",
        nationality_code="PH"), follow_redirects=False)
    assert response.status_code == 303


def test_edit_page_proposes_and_saves_the_latin_forms(client, session):
    _caseworker(client, session)
    page = client.get("/people/new")
    client.post("/people/new", data=_form(csrf_token=csrf_from(page.text), latin_checked="1"))
    [person] = session.exec(select(Person)).all()
    edit = client.get(f"/people/{person.id}/edit")
    assert edit.status_code == 200 and 'id="latin-proposed"' in edit.text
    assert _value(edit.text, "given_name_latin") == "Smchay"
    bad = client.post(f"/people/{person.id}/edit", data={
        "csrf_token": csrf_from(edit.text), "given_name": "สมชาย", "family_name": "ใจดี",
        "given_name_latin": "สม", "family_name_latin": ""})
    assert bad.status_code == 422 and "Latin letters only" in bad.text
    saved = client.post(f"/people/{person.id}/edit", data={
        "csrf_token": csrf_from(edit.text), "given_name": "สมชาย", "family_name": "ใจดี",
        "given_name_latin": "Somchai", "family_name_latin": "Jaidee"}, follow_redirects=False)
    assert saved.status_code == 303
    session.refresh(person)
    assert (person.given_name_latin, person.family_name_latin, person.name_key_latin) == (
        "Somchai", "Jaidee", "somchai jaidee")


@pytest.fixture
def border(login_as, session):
    signed_in = login_as("border_official", organization="Mae Sot Border Post")
    factories.make_roster_compounds(session)
    session.commit()
    return signed_in


def test_roster_takes_the_latin_columns_and_the_template_lists_them(client, session, border):
    header = ["given_name", "family_name", "nationality", "date_of_birth", "crossed_at",
              "crossing_point", "given_name_latin", "family_name_latin"]
    content = text_csv(header,
                       [BURMESE, "", "MM", "1994-02-11", "2025-10-22T09:15:00+07:00",
                        "Bridge 2", "Zaw Min Tun", ""],
                       ["Priya", "Sharma", "IN", "1998-03-14", "2025-10-22T09:15:00+07:00",
                        "Bridge 2", "", ""])
    response = upload(client, border.headers, content)
    assert response.status_code in (200, 201), response.text
    people = {p.given_name: p for p in session.exec(select(Person)).all()}
    assert (people[BURMESE].given_name_latin, people[BURMESE].name_key_latin) == (
        "Zaw Min Tun", "zaw min tun")
    assert (people["Priya"].given_name_latin, people["Priya"].name_key_latin) == ("", "")
    bad = upload(client, border.headers, text_csv(header, [
        BURMESE, "", "MM", "1994-02-11", "2025-10-22T09:15:00+07:00", "Bridge 2",
        "ဇော်", ""]))
    assert bad.status_code == 422
    assert [(e["row"], e["column"]) for e in bad.json()["detail"]] == [(2, "given_name_latin")]
    template = client.get("/crossings/import/template.csv", headers=border.headers)
    first_line = template.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert first_line[-2:] == ["given_name_latin", "family_name_latin"]
