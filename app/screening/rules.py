"""The screening rules of SCREENING.md, versions 1 and 2, as pure functions.

No clock, no I/O, no database: answers and an age group in, a suggestion with its reasons
out; today's date is always an argument. Passage suggests; a person decides, so no sentence
here is worded as a verdict. Every version stays available: a stored suggestion is read with
the version it was made with, and re-screening compares versions side by side.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from app.screening.catalogue import (
    DIMENSIONS,
    DIMENSIONS_BY_CODE,
    INDICATORS,
    INDICATORS_BY_CODE,
    N_,
    RULES_VERSIONS,
    STRENGTH_WORDS,
    Strength,
    short_label,
)

ADULT_AGE = 18
# Version 2: an age taken from today's age, under this, may have been a child's at recruitment
# (a person of 19 today may have been recruited at 16).
POSSIBLY_CHILD_UNDER_AGE_TODAY = 21
POSSIBLY_CHILD_REASON = N_(
    "May have been under 18 when recruited: ask when the recruitment happened.")
# Error messages quote at most this much of what was sent, so a long or hostile value is
# never echoed back in full.
MAX_ECHO = 20

MEANS_DIMENSIONS = ("DR", "CR", "VR")
WORK_DIMENSIONS = ("EX",)
DESTINATION_DIMENSIONS = ("CD", "VD")
CHILD_DIMENSIONS = ("EX", "CD")


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Classification(StrEnum):
    TRAFFICKING_VICTIM = "trafficking_victim"
    NEEDS_ASSESSMENT = "needs_assessment"
    WILLING_WORKER = "willing_worker"


class AgeGroup(StrEnum):
    ADULT = "adult"
    CHILD = "child"
    UNKNOWN = "unknown"
    # version 2 only: an adult by today's age, under 21, whose recruitment date or date of
    # birth is missing
    POSSIBLY_CHILD = "possibly_child"


class InvalidAnswers(ValueError):
    """Every bad code and every bad value of one set of answers, as (code or field, message)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{where}: {message}" for where, message in self.errors))


