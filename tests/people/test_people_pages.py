import re
from datetime import date

from sqlmodel import select

from app.people.models import Person
from tests import factories
from tests.pages import csrf_from, sign_in


def _caseworker(client, session, username="naw", org_name="Border Care Foundation"):
    org = factories.make_organization(session, name=org_name)
    _, password = factories.make_user(session, role="caseworker", organization=org,
                                      username=username)
    session.commit()
    assert sign_in(client, username, password).status_code == 303
    return org


def _form(**fields) -> dict:
    return {"given_name": "Juan", "family_name": "Dela Cruz", "sex": "male",
            "date_of_birth": "1990-05-01", "age_estimate": "", "nationality_code": "PH",
            "document_number": "", "phone": "", "languages": "Tagalog, English"} | fields


def test_new_person_without_duplicates_is_registered_at_once(client, session):
    _caseworker(client, session)
    page = client.get("/people/new")
    assert page.status_code == 200 and page.text.count("<h1>") == 1
    response = client.post("/people/new", data=_form(csrf_token=csrf_from(page.text)),
                           follow_redirects=False)
    assert response.status_code == 303
    person_id = int(response.headers["location"].rsplit("/", 1)[1])
    person = session.get(Person, person_id)
    assert person.languages == ["Tagalog", "English"] and person.nationality_code == "PH"
    html = client.get(f"/people/{person_id}").text
    assert 'dir="auto">Juan Dela Cruz</h1>' in html
    assert "Open a case" in html


def test_duplicate_warning_comes_before_saving_and_register_anyway_saves(client, session):
    org = _caseworker(client, session)
    known = factories.make_person(session, organization=org, given_name="Juan",
                                  family_name="Dela Cruz", nationality_code="PH",
                                  date_of_birth=date(1991, 5, 1))
    session.commit()
    before = session.exec(select(Person)).all()
    page = client.get("/people/new")
    warned = client.post("/people/new", data=_form(given_name="Dela Cruz,",
                                                   family_name="Juan",
                                                   csrf_token=csrf_from(page.text)))
    assert warned.status_code == 200
    assert "Passage may already know this person" in warned.text
    assert "Nothing has been saved yet" in warned.text
    assert f'href="/people/{known.id}"' in warned.text
    assert "dates of birth 1 year apart" in warned.text
    assert len(session.exec(select(Person)).all()) == len(before)
    fingerprint = re.search(r'name="confirmed" value="([0-9a-f]+)"', warned.text).group(1)

    # a changed detail is checked again, even with the confirmation
    changed = client.post("/people/new", data=_form(given_name="Dela Cruz,",
                                                    family_name="Juan",
                                                    date_of_birth="1990-05-02",
                                                    confirmed=fingerprint,
                                                    csrf_token=csrf_from(page.text)))
    assert changed.status_code == 200 and "Passage may already know" in changed.text

    saved = client.post("/people/new", data=_form(given_name="Dela Cruz,", family_name="Juan",
                                                  confirmed=fingerprint,
                                                  csrf_token=csrf_from(page.text)),
                        follow_redirects=False)
    assert saved.status_code == 303
    assert len(session.exec(select(Person)).all()) == len(before) + 1


def test_invalid_person_form_is_refilled_with_errors(client, session):
    _caseworker(client, session)
    page = client.get("/people/new")
    response = client.post("/people/new", data=_form(given_name="", age_estimate="200",
                                                     family_name="Keep me",
                                                     csrf_token=csrf_from(page.text)))
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert 'id="e-given_name"' in response.text and 'id="e-age_estimate"' in response.text
    assert 'value="Keep me"' in response.text


def test_person_search_by_name_nationality_and_case_reference(client, session):
    org = _caseworker(client, session)
    juan = factories.make_person(session, organization=org, given_name="Juan",
                                 family_name="Dela Cruz", nationality_code="PH")
    priya = factories.make_person(session, organization=org, given_name="Priya",
                                  family_name="Sharma", nationality_code="IN")
    stranger = factories.make_person(session, given_name="Juan", family_name="Dela Cruz",
                                     nationality_code="PH")
    case = factories.make_case(session, person=priya, organization=org)
    session.commit()

    def found(**params) -> set[int]:
        html = client.get("/people", params=params).text
        return {int(i) for i in re.findall(r'href="/people/(\d+)"', html)}

    assert found(name="cruz dela") == {juan.id}
    assert stranger.id not in found(name="juan")
    assert found(nationality="IN") == {priya.id}
    assert found(reference=case.reference.lower()) == {priya.id}
    assert found(name="nobody at all") == set()
    assert case.reference in client.get("/people", params={"name": "priya"}).text


def test_person_page_of_another_organisation_is_not_found(client, session):
    _caseworker(client, session)
    stranger = factories.make_person(session, given_name="Hidden", family_name="Person")
    session.commit()
    response = client.get(f"/people/{stranger.id}")
    assert response.status_code == 404 and "Hidden" not in response.text


def test_people_pages_are_forbidden_to_admins(client, session):
    _, password = factories.make_user(session, role="admin", username="adm")
    session.commit()
    sign_in(client, "adm", password)
    assert client.get("/people").status_code == 403
    assert client.get("/people/new").status_code == 403
    assert 'href="/people"' not in client.get("/").text


def test_home_page_offers_people_and_cases_to_caseworkers(client, session):
    _caseworker(client, session)
    home = client.get("/").text
    assert home.count('href="/people"') >= 1 and 'href="/cases"' in home
