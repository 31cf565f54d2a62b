"""Screening rules, version 1 (SCREENING.md), as parametrised tables. No database.

Version 2 is in test_rules_v2.py; every case here screens with version 1 by name."""

import json
import random
import re
from datetime import date

import pytest

from app.screening.catalogue import (
    DIMENSIONS,
    DIMENSIONS_BY_CODE,
    INDICATORS,
    INDICATORS_BY_CODE,
    Dimension,
    Indicator,
    Strength,
    catalogue_as_dict,
    ctdc_field,
    indicators_of,
)
from app.screening.rules import (
    AgeGroup,
    Answer,
    Classification,
    DimensionResult,
    InvalidAnswers,
    ScreeningResult,
    age_at_recruitment,
    age_group,
    dimension_present,
    parse_answers,
    reasons_of,
)
from app.screening.rules import screen as screen_any_version


def screen(answers, age):
    return screen_any_version(answers, age, rules_version=1)


S, M, W = Strength.STRONG, Strength.MEDIUM, Strength.WEAK
YES, NO, UNKNOWN = Answer.YES, Answer.NO, Answer.UNKNOWN
VICTIM = Classification.TRAFFICKING_VICTIM
ASSESS = Classification.NEEDS_ASSESSMENT
WILLING = Classification.WILLING_WORKER
ADULT, CHILD, AGE_UNKNOWN = AgeGroup.ADULT, AgeGroup.CHILD, AgeGroup.UNKNOWN
V1_AGE_GROUPS = [ADULT, CHILD, AGE_UNKNOWN]  # possibly_child came with version 2

ALL_CODES = [i.code for i in INDICATORS]
STRONG_CODES = [i.code for i in INDICATORS if i.strength is S]

# Typed by hand from SCREENING.md, independently of app/screening/catalogue.py.
EXPECTED_CATALOGUE = [
    ("DR1", "DR", "strong"),
    ("DR2", "DR", "medium"),
    ("DR3", "DR", "medium"),
    ("DR4", "DR", "medium"),
    ("DR5", "DR", "medium"),
    ("DR6", "DR", "medium"),
    ("DR7", "DR", "weak"),
    ("CR1", "CR", "strong"),
    ("CR2", "CR", "medium"),
    ("CR3", "CR", "medium"),
    ("CR4", "CR", "medium"),
    ("CR5", "CR", "medium"),
    ("CR6", "CR", "medium"),
    ("VR1", "VR", "medium"),
    ("VR2", "VR", "medium"),
    ("VR3", "VR", "medium"),
    ("VR4", "VR", "medium"),
    ("VR5", "VR", "weak"),
    ("EX1", "EX", "strong"),
    ("EX2", "EX", "medium"),
    ("EX3", "EX", "medium"),
    ("EX4", "EX", "medium"),
    ("EX5", "EX", "medium"),
    ("EX6", "EX", "weak"),
    ("CD1", "CD", "strong"),
    ("CD2", "CD", "strong"),
    ("CD3", "CD", "strong"),
    ("CD4", "CD", "strong"),
    ("CD5", "CD", "strong"),
    ("CD6", "CD", "medium"),
    ("CD7", "CD", "medium"),
    ("CD8", "CD", "medium"),
    ("CD9", "CD", "medium"),
    ("CD10", "CD", "medium"),
    ("CD11", "CD", "medium"),
    ("VD1", "VD", "medium"),
    ("VD2", "VD", "medium"),
    ("VD3", "VD", "medium"),
    ("VD4", "VD", "medium"),
    ("VD5", "VD", "weak"),
]

EXPECTED_CTDC = {
    "DR1": ("FalsePromises",),
    "DR2": ("FalsePromises",),
    "DR3": ("FalsePromises",),
    "DR4": ("FalsePromises",),
    "DR5": ("FalsePromises",),
    "DR6": ("FalsePromises",),
    "DR7": ("FalsePromises",),
    "CR1": ("PhysicalAbuse",),
    "CR2": ("isAbduction",),
    "CR3": ("WithholdsDocuments",),
    "CR4": ("DebtBondage",),
    "CR5": ("RestrictsMovement",),
    "CR6": ("Threats",),
    "VR1": ("ThreatOfLawEnforcement",),
    "VR2": ("Other",),
    "VR3": ("Other",),
    "VR4": ("Other",),
    "VR5": ("PsychologicalAbuse",),
    "EX1": ("ExcessiveWorkingHours",),
    "EX2": ("TakesEarnings",),
    "EX3": ("WithholdsNecessities",),
    "EX4": ("PsychologicalAbuse",),
    "EX5": ("Other",),
    "EX6": ("Other",),
    "CD1": ("WithholdsDocuments",),
    "CD2": ("DebtBondage",),
    "CD3": ("RestrictsMovement",),
    "CD4": ("PhysicalAbuse", "SexualAbuse"),
    "CD5": ("Threats",),
    "CD6": ("typeOfLabourIllicitActivities",),
    "CD7": ("Other",),
    "CD8": ("ThreatOfLawEnforcement",),
    "CD9": ("Threats",),
    "CD10": ("Other",),
    "CD11": ("PsychologicalAbuse",),
    "VD1": ("WithholdsNecessities",),
    "VD2": ("Other",),
    "VD3": ("ThreatOfLawEnforcement",),
    "VD4": ("Other",),
    "VD5": ("Other",),
}

