"""The one-page referral letter as a PDF: fpdf2 with HarfBuzz shaping and Noto fonts.

Each piece of text is cut into runs by script, and each run is set in the Noto font for that
script (Latin, Thai, Myanmar, CJK, Devanagari, and the other scripts of the people who come
through the border when their fonts are installed); shaping puts Burmese and Devanagari
clusters in the right order. Only the fonts a letter needs are embedded, as subsets.
"""

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from app.web import format_date

FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
MAX_NOTES_IN_LETTER = 1200


class FontMissing(RuntimeError):
    """A script's font is not installed (Debian: fonts-noto-core, fonts-noto-cjk)."""


@dataclass(frozen=True)
class Script:
    name: str
    filename: str
    ranges: tuple[tuple[int, int], ...] = ()
    collection_index: int = 0
    required: bool = True  # raise when missing, rather than drop the text


LATIN = Script("latin", "NotoSans-Regular.ttf")
LATIN_BOLD = Script("latin-bold", "NotoSans-Bold.ttf")
SCRIPTS: tuple[Script, ...] = (
    Script("thai", "NotoSansThai-Regular.ttf", ((0x0E00, 0x0E7F),)),
    Script("myanmar", "NotoSansMyanmar-Regular.ttf",
           ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F))),
    Script("devanagari", "NotoSansDevanagari-Regular.ttf",
           ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF))),
    # Noto Sans CJK SC is face 2 of Debian's collection (JP, KR, SC, TC, HK, ...)
    Script("cjk", "NotoSansCJK-Regular.ttc",
           ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3040, 0x30FF),
            (0x3100, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F),
            (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
            (0x20000, 0x2FA1F)), collection_index=2),
    Script("bengali", "NotoSansBengali-Regular.ttf", ((0x0980, 0x09FF),), required=False),
    Script("gurmukhi", "NotoSansGurmukhi-Regular.ttf", ((0x0A00, 0x0A7F),), required=False),
    Script("gujarati", "NotoSansGujarati-Regular.ttf", ((0x0A80, 0x0AFF),), required=False),
    Script("tamil", "NotoSansTamil-Regular.ttf", ((0x0B80, 0x0BFF),), required=False),
    Script("telugu", "NotoSansTelugu-Regular.ttf", ((0x0C00, 0x0C7F),), required=False),
    Script("kannada", "NotoSansKannada-Regular.ttf", ((0x0C80, 0x0CFF),), required=False),
    Script("malayalam", "NotoSansMalayalam-Regular.ttf", ((0x0D00, 0x0D7F),),
           required=False),
    Script("sinhala", "NotoSansSinhala-Regular.ttf", ((0x0D80, 0x0DFF),), required=False),
    Script("lao", "NotoSansLao-Regular.ttf", ((0x0E80, 0x0EFF),), required=False),
    Script("khmer", "NotoSansKhmer-Regular.ttf", ((0x1780, 0x17FF), (0x19E0, 0x19FF)),
           required=False),
    Script("ethiopic", "NotoSansEthiopic-Regular.ttf", ((0x1200, 0x139F),), required=False),
    Script("arabic", "NotoSansArabic-Regular.ttf",
           ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
            (0xFE70, 0xFEFF)), required=False),
    Script("hebrew", "NotoSansHebrew-Regular.ttf", ((0x0590, 0x05FF),), required=False),
    Script("georgian", "NotoSansGeorgian-Regular.ttf", ((0x10A0, 0x10FF),), required=False),
)


def script_of(char: str) -> Script | None:
    """The script whose font draws this character; None for characters that go with their
    neighbours (spaces, joiners, combining marks)."""
    code = ord(char)
    if char.isspace() or code in (0x200C, 0x200D) or unicodedata.category(char) in ("Mn", "Me"):
        for script in SCRIPTS:
            if any(lo <= code <= hi for lo, hi in script.ranges):
                return script
        return None
    for script in SCRIPTS:
        if any(lo <= code <= hi for lo, hi in script.ranges):
            return script
    return LATIN


def script_runs(text: str) -> list[tuple[Script, str]]:
    """Cut text into (script, run) pieces; spaces and combining marks stay in the run they
    are in, or join the next run at the start of the text."""
    runs: list[tuple[Script, str]] = []
    pending = ""
    for char in text:
        script = script_of(char)
        if script is None:
            if runs:
                runs[-1] = (runs[-1][0], runs[-1][1] + char)
            else:
                pending += char
            continue
        if runs and runs[-1][0] is script:
            runs[-1] = (script, runs[-1][1] + char)
        else:
            runs.append((script, pending + char))
            pending = ""
    if pending:
        runs.append((LATIN, pending))
    return runs


@lru_cache
def font_path(filename: str) -> Path | None:
    for root in FONT_ROOTS:
        if root.is_dir():
            for found in root.rglob(filename):
                return found
    return None


# --- the letter -------------------------------------------------------------------------

