"""Screening rules, version 2 (SCREENING.md "Version 2"): the person who may have been a child
at recruitment. Version 1 side by side, on the same inputs. No database."""

import random
from datetime import date, timedelta

import pytest

from app.screening.catalogue import INDICATORS, Strength
from app.screening.rules import (
    POSSIBLY_CHILD_REASON,
    AgeGroup,
    Answer,
    Classification,
    age_group_at_recruitment,
    screen,
)

TODAY = date(2025, 10, 24)
YES, NO, UNKNOWN = Answer.YES, Answer.NO, Answer.UNKNOWN
VICTIM = Classification.TRAFFICKING_VICTIM
ASSESS = Classification.NEEDS_ASSESSMENT
WILLING = Classification.WILLING_WORKER
ADULT, CHILD, POSSIBLY = AgeGroup.ADULT, AgeGroup.CHILD, AgeGroup.POSSIBLY_CHILD
ALL_CODES = [i.code for i in INDICATORS]
STRONG_CODES = [i.code for i in INDICATORS if i.strength is Strength.STRONG]

ALL_NO = dict.fromkeys(ALL_CODES, NO)
# v1 suggests needs_assessment for an adult: one strong indicator answered yes
ONE_STRONG = {**ALL_NO, "CD3": YES}
# the adult rule met: DR, EX and CD present
ADULT_RULE_MET = {**ALL_NO, "DR1": YES, "DR2": YES, "EX1": YES, "EX2": YES, "CD1": YES,
                  "CD3": YES}
# the child rule met (EX present), the adult rule not: no means of recruitment
CHILD_RULE_ONLY = {**ALL_NO, "EX1": YES, "EX2": YES}


def born(years_ago: int, *, days_later: int = 0) -> date:
    """A date of birth that makes the person `years_ago` old today, on their birthday (or
    that many days before their next one)."""
    return TODAY.replace(year=TODAY.year - years_ago) + timedelta(days=days_later)


RECRUITED = TODAY - timedelta(days=30)  # a month ago: a year younger than today, exactly


def path_inputs(path: str, age_today: int) -> dict:
    if path == "dob_and_recruitment":
        return {"date_of_birth": born(age_today), "recruited_on": RECRUITED, "age_estimate": None}
    if path == "dob_only":
        return {"date_of_birth": born(age_today), "recruited_on": None, "age_estimate": None}
    assert path == "estimate_only"
    return {"date_of_birth": None, "recruited_on": None, "age_estimate": age_today}


# (path, age today) → (age at recruitment, group in v1, group in v2), written out by hand
AGE_PATHS = [
    # exact: recruited a month ago, the day before the birthday, so a year younger than today
    ("dob_and_recruitment", 17, 16, CHILD, CHILD),
    ("dob_and_recruitment", 18, 17, CHILD, CHILD),
    ("dob_and_recruitment", 20, 19, ADULT, ADULT),
    ("dob_and_recruitment", 21, 20, ADULT, ADULT),
    # from today's age: a known child stays a child; 18 to 20 may have been a child
    ("dob_only", 17, 17, CHILD, CHILD),
    ("dob_only", 18, 18, ADULT, POSSIBLY),
    ("dob_only", 20, 20, ADULT, POSSIBLY),
    ("dob_only", 21, 21, ADULT, ADULT),
    ("estimate_only", 17, 17, CHILD, CHILD),
    ("estimate_only", 18, 18, ADULT, POSSIBLY),
    ("estimate_only", 20, 20, ADULT, POSSIBLY),
    ("estimate_only", 21, 21, ADULT, ADULT),
]

# (group, answers) → (v1 suggestion for that group as v1 sees it, v2 suggestion)
SUGGESTIONS = {
    CHILD: {"all_no": (ASSESS, ASSESS), "one_strong": (ASSESS, ASSESS),
            "adult_rule": (VICTIM, VICTIM), "child_rule": (VICTIM, VICTIM)},
    ADULT: {"all_no": (WILLING, WILLING), "one_strong": (ASSESS, ASSESS),
            "adult_rule": (VICTIM, VICTIM), "child_rule": (ASSESS, ASSESS)},
    # v1 saw an adult; v2 never says willing_worker, and the adult rule still decides
    POSSIBLY: {"all_no": (WILLING, ASSESS), "one_strong": (ASSESS, ASSESS),
               "adult_rule": (VICTIM, VICTIM), "child_rule": (ASSESS, ASSESS)},
}
ANSWER_SETS = {"all_no": ALL_NO, "one_strong": ONE_STRONG, "adult_rule": ADULT_RULE_MET,
               "child_rule": CHILD_RULE_ONLY}


def screen_person(answers, inputs, rules_version):
    age, group = age_group_at_recruitment(**inputs, today=TODAY, rules_version=rules_version)
    return age, group, screen(answers, group, rules_version=rules_version)


@pytest.mark.parametrize(("path", "age_today", "age", "group_v1", "group_v2"), AGE_PATHS)
@pytest.mark.parametrize("rules_version", [1, 2])
def test_age_group_on_each_path_at_boundary_ages(path, age_today, age, group_v1, group_v2,
                                                   rules_version):
    found_age, group = age_group_at_recruitment(**path_inputs(path, age_today), today=TODAY,
                                                rules_version=rules_version)
    assert found_age == age
    assert group is (group_v1 if rules_version == 1 else group_v2)