# The smallest `yes` sets that make each dimension present.
PRESENT = {
    "DR": ("DR1", "DR2"),
    "CR": ("CR1", "CR2"),
    "VR": ("VR1", "VR2", "VR3"),
    "EX": ("EX1", "EX2"),
    "CD": ("CD1", "CD6"),
    "VD": ("VD1", "VD2", "VD3"),
}
# Present without any strong indicator, so "a strong indicator is yes" plays no part.
PRESENT_WITHOUT_STRONG = {
    "DR": ("DR2", "DR3", "DR4"),
    "CR": ("CR2", "CR3", "CR4"),
    "VR": ("VR1", "VR2", "VR3"),
    "EX": ("EX2", "EX3", "EX4"),
    "CD": ("CD6", "CD7", "CD8"),
    "VD": ("VD1", "VD2", "VD3"),
}

RANK = {WILLING: 0, ASSESS: 1, VICTIM: 2}


def make_answers(yes=(), unknown=(), rest=NO) -> dict[str, Answer]:
    answers = dict.fromkeys(ALL_CODES, rest)
    answers.update(dict.fromkeys(unknown, UNKNOWN))
    answers.update(dict.fromkeys(yes, YES))
    return answers


def present_yes(*dimensions: str) -> list[str]:
    return [code for d in dimensions for code in PRESENT[d]]


def present_codes(result: ScreeningResult) -> list[str]:
    return [d.code for d in result.dimensions if d.present]


# --- Catalogue -------------------------------------------------------------------------


def test_catalogue_matches_hand_typed_table():
    assert [(i.code, i.dimension, i.strength.value) for i in INDICATORS] == EXPECTED_CATALOGUE


def test_catalogue_has_40_indicators_with_exact_codes_and_strengths():
    assert len(INDICATORS) == 40
    assert len(INDICATORS_BY_CODE) == 40
    expected_codes = (
        [f"DR{n}" for n in range(1, 8)]
        + [f"CR{n}" for n in range(1, 7)]
        + [f"VR{n}" for n in range(1, 6)]
        + [f"EX{n}" for n in range(1, 7)]
        + [f"CD{n}" for n in range(1, 12)]
        + [f"VD{n}" for n in range(1, 6)]
    )
    assert ALL_CODES == expected_codes
    assert STRONG_CODES == ["DR1", "CR1", "EX1", "CD1", "CD2", "CD3", "CD4", "CD5"]
    assert [i.code for i in INDICATORS if i.strength is W] == [
        "DR7",
        "VR5",
        "EX6",
        "VD5",
    ]
    assert sum(1 for i in INDICATORS if i.strength is M) == 28


def test_catalogue_ctdc_fields_match_table():
    assert {i.code: i.ctdc for i in INDICATORS} == EXPECTED_CTDC


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("FalsePromises", "meansOfControlFalsePromises"),
        ("Other", "meansOfControlOther"),
        ("ThreatOfLawEnforcement", "meansOfControlThreatOfLawEnforcement"),
        ("isAbduction", "isAbduction"),
        ("typeOfLabourIllicitActivities", "typeOfLabourIllicitActivities"),
    ],
)
def test_ctdc_field_adds_means_of_control_prefix_to_short_names(name, field):
    assert ctdc_field(name) == field


def test_ctdc_field_rejects_empty_name():
    with pytest.raises(ValueError):
        ctdc_field("")


def test_dimensions_in_order_with_names():
    assert DIMENSIONS == (
        Dimension("DR", "Deceptive recruitment"),
        Dimension("CR", "Coercive recruitment"),
        Dimension("VR", "Abuse of vulnerability at recruitment"),
        Dimension("EX", "Exploitative conditions of work"),
        Dimension("CD", "Coercion at destination"),
        Dimension("VD", "Abuse of vulnerability at destination"),
    )
    assert list(DIMENSIONS_BY_CODE) == ["DR", "CR", "VR", "EX", "CD", "VD"]


@pytest.mark.parametrize("dimension", [d.code for d in DIMENSIONS])
def test_indicators_of_returns_dimension_codes_in_order(dimension):
    expected = [code for code, dim, _ in EXPECTED_CATALOGUE if dim == dimension]
    assert [i.code for i in indicators_of(dimension)] == expected


def test_indicators_of_rejects_unknown_dimension():
    with pytest.raises(KeyError):
        indicators_of("XX")


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_indicator_has_plain_question_and_label(indicator: Indicator):
    assert indicator.question.endswith("?")
    assert indicator.question[0].isupper()
    assert indicator.code not in indicator.question
    assert indicator.label
    assert indicator.label == indicator.label.strip()
    assert not indicator.label.endswith(".")


def test_catalogue_questions_and_labels_are_distinct():
    assert len({i.question for i in INDICATORS}) == 40
    assert len({i.label for i in INDICATORS}) == 40


