"""Referral letters: names in five scripts come out of the PDF, Burmese is drawn with real
glyphs, and an anonymous referral's letter names no one."""

import io
import shutil
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from app.reports.letters import (
    LATIN,
    SCRIPTS,
    LetterContent,
    LetterPerson,
    render_letter,
    script_runs,
)
from tests import factories
from tests.referrals.helpers import caseworker_case, events

SCRIPT = {s.name: s for s in SCRIPTS}


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def _squeezed(text: str) -> str:
    # pypdf reads the 2-byte codes of the embedded CJK (CFF) font byte by byte: each glyph
    # comes out right, after a space or a NUL. Compare without whitespace and NULs.
    return "".join(text.replace("\x00", " ").split())


def _require_poppler() -> None:
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils is missing: apt-get install poppler-utils (scripts/setup)")


def _poppler_text(pdf: bytes, tmp_path) -> str:
    _require_poppler()
    source = tmp_path / "letter.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True,
                          capture_output=True)
    return done.stdout.decode("utf-8")


def _letter_for(client, session, login_as, *, consent: bool = True, notes: str = "",
                **person):
    setup = caseworker_case(session, login_as, **person)
    referral = factories.make_referral(session, case=setup.case, created_by=setup.signed_in.user,
                                       consent_to_share=consent, notes=notes,
                                       recipient="Mae Sot General Hospital", service="medical")
    session.commit()
    response = client.get(f"/api/v1/referrals/{referral.id}/letter.pdf",
                          headers=setup.signed_in.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content, setup, referral


# --- script runs (pure) ---------------------------------------------------------------

def test_script_runs_give_each_script_its_font():
    runs = script_runs("Maria สมชาย 王小明, अनन्या အောင်ဆန်း")
    assert [(s.name, t) for s, t in runs] == [
        ("latin", "Maria "), ("thai", "สมชาย "), ("cjk", "王小明"), ("latin", ", "),
        ("devanagari", "अनन्या "), ("myanmar", "အောင်ဆန်း")]


def test_script_runs_keep_leading_spaces_and_marks_with_the_next_run():
    runs = script_runs("  ก่อน")
    assert [(s.name, t) for s, t in runs] == [("thai", "  ก่อน")]
    assert script_runs("   ") == [(LATIN, "   ")]


# --- names come back out as text -------------------------------------------------------

@pytest.mark.parametrize(("given", "family"), [
    ("Maria José", "Santos"),          # Latin with an accent
    ("สมชาย", "แก้วมณี"),               # Thai, with tone marks above the consonants
    ("王小明", "李"),                    # Chinese
    ("अनन्या", "राव"),                  # Devanagari, with conjuncts
])
def test_letter_name_is_extracted_as_text(client, session, login_as, tmp_path, given, family):
    pdf, _, _ = _letter_for(client, session, login_as, given_name=given, family_name=family)
    text = _squeezed(_text(pdf))
    assert _squeezed(given) in text and _squeezed(family) in text
    # poppler reads the name exactly, spaces included
    assert f"{given} {family}" in _poppler_text(pdf, tmp_path)


def test_letter_embeds_only_the_fonts_it_needs(client, session, login_as):
    pdf, _, _ = _letter_for(client, session, login_as, given_name="王小明", family_name="")
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()
             for f in [f.get_object()]}
    assert any("NotoSansCJKSC" in f for f in fonts)
    assert not any("Myanmar" in f or "Thai" in f for f in fonts)


def test_letter_carries_case_reference_service_recipient_and_contact(client, session, login_as):
    pdf, setup, _ = _letter_for(client, session, login_as, given_name="Ramon",
                                family_name="Cruz")
    text = _text(pdf)
    assert setup.case.reference in text
    assert "Medical care" in text and "Mae Sot General Hospital" in text
    assert "Border Care Foundation" in text
    assert "agreed to share" in text


def test_letter_is_audited_as_an_export_and_as_a_read_of_the_person(client, session, login_as):
    _, setup, referral = _letter_for(client, session, login_as, given_name="Ramon")
    [letter] = events(session, action="export.letter")
    assert letter.entity_id == str(referral.id)
    assert letter.detail == {"case_id": setup.case.id, "consent_to_share": True, "rows": 1}
    [read] = events(session, action="person.read", actor_id=setup.signed_in.user.id)
    assert read.entity_id == str(setup.person.id)


