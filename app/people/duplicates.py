"""Likely duplicates of a person: is this someone Passage already knows?

A likely duplicate has the same document number; or a similar name (fuzzy and indifferent to
order: "Juan Dela Cruz" ~ "Dela Cruz, Juan" ~ "Juan D. Cruz") with the same nationality and a
date of birth or age within two years. Each comes with a score (0-100) and the reasons in
words. Names are compared as written, in Latin letters (the forms recorded) and transliterated
(anyascii), so that "Zaw Min Htun" finds "ဇော်မင်းထွန်း" recorded with the Latin form "Zaw Min Tun",
and "Somchai Jaidee" finds "สมชาย ใจดี"; only the actor's own records are searched, as before.

It must stay fast with a million people: the database narrows the candidates first (the
document number index; the (nationality, date of birth) index with a window of birth dates,
and a cheap filter on name fragments), and only those are scored in Python with rapidfuzz.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from pydantic import BaseModel
from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.clock import local_today
from app.people.models import Person
from app.people.schemas import PersonRead
from app.people.service import latin_key, name_key, normalize_document_number

NAME_THRESHOLD = 85  # out of 100
AGE_TOLERANCE = 2  # years
MAX_RESULTS = 20
# a bound on the rows scored for one check, whatever the data: a block this large means the
# name fragments are too common to narrow anything, and the best of these is still shown
MAX_SCORED = 20_000
FRAGMENT = 3  # characters of each name part used to narrow the candidates in SQL


@dataclass(frozen=True)
class Probe:
    """What is known of the person being checked."""

    given_name: str
    family_name: str = ""
    nationality_code: str | None = None
    date_of_birth: date | None = None
    age_estimate: int | None = None
    document_number: str | None = None
    given_name_latin: str = ""
    family_name_latin: str = ""


@dataclass
class Duplicate:
    person: Person
    score: int
    reasons: list[str] = field(default_factory=list)
    matched_on: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


class DuplicateRead(BaseModel):
    """A likely duplicate: who (enough to recognise them, no document or phone), how likely,
    and why. `visible` says whether the caller may open that person's record."""

    person_id: int
    given_name: str
    family_name: str
    given_name_latin: str
    family_name_latin: str
    nationality_code: str | None
    date_of_birth: date | None
    age_estimate: int | None
    score: int
    reason: str
    reasons: list[str]
    matched_on: list[str]
    visible: bool


# --- names ---

_ASCII_PUNCTUATION = str.maketrans({ch: " " for ch in map(chr, range(128))
                                    if not ch.isalnum()})


@lru_cache(maxsize=65_536)
def name_tokens(text: str) -> tuple[str, ...]:
    """The parts of a name, compared without case, Latin accents or punctuation; letters and
    marks of every script are kept (Thai and Burmese vowel signs are marks). Cached: the same
    common names come up in check after check."""
    key = name_key(text, "")
    if key.isascii():
        return tuple(key.translate(_ASCII_PUNCTUATION).split())
    cleaned = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in key)
    return tuple(cleaned.split())


@lru_cache(maxsize=65_536)
def _transliterated_tokens(key: str) -> tuple[str, ...]:
    """The parts of a name key transliterated to Latin letters (empty for a Latin name)."""
    return name_tokens(latin_key(key, "")) if not key.isascii() else ()


def name_forms(key: str, key_latin: str) -> tuple[tuple[str, ...], ...]:
    """A name's forms to compare, as parts: as written, in Latin letters (name_key_latin:
    the forms recorded, or transliterated), and transliterated (anyascii) when the Latin
    forms recorded differ from it. A name in Latin letters has one form."""
    forms = [name_tokens(key)]
    for other in (name_tokens(key_latin) if key_latin else (), _transliterated_tokens(key)):
        if other and other not in forms:
            forms.append(other)
    return tuple(forms)


def forms_similarity(a: tuple[tuple[str, ...], ...],
                     b: tuple[tuple[str, ...], ...]) -> tuple[int, bool]:
    """The best token_similarity between any form of one name and any of the other, and
    whether that best was reached only in Latin letters (not by the names as written)."""
    as_written = token_similarity(a[0], b[0])
    best = as_written
    for i, fa in enumerate(a):
        for j, fb in enumerate(b):
            if i or j:
                best = max(best, token_similarity(fa, fb))
    return best, best > as_written


def _expand_initials(tokens: list[str], other: list[str]) -> tuple[list[str], bool]:
    """"juan d cruz" against "juan dela cruz": an initial stands for the other name's part
    that starts with it (a part not already matched)."""
    unmatched = [t for t in other if t not in tokens and len(t) > 1]
    expanded, changed = [], False
    for token in tokens:
        if len(token) == 1:
            match = next((t for t in unmatched if t.startswith(token)), None)
            if match is not None:
                unmatched.remove(match)
                expanded.append(match)
                changed = True
                continue
        expanded.append(token)
    return expanded, changed