def test_catalogue_as_dict_is_json_and_complete():
    data = json.loads(json.dumps(catalogue_as_dict()))
    assert data["rules_version"] == 2
    assert data["rules_versions"] == [1, 2]
    assert [d["code"] for d in data["dimensions"]] == ["DR", "CR", "VR", "EX", "CD", "VD"]
    flat = [i for d in data["dimensions"] for i in d["indicators"]]
    assert [(i["code"], i["dimension"], i["strength"]) for i in flat] == EXPECTED_CATALOGUE
    assert {i["code"]: tuple(i["ctdc"]) for i in flat} == EXPECTED_CTDC
    assert all(
        set(i) == {"code", "dimension", "strength", "label", "short_label", "question", "ctdc"}
            for i in flat
    )
    assert data["dimensions"][0]["name"] == "Deceptive recruitment"


# --- Rule 1: a dimension is present --------------------------------------------------


@pytest.mark.parametrize(
    ("strengths", "present"),
    [
        ([], False),
        ([S], False),
        ([S, S], True),
        ([S, S, S], True),
        ([S, M], True),
        ([S, W], True),
        ([S, M, W], True),
        ([M], False),
        ([M, M], False),
        ([M, M, M], True),
        ([M, M, M, M], True),
        ([M, M, W], True),
        ([M, W], False),
        ([M, W, W], False),
        ([M, W, W, W], False),
        ([W], False),
        ([W, W], False),
        ([W, W, W], False),
        ([W, W, W, W, W], False),
    ],
    ids=lambda v: "-".join(s.value for s in v) if isinstance(v, list) else str(v),
)
def test_dimension_present_thresholds(strengths, present):
    assert dimension_present(strengths) is present
    assert dimension_present(reversed(strengths)) is present


# (strong, medium, weak) answered yes within one dimension, and whether it is present.
THRESHOLDS = [
    ((1, 0, 0), False),
    ((2, 0, 0), True),
    ((1, 1, 0), True),
    ((1, 0, 1), True),
    ((0, 1, 0), False),
    ((0, 2, 0), False),
    ((0, 3, 0), True),
    ((0, 2, 1), True),
    ((0, 0, 1), False),
    ((0, 1, 1), False),
]


def _dimension_cases():
    for dimension in DIMENSIONS:
        indicators = indicators_of(dimension.code)
        for (strong, medium, weak), present in THRESHOLDS:
            picks = []
            for strength, count in ((S, strong), (M, medium), (W, weak)):
                codes = [i.code for i in indicators if i.strength is strength]
                picks.append(codes[:count])
            if any(len(p) < n for p, n in zip(picks, (strong, medium, weak), strict=True)):
                continue  # the dimension has too few indicators of that strength
            yes = [code for p in picks for code in p]
            yield pytest.param(
                dimension.code,
                yes,
                present,
                id=f"{dimension.code}-{strong}s{medium}m{weak}w",
            )


@pytest.mark.parametrize(("dimension", "yes", "present"), list(_dimension_cases()))
def test_screen_dimension_present_at_threshold(dimension, yes, present):
    result = screen(make_answers(yes=yes), ADULT)
    by_code = {d.code: d for d in result.dimensions}
    assert by_code[dimension].present is present
    assert not any(d.present for d in result.dimensions if d.code != dimension)


@pytest.mark.parametrize("dimension", [d.code for d in DIMENSIONS])
def test_screen_dimension_absent_when_all_no(dimension):
    result = screen(make_answers(), ADULT)
    assert not {d.code: d for d in result.dimensions}[dimension].present


@pytest.mark.parametrize("dimension", [d.code for d in DIMENSIONS])
def test_screen_dimension_present_when_all_yes(dimension):
    result = screen(make_answers(rest=YES), ADULT)
    assert {d.code: d for d in result.dimensions}[dimension].present


def test_screen_unknown_answers_never_count_towards_presence():
    result = screen(make_answers(rest=UNKNOWN), ADULT)
    assert present_codes(result) == []


def test_dimension_result_lists_yes_by_strength_and_unknown_in_order():
    result = screen(make_answers(yes=["CD6", "CD1", "CD11", "CD3"], unknown=["CD10", "CD2"]), ADULT)
    cd = next(d for d in result.dimensions if d.code == "CD")
    assert cd == DimensionResult(
        code="CD",
        name="Coercion at destination",
        present=True,
        yes={"strong": ["CD1", "CD3"], "medium": ["CD6", "CD11"], "weak": []},
        unknown=["CD2", "CD10"],
    )
    assert result.unknown == ["CD2", "CD10"]


# --- Rule 2: adults and unknown ages -----------------------------------------------


@pytest.mark.parametrize("age", [ADULT, AGE_UNKNOWN])
@pytest.mark.parametrize("means", ["DR", "CR", "VR"])
@pytest.mark.parametrize("destination", ["CD", "VD"])
def test_screen_adult_rule_met_by_each_means_and_destination(age, means, destination):
    result = screen(make_answers(yes=present_yes(means, "EX", destination)), age)
    assert result.classification is VICTIM
    assert present_codes(result) == [d for d in PRESENT if d in (means, "EX", destination)]


@pytest.mark.parametrize("age", [ADULT, AGE_UNKNOWN])
@pytest.mark.parametrize(
    "dimensions",
    [
        ("DR", "CD"),  # no EX
        ("DR", "CR", "VR", "CD", "VD"),  # every dimension but EX
        ("EX", "CD"),  # no means
        ("EX", "CD", "VD"),
        ("DR", "EX"),  # no coercion or vulnerability at destination
        ("DR", "CR", "VR", "EX"),
        ("DR",),
        ("EX",),
        ("VD",),
    ],
    ids="-".join,
)
def test_screen_adult_rule_not_met_without_all_three_parts(age, dimensions):
    result = screen(make_answers(yes=present_yes(*dimensions)), age)
    assert result.classification is ASSESS