def _shorten(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "…"


_ANSWER_VALUES = ", ".join(a.value for a in Answer)


def parse_answers(raw: Mapping[str, str]) -> dict[str, Answer]:
    """Every catalogue code mapped to its answer; a code left out is `unknown`.

    Raises InvalidAnswers listing every code not in the catalogue and every value other than
    yes, no or unknown.
    """
    if not isinstance(raw, Mapping):
        raise InvalidAnswers([("answers", f"must map indicator codes to {_ANSWER_VALUES}")])
    errors: list[tuple[str, str]] = []
    given: dict[str, Answer] = {}
    for code, value in raw.items():
        code_ok = isinstance(code, str) and code in INDICATORS_BY_CODE
        if not code_ok:
            errors.append((_shorten(code), "is not an indicator code"))
        try:
            answer = Answer(value) if isinstance(value, str) else None
        except ValueError:
            answer = None
        if answer is None:
            where = code if code_ok else _shorten(code)
            errors.append((where, f"'{_shorten(value)}' is not one of {_ANSWER_VALUES}"))
        elif code_ok:
            given[code] = answer
    if errors:
        raise InvalidAnswers(errors)
    return {i.code: given.get(i.code, Answer.UNKNOWN) for i in INDICATORS}


def _years_between(born: date, on: date) -> int:
    # Someone born on 29 February comes of age on 1 March in a common year.
    before_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - before_birthday


def age_at_recruitment(
    *,
    date_of_birth: date | None,
    recruited_on: date | None,
    age_estimate: int | None,
    today: date,
) -> int | None:
    """Age at recruitment in whole years, or None when nothing about the age is known.

    From date of birth and recruitment date; where either is missing, the age today (from the
    date of birth, else the estimate, taken as it is); otherwise unknown. Raises ValueError
    for dates that cannot both be true (born after recruitment, or in the future).
    """
    if date_of_birth is not None and date_of_birth > today:
        raise ValueError("date_of_birth is in the future")
    if recruited_on is not None and recruited_on > today:
        raise ValueError("recruited_on is in the future")
    if age_estimate is not None and age_estimate < 0:
        raise ValueError("age_estimate is negative")
    if date_of_birth is not None and recruited_on is not None:
        if recruited_on < date_of_birth:
            raise ValueError("recruited_on is before date_of_birth")
        return _years_between(date_of_birth, recruited_on)
    if date_of_birth is not None:
        return _years_between(date_of_birth, today)
    return age_estimate


def age_group(age: int | None) -> AgeGroup:
    if age is None:
        return AgeGroup.UNKNOWN
    if age < 0:
        raise ValueError("age is negative")
    return AgeGroup.ADULT if age >= ADULT_AGE else AgeGroup.CHILD


def age_group_at_recruitment(
    *,
    date_of_birth: date | None,
    recruited_on: date | None,
    age_estimate: int | None,
    today: date,
    rules_version: int,
) -> tuple[int | None, AgeGroup]:
    """Rule 2 of the given rules version: the age at recruitment and the age group to screen
    with.

    Version 1 groups the age as age_group() does. Version 2 adds `possibly_child`: the age
    could only be taken from today's age (no recruitment date, or no date of birth) and that
    age is 18, 19 or 20. An exact age, a known child and anyone 21 or over are as in version 1.
    Raises ValueError as age_at_recruitment() does, and for a rules version that does not exist.
    """
    _check_version(rules_version)
    age = age_at_recruitment(
        date_of_birth=date_of_birth,
        recruited_on=recruited_on,
        age_estimate=age_estimate,
        today=today,
    )
    group = age_group(age)
    exact = date_of_birth is not None and recruited_on is not None
    if (
        rules_version >= 2
        and group is AgeGroup.ADULT
        and not exact
        and age < POSSIBLY_CHILD_UNDER_AGE_TODAY
    ):
        group = AgeGroup.POSSIBLY_CHILD
    return age, group


def _check_version(rules_version: int) -> None:
    if rules_version not in RULES_VERSIONS:
        known = ", ".join(str(v) for v in RULES_VERSIONS)
        raise ValueError(f"rules version {rules_version!r} does not exist (known: {known})")


def dimension_present(yes_strengths: Iterable[Strength]) -> bool:
    """Rule 1: whether the strengths of a dimension's `yes` answers make it present."""
    strengths = [Strength(s) for s in yes_strengths]
    strong = strengths.count(Strength.STRONG)
    medium = strengths.count(Strength.MEDIUM)
    weak = strengths.count(Strength.WEAK)
    return (
        strong >= 2
        or (strong >= 1 and medium + weak >= 1)
        or medium >= 3
        or (medium >= 2 and weak >= 1)
    )


@dataclass(frozen=True)
class DimensionResult:
    code: str
    name: str
    present: bool
    yes: dict[str, list[str]]
    unknown: list[str]

    def yes_codes(self) -> list[str]:
        """The codes answered yes, in catalogue order."""
        yes = {code for codes in self.yes.values() for code in codes}
        return [i.code for i in INDICATORS if i.code in yes] if yes else []

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "present": self.present,
            "yes": {strength: list(codes) for strength, codes in self.yes.items()},
            "unknown": list(self.unknown),
        }


@dataclass(frozen=True)
class ScreeningResult:
    classification: Classification
    rules_version: int
    age_group: AgeGroup
    dimensions: list[DimensionResult]
    unknown: list[str]
    reasons: list[str]

    def to_dict(self) -> dict:
        return {
            "classification": self.classification.value,
            "rules_version": self.rules_version,
            "age_group": self.age_group.value,
            "dimensions": [d.to_dict() for d in self.dimensions],
            "unknown": list(self.unknown),
            "reasons": list(self.reasons),
        }


def _present_dimensions(answers: Mapping[str, Answer], *, counting: set[Answer]) -> set[str]:
    return {
        dimension.code
        for dimension in DIMENSIONS
        if dimension_present(
            i.strength
            for i in INDICATORS
            if i.dimension == dimension.code and answers[i.code] in counting
        )
    }


def _adult_rule(present: set[str]) -> bool:
    return (
        any(code in present for code in MEANS_DIMENSIONS)
        and all(code in present for code in WORK_DIMENSIONS)
        and any(code in present for code in DESTINATION_DIMENSIONS)
    )


def _child_rule(present: set[str]) -> bool:
    return any(code in present for code in CHILD_DIMENSIONS)