# --- an anonymous referral's letter ------------------------------------------------------

def test_anonymous_letter_names_no_one(client, session, login_as):
    pdf, setup, _ = _letter_for(
        client, session, login_as, consent=False, notes="Lives with her cousin Kyaw",
        given_name="Zarni", family_name="Aungmyat", document_number="MA1234567",
        phone="+66 81 555 0101", date_of_birth=date(1994, 3, 7))
    text = _text(pdf)
    squeezed = _squeezed(text)
    for value in ("Zarni", "Aungmyat", "MA1234567", "+66815550101", "Kyaw", "7 Mar 1994",
                  "1994"):
        assert _squeezed(value) not in squeezed, value
    assert setup.case.reference in text
    assert "did not agree to share" in text
    assert events(session, action="person.read", actor_id=setup.signed_in.user.id) == []


def test_letter_stays_on_one_page_with_the_longest_fields(client, session, login_as):
    pdf, _, _ = _letter_for(client, session, login_as, consent=True, notes="ข้อความ " * 600,
                            # 199: people.name_key (400) cannot hold 200 + space + 200
                            given_name="ก" * 200, family_name="W" * 199,
                            languages=["Thai"] * 40)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


# --- access ------------------------------------------------------------------------------

def test_letter_for_another_organisations_referral_is_404_and_audited(client, session,
                                                                      login_as):
    setup = caseworker_case(session, login_as)
    referral = factories.make_referral(session, case=setup.case, created_by=setup.signed_in.user)
    session.commit()
    stranger = login_as("caseworker", organization="Safe Return Legal Aid")
    response = client.get(f"/api/v1/referrals/{referral.id}/letter.pdf",
                          headers=stranger.headers)
    assert response.status_code == 404
    [denied] = events(session, actor_id=stranger.user.id, outcome="denied")
    assert denied.action == "referral.letter"


@pytest.mark.parametrize(("role", "status"), [("coordinator", 200), ("border_official", 403),
                                              ("admin", 403)])
def test_letter_by_role(client, session, login_as, role, status):
    setup = caseworker_case(session, login_as)
    referral = factories.make_referral(session, case=setup.case, created_by=setup.signed_in.user)
    session.commit()
    signed_in = login_as(role)
    response = client.get(f"/api/v1/referrals/{referral.id}/letter.pdf",
                          headers=signed_in.headers)
    assert response.status_code == status
    denied = events(session, actor_id=signed_in.user.id, outcome="denied")
    assert len(denied) == (0 if status == 200 else 1)


# --- Burmese: drawn with real glyphs -------------------------------------------------------

def _gray_image(pdf: bytes, tmp_path, name: str) -> tuple[int, int, bytes]:
    """The page rendered by poppler as an 8-bit grey image (PGM): width, height, pixels."""
    _require_poppler()
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-r", "110", "-f", "1", "-l", "1", str(source),
                    str(tmp_path / name)], check=True, capture_output=True)
    [image] = list(tmp_path.glob(f"{name}*.pgm"))
    data = image.read_bytes()
    fields, offset = [], 0
    while len(fields) < 4:  # magic, width, height, maxval, separated by whitespace
        while data[offset:offset + 1].isspace():
            offset += 1
        end = offset
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[offset:end])
        offset = end
    assert fields[0] == b"P5"
    width, height = int(fields[1]), int(fields[2])
    pixels = data[offset + 1:]
    assert len(pixels) == width * height
    return width, height, pixels


def _ink_rows(width: int, height: int, pixels: bytes) -> list[set[int]]:
    return [{x for x in range(width) if pixels[y * width + x] < 128} for y in range(height)]


def _components(cells: set[tuple[int, int]]) -> list[set[tuple[int, int]]]:
    """Connected pieces of ink (8-neighbour)."""
    left, found = set(cells), []
    while left:
        stack = [left.pop()]
        piece = set(stack)
        while stack:
            x, y = stack.pop()
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    n = (x + dx, y + dy)
                    if n in left:
                        left.remove(n)
                        piece.add(n)
                        stack.append(n)
        found.append(piece)
    return found


