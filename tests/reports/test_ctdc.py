"""CTDC rows and k-anonymity, as pure functions. No database."""

import itertools
import random
from collections import Counter
from datetime import date

import pytest

from app.reports.ctdc import (
    HEADER,
    INDICATOR_FIELDS,
    MEANS_FIELDS,
    UNKNOWN_CITIZENSHIP,
    CtdcSource,
    K,
    age_broad,
    answers_from_screening,
    ctdc_row,
    indicator_value,
    k_anonymise,
    majority_status,
    quasi_key,
)
from app.screening.catalogue import INDICATORS, ctdc_field
from app.screening.rules import AgeGroup, parse_answers, screen


def _source(**overrides) -> CtdcSource:
    values = {"registered_on": date(2025, 10, 25), "sex": "female",
              "date_of_birth": date(1999, 1, 1), "age_estimate": None,
              "nationality_code": "IN", "screening": None, "screening_age_group": None,
              "outcome": None, "exploitation_country": "MM"}
    values.update(overrides)
    return CtdcSource(**values)


def _row(**overrides) -> dict[str, str]:
    return dict(zip(HEADER, ctdc_row(_source(**overrides)), strict=True))


@pytest.mark.parametrize(("age", "band"), [
    (None, "-99"), (-1, "-99"), (0, "0--8"), (8, "0--8"), (9, "9--17"), (17, "9--17"),
    (18, "18--20"), (20, "18--20"), (21, "21--23"), (26, "24--26"), (27, "27--29"),
    (30, "30--38"), (38, "30--38"), (39, "39--47"), (47, "39--47"), (48, "48+"), (90, "48+"),
])
def test_age_broad_uses_ctdc_bands(age, band):
    assert age_broad(age) == band


@pytest.mark.parametrize(("age", "status"), [(None, "-99"), (0, "Minor"), (17, "Minor"),
                                             (18, "Adult"), (60, "Adult")])
def test_majority_status(age, status):
    assert majority_status(age) == status


def test_header_has_the_ctdc_fields_and_nothing_identifying():
    for name in ("yearOfRegistration", "gender", "ageBroad", "majorityStatus", "citizenship",
                 "CountryOfExploitation", "isForcedLabour", "typeOfLabourIllicitActivities",
                 "isAbduction", "meansOfControlDebtBondage", "meansOfControlFalsePromises"):
        assert name in HEADER
    lowered = " ".join(HEADER).lower().replace("withholdsdocuments", "")
    for word in ("name", "birth", "document", "phone", "reference", "passport"):
        assert word not in lowered


def test_every_catalogue_ctdc_name_is_a_column():
    for indicator in INDICATORS:
        for name in indicator.ctdc:
            assert ctdc_field(name) in HEADER
    assert all(f.startswith("meansOfControl") for f in MEANS_FIELDS)
    assert MEANS_FIELDS.index("meansOfControlDebtBondage") < \
        MEANS_FIELDS.index("meansOfControlOther")


def test_row_fields_from_person_and_case():
    row = _row(outcome="trafficking_victim", screening_age_group="child")
    assert row["yearOfRegistration"] == "2025"
    assert row["gender"] == "Female"
    assert row["ageBroad"] == "24--26" and row["majorityStatus"] == "Adult"
    assert row["majorityStatusAtExploit"] == "Minor"
    assert row["citizenship"] == "IN" and row["CountryOfExploitation"] == "MM"
    assert row["isForcedLabour"] == "1"
    assert row["Datasource"] == "Case management"
    assert row["typeOfExploitConcatenated"] == "Forced labour"
    assert row["typeOfLabourIllicitActivities"] == "1"  # forced criminality: scam work
    assert row["typeOfLabourConcatenated"] == "Illicit activities"
    assert row["MajorityEntry"] == "-99"  # no interview, so no recruitment date
    assert row["isSexualExploit"] == "-99" and row["RecruiterRelationship"] == "-99"


