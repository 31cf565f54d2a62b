"""The languages Passage speaks: the registry of locales, their catalogues, and the locale of
the request at hand.

English is the source language: every message is written in English in the code and the
templates (`_("...")`), extracted into app/locale/messages.pot by `pybabel extract`
(babel.cfg), and each other locale has app/locale/<code>/LC_MESSAGES/messages.po. The .po
files are compiled in memory the first time a locale is used (no .mo file is kept or
needed), so a reviewed .po can replace a drafted one without touching code.

The locale of a request is chosen once, by LocaleMiddleware: the browser's cookie from the
switcher, else its Accept-Language; the signed-in user's own preference replaces it as soon
as the user is known (app.deps). Code anywhere reads it through `gettext` and friends, which
take it from a context variable; outside a request (the command line) it is English.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale as BabelLocale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
TEMPLATE_FILE = LOCALE_DIR / f"{DOMAIN}.pot"
SOURCE_LOCALE = "en"
LANGUAGE_COOKIE = "passage_language"


@dataclass(frozen=True)
class Locale:
    code: str  # gettext's name, the folder under app/locale and the stored preference
    english_name: str
    native_name: str
    html_lang: str  # BCP 47, for <html lang>
    review: str  # "source", "drafted" (machine or non-native) or "reviewed" (native speaker)

    @property
    def babel(self) -> BabelLocale:
        return BabelLocale.parse(self.code)

    @property
    def catalogue(self) -> Path:
        return LOCALE_DIR / self.code / "LC_MESSAGES" / f"{DOMAIN}.po"


# The locales Passage knows. A translator adds a line here with the .po file; a locale is
# offered only while its .po exists (English, the source, always is). Changing "drafted" to
# "reviewed" is the only change a native speaker's review needs besides the .po itself.
REGISTRY: tuple[Locale, ...] = (
    Locale("en", "English", "English", "en", "source"),
    Locale("th", "Thai", "ไทย", "th", "drafted"),
    Locale("vi", "Vietnamese", "Tiếng Việt", "vi", "drafted"),
    Locale("my", "Burmese", "မြန်မာ", "my", "drafted"),
    Locale("id", "Indonesian", "Bahasa Indonesia", "id", "drafted"),
    Locale("fil", "Filipino", "Filipino", "fil", "drafted"),
    Locale("hi", "Hindi", "हिन्दी", "hi", "drafted"),
    Locale("zh_Hans", "Simplified Chinese", "简体中文", "zh-Hans", "drafted"),
)

def N_(message: str) -> str:  # noqa: N802  (gettext's own name for "mark, do not translate")
    """Marks a message for extraction; it is translated where it is shown (`_(value)`)."""
    return message


REVIEW_WORDS = {"source": N_("Source language"), "drafted": N_("Drafted, not yet reviewed"),
                "reviewed": N_("Reviewed by a native speaker")}


def by_code() -> dict[str, Locale]:
    return {locale.code: locale for locale in REGISTRY}


def available() -> tuple[Locale, ...]:
    """The locales offered to people: English and every registered locale whose .po exists."""
    return _available(LOCALE_DIR, REGISTRY)


@cache
def _available(locale_dir: Path, registry: tuple[Locale, ...]) -> tuple[Locale, ...]:
    """Looked up on disk once per process (a request asks several times; the catalogues
    themselves are read once per process too), per folder and registry, which tests swap."""
    return tuple(locale for locale in registry if locale.code == SOURCE_LOCALE
                 or (locale_dir / locale.code / "LC_MESSAGES" / f"{DOMAIN}.po").is_file())


def available_codes() -> tuple[str, ...]:
    return tuple(locale.code for locale in available())


def is_available(code: str | None) -> bool:
    return code in available_codes()


# --- catalogues, compiled in memory once per process ---

@cache
def translations(code: str) -> NullTranslations:
    if code == SOURCE_LOCALE or not is_available(code):
        return NullTranslations()
    with by_code()[code].catalogue.open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@dataclass
class Coverage:
    translated: int
    total: int

    @property
    def percent(self) -> int:
        # rounded down: 99.6 % is not "100 %"
        return 100 if self.total == 0 else self.translated * 100 // self.total


def template_ids() -> set[str]:
    """The msgids of messages.pot (the singular of a plural)."""
    return set(_ids_of(TEMPLATE_FILE, None, _mtime(TEMPLATE_FILE)))


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.is_file() else 0.0


@cache
def _ids_of(path: Path, code: str | None, _mtime: float) -> frozenset[str]:
    """The msgids of a catalogue; with `code`, only those it translates (not fuzzy, no empty
    form). Kept per file and modification time: read once per process, again when changed."""
    with path.open("rb") as po:
        catalog = read_po(po, locale=code)
    ids = set()
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (
            message.string,)
        if code is None or (not message.fuzzy and all(strings)):
            ids.add(message.id if isinstance(message.id, str) else message.id[0])
    return frozenset(ids)


def coverage(locale: Locale) -> Coverage:
    """How many of the template's messages the locale's .po translates (not fuzzy, not empty)."""
    wanted = template_ids()
    if locale.code == SOURCE_LOCALE:
        return Coverage(len(wanted), len(wanted))
    if not locale.catalogue.is_file():
        return Coverage(0, len(wanted))
    done = _ids_of(locale.catalogue, locale.code, _mtime(locale.catalogue))
    return Coverage(len(wanted & done), len(wanted))


# --- the request's locale ---

@dataclass
class Choice:
    """The locale of one request; a mutable holder, so that the user's preference, known only
    once a dependency has read the user (perhaps in a worker thread, on a copy of the
    context), reaches everything that runs after it."""

    code: str = SOURCE_LOCALE


_choice: ContextVar[Choice | None] = ContextVar("passage_locale", default=None)


def current_code() -> str:
    choice = _choice.get()
    return choice.code if choice is not None else SOURCE_LOCALE


def current() -> Locale:
    return by_code().get(current_code()) or by_code()[SOURCE_LOCALE]


def choose(code: str | None) -> None:
    """Use `code` for the rest of this request, when it is an offered locale."""
    choice = _choice.get()
    if choice is not None and code and is_available(code):
        choice.code = code


def begin(code: str = SOURCE_LOCALE):
    """A new choice for a request (LocaleMiddleware) or a command; returns the token to end it."""
    return _choice.set(Choice(code if is_available(code) else SOURCE_LOCALE))


def end(token) -> None:
    _choice.reset(token)


@contextmanager
def in_locale(code: str) -> Iterator[None]:
    """Everything inside in the locale `code` (a document made for another language than
    the reader's), then the request's own locale again."""
    token = begin(code)
    try:
        yield
    finally:
        end(token)


def negotiate(accept_language: str | None) -> str:
    """The offered locale that best answers an Accept-Language header; English if none."""
    wanted = []
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((quality, tag.strip()))
    wanted.sort(key=lambda item: -item[0])  # stable: equal qualities keep their order
    # Traditional Chinese (zh-Hant, and zh-TW, zh-HK, zh-MO that imply it) is not offered:
    # rather than the Simplified catalogue, such a browser gets its next choice, else English.
    # Most Traditional readers can read Simplified, but not all do so well, and Passage's
    # messages are rights, consent and case decisions, where a misread word costs more than
    # English does; a browser that also accepts zh or zh-CN still gets Simplified from that.
    wanted = [(quality, tag) for quality, tag in wanted if not is_traditional_chinese(tag)]
    offered = list(available_codes())
    # Babel negotiates with "_" or "-"; zh-Hans and zh-CN both mean the Simplified catalogue
    aliases = {"zh_Hans": ["zh-Hans", "zh-CN", "zh-SG", "zh"], "fil": ["fil", "tl"]}
    candidates = offered + [alias for code in offered for alias in aliases.get(code, [])]
    found = negotiate_locale([tag for _q, tag in wanted], candidates, sep="-")
    if found is None:
        found = negotiate_locale([tag.replace("-", "_") for _q, tag in wanted],
                                 candidates, sep="_")
    if found in offered:
        return found
    for code, names in aliases.items():
        if found in names and code in offered:
            return code
    return SOURCE_LOCALE


TRADITIONAL_CHINESE = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def is_traditional_chinese(tag: str) -> bool:
    """zh-Hant..., zh-TW, zh-HK or zh-MO (with "-" or "_", in any case)."""
    tag = tag.replace("_", "-").lower()
    return any(tag == name or tag.startswith(name + "-") for name in TRADITIONAL_CHINESE)


class LocaleMiddleware:
    """Sets the request's locale (pure ASGI, so that the context variable reaches the routes,
    their dependencies and the error handlers): the switcher's cookie, else Accept-Language."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {}
        for name, value in scope.get("headers", ()):
            if name in (b"cookie", b"accept-language"):
                headers[name] = value.decode("latin-1")
        code = _cookie_value(headers.get(b"cookie", ""), LANGUAGE_COOKIE)
        if not is_available(code):
            code = negotiate(headers.get(b"accept-language"))
        token = begin(code)
        try:
            await self.app(scope, receive, send)
        finally:
            end(token)


