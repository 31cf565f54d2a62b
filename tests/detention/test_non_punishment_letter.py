"""The non-punishment letter: what it states and what it never carries, Burmese names drawn
with real glyphs, consent, and who may make one."""

import io

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.auth.models import Organization
from app.detention.models import NonPunishmentLetter
from app.detention.service import awaiting_letter_count
from app.screening.catalogue import INDICATORS
from tests import factories
from tests.cases.conftest import ALL_NO
from tests.detention.conftest import NARRATIVE
from tests.referrals.helpers import events
from tests.referrals.test_letters import (
    _components,
    _gray_image,
    _ink_rows,
    _is_hollow_box,
    _poppler_text,
)

BURMESE = "အောင်ဆန်းစုကြည်"


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_letter_states_the_dimensions_the_determination_and_the_principle(
        make_detained, client, tmp_path, session):
    case = make_detained(detention={}, given_name="Ramon", family_name="Cruz")
    decided = client.post(f"{case.url}/determination", headers=case.headers,
                          json={"outcome": "trafficking_victim"})
    assert decided.status_code == 201, decided.text
    response = case.letter()
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(_poppler_text(response.content, tmp_path).split())

    assert case.setup.case.reference in text and "Ramon Cruz" in text
    assert "Mae Sot Immigration Police" in text
    assert "Mae Sot Immigration Detention Centre" in text
    assert "an immigration offence" in text and "23 Oct 2025" in text
    assert "screening suggested: indicators of trafficking found" in text
    assert ("deceptive recruitment; exploitative conditions of work; coercion at destination"
            in text)
    assert "determined: the person is a victim of trafficking" in text
    assert case.setup.signed_in.user.full_name or case.setup.signed_in.user.username in text
    assert "Palermo Protocol" in text and "Article 14(7) of the ASEAN Convention" in text
    assert "Border Care Foundation" in text


def test_letter_holds_no_narrative_no_answers_and_no_indicator_codes(make_detained,
                                                                     tmp_path):
    case = make_detained(detention={})
    text = " ".join(_poppler_text(case.letter().content, tmp_path).split())
    for words in (NARRATIVE, "Uncle Zhao", "B4", "quota", "Guards", "Held with"):
        assert words not in text, words
    for indicator in INDICATORS:
        assert indicator.label not in text, indicator.code
        assert f" {indicator.code} " not in f" {text} ", indicator.code
    assert "yes" not in text.lower().split()


def test_burmese_name_is_drawn_with_real_glyphs(make_detained, tmp_path):
    shown = make_detained(detention={}, given_name=BURMESE, family_name="")
    # the same letter for a name no font can draw (private use area)
    missing = "".join(chr(0xE000 + i) for i in range(len(BURMESE)))
    blank = make_detained(detention={}, given_name=missing, family_name="")
    pdf, absent_pdf = shown.letter().content, blank.letter().content

    # shaped Burmese does not read back as the same characters (glyph order changes), so
    # the check is the font and the ink, as for the referral letters
    fonts = {str(f.get_object()["/BaseFont"])
             for f in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()}
    assert any("NotoSansMyanmar" in f for f in fonts)

    width, height, ink_shown = _gray_image(pdf, tmp_path, "burmese")
    _, _, ink_absent = _gray_image(absent_pdf, tmp_path, "missing")
    rows_a, rows_b = _ink_rows(width, height, ink_shown), _ink_rows(width, height, ink_absent)
    differing = [y for y in range(height) if rows_a[y] != rows_b[y]]
    bands: list[list[int]] = []
    for y in differing:
        if bands and y - bands[-1][-1] <= 3:
            bands[-1].append(y)
        else:
            bands.append([y])
    band = max(bands, key=lambda b: sum(len(rows_a[y] ^ rows_b[y]) for y in b))
    ink = {(x, y) for y in band for x in rows_a[y] - rows_b[y]}
    assert len(ink) > 400, "the name's area holds too little ink to be a drawn name"
    pieces = [p for p in _components(ink) if len(p) > 8]
    assert len(pieces) >= 6
    assert not any(_is_hollow_box(p) for p in pieces)


def test_without_consent_the_letter_names_no_one(make_detained, session, tmp_path):
    case = make_detained(detention={"consent_to_share": False}, given_name="Zarni",
                         family_name="Aungmyat", document_number="MA1234567")
    text = _poppler_text(case.letter().content, tmp_path)
    for value in ("Zarni", "Aungmyat", "MA1234567"):
        assert value not in text
    assert case.setup.case.reference in text and "did not agree to be named" in text
    assert events(session, action="person.read", actor_id=case.setup.signed_in.user.id) == []


