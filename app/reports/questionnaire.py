"""The printable screening questionnaire (issue 16, part 3): every question of the catalogue in
the caseworker's language with the interviewee's beside it, the consent statement first and
boxes to tick, for interviews where no laptop can go; the answers are entered in Passage
later as usual. Set like the letters (app.reports.letters: Noto fonts, HarfBuzz shaping), so
that Thai, Burmese and Devanagari come out as they are written."""

from app.cases import questionnaire
from app.cases.questionnaire import ANSWER_WORDS, CONSENT_QUESTION, CONSENT_STATEMENT, Side
from app.i18n import N_
from app.reports.letters import LATIN, LATIN_BOLD, LetterPage

TITLE = N_("Screening questionnaire")
FOR_PAPER = N_("For an interview where no laptop can go. Tick one box for each question; "
               "enter the answers in Passage afterwards.")
BLANKS = (N_("Case reference"), N_("Date of the interview"), N_("Interviewer"))
NOTE = N_("Notes")
BOTTOM = 280  # mm: below this a question starts on the next page


class Questionnaire(LetterPage):
    def __init__(self):
        super().__init__()
        self.set_auto_page_break(True, margin=16)

    def both(self, message: str, mine: Side, theirs: Side | None, *, size: float = 11,
             bold: bool = False) -> None:
        """`message` in the caseworker's language, then in the interviewee's beneath it (once
        when the interviewee's catalogue does not translate it yet)."""
        self.text_runs(mine.t(message), size=size, bold=bold)
        self.ln(size * 0.55)
        if theirs is not None and theirs.t(message) != mine.t(message):
            self.set_text_color(40, 40, 110)
            self.text_runs(theirs.t(message), size=size, bold=bold)
            self.set_text_color(0, 0, 0)
            self.ln(size * 0.55)

    def boxes(self, mine: Side, theirs: Side | None) -> None:
        for _, words in ANSWER_WORDS:
            self.use(LATIN, 11)
            self.write(6, "[   ] ")
            label = mine.t(words)
            if theirs is not None and theirs.t(words) != label:
                label += f" / {theirs.t(words)}"
            self.text_runs(label, size=10)
            self.write(6, "      ")
        self.ln(9)

    def keep_room(self, height: float) -> None:
        if self.get_y() + height > BOTTOM:
            self.add_page()


def render_questionnaire(lang: str) -> bytes:
    """The questionnaire for an interview in `lang`, beside the request's own language."""
    mine, theirs = questionnaire.sides(lang)
    pdf = Questionnaire()
    pdf.set_title(f"{mine.t(TITLE)} ({lang})")
    pdf.set_creator("Passage")
    pdf.set_lang(theirs.html_lang if theirs else mine.html_lang)
    pdf.add_page()
    pdf.both(TITLE, mine, theirs, size=16, bold=True)
    pdf.text_runs(f"{mine.name}" + (f" · {theirs.name}" if theirs else ""), size=11)
    pdf.ln(8)
    pdf.text_runs(mine.t(FOR_PAPER), size=9)
    pdf.ln(8)
    for blank in BLANKS:
        pdf.text_runs(f"{mine.t(blank)}: ____________________", size=10)
        pdf.ln(7)
    pdf.ln(2)
    pdf.both(CONSENT_STATEMENT, mine, theirs)
    pdf.ln(2)
    pdf.both(CONSENT_QUESTION, mine, theirs, bold=True)
    pdf.boxes(mine, theirs)
    for number, (dimension, indicators) in enumerate(questionnaire.sections(), start=1):
        pdf.keep_room(40)
        pdf.ln(2)
        pdf.use(LATIN_BOLD, 13)
        pdf.write(7, f"{number}. ")
        pdf.both(dimension.name, mine, theirs, size=13, bold=True)
        for indicator in indicators:
            pdf.keep_room(32)
            pdf.use(LATIN, 8)
            pdf.set_text_color(90, 90, 90)
            pdf.write(5, indicator.code)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(5)
            pdf.both(indicator.question, mine, theirs, size=10.5)
            pdf.boxes(mine, theirs)
        pdf.keep_room(20)
        pdf.text_runs(f"{mine.t(NOTE)}: " + "_" * 60, size=10)
        pdf.ln(10)
    return bytes(pdf.output())