def _cookie_value(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip('"')
    return None


# --- gettext for Python code and the templates ---

def gettext(message: str) -> str:
    return translations(current_code()).gettext(message)


def gettext_in(code: str, message: str) -> str:
    """`message` in the locale `code` whatever the request's (the interview's second
    language, a questionnaire printed for another language); English if `code` is not
    offered."""
    return translations(code if is_available(code) else SOURCE_LOCALE).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_code()).ngettext(singular, plural, n)


_ = gettext


def lazy_gettext(message: str) -> LazyProxy:
    """A message translated when it is read, for values made at import time."""
    return LazyProxy(gettext, message, enable_cache=False)


class Labels(dict):
    """Words for codes (app.labels): English as written, translated when read, in the
    locale of the request at hand. `english()` is the source text, for the few readers that
    must not change with the reader's language (an import that accepts the English words)."""

    def __getitem__(self, key):
        return gettext(super().__getitem__(key))

    # defined so that {**labels} and dict(labels) read through __getitem__ (CPython copies a
    # dict subclass item by item only when it has its own __iter__ or keys)
    def __iter__(self):
        return super().__iter__()

    def keys(self):  # type: ignore[override]
        return super().keys()

    def get(self, key, default=None):
        if key in self:
            return self[key]
        return default

    def values(self):  # type: ignore[override]
        return [gettext(value) for value in super().values()]

    def items(self):  # type: ignore[override]
        return [(key, gettext(value)) for key, value in super().items()]

    def english(self) -> dict:
        return dict(super().items())