def test_every_letter_is_recorded_and_audited(make_detained, client, session):
    case = make_detained(detention={})
    assert case.letter().status_code == 200
    assert case.letter().status_code == 200
    session.expire_all()
    letters = session.exec(select(NonPunishmentLetter).where(
        NonPunishmentLetter.case_id == case.setup.case.id)).all()
    assert len(letters) == 2 and all(letter.names_person for letter in letters)
    audited = events(session, action="export.letter", actor_id=case.setup.signed_in.user.id)
    assert [e.detail["letter_id"] for e in audited] == [letter.id for letter in letters]
    assert all(e.entity_id == str(case.setup.case.id) for e in audited)
    assert len(events(session, action="person.read",
                      actor_id=case.setup.signed_in.user.id)) == 2
    listed = client.get(f"{case.url}/detention", headers=case.headers).json()["letters"]
    assert [item["id"] for item in listed] == [letter.id for letter in letters]


def test_no_letter_without_detention_or_charge(make_detained):
    case = make_detained()
    assert case.letter().status_code == 409
    case.record(detained=False, charged=False)
    response = case.letter()
    assert response.status_code == 409
    assert "detained or charged" in response.json()["detail"]


def test_no_letter_without_indicators(make_detained):
    case = make_detained(answers=ALL_NO, detention={})
    response = case.letter()
    assert response.status_code == 409
    assert "no indicators" in response.json()["detail"]


def test_a_determination_of_victim_is_enough_without_the_suggestion(make_detained, client,
                                                                    tmp_path):
    case = make_detained(answers={"CD3": "yes", "EX1": "yes"}, detention={})
    assert case.letter().status_code == 409  # needs assessment: nothing to state yet
    client.post(f"{case.url}/determination", headers=case.headers,
                json={"outcome": "trafficking_victim", "rationale": "Confirmed by the shelter."})
    response = case.letter()
    assert response.status_code == 200
    text = " ".join(_poppler_text(response.content, tmp_path).split())
    assert "screening suggested: needs assessment" in text
    assert "Confirmed by the shelter" not in text  # the rationale is narrative too


def test_coordinator_may_make_the_letter(make_detained, client, login_as):
    case = make_detained(detention={})
    coordinator = login_as("coordinator", organization="Coordination Office")
    assert case.letter(headers=coordinator.headers).status_code == 200


@pytest.mark.parametrize("role", ["border_official", "admin"])
def test_letter_refused_to_border_official_and_admin_and_audited(make_detained, session,
                                                                 login_as, role):
    case = make_detained(detention={})
    signed_in = login_as(role)
    assert case.letter(headers=signed_in.headers).status_code == 403
    [denied] = events(session, actor_id=signed_in.user.id, outcome="denied")
    assert denied.detail["status"] == 403
    assert session.exec(select(NonPunishmentLetter)).all() == []


def test_letter_for_another_organisations_case_is_404_and_audited(make_detained, session,
                                                                  login_as):
    case = make_detained(detention={})
    stranger = login_as("caseworker", organization="Safe Return Legal Aid")
    assert case.letter(headers=stranger.headers).status_code == 404
    [denied] = events(session, actor_id=stranger.user.id, outcome="denied")
    assert denied.action == "export.letter"  # as the letter made is audited
    assert session.exec(select(NonPunishmentLetter)).all() == []


def test_letter_stays_on_one_page_with_the_longest_fields(make_detained, client):
    case = make_detained(detention={"authority": "ก" * 200, "place": "W" * 200},
                         given_name="ก" * 200, family_name="W" * 199)
    client.post(f"{case.url}/determination", headers=case.headers,
                json={"outcome": "trafficking_victim"})
    response = case.letter()
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_awaiting_letter_count_is_detained_people_with_indicators_and_no_letter(
        make_detained, session, login_as):
    coordinator = login_as("coordinator", organization="Coordination Office")
    from app.audit.service import Actor

    actor = Actor.of(coordinator.user)
    before = awaiting_letter_count(session, actor=actor)
    waiting = make_detained(detention={})
    make_detained(detention={"detained": False, "charged": False})  # not held
    make_detained(answers=ALL_NO, detention={})  # no indicators
    make_detained()  # no detention recorded
    assert awaiting_letter_count(session, actor=actor) == before + 1
    assert waiting.letter().status_code == 200
    assert awaiting_letter_count(session, actor=actor) == before

    # caseworkers count only their own organisation's cases
    other = make_detained(detention={})
    org = session.get(Organization, other.setup.signed_in.user.organization_id)
    outsider = factories.make_organization(session, name="Another NGO")
    caseworker, _ = factories.make_user(session, role="caseworker", organization=outsider)
    assert awaiting_letter_count(session, actor=Actor.of(caseworker)) == 0
    assert awaiting_letter_count(session, actor=Actor.of(other.setup.signed_in.user)) >= 1
    assert org is not None


def test_awaiting_letter_count_follows_the_latest_determination(make_detained, client, session,
                                                                login_as):
    from app.audit.service import Actor

    actor = Actor.of(login_as("coordinator", organization="Coordination Office").user)
    before = awaiting_letter_count(session, actor=actor)
    case = make_detained(answers={"CD3": "yes"}, detention={})  # needs assessment
    assert awaiting_letter_count(session, actor=actor) == before
    client.post(f"{case.url}/determination", headers=case.headers,
                json={"outcome": "trafficking_victim", "rationale": "Seen at the shelter."})
    assert awaiting_letter_count(session, actor=actor) == before + 1