@pytest.mark.parametrize(("sex", "gender"), [("female", "Female"), ("male", "Male"),
                                             ("other", "-99"), ("unknown", "-99"),
                                             (None, "-99")])
def test_gender_mapping(sex, gender):
    assert _row(sex=sex)["gender"] == gender


def test_row_age_from_estimate_when_no_date_of_birth():
    assert _row(date_of_birth=None, age_estimate=16)["ageBroad"] == "9--17"
    assert _row(date_of_birth=None, age_estimate=None)["ageBroad"] == "-99"


def test_majority_entry_is_the_age_band_at_recruitment():
    row = _row(date_of_birth=date(2008, 6, 1), recruited_on=date(2024, 1, 1))
    assert row["MajorityEntry"] == "9--17" and row["ageBroad"] == "9--17"
    assert _row(date_of_birth=None, age_estimate=30,
                recruited_on=date(2024, 1, 1))["MajorityEntry"] == "-99"


def test_row_unknown_nationality_is_00_and_outcome_maps_to_forced_labour():
    assert _row(nationality_code=None)["citizenship"] == UNKNOWN_CITIZENSHIP
    assert _row(outcome="willing_worker")["isForcedLabour"] == "0"
    assert _row(outcome="undetermined")["isForcedLabour"] == "-99"
    assert _row(outcome="undetermined")["typeOfExploitConcatenated"] == "-99"
    assert _row(nationality_code="JE")["citizenship"] == UNKNOWN_CITIZENSHIP  # not in CTDC's


def test_means_of_control_come_from_the_screening_answers():
    answers = {"CD1": "yes", "CR3": "no", "CD2": "no", "CR4": "no", "CD6": "yes", "CR2": "no"}
    result = screen(parse_answers(answers), AgeGroup.ADULT, rules_version=1).to_dict()
    row = _row(screening=result)
    assert row["meansOfControlWithholdsDocuments"] == "1"  # CD1 yes
    assert row["meansOfControlDebtBondage"] == "0"  # CR4 and CD2 both no
    assert row["typeOfLabourIllicitActivities"] == "1"  # CD6 yes
    assert row["isAbduction"] == "0"  # CR2 no
    assert row["meansOfControlFalsePromises"] == "-99"  # DR1..DR7 unknown
    assert row["meansOfControlNotSpecified"] == "0"
    assert row["meansOfControlConcatenated"] == "Withholds documents"
    assert row["meansOfControlRestrictsFinancialAccess"] == "-99"  # never asked
    assert _row()["meansOfControlThreats"] == "-99"  # not screened at all
    assert _row()["meansOfControlNotSpecified"] == "-99"
    assert _row()["meansOfControlConcatenated"] == "-99"


def test_concatenated_columns_are_sorted_descriptions():
    answers = {"CD1": "yes", "CD2": "yes", "EX1": "yes", "CD8": "yes"}
    result = screen(parse_answers(answers), AgeGroup.ADULT, rules_version=1).to_dict()
    assert _row(screening=result)["meansOfControlConcatenated"] == \
        "Debt bondage;Excessive working hours;Threat of law enforcement;Withholds documents"


def test_answers_from_screening_reads_yes_unknown_and_no():
    answers = {"DR1": "yes", "DR2": "no"}
    result = screen(parse_answers(answers), AgeGroup.ADULT, rules_version=1).to_dict()
    read = answers_from_screening(result)
    assert read["DR1"] == "yes" and read["DR2"] == "no" and read["DR3"] == "unknown"
    assert answers_from_screening(None) == {}


@pytest.mark.parametrize(("values", "expected"), [
    ({"A": "yes", "B": "no"}, "1"), ({"A": "no", "B": "no"}, "0"),
    ({"A": "no", "B": "unknown"}, "-99"), ({}, "-99"),
])
def test_indicator_value(values, expected):
    assert indicator_value(values, ["A", "B"]) == expected