def _rule_for(age: AgeGroup):
    # Rule 2: an unknown age is treated as adult; rule 4 checks the child rule separately.
    return _child_rule if age is AgeGroup.CHILD else _adult_rule


def _english_join(items: list[str], style: str = "standard") -> str:
    word = "or" if style == "or" else "and"
    if len(items) <= 1:
        return "".join(items)
    if style == "comma":
        return ", ".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _english_ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


@dataclass(frozen=True)
class Words:
    """How the reasons are worded: the translation functions of one language and its way of
    joining a list ("a, b and c"; style "or", or "comma" for a plain list). Every sentence is
    one whole message with named placeholders, so that each language orders its own words;
    the default is the rules' English, which the stored suggestions keep. The rules stay pure:
    the caller brings the language (app.i18n's gettext and Babel's format_list)."""

    gettext: Callable[[str], str] = field(default=lambda message: message)
    ngettext: Callable[[str, str, int], str] = field(default=_english_ngettext)
    join: Callable[..., str] = field(default=_english_join)


ENGLISH = Words()


def _name(code: str, w: Words) -> str:
    return w.gettext(DIMENSIONS_BY_CODE[code].name).lower()


def _names(codes: Iterable[str], w: Words, style: str = "standard") -> str:
    return w.join([_name(code, w) for code in codes], style)


def _with_strengths(codes: list[str], w: Words) -> str:
    # words only: the codes are a reference the page puts beside them (SCREENING.md rule 5)
    return w.join([
        w.gettext("%(indicator)s (%(strength)s)") % {
            "indicator": w.gettext(short_label(code)),
            "strength": w.gettext(STRENGTH_WORDS[INDICATORS_BY_CODE[code].strength])}
        for code in codes])


def _dimension_reasons(results: list[DimensionResult], w: Words) -> list[str]:
    reasons = []
    for result in results:
        codes = result.yes_codes()
        name = w.gettext(DIMENSIONS_BY_CODE[result.code].name)
        if result.present:
            reasons.append(w.gettext("%(dimension)s present: %(indicators)s.") % {
                "dimension": name, "indicators": _with_strengths(codes, w)})
        elif codes:
            reasons.append(w.ngettext(
                "%(dimension)s not present: %(indicators)s is not enough.",
                "%(dimension)s not present: %(indicators)s are not enough.", len(codes),
            ) % {"dimension": name, "indicators": _with_strengths(codes, w)})
    if not any(result.yes_codes() for result in results):
        reasons.append(w.gettext("No indicator was answered yes."))
    return reasons


def _adult_rule_reason(present: set[str], w: Words) -> str:
    means = [c for c in MEANS_DIMENSIONS if c in present]
    destination = [c for c in DESTINATION_DIMENSIONS if c in present]
    if _adult_rule(present):
        return w.gettext(
            "The adult rule is met: a means of recruitment (%(means)s), %(work)s, and "
            "coercion or abuse of vulnerability at destination (%(destination)s) are all "
            "present."
        ) % {"means": _names(means, w), "work": _names(WORK_DIMENSIONS, w),
             "destination": _names(destination, w)}
    missing = []
    if not means:
        missing.append(w.gettext("a means of recruitment (%(dimensions)s)") % {
            "dimensions": _names(MEANS_DIMENSIONS, w, "or")})
    if not all(c in present for c in WORK_DIMENSIONS):
        missing.append(_names(WORK_DIMENSIONS, w))
    if not destination:
        missing.append(w.gettext("coercion or abuse of vulnerability at destination"))
    return w.gettext("The adult rule is not met: missing %(missing)s.") % {
        "missing": w.join(missing)}


def _child_rule_clause(present: set[str], w: Words) -> str:
    found = [c for c in CHILD_DIMENSIONS if c in present]
    if found:
        return w.ngettext("%(dimensions)s is present", "%(dimensions)s are present",
                          len(found)) % {"dimensions": _names(found, w)}
    first, second = CHILD_DIMENSIONS
    return w.gettext("neither %(first)s nor %(second)s is present") % {
        "first": _name(first, w), "second": _name(second, w)}


