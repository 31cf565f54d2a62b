"""The interview in two languages at once (issue 16, part 3): the questions of the screening
catalogue in the caseworker's language with the interviewee's beside them, so that the person
or the interpreter can read them; the consent statement too; the catalogue in any locale for
the API; and the words of the printable questionnaire (app.reports.questionnaire).

The catalogue (app.screening.catalogue) stays in English and imports nothing of the app; its
texts are marked for extraction there and translated here, at the edge, with the catalogue of
the locale asked for (app.i18n.translations), whatever the request's own locale is.
"""

from collections.abc import Callable
from dataclasses import dataclass

from app import i18n
from app.errors import field_error
from app.i18n import N_
from app.screening.catalogue import DIMENSIONS, Indicator, catalogue_as_dict, indicators_of

OTHER = "other"

# read to the person (or by them) before the first question, in both languages
CONSENT_STATEMENT = N_(
    "Before we start: we will ask you about how you were recruited, the work and how you "
    "were treated. Passage records your answers so that we can find the help and protection "
    "you need. Only the people helping you can read them. You may stop at any time, take a "
    "break, or decline any question, and your answers do not decide whether you get help.")
CONSENT_QUESTION = N_("Do you agree to this interview and to its record?")
ANSWER_WORDS: tuple[tuple[str, str], ...] = (
    ("yes", N_("Yes")), ("no", N_("No")), ("unknown", N_("Don't know")))


@dataclass(frozen=True)
class Side:
    """One language of the interview: its locale and its words."""

    code: str
    html_lang: str
    name: str  # in that language itself
    gettext: Callable[[str], str]

    def t(self, message: str) -> str:
        return self.gettext(message) if message else message


def side(code: str) -> Side:
    locale = i18n.by_code()[code]
    return Side(code=code, html_lang=locale.html_lang, name=locale.native_name,
                gettext=i18n.translations(code).gettext)


def interview_languages() -> list[tuple[str, str]]:
    """The choice of the interview's language: every locale Passage knows, then "other"."""
    choices = [(locale.code, locale.native_name if locale.native_name == locale.english_name
                else f"{locale.native_name} ({locale.english_name})")
               for locale in i18n.REGISTRY]
    return [*choices, (OTHER, N_("Another language"))]


def is_locale(code: str) -> bool:
    return code in i18n.by_code()


def paper_languages() -> list[tuple[str, str, str]]:
    """(code, html lang, name in that language) of each locale, for the printed questionnaire
    links."""
    return [(locale.code, locale.html_lang, locale.native_name) for locale in i18n.REGISTRY]


def locale_of_language(value: str) -> str | None:
    """The locale code an interview's language stands for (its code or its English name, as
    stored), or None for another language."""
    value = (value or "").strip()
    for locale in i18n.REGISTRY:
        if value in (locale.code, locale.english_name, locale.native_name):
            return locale.code
    return None


def stored_language(code: str) -> str:
    """What an interview records as its language: the locale's English name (as the field
    held before languages were chosen from a list)."""
    return i18n.by_code()[code].english_name


def check_lang(lang: str | None, *, field: str = "lang") -> str:
    """A locale code asked for in a query: the request's own locale when none, else 422
    naming the field when Passage does not know it."""
    if lang is None or lang == "":
        return i18n.current().code
    if lang not in i18n.by_code():
        raise field_error(field, "Not a language Passage knows: one of "
                          + ", ".join(i18n.by_code()), where="query")
    return lang


def sides(interviewee: str | None) -> tuple[Side, Side | None]:
    """The caseworker's side (the request's locale) and the interviewee's when it is another
    locale (None: the same language, or one Passage has no words in)."""
    mine = side(i18n.current().code)
    if interviewee is None or interviewee == mine.code:
        return mine, None
    return mine, side(interviewee)


def catalogue_in(code: str) -> dict:
    """The catalogue as GET /api/v1/screening/indicators serves it, its words in `code`
    (codes, strengths and CTDC fields never translated)."""
    t = i18n.translations(code).gettext
    data = catalogue_as_dict()
    data["lang"] = code
    for dimension in data["dimensions"]:
        dimension["name"] = t(dimension["name"])
        for indicator in dimension["indicators"]:
            for key in ("label", "short_label", "question"):
                indicator[key] = t(indicator[key])
    return data


def sections() -> list[tuple[object, tuple[Indicator, ...]]]:
    return [(d, indicators_of(d.code)) for d in DIMENSIONS]
