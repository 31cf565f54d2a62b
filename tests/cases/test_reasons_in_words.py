"""Screening reasons in words (SCREENING.md rule 5): each indicator named in words and linked to
its answer in the interview, its code only in small text beside it; the API's reasons in the same
words; an age at recruitment taken from today's age said to be an estimate; and coordinators,
who may not read the answers, see no indicator at all."""

import re
from datetime import date

import pytest

from app.screening.catalogue import INDICATORS_BY_CODE, short_label
from tests import factories
from tests.pages import sign_in

CODES = re.compile(r"\b(DR|CR|VR|EX|CD|VD)\d{1,2}\b")
ANSWERS = {"DR1": "yes", "DR5": "yes", "CR1": "unknown", "EX1": "unknown", "CD3": "unknown"}


@pytest.fixture
def screened(session):
    org = factories.make_organization(session, name="Words Care")
    caseworker, _ = factories.make_user(session, role="caseworker", organization=org,
                                        username="words-cw")
    factories.make_user(session, role="coordinator", username="words-coord")
    person = factories.make_person(session, organization=org, age_estimate=30)
    case = factories.make_case(session, person=person, organization=org, assigned_to=caseworker)
    answers = {code: "no" for code in INDICATORS_BY_CODE} | ANSWERS
    screening = factories.make_screening(session, case=case, answers=answers,
                                         created_by=caseworker)
    screening.result = {**screening.result, "age_at_recruitment": 29}
    session.add(screening)
    session.commit()
    return case, screening


def _reasons_html(page: str) -> str:
    return page.split('<ul class="reasons">', 1)[1].split("</ul>", 1)[0]


def test_reasons_name_each_indicator_in_words_linked_to_its_answer(client, screened):
    case, screening = screened
    sign_in(client, "words-cw", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}").text
    reasons = _reasons_html(page)
    anchor = f"answer-{screening.interview_id}-DR1"
    assert (f'Deceptive recruitment present: <a href="#{anchor}">deceived about the job</a> '
            '<span class="code">DR1</span> (strong) and ') in reasons
    assert f'<a href="#answer-{screening.interview_id}-DR5">deceived about legality or visas</a>' \
        in reasons
    assert "Not yet asked, and each would count strongly: " in reasons
    for code in ("CR1", "EX1", "CD3"):
        assert (f'<a href="#answer-{screening.interview_id}-{code}">{short_label(code)}</a> '
                f'<span class="code">{code}</span>') in reasons
    # every link leads to an answer on the page
    for target in re.findall(r'href="#(answer-[^"]+)"', reasons):
        assert f'id="{target}"' in page
    # codes only in small text, never in the words
    words = re.sub(r"<[^>]+>", "", re.sub(r'<span class="code">[^<]*</span>', "", reasons))
    assert not CODES.search(words)


def test_api_reasons_are_in_the_same_words(client, login_as, session, screened):
    case, _ = screened
    caseworker = login_as("caseworker", organization="Words Care")
    response = client.get(f"/api/v1/cases/{case.id}/screening", headers=caseworker.headers)
    assert response.status_code == 200, response.text
    reasons = response.json()["reasons"]
    assert any(r.startswith("Deceptive recruitment present: deceived about the job (strong) and "
                            "deceived about legality or visas (medium)") for r in reasons)
    assert ("Not yet asked, and each would count strongly: violence during recruitment, "
            "excessive hours, kept from leaving.") in reasons
    assert not [r for r in reasons if CODES.search(r)]


