"""The message catalogues as files: extracting the template (messages.pot) from the code and
the templates, bringing each locale's .po up to date with it, and checking a .po.

`passage locales extract` writes app/locale/messages.pot; `passage locales update` merges it
into every .po (new messages empty, gone ones dropped); tests/test_i18n.py runs the same
extraction in process and fails when the committed .pot differs, and checks every .po.
The .pot has file names but no line numbers, so that an edit elsewhere in a file does not
change it (and two branches adding messages seldom conflict)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from app.config import PROJECT_ROOT
from app.i18n import DOMAIN, REGISTRY, SOURCE_LOCALE, TEMPLATE_FILE, Locale

KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "lazy_gettext": None}
METHOD_MAP = [("app/**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS_MAP = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "1"}}
SKIPPED_DIRECTORIES = {"tests", "scripts", "migrations", "docs", "node_modules"}


def _directories(dirpath: str) -> bool:
    name = Path(dirpath).name
    return not name.startswith((".", "_")) and name not in SKIPPED_DIRECTORIES and \
        not name.endswith(".egg-info")


# a fixed date in the header: the .pot changes only when a message does
_FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def extract() -> Catalog:
    """Every message of app/ and templates/, as `pybabel extract -F babel.cfg` finds them."""
    catalog = Catalog(project="Passage", version="0.1", charset="utf-8", fuzzy=False,
                      msgid_bugs_address="", copyright_holder="Passage", domain=DOMAIN)
    catalog.creation_date = catalog.revision_date = _FIXED_DATE
    for filename, _lineno, message, comments, context in extract_from_dir(
            str(PROJECT_ROOT), METHOD_MAP, OPTIONS_MAP, keywords=KEYWORDS,
            comment_tags=("Translators:",), strip_comment_tags=True,
            directory_filter=_directories):
        catalog.add(message, None, [(filename, None)], auto_comments=comments,
                    context=context)
    return catalog


def write_template(catalog: Catalog | None = None, path: Path = TEMPLATE_FILE) -> int:
    catalog = catalog or extract()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(catalog))
    return len(catalog)


def render(catalog: Catalog) -> bytes:
    out = BytesIO()
    write_po(out, catalog, width=100, sort_output=True, include_lineno=False,
             omit_header=False, ignore_obsolete=True)
    return out.getvalue()


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale, domain=DOMAIN)


def update(locale: Locale) -> int:
    """The locale's .po brought up to date with the .pot: new messages empty, gone ones
    dropped, translations kept. Returns how many messages it has."""
    template = read(TEMPLATE_FILE)
    catalog = read(locale.catalogue, locale.code) if locale.catalogue.is_file() else Catalog(
        locale=locale.code, domain=DOMAIN, project="Passage", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    locale.catalogue.parent.mkdir(parents=True, exist_ok=True)
    out = BytesIO()
    write_po(out, catalog, width=100, sort_output=True, include_lineno=False,
             ignore_obsolete=True)
    locale.catalogue.write_bytes(out.getvalue())
    return len(catalog)


def key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


# %(name)s, %s, %d and %% (gettext's) and {count}, {name} (str.format's)
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{[A-Za-z_]\w*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text or ""))


@dataclass(frozen=True)
class Problem:
    locale: str
    msgid: str
    what: str

    def __str__(self) -> str:
        return f"{self.locale}: {self.what}: {self.msgid!r}"


def check(locale: Locale, template: Catalog | None = None) -> list[Problem]:
    """What is wrong with a locale's .po against the .pot: a message missing, left empty or
    fuzzy, one the .pot no longer has, or a translation whose placeholders differ."""
    template = template or read(TEMPLATE_FILE)
    if locale.code == SOURCE_LOCALE:
        return []
    if not locale.catalogue.is_file():
        return [Problem(locale.code, "", f"no catalogue at {locale.catalogue}")]
    catalog = read(locale.catalogue, locale.code)
    problems = []
    wanted = {key(m): m for m in template if m.id}
    have = {key(m): m for m in catalog if m.id}
    for msgid, message in wanted.items():
        found = have.get(msgid)
        if found is None:
            problems.append(Problem(locale.code, msgid, "missing"))
            continue
        strings = found.string if isinstance(found.string, list | tuple) else (found.string,)
        if not all(s and s.strip() for s in strings):
            problems.append(Problem(locale.code, msgid, "empty"))
            continue
        if found.fuzzy:
            problems.append(Problem(locale.code, msgid, "fuzzy (not yet checked)"))
        sources = message.id if isinstance(message.id, list | tuple) else (message.id,)
        expected = placeholders(sources[-1])
        for text in strings:
            # a plural's forms may leave the count out ("one case"), never add or rename one
            got = placeholders(text)
            named = [p for p in expected if p not in ("%(num)d", "%(num)s", "%d")]
            if [p for p in got if p not in ("%(num)d", "%(num)s", "%d")] != named or \
                    not set(got) <= set(expected):
                problems.append(Problem(locale.code, msgid,
                                        f"placeholders {got} instead of {expected}"))
                break
    return problems


def stale(locale: Locale, template: Catalog | None = None) -> list[str]:
    """Messages of a locale's .po that the .pot no longer has: harmless (never looked up),
    dropped by `passage locales update`."""
    if locale.code == SOURCE_LOCALE or not locale.catalogue.is_file():
        return []
    template = template or read(TEMPLATE_FILE)
    wanted = {key(m) for m in template if m.id}
    return sorted({key(m) for m in read(locale.catalogue, locale.code) if m.id} - wanted)


def check_all(locales: Iterable[Locale] = REGISTRY) -> list[Problem]:
    template = read(TEMPLATE_FILE)
    return [problem for locale in locales for problem in check(locale, template)]