def name_similarity(a: str, b: str) -> int:
    """0-100: how alike two full names are, whatever the order of their parts."""
    return token_similarity(name_tokens(a), name_tokens(b))


def token_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """name_similarity on names already split into parts."""
    if not a or not b:
        return 0
    ta, changed_a = _expand_initials(list(a), list(b))
    tb, changed_b = _expand_initials(list(b), ta)
    sa, sb = " ".join(ta), " ".join(tb)
    score = max(
        fuzz.token_sort_ratio(sa, sb),
        # a part left out ("Juan Cruz" for "Juan Dela Cruz") costs a little
        0.92 * fuzz.token_set_ratio(sa, sb) if min(len(ta), len(tb)) >= 2 else 0,
        # parts run together ("Delacruz")
        fuzz.ratio("".join(sorted(ta)), "".join(sorted(tb))),
        fuzz.ratio(sa.replace(" ", ""), sb.replace(" ", "")),
    )
    if changed_a or changed_b:
        # an initial is a guess, never a certainty
        score = min(score, 96)
    return round(score)


# --- ages ---

def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_in_years(dob: date | None, estimate: int | None, today: date) -> int | None:
    return _age_on(dob, today) if dob is not None else estimate


def _age_reason(probe: Probe, person: Person, today: date) -> str | None:
    """Why the two ages agree (within two years), or None when they do not or are unknown."""
    if probe.date_of_birth is not None and person.date_of_birth is not None:
        a, b = sorted([probe.date_of_birth, person.date_of_birth])
        if b > _shift_years(a, AGE_TOLERANCE):
            return None
        if a == b:
            return "same date of birth"
        years = _age_on(a, b)
        if years == 0:
            return "dates of birth less than a year apart"
        return f"dates of birth {years} year{'s' if years > 1 else ''} apart"
    mine = age_in_years(probe.date_of_birth, probe.age_estimate, today)
    theirs = age_in_years(person.date_of_birth, person.age_estimate, today)
    if mine is None or theirs is None or abs(mine - theirs) > AGE_TOLERANCE:
        return None
    return "same age" if mine == theirs else f"ages {min(mine, theirs)} and {max(mine, theirs)}"


def _age_windows(probe: Probe, today: date) -> list[ColumnElement[bool]]:
    """People whose date of birth or age could be within two years of the probe's: one
    condition per index range (a date-of-birth range; no date of birth and an age range), each
    queried on its own so that the database walks the (nationality, date of birth) index
    instead of every person of the nationality."""
    if probe.date_of_birth is not None:
        dob = probe.date_of_birth
        age = _age_on(dob, today)
        low, high = _shift_years(dob, -AGE_TOLERANCE), _shift_years(dob, AGE_TOLERANCE)
    elif probe.age_estimate is not None:
        age = probe.age_estimate
        # born between (age + 3) years ago, exclusive, and (age - 2) years ago
        low = _shift_years(today, -(age + AGE_TOLERANCE + 1))
        high = _shift_years(today, -max(age - AGE_TOLERANCE, 0))
    else:
        return []
    return [
        Person.date_of_birth.between(low, high),
        and_(Person.date_of_birth.is_(None),
             Person.age_estimate.between(age - AGE_TOLERANCE, age + AGE_TOLERANCE)),
    ]


def _fragments(tokens: tuple[str, ...]) -> list[str]:
    parts = {t[:FRAGMENT] for t in tokens if len(t) >= 2}
    return sorted(p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                  for p in parts)


# --- finding ---