def test_screen_adult_rule_met_by_vd_without_cd():
    result = screen(make_answers(yes=present_yes("VR", "EX", "VD")), ADULT)
    assert result.classification is VICTIM
    assert "CD" not in present_codes(result)


def test_screen_adult_rule_met_by_cd_without_vd():
    result = screen(make_answers(yes=present_yes("DR", "EX", "CD")), ADULT)
    assert result.classification is VICTIM
    assert "VD" not in present_codes(result)


def test_screen_all_yes_suggests_victim_for_every_age():
    for age in V1_AGE_GROUPS:
        assert screen(make_answers(rest=YES), age).classification is VICTIM


# --- Rule 3: children --------------------------------------------------------------


@pytest.mark.parametrize(
    "dimensions", [("EX",), ("CD",), ("EX", "CD"), ("DR", "EX"), ("CD", "VD")], ids="-".join
)
def test_screen_child_rule_met_by_ex_or_cd(dimensions):
    result = screen(make_answers(yes=present_yes(*dimensions)), CHILD)
    assert result.classification is VICTIM


@pytest.mark.parametrize(
    "dimensions",
    [(), ("DR",), ("CR",), ("VR",), ("VD",), ("DR", "CR", "VR", "VD")],
    ids=lambda d: "-".join(d) or "none",
)
def test_screen_child_without_ex_or_cd_needs_assessment(dimensions):
    result = screen(make_answers(yes=present_yes(*dimensions)), CHILD)
    assert result.classification is ASSESS


@pytest.mark.parametrize(
    "answers",
    [
        make_answers(),
        make_answers(rest=UNKNOWN),
        make_answers(yes=["DR7", "VR5", "EX6", "VD5"]),
        make_answers(yes=["DR2"]),
        make_answers(yes=present_yes("DR", "CR", "VR", "VD")),
    ],
    ids=["all-no", "all-unknown", "weak-only", "one-medium", "no-ex-or-cd"],
)
def test_screen_child_is_never_willing_worker(answers):
    assert screen(answers, CHILD).classification is not WILLING


@pytest.mark.parametrize("dimension", ["EX", "CD"])
def test_screen_ex_or_cd_alone_is_victim_for_child_only(dimension):
    answers = make_answers(yes=present_yes(dimension))
    assert screen(answers, CHILD).classification is VICTIM
    assert screen(answers, ADULT).classification is ASSESS
    assert screen(answers, AGE_UNKNOWN).classification is ASSESS


# --- Rule 4: needs_assessment, one trigger at a time ---------------------------------


@pytest.mark.parametrize("age", [ADULT, AGE_UNKNOWN])
def test_screen_all_no_is_willing_worker(age):
    result = screen(make_answers(), age)
    assert result.classification is WILLING
    assert result.unknown == []


@pytest.mark.parametrize("age", [ADULT, AGE_UNKNOWN])
def test_screen_yes_answers_below_every_threshold_without_unknowns_is_willing_worker(age):
    # No strong yes, no dimension present, nothing unknown: rule 4 leaves willing_worker.
    result = screen(make_answers(yes=["DR2", "DR7", "CR3", "VR5", "EX6", "CD6", "VD1"]), age)
    assert present_codes(result) == []
    assert result.classification is WILLING


@pytest.mark.parametrize("age", [ADULT, AGE_UNKNOWN])
@pytest.mark.parametrize("code", STRONG_CODES)
def test_screen_single_strong_yes_needs_assessment(age, code):
    result = screen(make_answers(yes=[code]), age)
    assert present_codes(result) == []
    assert result.classification is ASSESS


@pytest.mark.parametrize("age", [ADULT, AGE_UNKNOWN])
@pytest.mark.parametrize("code", STRONG_CODES)
def test_screen_single_strong_unknown_needs_assessment(age, code):
    result = screen(make_answers(unknown=[code]), age)
    assert present_codes(result) == []
    assert result.unknown == [code]
    assert result.classification is ASSESS


@pytest.mark.parametrize("age", [ADULT, AGE_UNKNOWN])
@pytest.mark.parametrize("dimension", list(PRESENT_WITHOUT_STRONG))
def test_screen_any_dimension_present_needs_assessment(age, dimension):
    result = screen(make_answers(yes=PRESENT_WITHOUT_STRONG[dimension]), age)
    assert present_codes(result) == [dimension]
    assert result.classification is ASSESS


@pytest.mark.parametrize("age", [ADULT, AGE_UNKNOWN])
@pytest.mark.parametrize(
    ("yes", "unknown"),
    [
        ([], ["DR2", "DR3", "DR4", "EX2", "EX3", "EX4", "CD6", "CD7", "CD8"]),
        (["DR2", "DR3", "EX2", "EX3", "VD1", "VD2"], ["DR4", "EX4", "VD3"]),
        (["VR1", "VR2", "EX2", "EX3", "CD6", "CD7"], ["VR5", "EX6", "CD8"]),
    ],
    ids=["all-unknown", "two-yes-one-unknown", "weak-unknown"],
)
def test_screen_rule_met_if_unknowns_were_yes_needs_assessment(age, yes, unknown):
    # No strong indicator is yes or unknown and no dimension is present.
    result = screen(make_answers(yes=yes, unknown=unknown), age)
    assert present_codes(result) == []
    assert result.classification is ASSESS
    assert "The adult rule would be met if the unknown answers were yes." in result.reasons