def _age_reason(age: AgeGroup, w: Words) -> str:
    if age is AgeGroup.CHILD:
        return w.gettext(
            "The person was under 18 at recruitment: the means of recruitment are not "
            "required (Palermo Protocol art. 3(c)), and a child is never suggested as a "
            "willing worker (ILO Convention 182)."
        )
    if age is AgeGroup.UNKNOWN:
        return w.gettext(
            "The person's age at recruitment is unknown: the adult rule applies, and the "
            "child rule is checked as well."
        )
    return w.gettext("The person was 18 or over at recruitment: the adult rule applies.")


def _suggestion_reason(classification: Classification, w: Words) -> str:
    if classification is Classification.TRAFFICKING_VICTIM:
        return w.gettext("Suggestion: indicators of trafficking found; a caseworker decides.")
    if classification is Classification.NEEDS_ASSESSMENT:
        return w.gettext(
            "Suggestion: needs assessment; a caseworker looks further and decides.")
    return w.gettext("Suggestion: no indicators of trafficking found; a caseworker decides.")


def _child_rule_reason(met: bool, present: set[str], w: Words) -> str:
    clause = {"clause": _child_rule_clause(present, w)}
    if met:
        return w.gettext("The child rule is met: %(clause)s.") % clause
    return w.gettext("The child rule is not met: %(clause)s.") % clause


def dimension_level_reasons(
    present: Iterable[str], classification: str, age: str, words: Words = ENGLISH
) -> list[str]:
    """The reasons of a stored suggestion told without any indicator: for a reader who may
    see the suggestion but not the interview's answers (a coordinator). Each dimension
    present or not, the rule for the age, the suggestion; never a code, never an answer."""
    present = set(present)
    age = AgeGroup(age)
    classification = Classification(classification)
    possibly_child = age is AgeGroup.POSSIBLY_CHILD
    w = words
    reasons = [_age_reason(AgeGroup.ADULT if possibly_child else age, w)]
    reasons += [
        (w.gettext("%(dimension)s present.") if d.code in present
         else w.gettext("%(dimension)s not present.")) % {"dimension": w.gettext(d.name)}
        for d in DIMENSIONS
    ]
    if age is AgeGroup.CHILD:
        reasons.append(_child_rule_reason(_child_rule(present), present, w))
    else:
        reasons.append(_adult_rule_reason(present, w))
    if possibly_child:
        reasons.append(w.gettext(POSSIBLY_CHILD_REASON))
    reasons.append(_suggestion_reason(classification, w))
    return reasons


def reasons_of(result: Mapping, words: Words = ENGLISH) -> list[str] | None:
    """The reasons of a stored suggestion (ScreeningResult.to_dict()) in today's words, made
    again from its answers (the codes answered yes and unknown; the others were no), its age
    group and its rules version; None when they do not give the stored suggestion back."""
    try:
        answers = dict.fromkeys(INDICATORS_BY_CODE, Answer.NO)
        for dimension in result["dimensions"]:
            for codes in dimension["yes"].values():
                answers.update(dict.fromkeys(codes, Answer.YES))
        answers.update(dict.fromkeys(result["unknown"], Answer.UNKNOWN))
        again = screen(answers, AgeGroup(result["age_group"]),
                       rules_version=result["rules_version"], words=words)
    except (KeyError, TypeError, ValueError, InvalidAnswers):
        return None
    if again.classification.value != result.get("classification"):
        return None
    return again.reasons


def screen(
    answers: Mapping[str, Answer], age: AgeGroup, *, rules_version: int,
    words: Words = ENGLISH,
) -> ScreeningResult:
    """Rules 1 to 5 of SCREENING.md, in the given rules version, for one interview's answers
    and the person's age group (from age_group_at_recruitment() of the same version).

    Codes left out count as `unknown`; codes or values outside the catalogue raise
    InvalidAnswers, as parse_answers does. Version 1 knows no `possibly_child` (ValueError).
    """
    _check_version(rules_version)
    age = AgeGroup(age)
    if age is AgeGroup.POSSIBLY_CHILD:
        if rules_version < 2:
            raise ValueError("rules version 1 has no possibly_child age group")
        return _screen_possibly_child(answers, rules_version=rules_version, words=words)
    result = _screen_v1(answers, age, words)
    return replace(result, rules_version=rules_version)