def test_coordinator_sees_neither_indicator_codes_nor_words(client, login_as, screened):
    case, _ = screened
    sign_in(client, "words-coord", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    reasons = _reasons_html(page.text)
    assert "Deceptive recruitment present." in reasons
    assert not CODES.search(reasons) and "<a " not in reasons
    for code in INDICATORS_BY_CODE:
        assert short_label(code) not in page.text
        assert f'<span class="code">{code}</span>' not in page.text
    coordinator = login_as("coordinator")
    api = client.get(f"/api/v1/cases/{case.id}/screening", headers=coordinator.headers).json()
    assert not [r for r in api["reasons"] if CODES.search(r)]
    assert not [r for r in api["reasons"] for c in INDICATORS_BY_CODE if short_label(c) in r]


def test_age_from_todays_age_is_said_to_be_an_estimate(client, screened):
    case, _ = screened
    sign_in(client, "words-cw", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}").text
    assert "age at recruitment: 29, estimated from today's age" in page


def test_age_from_birth_and_recruitment_dates_is_not_an_estimate(client, session, screened):
    case, screening = screened
    from app.cases.models import Interview
    from app.people.models import Person

    person = session.get(Person, case.person_id)
    person.date_of_birth = date(1996, 3, 1)
    interview = session.get(Interview, screening.interview_id)
    interview.recruited_on = date(2025, 6, 1)
    session.add_all([person, interview])
    session.commit()
    sign_in(client, "words-cw", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}").text
    assert "age at recruitment: 29\n" in page
    assert "estimated from today" not in page


def _prefer(session, username: str, code: str) -> None:
    from sqlmodel import update

    from app.auth.models import User

    session.exec(update(User).where(User.username == username).values(preferred_language=code))
    session.commit()


def _words_of(reasons_html: str) -> str:
    return re.sub(r"<[^>]+>", "", re.sub(r'<span class="code">[^<]*</span>', "", reasons_html))


def test_a_thai_caseworker_reads_the_reasons_in_thai_with_codes_beside(client, session,
                                                                        screened):
    from app.i18n import gettext_in

    case, screening = screened
    _prefer(session, "words-cw", "th")
    sign_in(client, "words-cw", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert '<html lang="th"' in page.text
    reasons = _reasons_html(page.text)
    dimension = gettext_in("th", "Deceptive recruitment")
    job = gettext_in("th", "deceived about the job")
    strong = gettext_in("th", "strong")
    assert dimension != "Deceptive recruitment" and job != "deceived about the job"
    anchor = f"answer-{screening.interview_id}-DR1"
    assert (f'{gettext_in("th", "%(dimension)s present: %(indicators)s.").split("%")[0]}'
            f'{dimension}') in reasons
    assert f'<a href="#{anchor}">{job}</a> <span class="code">DR1</span> ({strong})' in reasons
    words = _words_of(reasons)
    for english in ("Deceptive recruitment", "deceived about", "present", "Not yet asked",
                    "strong", "medium", "Suggestion"):
        assert english not in words
    assert not CODES.search(words)
    # the table of dimensions too: the label in Thai, the code in small text
    label = gettext_in("th", INDICATORS_BY_CODE["DR1"].label)
    assert f'{label[:1].upper()}{label[1:]} ({strong}) <span class="code">DR1</span>' in page.text


def test_burmese_reasons_have_no_english_fragment(client, session, screened):
    case, screening = screened
    _prefer(session, "words-cw", "my")
    sign_in(client, "words-cw", factories.DEFAULT_PASSWORD)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    reasons = _reasons_html(page.text)
    assert reasons.count("<li>") >= 5
    words = _words_of(reasons)
    assert not re.search(r"[A-Za-z]{2,}", words), words
    # each indicator still linked to its answer, its code beside it
    assert f'href="#answer-{screening.interview_id}-DR5"' in reasons
    assert '<span class="code">CD3</span>' in reasons


def test_api_reasons_are_english_unless_a_language_is_asked(client, login_as, session,
                                                           screened):
    from app.i18n import gettext_in

    case, _ = screened
    caseworker = login_as("caseworker", organization="Words Care")
    english = client.get(f"/api/v1/cases/{case.id}/screening", headers=caseworker.headers)
    thai = client.get(f"/api/v1/cases/{case.id}/screening?lang=th", headers=caseworker.headers)
    assert english.status_code == thai.status_code == 200
    assert any(r.startswith("Deceptive recruitment present:") for r in english.json()["reasons"])
    job = gettext_in("th", "deceived about the job")
    assert any(job in r for r in thai.json()["reasons"])
    # codes are never translated
    assert thai.json()["dimensions"] == english.json()["dimensions"]
    refused = client.get(f"/api/v1/cases/{case.id}/screening?lang=tlh",
                         headers=caseworker.headers)
    assert refused.status_code == 422