@pytest.mark.parametrize("age", [ADULT, AGE_UNKNOWN])
def test_screen_rule_not_met_even_if_unknowns_were_yes_is_willing_worker(age):
    # EX can never be present here, so the adult rule stays unmet whatever the unknowns are.
    unknown = ["DR2", "DR3", "DR4", "CD6", "CD7", "CD8"]
    result = screen(make_answers(unknown=unknown), age)
    assert result.classification is WILLING


def test_screen_unknown_age_uses_adult_rule_for_unknowns_as_yes():
    # SCREENING.md rule 4 reads "the rule" as the rule for the person's age, which for an
    # unknown age is the adult rule; only answered `yes` indicators count towards the child
    # rule. CD would be present only if its unknowns were yes.
    answers = make_answers(unknown=["CD6", "CD7", "CD8"])
    assert screen(answers, AGE_UNKNOWN).classification is WILLING
    assert screen(answers, CHILD).classification is ASSESS


@pytest.mark.parametrize("dimension", ["EX", "CD"])
def test_screen_unknown_age_and_child_rule_met_needs_assessment(dimension):
    answers = make_answers(yes=PRESENT_WITHOUT_STRONG[dimension])
    result = screen(answers, AGE_UNKNOWN)
    assert result.classification is ASSESS
    assert any(
        r.startswith("If the person was under 18 at recruitment, the child rule would be met")
        for r in result.reasons
    )


def test_screen_child_with_all_no_needs_assessment():
    answers = make_answers()
    assert screen(answers, ADULT).classification is WILLING
    assert screen(answers, CHILD).classification is ASSESS


# --- Unknown answers and codes left out -----------------------------------------------


def test_screen_no_answers_at_all_counts_everything_unknown():
    result = screen({}, ADULT)
    assert result.unknown == ALL_CODES
    assert result.classification is ASSESS
    assert [d.unknown for d in result.dimensions] == [
        [i.code for i in indicators_of(d.code)] for d in DIMENSIONS
    ]


@pytest.mark.parametrize("age", V1_AGE_GROUPS)
@pytest.mark.parametrize(
    "given",
    [
        {"DR1": "yes", "DR2": "yes"},
        {c: "no" for c in ALL_CODES if c != "EX1"},
        {c: "yes" for c in ALL_CODES if not c.startswith("CD")},
        {"CD6": "yes", "CD7": "yes", "CD8": "yes"},
    ],
    ids=["two-given", "one-left-out", "cd-left-out", "child-only"],
)
def test_screen_codes_left_out_count_as_unknown(age, given):
    explicit = {c: given.get(c, "unknown") for c in ALL_CODES}
    assert screen(given, age) == screen(explicit, age)


def test_parse_answers_fills_missing_codes_with_unknown():
    parsed = parse_answers({"DR1": "yes", "CD11": "no"})
    assert list(parsed) == ALL_CODES
    assert parsed["DR1"] is YES
    assert parsed["CD11"] is NO
    assert all(parsed[c] is UNKNOWN for c in ALL_CODES if c not in ("DR1", "CD11"))


def test_parse_answers_accepts_every_value_and_answer_members():
    assert parse_answers({"DR1": "yes", "DR2": "no", "DR3": "unknown", "DR4": Answer.YES}) == {
        **dict.fromkeys(ALL_CODES, UNKNOWN),
        "DR1": YES,
        "DR2": NO,
        "DR4": YES,
    }


def test_parse_answers_lists_every_bad_code_and_value():
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(
            {
                "DR1": "yes",
                "XX1": "yes",
                "DR2": "maybe",
                "dr3": "no",
                "CD12": "no",
                "EX1": "YES",
                "EX2": "",
                "EX3": None,
                "EX4": True,
                "ZZ9": "perhaps",
            }
        )
    errors = caught.value.errors
    assert [where for where, _ in errors] == [
        "XX1",
        "DR2",
        "dr3",
        "CD12",
        "EX1",
        "EX2",
        "EX3",
        "EX4",
        "ZZ9",
        "ZZ9",
    ]
    messages = dict(errors[:-1])
    assert messages["XX1"] == "is not an indicator code"
    assert messages["DR2"] == "'maybe' is not one of yes, no, unknown"
    assert messages["EX1"] == "'YES' is not one of yes, no, unknown"
    assert errors[-1] == ("ZZ9", "'perhaps' is not one of yes, no, unknown")
    assert isinstance(caught.value, ValueError)
    assert "XX1" in str(caught.value)