def _screen_possibly_child(answers: Mapping[str, Answer], *, rules_version: int,
                           words: Words = ENGLISH) -> ScreeningResult:
    """Version 2's one change: screened with the adult rule, and never `willing_worker`.
    Dimensions and every other reason are version 1's for an adult."""
    adult = _screen_v1(answers, AgeGroup.ADULT, words)
    classification, reasons = adult.classification, list(adult.reasons)
    if classification is Classification.WILLING_WORKER:
        classification = Classification.NEEDS_ASSESSMENT
        # the last reason is the suggestion, which changes with it
        reasons[-1:] = [words.gettext(POSSIBLY_CHILD_REASON),
                        _suggestion_reason(classification, words)]
    return replace(
        adult,
        classification=classification,
        rules_version=rules_version,
        age_group=AgeGroup.POSSIBLY_CHILD,
        reasons=reasons,
    )


def _screen_v1(answers: Mapping[str, Answer], age: AgeGroup,
               w: Words = ENGLISH) -> ScreeningResult:
    answers = parse_answers(answers)

    present = _present_dimensions(answers, counting={Answer.YES})
    present_if_unknown_yes = _present_dimensions(answers, counting={Answer.YES, Answer.UNKNOWN})
    rule = _rule_for(age)
    rule_met = rule(present)
    rule_met_if_unknown_yes = rule(present_if_unknown_yes)
    child_rule_met = _child_rule(present)
    strong_not_no = [
        i.code
        for i in INDICATORS
        if i.strength is Strength.STRONG and answers[i.code] is not Answer.NO
    ]
    strong_unknown = [
        i.code
        for i in INDICATORS
        if i.strength is Strength.STRONG and answers[i.code] is Answer.UNKNOWN
    ]

    if rule_met:
        classification = Classification.TRAFFICKING_VICTIM
    elif (
        strong_not_no
        or present
        or rule_met_if_unknown_yes
        or (age is AgeGroup.UNKNOWN and child_rule_met)
        or age is AgeGroup.CHILD
    ):
        classification = Classification.NEEDS_ASSESSMENT
    else:
        classification = Classification.WILLING_WORKER

    dimensions = [
        DimensionResult(
            code=dimension.code,
            name=dimension.name,
            present=dimension.code in present,
            yes={
                strength.value: [
                    i.code
                    for i in INDICATORS
                    if i.dimension == dimension.code
                    and i.strength is strength
                    and answers[i.code] is Answer.YES
                ]
                for strength in Strength
            },
            unknown=[
                i.code
                for i in INDICATORS
                if i.dimension == dimension.code and answers[i.code] is Answer.UNKNOWN
            ],
        )
        for dimension in DIMENSIONS
    ]
    unknown = [i.code for i in INDICATORS if answers[i.code] is Answer.UNKNOWN]

    reasons = [_age_reason(age, w), *_dimension_reasons(dimensions, w)]
    if age is AgeGroup.CHILD:
        reasons.append(_child_rule_reason(rule_met, present, w))
    else:
        reasons.append(_adult_rule_reason(present, w))
        if age is AgeGroup.UNKNOWN and not rule_met:
            clause = {"clause": _child_rule_clause(present, w)}
            if child_rule_met:
                reasons.append(w.gettext(
                    "If the person was under 18 at recruitment, the child rule would be met: "
                    "%(clause)s.") % clause)
            else:
                reasons.append(
                    w.gettext("The child rule would not be met either: %(clause)s.") % clause)
    if strong_unknown:
        reasons.append(w.ngettext(
            "Not yet asked, and it would count strongly: %(indicators)s.",
            "Not yet asked, and each would count strongly: %(indicators)s.",
            len(strong_unknown),
        ) % {"indicators": w.join([w.gettext(short_label(code)) for code in strong_unknown],
                                  "comma")})
    if not rule_met and rule_met_if_unknown_yes:
        if age is AgeGroup.CHILD:
            reasons.append(
                w.gettext("The child rule would be met if the unknown answers were yes."))
        else:
            reasons.append(
                w.gettext("The adult rule would be met if the unknown answers were yes."))
    reasons.append(_suggestion_reason(classification, w))

    return ScreeningResult(
        classification=classification,
        rules_version=1,
        age_group=age,
        dimensions=dimensions,
        unknown=unknown,
        reasons=reasons,
    )