@pytest.mark.parametrize(("path", "age_today", "age", "group_v1", "group_v2"), AGE_PATHS)
@pytest.mark.parametrize("answers_name", list(ANSWER_SETS))
@pytest.mark.parametrize("rules_version", [1, 2])
def test_suggestion_on_each_path_at_boundary_ages(path, age_today, age, group_v1, group_v2,
                                                    answers_name, rules_version):
    _, group, result = screen_person(ANSWER_SETS[answers_name], path_inputs(path, age_today),
                                     rules_version)
    v1, v2 = SUGGESTIONS[group_v2][answers_name]
    assert result.classification is (v1 if rules_version == 1 else v2)
    assert result.rules_version == rules_version
    assert result.age_group is group
    moved = result.classification is not v1
    assert (POSSIBLY_CHILD_REASON in result.reasons) == (rules_version == 2 and moved)


@pytest.mark.parametrize("path", ["dob_only", "estimate_only"])
def test_possibly_child_all_no_is_needs_assessment_with_the_reason_in_words(path):
    _, group, v2 = screen_person(ALL_NO, path_inputs(path, 19), 2)
    _, _, v1 = screen_person(ALL_NO, path_inputs(path, 19), 1)
    assert group is POSSIBLY
    assert v1.classification is WILLING and v2.classification is ASSESS
    assert v2.to_dict()["age_group"] == "possibly_child"
    # every other reason is version 1's; the suggestion sentence follows the suggestion
    assert v2.reasons == [
        *v1.reasons[:-1],
        "May have been under 18 when recruited: ask when the recruitment happened.",
        "Suggestion: needs assessment; a caseworker looks further and decides.",
    ]
    assert v2.dimensions == v1.dimensions and v2.unknown == v1.unknown


def test_twenty_one_tomorrow_is_possibly_child_twenty_one_today_is_not():
    def group(date_of_birth):
        return age_group_at_recruitment(date_of_birth=date_of_birth, recruited_on=None,
                                        age_estimate=None, today=TODAY, rules_version=2)

    assert group(born(21, days_later=1)) == (20, POSSIBLY)
    assert group(born(21)) == (21, ADULT)
    assert group(born(18, days_later=1)) == (17, CHILD)
    assert group(born(18)) == (18, POSSIBLY)


def test_estimate_with_recruitment_date_is_still_only_todays_age():
    # without a date of birth the recruitment date cannot make the age exact
    assert age_group_at_recruitment(date_of_birth=None, recruited_on=RECRUITED, age_estimate=19,
                                    today=TODAY, rules_version=2) == (19, POSSIBLY)


def test_unknown_age_is_as_in_version_1():
    for version in (1, 2):
        assert age_group_at_recruitment(date_of_birth=None, recruited_on=None, age_estimate=None,
                                        today=TODAY, rules_version=version) \
            == (None, AgeGroup.UNKNOWN)


def test_version_1_has_no_possibly_child():
    with pytest.raises(ValueError, match="possibly_child"):
        screen(ALL_NO, POSSIBLY, rules_version=1)


@pytest.mark.parametrize("version", [0, 3, None])
def test_unknown_rules_version_is_refused(version):
    with pytest.raises(ValueError, match="rules version"):
        screen(ALL_NO, ADULT, rules_version=version)
    with pytest.raises(ValueError, match="rules version"):
        age_group_at_recruitment(date_of_birth=None, recruited_on=None, age_estimate=30,
                                 today=TODAY, rules_version=version)


def _random_answer_sets(count: int, seed: int):
    rng = random.Random(seed)
    sets = []
    for n in range(count):
        answers = {code: rng.choices([YES, NO, UNKNOWN], [1, 3, 1])[0] for code in ALL_CODES}
        if n % 2:  # otherwise willing_worker is rare
            answers.update(dict.fromkeys(STRONG_CODES, NO))
        sets.append(answers)
    return sets


RANDOM_SETS = _random_answer_sets(200, seed=2025)


def test_random_sets_include_willing_worker_for_adults():
    assert any(screen(a, ADULT, rules_version=1).classification is WILLING for a in RANDOM_SETS)


@pytest.mark.parametrize("group", [ADULT, CHILD, AgeGroup.UNKNOWN])
def test_version_2_equals_version_1_outside_possibly_child(group):
    for answers in RANDOM_SETS:
        v1 = screen(answers, group, rules_version=1).to_dict()
        v2 = screen(answers, group, rules_version=2).to_dict()
        assert {**v2, "rules_version": 1} == v1


def test_possibly_child_differs_from_adult_only_where_adult_is_willing_worker():
    for answers in RANDOM_SETS:
        adult = screen(answers, ADULT, rules_version=1)
        possibly = screen(answers, POSSIBLY, rules_version=2)
        assert possibly.classification is not WILLING
        if adult.classification is WILLING:
            assert possibly.classification is ASSESS
            assert POSSIBLY_CHILD_REASON in possibly.reasons
        else:
            assert possibly.classification is adult.classification
            assert possibly.reasons == adult.reasons
        assert possibly.dimensions == adult.dimensions
