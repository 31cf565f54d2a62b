import re

import pytest

from tests import factories
from tests.cases.conftest import ALL_NO, TRAFFICKED
from tests.pages import csrf_from, sign_in


@pytest.fixture
def caseworker_page(client, session):
    """A caseworker signed in through the sign-in page, with a person of their organisation."""
    org = factories.make_organization(session, name="Border Care Foundation")
    user, password = factories.make_user(session, role="caseworker", organization=org,
                                         username="naw")
    person = factories.make_person(session, organization=org, given_name="Maria",
                                   family_name="Santos", nationality_code="PH",
                                   date_of_birth=None, age_estimate=30)
    session.commit()
    assert sign_in(client, "naw", password).status_code == 303
    return {"user": user, "org": org, "person": person}


def _open_case(client, person_id: int) -> int:
    page = client.get(f"/people/{person_id}")
    assert page.status_code == 200
    response = client.post("/cases", data={"person_id": person_id,
                                           "csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1])


def _intake_data(answers: dict[str, str], **fields) -> dict:
    data = {"consent_given": "yes", "conducted_on": "", "language": "Tagalog",
            "interpreter_used": "yes", "recruited_on": "", "narrative": "Told in Tagalog."}
    data.update({f"answer_{code}": value for code, value in answers.items()})
    data.update(fields)
    return data


def test_intake_form_asks_consent_first_then_every_indicator_by_dimension(client,
                                                                        caseworker_page):
    case_id = _open_case(client, caseworker_page["person"].id)
    page = client.get(f"/cases/{case_id}/interview?language=en")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1>") == 1
    assert html.index('name="consent_given"') < html.index('name="answer_DR1"')
    legends = re.findall(r'<legend>\d\. ([^<]+)</legend>', html)
    assert legends == ["Deceptive recruitment", "Coercive recruitment",
                       "Abuse of vulnerability at recruitment",
                       "Exploitative conditions of work", "Coercion at destination",
                       "Abuse of vulnerability at destination"]
    checked = re.findall(r'name="answer_(\w+)" value="unknown" checked', html)
    assert len(checked) == 40
    assert not re.search(r'value="(yes|no)" checked', html)
    assert html.count('name="note_') == 6
    assert html.index('name="note_VD"') < html.index('name="narrative"')
    assert "Don&#39;t know" in html or "Don't know" in html
    assert "<script" not in html and "style=" not in html


def test_intake_without_consent_is_refused_and_the_answers_are_kept(client, caseworker_page):
    case_id = _open_case(client, caseworker_page["person"].id)
    page = client.get(f"/cases/{case_id}/interview")
    data = _intake_data(TRAFFICKED, csrf_token=csrf_from(page.text))
    del data["consent_given"]
    response = client.post(f"/cases/{case_id}/interview", data=data)
    assert response.status_code == 422
    assert "informed consent is needed" in response.text
    assert 'name="answer_DR1" value="yes" checked' in response.text
    assert 'name="answer_DR3" value="unknown" checked' in response.text
    assert "Told in Tagalog." in response.text
    case_page = client.get(f"/cases/{case_id}")
    assert "No interview yet" in case_page.text


def test_intake_shows_the_suggestion_with_reasons_then_a_determination(client,
                                                                      caseworker_page):
    case_id = _open_case(client, caseworker_page["person"].id)
    page = client.get(f"/cases/{case_id}/interview")
    response = client.post(f"/cases/{case_id}/interview",
                           data=_intake_data(TRAFFICKED, csrf_token=csrf_from(page.text),
                                             note_CD="Guards at the gate."),
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/cases/{case_id}#suggestion"
    html = client.get(f"/cases/{case_id}").text
    assert "Screening suggests: indicators of trafficking found" in html
    assert "decide below" in html
    assert "Passport or identity documents taken (strong)" in html
    assert '<span class="code">CD1</span>' in html
    assert ('Deceptive recruitment present: <a href="#answer-') in html
    assert ('">deceived about the job</a> <span class="code">DR1</span> (strong) and '
            '<a href="#answer-') in html
    assert "Guards at the gate." in html and "Told in Tagalog." in html

    # differing from the suggestion without a rationale: refused next to the field
    bad = client.post(f"/cases/{case_id}/determination",
                      data={"outcome": "willing_worker", "csrf_token": csrf_from(html)})
    assert bad.status_code == 422
    assert 'id="e-rationale"' in bad.text and "differs from the screening suggestion" in bad.text
    assert 'value="willing_worker" id="f-outcome"' not in bad.text  # not the first choice
    assert re.search(r'value="willing_worker"\s+checked', bad.text)
    ok = client.post(f"/cases/{case_id}/determination",
                     data={"outcome": "willing_worker", "csrf_token": csrf_from(html),
                           "rationale": "He shows a signed contract and left freely."},
                     follow_redirects=False)
    assert ok.status_code == 303
    html = client.get(f"/cases/{case_id}").text
    assert "<strong>Willing worker</strong>, decided by" in html
    assert "He shows a signed contract and left freely." in html
    assert "Determination: Willing worker" in html  # the timeline


def test_determination_without_a_choice_is_refused(client, caseworker_page):
    case_id = _open_case(client, caseworker_page["person"].id)
    html = client.get(f"/cases/{case_id}").text
    response = client.post(f"/cases/{case_id}/determination",
                           data={"csrf_token": csrf_from(html)})
    assert response.status_code == 422
    assert "Choose the determination" in response.text


def test_needs_assessment_is_worded_as_a_suggestion(client, caseworker_page):
    case_id = _open_case(client, caseworker_page["person"].id)
    page = client.get(f"/cases/{case_id}/interview")
    client.post(f"/cases/{case_id}/interview",
                data=_intake_data(ALL_NO | {"DR1": "yes"}, csrf_token=csrf_from(page.text)))
    html = client.get(f"/cases/{case_id}").text
    assert "Screening suggests: needs assessment" in html
    assert "victim" not in html.split('id="determination"')[0].replace(
        "trafficking_victim", "")


def test_opening_a_case_twice_goes_to_the_open_case(client, caseworker_page):
    first = _open_case(client, caseworker_page["person"].id)
    page = client.get(f"/people/{caseworker_page['person'].id}")
    assert "Open a case" not in page.text
    again = client.post("/cases", data={"person_id": caseworker_page["person"].id,
                                        "csrf_token": csrf_from(page.text)},
                        follow_redirects=False)
    assert again.headers["location"] == f"/cases/{first}"


def test_coordinator_case_page_shows_suggestion_but_no_answers_or_narrative(client, session,
                                                                         caseworker_page):
    case_id = _open_case(client, caseworker_page["person"].id)
    page = client.get(f"/cases/{case_id}/interview")
    client.post(f"/cases/{case_id}/interview",
                data=_intake_data(TRAFFICKED, csrf_token=csrf_from(page.text),
                                  note_DR="A private note."))
    _, password = factories.make_user(session, role="coordinator", username="maria-co")
    session.commit()
    sign_in(client, "maria-co", password)
    html = client.get(f"/cases/{case_id}").text
    assert "Screening suggests: indicators of trafficking found" in html
    assert "a caseworker decides" in html
    assert "Told in Tagalog." not in html and "A private note." not in html
    assert "Interviews</h2>" not in html and "Record determination" not in html
    assert client.get(f"/cases/{case_id}/interview").status_code == 403


def test_case_page_of_another_organisation_is_not_found(client, session, caseworker_page):
    case_id = _open_case(client, caseworker_page["person"].id)
    other = factories.make_organization(session, name="Safe Return Legal Aid")
    _, password = factories.make_user(session, role="caseworker", organization=other,
                                      username="ananya")
    session.commit()
    sign_in(client, "ananya", password)
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert client.get(f"/cases/{case_id}/interview").status_code == 404


@pytest.mark.parametrize("role", ["border_official", "admin"])
def test_case_pages_are_forbidden_to_roles_without_case_access(client, session,
                                                              caseworker_page, role):
    case_id = _open_case(client, caseworker_page["person"].id)
    _, password = factories.make_user(session, role=role, username=f"page-{role}")
    session.commit()
    sign_in(client, f"page-{role}", password)
    assert client.get(f"/cases/{case_id}").status_code == 403
    assert client.get("/cases").status_code == 403
    assert 'href="/cases"' not in client.get("/").text


def test_cases_list_finds_a_case_by_reference(client, caseworker_page):
    case_id = _open_case(client, caseworker_page["person"].id)
    html = client.get(f"/cases/{case_id}").text
    reference = re.search(r"PSG-\d{4}-\d{6}", html).group(0)
    listing = client.get("/cases", params={"reference": reference}).text
    assert f'href="/cases/{case_id}"' in listing and "1 case." in listing
    assert "No cases with this reference" in client.get(
        "/cases", params={"reference": "PSG-1999-000000"}).text