def find_duplicates(session: Session, probe: Probe, *, today: date,
                    exclude_id: int | None = None,
                    scope: ColumnElement[bool] | None = None,
                    limit: int = MAX_RESULTS) -> list[Duplicate]:
    """Likely duplicates of `probe`, best first. `scope` limits the people considered (for
    callers who may not search everyone)."""
    found: dict[int, Duplicate] = {}
    # a merged record (a tombstone) is no one's duplicate: its survivor stands for it
    conditions = [Person.merged_into_id.is_(None)]
    if scope is not None:
        conditions.append(scope)
    if exclude_id is not None:
        conditions.append(Person.id != exclude_id)

    document = normalize_document_number(probe.document_number)
    if document:
        for person in session.exec(select(Person).where(Person.document_number == document,
                                                        *conditions).limit(limit)):
            reasons = ["same document number"]
            if person.nationality_code != probe.nationality_code:
                reasons.append("but a different nationality")
            found[person.id] = Duplicate(person, 100, reasons, ["document_number"])

    probe_key = name_key(probe.given_name, probe.family_name)
    forms = name_forms(probe_key, latin_key(probe.given_name, probe.family_name,
                                            probe.given_name_latin, probe.family_name_latin))
    tokens = forms[0]
    windows = _age_windows(probe, today) if probe.nationality_code and tokens else []
    fragments = sorted({f for form in forms for f in _fragments(form)})
    # score on the few columns the check needs; whole rows only for the matches
    matches: dict[int, tuple[int, list[str], list[str]]] = {}
    for window in windows:
        statement = select(Person.id, Person.name_key, Person.name_key_latin,
                           Person.date_of_birth, Person.age_estimate).where(
            Person.nationality_code == probe.nationality_code, window, *conditions)
        if fragments:
            statement = statement.where(or_(*(
                column.like(f"%{f}%", escape="\\") for f in fragments
                for column in (Person.name_key, Person.name_key_latin))))
        for row in session.exec(statement.limit(MAX_SCORED)):
            candidate = name_forms(row.name_key, row.name_key_latin)
            if len(forms) == 1 and len(candidate) == 1:
                score, latin = token_similarity(tokens, candidate[0]), False
            else:
                score, latin = forms_similarity(forms, candidate)
            if score < NAME_THRESHOLD:
                continue
            age_reason = _age_reason(probe, row, today)
            if age_reason is None:
                continue
            name_reason = (f"similar name in Latin letters (score {score})" if latin
                           else f"similar name (score {score})")
            matches[row.id] = (score, [name_reason, "same nationality", age_reason],
                               ["name_latin" if latin else "name", "nationality",
                                "date_of_birth" if "birth" in age_reason else "age"])
    best = sorted(matches, key=lambda pid: (-matches[pid][0], pid))[:limit]
    rows = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(best)))} \
        if best else {}
    for pid in best:
        score, reasons, matched = matches[pid]
        if pid in found:
            found[pid].reasons += reasons
            found[pid].matched_on += matched
        else:
            found[pid] = Duplicate(rows[pid], score, reasons, matched)
    return sorted(found.values(), key=lambda d: (-d.score, d.person.id))[:limit]


def _today() -> date:
    return local_today()


def _searched(actor: Actor) -> ColumnElement[bool]:
    # only the people the actor may see: a warning that named another organisation's record
    # would tell whether Passage knows someone, and show what another organisation typed. A
    # caseworker finds another organisation's record by the person's own details, a few
    # times a day (app.cases.service.open_case_by_details).
    return access.visible(actor, Person)


def _reads(session: Session, actor: Actor, found: list[Duplicate]) -> list[DuplicateRead]:
    ids = [d.person.id for d in found]
    visible = set(session.exec(select(Person.id).where(Person.id.in_(ids),
                                                       access.visible(actor, Person))).all()) \
        if ids else set()
    return [
        DuplicateRead(
            person_id=d.person.id, given_name=d.person.given_name,
            family_name=d.person.family_name, given_name_latin=d.person.given_name_latin,
            family_name_latin=d.person.family_name_latin,
            nationality_code=d.person.nationality_code,
            date_of_birth=d.person.date_of_birth, age_estimate=d.person.age_estimate,
            score=d.score, reason=d.reason, reasons=d.reasons, matched_on=d.matched_on,
            visible=d.person.id in visible,
        )
        for d in found
    ]


def probe_of(person) -> Probe:
    """A probe from a Person row or a PersonCreate."""
    return Probe(given_name=person.given_name, family_name=person.family_name or "",
                 nationality_code=person.nationality_code, date_of_birth=person.date_of_birth,
                 age_estimate=person.age_estimate, document_number=person.document_number,
                 given_name_latin=getattr(person, "given_name_latin", "") or "",
                 family_name_latin=getattr(person, "family_name_latin", "") or "")


def check_new_person(session: Session, *, actor: Actor, person_in,
                     exclude_id: int | None = None) -> list[DuplicateRead]:
    """Likely duplicates of a person being registered (`person_in`: a PersonCreate), or of
    one just registered (`exclude_id`: their own id). Audited with the ids found, no names."""
    found = find_duplicates(session, probe_of(person_in), today=_today(),
                            exclude_id=exclude_id, scope=_searched(actor))
    audit.record(session, actor=actor, action="person.duplicate_check", entity_type="person",
                 entity_id=exclude_id, detail={"found": len(found),
                                               "ids": [d.person.id for d in found]})
    return _reads(session, actor, found)


def duplicates_of(session: Session, *, actor: Actor, person_id: int) -> list[DuplicateRead]:
    """Likely duplicates of a person the actor may see (404 otherwise)."""
    person = access.get_visible(session, actor, Person, person_id, action="person.duplicates")
    found = find_duplicates(session, probe_of(person), today=_today(), exclude_id=person.id,
                            scope=_searched(actor))
    audit.record(session, actor=actor, action="person.duplicates", entity_type="person",
                 entity_id=person.id, detail={"found": len(found),
                                              "ids": [d.person.id for d in found]})
    return _reads(session, actor, found)


class PersonCreated(PersonRead):
    """A newly registered person and the people of the registering organisation's records
    who may be the same."""

    possible_duplicates: list[DuplicateRead]