def test_indicator_fields_feed_physical_and_sexual_abuse_from_cd4():
    assert "CD4" in INDICATOR_FIELDS["meansOfControlPhysicalAbuse"]
    assert "CD4" in INDICATOR_FIELDS["meansOfControlSexualAbuse"]


# --- k-anonymity ------------------------------------------------------------------------

def test_k_anonymise_keeps_big_groups_untouched():
    plan = k_anonymise({("Male", "24--26", "IN"): 11, ("Male", "24--26", "PH"): 30})
    assert plan.generalised == plan.suppressed == 0 and plan.rows == 41
    assert plan.apply(("Male", "24--26", "IN")) == ("Male", "24--26", "IN")


def test_k_anonymise_generalises_small_groups_to_00_when_they_add_up():
    counts = {("Female", "21--23", "IN"): 6, ("Female", "21--23", "NP"): 5,
              ("Female", "21--23", "PH"): 40}
    plan = k_anonymise(counts)
    assert plan.generalised == 11 and plan.suppressed == 0
    assert plan.apply(("Female", "21--23", "NP")) == ("Female", "21--23", "00")
    assert plan.groups[("Female", "21--23", "00")] == 11


def test_k_anonymise_drops_small_groups_that_do_not_add_up():
    counts = {("Female", "48+", "KE"): 3, ("Female", "48+", "ET"): 2,
              ("Male", "48+", "KE"): 20}
    plan = k_anonymise(counts)
    assert plan.suppressed == 5 and plan.generalised == 0
    assert plan.apply(("Female", "48+", "KE")) is None
    assert plan.rows == 20


def test_k_anonymise_merges_small_groups_into_a_big_00_group():
    counts = {("Male", "30--38", "00"): 12, ("Male", "30--38", "LK"): 2}
    plan = k_anonymise(counts)
    assert plan.generalised == 2 and plan.suppressed == 0
    assert plan.groups == {("Male", "30--38", "00"): 14}


def test_k_anonymise_counts_a_small_00_group_as_neither_generalised_nor_dropped():
    counts = {("Male", "30--38", "00"): 4, ("Male", "30--38", "LK"): 8}
    plan = k_anonymise(counts)
    assert plan.generalised == 8 and plan.suppressed == 0
    assert plan.groups == {("Male", "30--38", "00"): 12}


@pytest.mark.parametrize("seed", range(20))
def test_k_anonymise_publishes_only_groups_of_at_least_k(seed):
    rng = random.Random(seed)
    genders, ages = ["Female", "Male", ""], ["18--20", "21--23", "24--26", ""]
    cits = ["IN", "PH", "CN", "MM", "NP", "00", "KE"]
    counts = Counter()
    for _ in range(rng.randint(1, 400)):
        counts[(rng.choice(genders), rng.choice(ages), rng.choice(cits))] += 1
    plan = k_anonymise(counts, K)
    published = Counter()
    for key, n in counts.items():
        out = plan.apply(key)
        if out is not None:
            published[out] += n
    assert all(n >= K for n in published.values())
    assert published == Counter(plan.groups)
    assert plan.rows + plan.suppressed == sum(counts.values())
    changed = sum(n for key, n in counts.items()
                  if plan.apply(key) not in (None, key))
    assert changed == plan.generalised
    # a group already big enough is never touched
    for key, n in counts.items():
        if n >= K:
            assert plan.apply(key) == key


def test_k_anonymise_refuses_k_below_one():
    with pytest.raises(ValueError):
        k_anonymise({}, 0)


def test_quasi_key_reads_gender_age_and_citizenship():
    row = ctdc_row(_source())
    assert quasi_key(row) == ("Female", "24--26", "IN")


def test_all_bands_are_covered_without_gaps():
    bands = [age_broad(a) for a in range(0, 100)]
    assert "-99" not in bands
    assert [b for b, _ in itertools.groupby(bands)] == [
        "0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"]
