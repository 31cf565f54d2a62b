"""The interview in two languages at once (issue 16, part 3): the interview's language chosen
first, each question and the consent statement in the caseworker's language with the
interviewee's beside it (each side with its `lang`), the catalogue in a locale through the
API, and the questionnaire on paper as a PDF with the script's real glyphs.

The catalogues are dropped in here with a few messages each, as a translator adds them: the
words of the real catalogues appear once translators fill them; the structure is tested now."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from sqlmodel import select

from app import i18n
from app.cases.models import Interview
from app.cases.questionnaire import CONSENT_QUESTION, CONSENT_STATEMENT
from app.screening.catalogue import DIMENSIONS_BY_CODE, INDICATORS_BY_CODE
from tests import factories
from tests.pages import csrf_from, sign_in

DR1 = INDICATORS_BY_CODE["DR1"].question
THAI = {DR1: "คุณถูกหลอกเรื่องลักษณะงาน สถานที่ทำงาน หรือนายจ้างหรือไม่",
        CONSENT_QUESTION: "คุณยินยอมให้สัมภาษณ์และบันทึกการสัมภาษณ์นี้หรือไม่",
        "Yes": "ใช่"}
BURMESE = {DR1: "အလုပ်အကိုင်၊ နေရာ သို့မဟုတ် အလုပ်ရှင်အကြောင်း သင့်ကို လိမ်ညာခဲ့သလား။",
           CONSENT_STATEMENT: "မမေးမီ - သင်ပြောသည်များကို အကူအညီရှာရန် မှတ်တမ်းတင်ပါမည်။",
           DIMENSIONS_BY_CODE["DR"].name: "လိမ်လည်စုဆောင်းခြင်း",
           "Yes": "ဟုတ်ကဲ့"}
HINDI = {CONSENT_QUESTION: "क्या आप इस साक्षात्कार और इसके रिकॉर्ड के लिए सहमत हैं?",
         DR1: "क्या आपको नौकरी, उसकी जगह या नियोक्ता के बारे में धोखा दिया गया था?"}
LOCALES = {"th": ("Thai", "ไทย", THAI), "my": ("Burmese", "မြန်မာ", BURMESE),
           "hi": ("Hindi", "हिन्दी", HINDI)}


@pytest.fixture(autouse=True)
def locales(tmp_path, monkeypatch):
    """Thai, Burmese and Hindi catalogues with a few messages each, dropped into a copy of
    app/locale, with their lines in the registry (those not registered yet)."""
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    registry = list(i18n.REGISTRY)
    for code, (english, native, messages) in LOCALES.items():
        catalog = Catalog(locale=code, domain=i18n.DOMAIN)
        for msgid, msgstr in messages.items():
            catalog.add(msgid, msgstr)
        folder = locale_dir / code / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "messages.po").open("wb") as po:
            write_po(po, catalog)
        if code not in i18n.by_code():
            registry.append(i18n.Locale(code, english, native, code, "drafted"))
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale_dir)
    monkeypatch.setattr(i18n, "REGISTRY", tuple(registry))
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


@pytest.fixture
def desk(client, session):
    """A caseworker signed in through the pages, whose own language is Thai, with a case."""
    org = factories.make_organization(session, name="Border Care Foundation")
    user, password = factories.make_user(session, role="caseworker", organization=org,
                                         username="somsri")
    person = factories.make_person(session, organization=org, given_name="ဇော်မင်း",
                                   nationality_code="MM")
    case = factories.make_case(session, person=person, organization=org, assigned_to=user)
    session.commit()
    assert sign_in(client, "somsri", password).status_code == 303
    return {"user": user, "case": case}


def _speak(session, user, code: str) -> None:
    user.preferred_language = code
    session.add(user)
    session.commit()


def test_the_interview_starts_with_its_language(client, session, desk):
    page = client.get(f"/cases/{desk['case'].id}/interview")
    assert page.status_code == 200
    assert 'name="answer_DR1"' not in page.text  # no question before the language
    options = re.findall(r'<option value="([^"]*)"', page.text)
    assert options[:1] == ["en"] and {"th", "my", "hi"} <= set(options)
    assert options[-1] == "other"
    # and the questionnaire on paper in each language
    for code in ("th", "my", "hi"):
        assert f'href="/api/v1/screening/questionnaire.pdf?lang={code}" lang="{code}"' \
            in page.text


@pytest.mark.parametrize(("query", "field"), [
    ({"language": "xx"}, "language"), ({"language": "other", "other": " "}, "other")])
def test_a_language_not_on_the_list_or_not_named_is_asked_again(client, session, desk, query,
                                                                  field):
    page = client.get(f"/cases/{desk['case'].id}/interview", params=query)
    assert page.status_code == 422
    assert f'id="l-{field}"' in page.text and 'class="error-summary"' in page.text
    assert 'name="answer_DR1"' not in page.text


def test_another_language_is_recorded_as_named_with_the_questions_once(client, session, desk):
    page = client.get(f"/cases/{desk['case'].id}/interview",
                      params={"language": "other", "other": "Karen"})
    assert page.status_code == 200
    assert 'name="language" value="Karen"' in page.text
    assert 'class="beside"' not in page.text


def _legends(html: str) -> list[str]:
    return re.findall(r'<fieldset class="question[^"]*" id="f-(\w+)">\s*<legend>(.*?)</legend>',
                      html, re.S)


def test_intake_in_thai_for_the_caseworker_with_burmese_beside(client, session, desk):
    _speak(session, desk["user"], "th")
    case_id = desk["case"].id
    page = client.get(f"/cases/{case_id}/interview", params={"language": "my"})
    assert page.status_code == 200
    html = page.text
    assert re.search(r'<html[^>]* lang="th"', html)
    assert 'name="language" value="Burmese"' in html
    legends = _legends(html)
    assert len(legends) == 40
    for code, legend in legends:
        # the caseworker's side first, the interviewee's beside it, each with its lang
        assert re.fullmatch(r'<span lang="th">[^<]+</span> <span class="beside" lang="my">'
                            rf'[^<]+</span> <span class="code">{code}</span>', legend), legend
    dr1 = dict(legends)["DR1"]
    assert THAI[DR1] in dr1 and BURMESE[DR1] in dr1
    # a question no catalogue translates yet reads in English on both sides, in place
    dr2 = dict(legends)["DR2"]
    assert dr2.count(INDICATORS_BY_CODE["DR2"].question) == 2
    # the consent statement and question on both sides, before the first question
    consent = re.search(r'<div class="consent-statement" id="consent-statement">(.*?)</div>',
                        html, re.S)[1]
    assert f'<p class="beside" lang="my">{BURMESE[CONSENT_STATEMENT]}</p>' in consent
    assert f'<p lang="th"><strong>{THAI[CONSENT_QUESTION]}</strong></p>' in consent
    assert html.index('id="consent-statement"') < html.index('name="answer_DR1"')
    # the dimension in both, the answers in both
    assert f'<span class="beside" lang="my">{BURMESE["Deceptive recruitment"]}</span>' in html
    assert (f'<span>{THAI["Yes"]} <span class="beside" lang="my">{BURMESE["Yes"]}</span>'
            '</span>') in html

    # recorded with its language; shown again after a refusal, still in both
    data = {"csrf_token": csrf_from(html), "language": "Burmese", "conducted_on": "",
            "interpreter_used": "yes", "recruited_on": "", "narrative": "",
            "answer_DR1": "yes"}
    refused = client.post(f"/cases/{case_id}/interview", data=data)
    assert refused.status_code == 422 and len(_legends(refused.text)) == 40
    assert BURMESE[DR1] in refused.text
    saved = client.post(f"/cases/{case_id}/interview", data=data | {"consent_given": "yes"},
                        follow_redirects=False)
    assert saved.status_code == 303
    interview = session.exec(select(Interview).where(Interview.case_id == case_id)).one()
    assert interview.language == "Burmese"


def test_the_same_language_on_both_sides_shows_each_question_once(client, session, desk):
    _speak(session, desk["user"], "th")
    page = client.get(f"/cases/{desk['case'].id}/interview", params={"language": "th"})
    assert 'class="beside"' not in page.text and THAI[DR1] in page.text


def test_indicators_are_served_in_a_locale(client, login_as):
    headers = login_as("border_official").headers
    english = client.get("/api/v1/screening/indicators", headers=headers).json()
    thai = client.get("/api/v1/screening/indicators", params={"lang": "th"},
                      headers=headers).json()
    assert (english["lang"], thai["lang"]) == ("en", "th")
    question = {i["code"]: i["question"] for d in thai["dimensions"] for i in d["indicators"]}
    assert question["DR1"] == THAI[DR1]
    assert question["DR2"] == INDICATORS_BY_CODE["DR2"].question  # not translated yet

    def codes(data):
        return [(d["code"], [(i["code"], i["strength"], i["ctdc"]) for i in d["indicators"]])
                for d in data["dimensions"]]

    assert codes(thai) == codes(english)  # codes, strengths and CTDC fields never translated
    unknown = client.get("/api/v1/screening/indicators", params={"lang": "xx"},
                         headers=headers)
    assert unknown.status_code == 422
    assert [e["loc"] for e in unknown.json()["detail"]] == [["query", "lang"]]


def _pdf_text_and_fonts(content: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "questionnaire.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text, fonts


def test_questionnaire_for_hindi_is_printed_in_devanagari(client, login_as, tmp_path):
    headers = login_as("caseworker").headers
    response = client.get("/api/v1/screening/questionnaire.pdf", params={"lang": "hi"},
                          headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text, fonts = _pdf_text_and_fonts(response.content, tmp_path)
    embedded = [line.split()[0] for line in fonts.splitlines()[2:]
                if line.split()[-5:-2] == ["yes", "yes", "yes"]]
    assert any(name.endswith("+NotoSansDevanagari") for name in embedded), fonts
    # the Hindi words come back out of the PDF (pdftotext spaces some clusters apart)
    flat = "".join(text.split())
    for hindi in (HINDI[CONSENT_QUESTION], HINDI[DR1], "हिन्दी"):
        assert "".join(hindi.split()) in flat
    # and the English beside them, every question once
    assert flat.count("".join(INDICATORS_BY_CODE["DR2"].question.split())) == 1
    assert "".join(CONSENT_STATEMENT.split()) in flat


def test_questionnaire_in_burmese_is_shaped_and_an_unknown_language_refused(client, login_as,
                                                                            tmp_path):
    headers = login_as("caseworker").headers
    response = client.get("/api/v1/screening/questionnaire.pdf", params={"lang": "my"},
                          headers=headers)
    _, fonts = _pdf_text_and_fonts(response.content, tmp_path)
    assert "NotoSansMyanmar" in fonts
    unknown = client.get("/api/v1/screening/questionnaire.pdf", params={"lang": "xx"},
                         headers=headers)
    assert unknown.status_code == 422 and "lang" in unknown.text
    assert io.BytesIO(response.content).read(5) == b"%PDF-"