@dataclass(frozen=True)
class LetterPerson:
    """What the person agreed to share with the recipient."""

    given_name: str
    family_name: str
    sex: str
    date_of_birth: date | None
    age_estimate: int | None
    nationality: str
    document_number: str | None
    phone: str | None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterContent:
    case_reference: str
    service: str
    recipient: str
    status: str
    referred_on: date
    organization: str
    contact_name: str
    generated_on: date
    person: LetterPerson | None  # None: the person did not consent to share who they are
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class LetterPage(FPDF):
    """An A4 page with the margins, fonts and shaping of every Passage letter."""

    def __init__(self):
        super().__init__(format="A4", unit="mm")
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(False)
        self.loaded: set[str] = set()
        self.set_text_shaping(True)

    @classmethod
    def headed(cls, *, title: str, organization: str) -> "LetterPage":
        """A first page with the document's title set and the organisation's name on top."""
        # fpdf2 names the characters it cannot draw in its warnings: personal data, not for logs
        logging.getLogger("fpdf").setLevel(logging.ERROR)
        pdf = cls()
        pdf.set_title(title)
        pdf.set_creator("Passage")
        pdf.add_page()
        pdf.text_runs(organization, size=12, bold=True)
        pdf.ln(7)
        return pdf

    def use(self, script: Script, size: float) -> None:
        if script.name not in self.loaded:
            path = font_path(script.filename)
            if path is None:
                if script.required or script is LATIN:
                    raise FontMissing(f"{script.filename} is not installed "
                                      "(Debian packages fonts-noto-core and fonts-noto-cjk)")
                script = LATIN
                self.use(LATIN, size)
                return
            self.add_font(script.name, fname=str(path),
                          collection_font_number=script.collection_index)
            self.loaded.add(script.name)
        self.set_font(script.name, size=size)

    def text_runs(self, text: str, *, size: float = 11, height: float = 6,
                  bold: bool = False) -> None:
        for script, run in script_runs(text):
            self.use(LATIN_BOLD if bold and script is LATIN else script, size)
            self.write(height, run)

    def heading(self, text: str, size: float = 13) -> None:
        self.ln(3)
        self.use(LATIN_BOLD, size)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, *, size: float = 11) -> None:
        self.text_runs(text, size=size)
        self.ln(7)

    def field(self, label: str, value: str, *, label_width: float = 48) -> None:
        if not value:
            return
        left = self.l_margin
        self.use(LATIN, 10)
        self.set_text_color(70, 70, 70)
        self.cell(label_width, 6, label)
        self.set_text_color(0, 0, 0)
        self.set_left_margin(left + label_width)  # wrapped lines line up with the value
        self.text_runs(value)
        self.set_left_margin(left)
        self.ln(7)


def render_letter(content: LetterContent) -> bytes:
    pdf = LetterPage.headed(title=f"Referral {content.case_reference}",
                            organization=content.organization)
    pdf.use(LATIN_BOLD, 18)
    pdf.cell(0, 11, "Referral letter", new_x="LMARGIN", new_y="NEXT")
    pdf.field("Date", format_date(content.generated_on))
    pdf.field("To", content.recipient)
    pdf.field("Service requested", content.service)
    pdf.field("Case reference", content.case_reference)
    pdf.field("Referred on", format_date(content.referred_on))
    pdf.field("Status", content.status)

    pdf.heading("About the person")
    person = content.person
    if person is None:
        pdf.paragraph("The person did not agree to share who they are. This letter therefore "
                      "gives no name, date of birth, document number or phone number, and "
                      "no notes. Please quote the case reference in every reply.")
    else:
        pdf.paragraph("The person agreed to share these details with you for this referral.")
        pdf.field("Name", " ".join(p for p in (person.given_name, person.family_name) if p))
        pdf.field("Sex", person.sex)
        if person.date_of_birth:
            pdf.field("Date of birth", format_date(person.date_of_birth))
        elif person.age_estimate is not None:
            pdf.field("Age (estimated)", str(person.age_estimate))
        pdf.field("Nationality", person.nationality)
        pdf.field("Document number", person.document_number or "")
        pdf.field("Phone", person.phone or "")
        pdf.field("Languages", ", ".join(person.languages))
        if content.notes:
            notes = content.notes
            if len(notes) > MAX_NOTES_IN_LETTER:
                notes = notes[:MAX_NOTES_IN_LETTER].rstrip() + " … (continued in Passage)"
            pdf.heading("Notes")
            pdf.paragraph(notes, size=10)

    pdf.heading("Contact")
    pdf.paragraph(f"{content.contact_name}, {content.organization}. Please quote case "
                  f"reference {content.case_reference} when you reply.")

    pdf.set_y(-22)
    pdf.use(LATIN, 8)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 4, "Confidential. Share this letter only with the people who provide "
                         "the service. Made with Passage on "
                         f"{format_date(content.generated_on)}.")
    return bytes(pdf.output())