# --- dates and numbers, one way each ---

# A date is written with its month in words, so that 3/4 never reads two ways: English as
# the house style has it ("25 Oct 2025"), every other locale in Babel's "medium" format
# ("25 ต.ค. 2025", "2025年10月25日", "25 अक्टू॰ 2025"). Babel writes the Gregorian year in
# every locale (Thai's too: 2025, not the Buddhist era's 2568), as the date fields do.
DATE_PATTERNS = {SOURCE_LOCALE: "d MMM y"}


def format_date(value: date, locale: str | None = None) -> str:
    code = locale or current_code()
    return babel_dates.format_date(value, DATE_PATTERNS.get(code, "medium"), locale=code)


def format_month(value: date, locale: str | None = None) -> str:
    """A month and its year in words, in the locale ("October 2025", "ตุลาคม 2025")."""
    code = locale or current_code()
    return babel_dates.format_skeleton("yMMMM", value, locale=code)


def format_time(value: datetime, zone: tzinfo, locale: str | None = None) -> str:
    return babel_dates.format_time(value.astimezone(zone), "HH:mm",
                                   locale=locale or current_code())


def format_number(value: int | float, locale: str | None = None) -> str:
    return babel_numbers.format_decimal(value, locale=locale or current_code())


def language_name(code: str) -> str:
    locale = by_code().get(code)
    return locale.native_name if locale else code


def registry_rows() -> list[dict[str, Any]]:
    """Each registered locale with its coverage and review state (README, /languages)."""
    rows = []
    for locale in REGISTRY:
        cover = coverage(locale)
        rows.append({"code": locale.code, "english_name": locale.english_name,
                     "native_name": locale.native_name, "html_lang": locale.html_lang,
                     "review": locale.review, "translated": cover.translated,
                     "total": cover.total, "percent": cover.percent,
                     "offered": locale in available()})
    return rows


def readme_table() -> str:
    """The README's table of locales (`passage locales table` prints it). Coverage in whole
    per cent, rounded down, so that the table changes when a translation does, not with
    each new message."""
    lines = ["| Language | Code | Translated | Review |", "| --- | --- | --- | --- |"]
    for row in registry_rows():
        lines.append(f"| {row['english_name']} ({row['native_name']}) | `{row['code']}` | "
                     f"{row['percent']} % | {REVIEW_WORDS[row['review']]} |")
    return "\n".join(lines)