def _is_hollow_box(piece: set[tuple[int, int]]) -> bool:
    """A missing-glyph box: ink on the whole border of its bounding box, empty inside."""
    xs, ys = [p[0] for p in piece], [p[1] for p in piece]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return False
    border = {(x, y) for x in range(x0, x1 + 1) for y in (y0, y1)} | \
             {(x, y) for y in range(y0, y1 + 1) for x in (x0, x1)}
    inside = (x1 - x0 - 1) * (y1 - y0 - 1)
    filled = len(piece - border)
    return len(border & piece) >= 0.9 * len(border) and filled <= 0.1 * inside


def test_burmese_name_is_drawn_with_real_glyphs_not_missing_glyph_boxes(client, session,
                                                                         login_as, tmp_path):
    burmese = "အောင်ဆန်းစုကြည်"
    pdf, _, _ = _letter_for(client, session, login_as, given_name=burmese, family_name="")
    # the same letter for a name of characters no font has (private use area): what a
    # letter looks like where the glyphs are missing
    missing = "".join(chr(0xE000 + i) for i in range(len(burmese)))
    blank, _, _ = _letter_for(client, session, login_as, given_name=missing, family_name="")

    fonts = {str(f.get_object()["/BaseFont"])
             for f in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()}
    assert any("NotoSansMyanmar" in f for f in fonts)

    width, height, shown = _gray_image(pdf, tmp_path, "burmese")
    _, _, absent = _gray_image(blank, tmp_path, "missing")
    rows_a, rows_b = _ink_rows(width, height, shown), _ink_rows(width, height, absent)
    # the name's area: the rows where the two letters differ (the case references differ
    # too, so take the band with the most difference)
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
    assert sum(len(rows_b[y]) for y in band) < len(ink) / 4, \
        "the missing-glyph letter draws as much in that area"
    pieces = [p for p in _components(ink) if len(p) > 8]
    assert len(pieces) >= 6  # several separate letters and marks, not one smear
    assert not any(_is_hollow_box(p) for p in pieces)
    sizes = {(max(x for x, _ in p) - min(x for x, _ in p),
              max(y for _, y in p) - min(y for _, y in p)) for p in pieces}
    assert len(sizes) >= 4  # glyphs of different shapes, not a row of identical boxes


def test_hollow_box_detector_recognises_a_box_and_not_a_ring():
    box = {(x, y) for x in range(10) for y in (0, 9)} | {(x, y) for y in range(10)
                                                          for x in (0, 9)}
    ring = {(x, y) for x in range(10) for y in range(10)
            if 12 <= (x - 4.5) ** 2 + (y - 4.5) ** 2 <= 22}
    assert _is_hollow_box(box)
    assert not _is_hollow_box(ring)


def test_render_letter_without_person_or_notes_is_one_page():
    content = LetterContent(case_reference="PSG-2025-000001", service="Shelter",
                            recipient="=HYPERLINK(\"http://x\")", status="Pending",
                            referred_on=date(2025, 10, 25), organization="Border Care",
                            contact_name="Naw Htoo Paw", generated_on=date(2025, 11, 1),
                            person=None)
    reader = PdfReader(io.BytesIO(render_letter(content)))
    assert len(reader.pages) == 1
    assert "PSG-2025-000001" in reader.pages[0].extract_text()


def test_every_required_script_font_is_installed():
    from app.reports.letters import font_path

    for name in ("thai", "myanmar", "devanagari", "cjk"):
        assert font_path(SCRIPT[name].filename) is not None, name
    assert font_path(LATIN.filename) is not None


def test_letter_person_shows_estimated_age_when_no_date_of_birth():
    person = LetterPerson(given_name="Ramon", family_name="Cruz", sex="Male",
                          date_of_birth=None, age_estimate=31, nationality="Philippines",
                          document_number=None, phone=None)
    content = LetterContent(case_reference="PSG-2025-000002", service="Legal aid",
                            recipient="Tak Legal Clinic", status="Accepted",
                            referred_on=date(2025, 10, 25), organization="Border Care",
                            contact_name="Naw Htoo Paw", generated_on=date(2025, 11, 1),
                            person=person)
    text = PdfReader(io.BytesIO(render_letter(content))).pages[0].extract_text()
    assert "Age (estimated)" in text and "31" in text and "Philippines" in text
