"""ISO 3166-1 countries and the names people actually write for them."""

import threading
import unicodedata
import weakref
from typing import NamedTuple

import pycountry
from sqlmodel import Session, select

from app.nationalities.models import Nationality

# pycountry knows the ISO names; rosters use everyday ones too.
COMMON_NAMES: dict[str, str] = {
    "vietnam": "VN", "viet nam": "VN", "laos": "LA", "lao": "LA", "russia": "RU",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "north korea": "KP",
    "taiwan": "TW", "turkey": "TR", "turkiye": "TR", "burma": "MM", "myanmar": "MM",
    "iran": "IR", "syria": "SY", "tanzania": "TZ", "bolivia": "BO", "venezuela": "VE",
    "moldova": "MD", "brunei": "BN", "czech republic": "CZ", "ivory coast": "CI",
    "cote d'ivoire": "CI", "congo": "CG", "drc": "CD", "dr congo": "CD",
    "democratic republic of the congo": "CD", "uk": "GB", "united kingdom": "GB",
    "britain": "GB", "great britain": "GB", "usa": "US", "us": "US", "america": "US",
    "united states": "US", "palestine": "PS", "macau": "MO", "macao": "MO",
    "hong kong": "HK", "east timor": "TL", "cape verde": "CV", "swaziland": "SZ",
    "micronesia": "FM", "vatican": "VA", "holland": "NL", "uae": "AE",
}


def iso_countries() -> list[tuple[str, str]]:
    """(alpha-2, English name) for every ISO 3166-1 country, as the data migration loads them."""
    return sorted((c.alpha_2, getattr(c, "common_name", None) or c.name)
                  for c in pycountry.countries)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace(".", "").split())


def resolve_nationality(value: str) -> str | None:
    """The alpha-2 code for an alpha-2 code, an ISO name or a common English name."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) == 2 and value.isalpha():
        country = pycountry.countries.get(alpha_2=value.upper())
        return country.alpha_2 if country else None
    folded = _fold(value)
    if folded in COMMON_NAMES:
        return COMMON_NAMES[folded]
    if len(value) == 3 and value.isalpha():
        country = pycountry.countries.get(alpha_3=value.upper())
        if country:
            return country.alpha_2
    for country in pycountry.countries:
        names = {country.name, getattr(country, "common_name", ""),
                 getattr(country, "official_name", "")}
        if folded in {_fold(n) for n in names if n}:
            return country.alpha_2
    return None


class NationalityName(NamedTuple):
    code: str
    name: str


# The nationalities are reference data: a data migration loads them and nothing in Passage
# changes them, so a process reads them once per database (engine) rather than on every page
# that offers them (a fifth of the people search's time went to reading them).
_READ: "weakref.WeakKeyDictionary[object, tuple[tuple[NationalityName, ...], dict[str, str]]]" \
    = weakref.WeakKeyDictionary()
_READ_LOCK = threading.Lock()


def _read(session: Session) -> tuple[tuple[NationalityName, ...], dict[str, str]]:
    bind = session.get_bind()
    with _READ_LOCK:
        read = _READ.get(bind)
    if read is None:
        rows = tuple(NationalityName(code, name) for code, name in session.exec(
            select(Nationality.code, Nationality.name).order_by(Nationality.name)))
        read = rows, {n.code: n.name for n in rows}
        if rows:  # an empty table is a database not yet migrated: read it again next time
            with _READ_LOCK:
                _READ[bind] = read
    return read


def list_nationalities(session: Session) -> tuple[NationalityName, ...]:
    """Every nationality (code, name), by name."""
    return _read(session)[0]


def nationality_names(session: Session) -> dict[str, str]:
    """{code: name} of every nationality (a copy: callers may change it)."""
    return dict(_read(session)[1])
