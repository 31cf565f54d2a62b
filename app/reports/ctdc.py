"""The Counter Trafficking Data Collaborative (CTDC) export, as pure functions.

One row per case in CTDC's field names, with nothing that names or identifies the person, and
k-anonymity over the quasi-identifiers (gender, ageBroad, citizenship) with k = 11 as CTDC
itself publishes: a row whose group is smaller than k gets its citizenship generalised to
"00"; rows still in a group smaller than k after that are left out.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from app.screening.catalogue import CTDC_MEANS_OF_CONTROL_PREFIX, INDICATORS, ctdc_field

K = 11
UNKNOWN_CITIZENSHIP = "00"
DATASOURCE = "Case Management"

# CTDC's age bands and their order in its codebook
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 8, "0--8"), (9, 17, "9--17"), (18, 20, "18--20"), (21, 23, "21--23"),
    (24, 26, "24--26"), (27, 29, "27--29"), (30, 38, "30--38"), (39, 47, "39--47"),
    (48, None, "48+"),
)
# CTDC's order of the means of control in its global dataset
MEANS_ORDER = (
    "DebtBondage", "TakesEarnings", "RestrictsFinancialAccess", "Threats",
    "PsychologicalAbuse", "PhysicalAbuse", "SexualAbuse", "FalsePromises",
    "PsychoactiveSubstances", "RestrictsMovement", "RestrictsMedicalCare",
    "ExcessiveWorkingHours", "UsesChildren", "ThreatOfLawEnforcement",
    "WithholdsNecessities", "WithholdsDocuments", "Other", "NotSpecified",
)
# Passage's sex "other" has no CTDC counterpart ("Transgender/NonConforming" is not the
# same thing), so it is published as unknown, like "unknown".
GENDERS = {"female": "Female", "male": "Male"}


def _indicator_fields() -> dict[str, tuple[str, ...]]:
    """CTDC field -> the indicator codes that feed it (SCREENING.md's CTDC column)."""
    fields: dict[str, list[str]] = {}
    for indicator in INDICATORS:
        for name in indicator.ctdc:
            fields.setdefault(ctdc_field(name), []).append(indicator.code)
    return {k: tuple(v) for k, v in fields.items()}


INDICATOR_FIELDS = _indicator_fields()


def _field_order(name: str) -> tuple[int, int, str]:
    if name.startswith(CTDC_MEANS_OF_CONTROL_PREFIX):
        short = name.removeprefix(CTDC_MEANS_OF_CONTROL_PREFIX)
        return (0, MEANS_ORDER.index(short) if short in MEANS_ORDER else len(MEANS_ORDER), name)
    return (1, 0, name)


MEANS_FIELDS = tuple(sorted((f for f in INDICATOR_FIELDS
                             if f.startswith(CTDC_MEANS_OF_CONTROL_PREFIX)), key=_field_order))
OTHER_INDICATOR_FIELDS = tuple(sorted(f for f in INDICATOR_FIELDS
                                      if not f.startswith(CTDC_MEANS_OF_CONTROL_PREFIX)))

HEADER: tuple[str, ...] = (
    "yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus",
    "majorityStatusAtExploit", "citizenship", "CountryOfExploitation",
    *MEANS_FIELDS, "isForcedLabour", *OTHER_INDICATOR_FIELDS,
)
QUASI_IDENTIFIERS = ("gender", "ageBroad", "citizenship")
QI_POSITIONS = tuple(HEADER.index(name) for name in QUASI_IDENTIFIERS)
CITIZENSHIP_POSITION = HEADER.index("citizenship")


@dataclass(frozen=True)
class CtdcSource:
    """What one case contributes; no names, dates of birth or document numbers leave here."""

    registered_on: date
    sex: str | None
    date_of_birth: date | None
    age_estimate: int | None
    nationality_code: str | None
    screening: Mapping | None  # the latest screening's result
    screening_age_group: str | None  # adult, child or unknown, at recruitment
    outcome: str | None  # the latest determination
    exploitation_country: str | None


def age_at(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_broad(age: int | None) -> str:
    if age is None or age < 0:
        return ""
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return ""


def majority_status(age: int | None) -> str:
    if age is None or age < 0:
        return ""
    return "Adult" if age >= 18 else "Minor"


def answers_from_screening(result: Mapping | None) -> dict[str, str]:
    """yes / no / unknown per indicator code, from a stored screening result."""
    if not result:
        return {}
    yes = {code for d in result.get("dimensions", [])
           for codes in (d.get("yes") or {}).values() for code in codes}
    unknown = set(result.get("unknown", []))
    return {i.code: "yes" if i.code in yes else "unknown" if i.code in unknown else "no"
            for i in INDICATORS}


def indicator_value(answers: Mapping[str, str], codes: Iterable[str]) -> str:
    """1 when any feeding indicator is yes, 0 when all are no, empty when not known."""
    values = [answers.get(code) for code in codes]
    if "yes" in values:
        return "1"
    if values and all(v == "no" for v in values):
        return "0"
    return ""


def ctdc_row(source: CtdcSource) -> list[str]:
    if source.date_of_birth is not None and source.date_of_birth <= source.registered_on:
        age = age_at(source.date_of_birth, source.registered_on)
    else:
        age = source.age_estimate
    answers = answers_from_screening(source.screening)
    at_exploit = {"adult": "Adult", "child": "Minor"}.get(source.screening_age_group or "", "")
    forced = {"trafficking_victim": "1", "willing_worker": "0"}.get(source.outcome or "", "")
    values = {
        "yearOfRegistration": str(source.registered_on.year),
        "Datasource": DATASOURCE,
        "gender": GENDERS.get(source.sex or "", ""),
        "ageBroad": age_broad(age),
        "majorityStatus": majority_status(age),
        "majorityStatusAtExploit": at_exploit,
        "citizenship": source.nationality_code or UNKNOWN_CITIZENSHIP,
        "CountryOfExploitation": source.exploitation_country or "",
        "isForcedLabour": forced,
    }
    for name, codes in INDICATOR_FIELDS.items():
        values[name] = indicator_value(answers, codes)
    return [values[name] for name in HEADER]


# --- k-anonymity ------------------------------------------------------------------------

Key = tuple[str, str, str]  # gender, ageBroad, citizenship


def quasi_key(row: list[str]) -> Key:
    return tuple(row[p] for p in QI_POSITIONS)  # type: ignore[return-value]


@dataclass(frozen=True)
class KAnonymityPlan:
    k: int
    keep: frozenset[Key]  # published as they are
    generalise: frozenset[Key]  # published with citizenship "00"
    drop: frozenset[Key]  # left out
    rows: int  # rows published
    generalised: int  # rows whose citizenship became "00"
    suppressed: int  # rows left out
    groups: dict[Key, int] = field(default_factory=dict)  # published group sizes

    def apply(self, key: Key) -> Key | None:
        if key in self.keep:
            return key
        if key in self.generalise:
            return (key[0], key[1], UNKNOWN_CITIZENSHIP)
        return None


def k_anonymise(counts: Mapping[Key, int], k: int = K) -> KAnonymityPlan:
    """Decide, per group of (gender, ageBroad, citizenship), what is published.

    A group of at least k rows is kept. The smaller groups of one (gender, ageBroad) are
    merged into that pair's citizenship "00" group, together with the rows already "00" in a
    group of at least k; if the merged group still has fewer than k rows, the small groups are
    left out. Every published group then has at least k rows."""
    if k < 1:
        raise ValueError("k must be at least 1")
    keep = {key for key, n in counts.items() if n >= k}
    small_by_pair: dict[tuple[str, str], list[Key]] = {}
    for key, n in counts.items():
        if n < k:
            small_by_pair.setdefault((key[0], key[1]), []).append(key)
    generalise: set[Key] = set()
    drop: set[Key] = set()
    generalised = suppressed = 0
    for pair, keys in small_by_pair.items():
        merged_key = (pair[0], pair[1], UNKNOWN_CITIZENSHIP)
        already = counts.get(merged_key, 0) if merged_key in keep else 0
        small = sum(counts[key] for key in keys)
        if small + already >= k:
            generalise.update(keys)
            generalised += sum(counts[key] for key in keys if key[2] != UNKNOWN_CITIZENSHIP)
        else:
            drop.update(keys)
            suppressed += small
    published: Counter[Key] = Counter()
    for key, n in counts.items():
        if key in keep:
            published[key] += n
        elif key in generalise:
            published[(key[0], key[1], UNKNOWN_CITIZENSHIP)] += n
    return KAnonymityPlan(k=k, keep=frozenset(keep), generalise=frozenset(generalise),
                          drop=frozenset(drop), rows=sum(published.values()),
                          generalised=generalised, suppressed=suppressed,
                          groups=dict(published))