def test_parse_answers_truncates_long_input_in_errors():
    long_code = "C" * 500
    long_value = "v" * 500
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers({long_code: "yes", "DR1": long_value})
    for where, message in caught.value.errors:
        assert "C" * 21 not in where + message
        assert "v" * 21 not in where + message
    assert caught.value.errors[0] == ("C" * 20 + "…", "is not an indicator code")
    assert caught.value.errors[1] == ("DR1", f"'{'v' * 20}…' is not one of yes, no, unknown")
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize("raw", [["DR1", "yes"], "DR1=yes", None])
def test_parse_answers_rejects_non_mapping(raw):
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(raw)
    assert caught.value.errors[0][0] == "answers"


def test_screen_rejects_unknown_codes_and_values():
    with pytest.raises(InvalidAnswers) as caught:
        screen({"XX1": "yes", "DR1": "maybe"}, ADULT)
    assert [where for where, _ in caught.value.errors] == ["XX1", "DR1"]


# --- Rule 2: age at recruitment -------------------------------------------------------

TODAY = date(2025, 10, 25)


@pytest.mark.parametrize(
    ("date_of_birth", "recruited_on", "age_estimate", "expected"),
    [
        # date of birth and recruitment date: age on the recruitment date
        (date(2000, 6, 15), date(2018, 6, 15), None, 18),
        (date(2000, 6, 15), date(2018, 6, 14), None, 17),
        (date(2000, 6, 15), date(2018, 6, 16), None, 18),
        (date(2000, 6, 15), date(2018, 6, 15), 40, 18),  # the estimate is not used
        (date(2000, 6, 15), date(2018, 6, 14), 40, 17),
        (date(2006, 1, 1), date(2023, 12, 31), None, 17),
        (date(2006, 1, 1), date(2024, 1, 1), None, 18),
        (date(2010, 5, 1), date(2010, 5, 1), None, 0),
        # born on 29 February: 18 from 1 March in a common year
        (date(2004, 2, 29), date(2022, 2, 28), None, 17),
        (date(2004, 2, 29), date(2022, 3, 1), None, 18),
        (date(2004, 2, 29), date(2024, 2, 29), None, 20),
        # date of birth only: age today
        (date(2007, 10, 25), None, None, 18),
        (date(2007, 10, 26), None, None, 17),
        (date(2007, 10, 26), None, 30, 17),  # date of birth wins over the estimate
        (date(1990, 1, 1), None, None, 35),
        # estimate only, with or without a recruitment date: the estimate as given
        (None, None, 17, 17),
        (None, None, 18, 18),
        (None, date(2020, 1, 1), 19, 19),
        (None, None, 0, 0),
        # nothing known
        (None, None, None, None),
        (None, date(2020, 1, 1), None, None),
    ],
)
def test_age_at_recruitment_precedence(date_of_birth, recruited_on, age_estimate, expected):
    assert (
        age_at_recruitment(
            date_of_birth=date_of_birth,
            recruited_on=recruited_on,
            age_estimate=age_estimate,
            today=TODAY,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("recruited_on", "group"),
    [(date(2018, 6, 14), CHILD), (date(2018, 6, 15), ADULT)],
)
def test_age_group_on_eighteenth_birthday_boundary(recruited_on, group):
    age = age_at_recruitment(
        date_of_birth=date(2000, 6, 15),
        recruited_on=recruited_on,
        age_estimate=None,
        today=TODAY,
    )
    assert age_group(age) is group


@pytest.mark.parametrize(
    ("date_of_birth", "recruited_on", "age_estimate"),
    [
        (date(2010, 1, 2), date(2010, 1, 1), None),  # recruited before birth
        (date(2026, 1, 1), None, None),  # born in the future
        (None, date(2026, 1, 1), 20),  # recruited in the future
        (None, None, -1),
    ],
)
def test_age_at_recruitment_rejects_impossible_input(date_of_birth, recruited_on, age_estimate):
    with pytest.raises(ValueError):
        age_at_recruitment(
            date_of_birth=date_of_birth,
            recruited_on=recruited_on,
            age_estimate=age_estimate,
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("age", "group"),
    [(None, AGE_UNKNOWN), (0, CHILD), (17, CHILD), (18, ADULT), (19, ADULT), (90, ADULT)],
)
def test_age_group(age, group):
    assert age_group(age) is group


def test_age_group_rejects_negative_age():
    with pytest.raises(ValueError):
        age_group(-1)


# --- Rule 5: what the suggestion carries ----------------------------------------------

SAMPLE_ANSWERS = [
    make_answers(),
    make_answers(rest=UNKNOWN),
    make_answers(rest=YES),
    make_answers(yes=present_yes("DR", "EX", "CD"), unknown=["VD1", "CR2"]),
    make_answers(yes=["CD6", "CD7", "CD8", "DR2"], unknown=["EX1"]),
]


@pytest.mark.parametrize("age", V1_AGE_GROUPS)
@pytest.mark.parametrize("answers", SAMPLE_ANSWERS)
def test_screening_result_to_dict_is_json_serialisable(age, answers):
    result = screen(answers, age)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["classification"] == result.classification.value
    assert data["rules_version"] == 1
    assert data["age_group"] == age.value
    assert data["unknown"] == result.unknown
    assert data["reasons"] == result.reasons
    assert [d["code"] for d in data["dimensions"]] == ["DR", "CR", "VR", "EX", "CD", "VD"]
    for dimension in data["dimensions"]:
        assert set(dimension) == {"code", "name", "present", "yes", "unknown"}
        assert list(dimension["yes"]) == ["strong", "medium", "weak"]
        assert isinstance(dimension["present"], bool)


def test_screening_result_carries_rules_version_and_age_group():
    result = screen(make_answers(), CHILD)
    assert result.rules_version == 1
    assert result.age_group is CHILD


def test_reasons_name_present_dimension_indicators_in_words_with_strengths():
    result = screen(make_answers(yes=["DR1", "DR2"]), ADULT)
    assert ("Deceptive recruitment present: deceived about the job (strong) and deceived about "
            "wages or earnings (medium).") in result.reasons


def test_reasons_list_three_indicators_with_commas():
    result = screen(make_answers(yes=["VD1", "VD2", "VD5"]), ADULT)
    assert (
        "Abuse of vulnerability at destination present: dependent on the exploiters (medium), "
        "unable to communicate (medium) and vulnerable by age, health or pregnancy (weak)."
    ) in result.reasons


def test_reasons_explain_yes_answers_that_are_not_enough():
    result = screen(make_answers(yes=["CR3", "EX1", "VR2", "VR5"]), ADULT)
    assert ("Coercive recruitment not present: documents taken during recruitment (medium) is not "
            "enough.") in result.reasons
    assert ("Exploitative conditions of work not present: excessive hours (strong) is not "
            "enough.") in result.reasons
    assert (
        "Abuse of vulnerability at recruitment not present: recruited through economic hardship "
        "(medium) and emotionally dependent on the recruiter (weak) "
        "are not enough."
    ) in result.reasons
    assert not any(r.startswith("Deceptive recruitment") for r in result.reasons)


def test_reasons_say_when_no_indicator_is_yes():
    assert "No indicator was answered yes." in screen(make_answers(), ADULT).reasons


def test_reasons_state_adult_rule_met_naming_dimensions():
    result = screen(make_answers(yes=present_yes("DR", "VR", "EX", "VD")), ADULT)
    assert (
        "The adult rule is met: a means of recruitment (deceptive recruitment and abuse of "
        "vulnerability at recruitment), exploitative conditions of work, and coercion or "
        "abuse of vulnerability at destination (abuse of vulnerability at destination) are "
        "all present."
    ) in result.reasons


@pytest.mark.parametrize(
    ("dimensions", "sentence"),
    [
        (("DR", "CD"), "The adult rule is not met: missing exploitative conditions of work."),
        (
            ("EX", "CD"),
            "The adult rule is not met: missing a means of recruitment (deceptive "
            "recruitment, coercive recruitment or abuse of vulnerability at recruitment).",
        ),
        (
            ("DR", "EX"),
            "The adult rule is not met: missing coercion or abuse of vulnerability at destination.",
        ),
        (
            (),
            "The adult rule is not met: missing a means of recruitment (deceptive "
            "recruitment, coercive recruitment or abuse of vulnerability at recruitment), "
            "exploitative conditions of work and coercion or abuse of vulnerability at "
            "destination.",
        ),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, tuple) else "",
)
def test_reasons_state_adult_rule_not_met_naming_what_is_missing(dimensions, sentence):
    assert sentence in screen(make_answers(yes=present_yes(*dimensions)), ADULT).reasons


@pytest.mark.parametrize(
    ("dimensions", "sentence"),
    [
        (("EX",), "The child rule is met: exploitative conditions of work is present."),
        (("CD",), "The child rule is met: coercion at destination is present."),
        (
            ("EX", "CD"),
            "The child rule is met: exploitative conditions of work and coercion at "
            "destination are present.",
        ),
        (
            ("DR",),
            "The child rule is not met: neither exploitative conditions of work nor "
            "coercion at destination is present.",
        ),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, tuple) else "",
)
def test_reasons_state_child_rule(dimensions, sentence):
    result = screen(make_answers(yes=present_yes(*dimensions)), CHILD)
    assert sentence in result.reasons
    assert result.reasons[0].startswith("The person was under 18 at recruitment: ")
    assert not any(r.startswith("The adult rule") for r in result.reasons)


def test_reasons_for_unknown_age():
    result = screen(make_answers(yes=present_yes("CD")), AGE_UNKNOWN)
    assert result.reasons[0] == (
        "The person's age at recruitment is unknown: the adult rule applies, and the child "
        "rule is checked as well."
    )
    assert (
        "If the person was under 18 at recruitment, the child rule would be met: "
        "coercion at destination is present."
    ) in result.reasons


def test_reasons_for_unknown_age_when_child_rule_not_met_either():
    result = screen(make_answers(yes=present_yes("DR")), AGE_UNKNOWN)
    assert (
        "The child rule would not be met either: neither exploitative conditions of "
        "work nor coercion at destination is present."
    ) in result.reasons


def test_reasons_for_adult_age():
    result = screen(make_answers(), ADULT)
    assert result.reasons[0] == "The person was 18 or over at recruitment: the adult rule applies."


def test_reasons_list_strong_indicators_answered_unknown_in_words():
    result = screen(make_answers(unknown=["CD4", "DR1", "DR2"]), ADULT)
    assert ("Not yet asked, and each would count strongly: deceived about the job, physical or "
            "sexual violence.") in result.reasons


def test_reasons_say_rule_would_be_met_if_unknowns_were_yes():
    result = screen(make_answers(yes=present_yes("DR", "CD"), unknown=["EX1", "EX2"]), ADULT)
    assert "The adult rule would be met if the unknown answers were yes." in result.reasons
    child = screen(make_answers(unknown=["EX2", "EX3", "EX4"]), CHILD)
    assert "The child rule would be met if the unknown answers were yes." in child.reasons


def test_reasons_do_not_say_would_be_met_when_rule_is_met():
    result = screen(make_answers(yes=present_yes("DR", "EX", "CD"), unknown=["VD1"]), ADULT)
    assert not any("would be met if the unknown" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("answers", "age", "sentence"),
    [
        (
            make_answers(rest=YES),
            ADULT,
            "Suggestion: indicators of trafficking found; a caseworker decides.",
        ),
        (
            make_answers(rest=UNKNOWN),
            ADULT,
            "Suggestion: needs assessment; a caseworker looks further and decides.",
        ),
        (
            make_answers(),
            ADULT,
            "Suggestion: no indicators of trafficking found; a caseworker decides.",
        ),
    ],
)
def test_reasons_end_with_a_suggestion_not_a_verdict(answers, age, sentence):
    reasons = screen(answers, age).reasons
    assert reasons[-1] == sentence
    assert "victim" not in reasons[-1].lower()
    assert "willing" not in reasons[-1].lower()


@pytest.mark.parametrize("age", V1_AGE_GROUPS)
@pytest.mark.parametrize("answers", SAMPLE_ANSWERS)
def test_reasons_are_plain_sentences(age, answers):
    for reason in screen(answers, age).reasons:
        assert reason[0].isupper()
        assert reason.endswith(".")
        assert "  " not in reason


# --- Properties over many answer sets ------------------------------------------------


def _random_answer_sets(count: int, seed: int, *, strong_no: bool = False):
    rng = random.Random(seed)
    weights = {YES: 1, NO: 3, UNKNOWN: 1}
    sets = []
    for _ in range(count):
        answers = {
            code: rng.choices(list(weights), list(weights.values()))[0] for code in ALL_CODES
        }
        if strong_no:
            # otherwise almost every set has a strong yes or unknown and willing_worker is rare
            answers.update(dict.fromkeys(STRONG_CODES, NO))
        sets.append(answers)
    return sets


RANDOM_ANSWER_SETS = _random_answer_sets(100, seed=2009) + _random_answer_sets(
    100, seed=2010, strong_no=True
)


@pytest.mark.parametrize("age", V1_AGE_GROUPS)
def test_screen_raising_any_answer_never_lowers_the_suggestion(age):
    # Palermo art. 3(b): nothing the person answers can lower the suggestion, so moving any
    # answer from no to unknown or yes, or from unknown to yes, never ranks it lower.
    up = {NO: (UNKNOWN, YES), UNKNOWN: (YES,), YES: ()}
    for answers in RANDOM_ANSWER_SETS[:40]:
        base = RANK[screen(answers, age).classification]
        for code in ALL_CODES:
            for raised in up[answers[code]]:
                changed = {**answers, code: raised}
                assert RANK[screen(changed, age).classification] >= base, (code, raised)


@pytest.mark.parametrize("answers", RANDOM_ANSWER_SETS)
def test_screen_unknown_age_is_adult_rule_with_child_safeguard(answers):
    adult = screen(answers, ADULT).classification
    unknown = screen(answers, AGE_UNKNOWN).classification
    child = screen(answers, CHILD).classification
    assert (unknown is VICTIM) == (adult is VICTIM)
    assert RANK[unknown] >= RANK[adult]
    assert child is not WILLING
    # the adult rule needs EX, which alone meets the child rule
    if adult is VICTIM:
        assert child is VICTIM


@pytest.mark.parametrize("answers", RANDOM_ANSWER_SETS)
def test_screen_willing_worker_only_when_every_strong_indicator_is_no(answers):
    for age in (ADULT, AGE_UNKNOWN):
        result = screen(answers, age)
        if result.classification is WILLING:
            assert all(answers[c] is NO for c in STRONG_CODES)
            assert present_codes(result) == []


def test_reasons_name_no_indicator_code():
    result = screen(make_answers(yes=["DR1", "DR2", "CR3", "EX1"], unknown=["CD4"]), ADULT)
    codes = re.compile(r"\b(DR|CR|VR|EX|CD|VD)\d+\b")
    assert not [r for r in result.reasons if codes.search(r)]


def test_one_strong_unknown_is_told_in_the_singular():
    result = screen(make_answers(yes=["DR1"], unknown=["EX1"]), ADULT)
    assert "Not yet asked, and it would count strongly: excessive hours." in result.reasons


@pytest.mark.parametrize("rules_version", [1, 2])
@pytest.mark.parametrize("age", [ADULT, CHILD, AgeGroup.UNKNOWN])
def test_stored_suggestion_gives_its_reasons_again(rules_version, age):
    result = screen_any_version(make_answers(yes=["DR1", "EX2", "CD3"], unknown=["CD1", "EX1"]),
                                age, rules_version=rules_version)
    assert reasons_of(result.to_dict()) == result.reasons
    stored = {**result.to_dict(), "classification": "willing_worker"}  # not what it gives
    assert reasons_of(stored) is None
