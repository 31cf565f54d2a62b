"""The Counter Trafficking Data Collaborative (CTDC) export, as pure functions.

One row per case in the 62 columns of CTDC's data dictionary (version of 15 August 2018), in
its order and with its names, so that the rows can be appended to CTDC's global dataset; with
nothing that names or identifies the person, and k-anonymity over the quasi-identifiers
(gender, ageBroad, citizenship) with k = 11 as CTDC itself publishes: a row whose group is
smaller than k gets its citizenship generalised to "00"; rows still in a group smaller than k
after that are left out.

How Passage fills the columns (the dictionary's vocabularies; `-99` is CTDC's "missing data"
for case-management rows, written wherever Passage holds no answer; flags are `0`/`1`):

- yearOfRegistration: the year the case was registered (Thai time).
- Datasource: "Case management".
- gender: sex female → Female, male → Male; other and unknown → -99 (Passage's "other" is
  not CTDC's Transgender/NonConforming).
- ageBroad, majorityStatus: the age when the case was registered (date of birth, else the
  age estimate) in CTDC's bands, Adult / Minor; -99 when unknown.
- majorityStatusAtExploit: the latest screening's age group at recruitment: adult → Adult,
  child → Minor, otherwise -99.
- MajorityEntry: the age band at recruitment (date of birth and the interview's
  recruited_on), else -99.
- citizenship: the nationality's ISO code; "00" when not recorded or not in CTDC's country
  list (AX, BL, BQ, GG, IM, JE, MF, SX).
- meansOfControl…: the indicators SCREENING.md maps to each (its CTDC column): 1 when one is
  answered yes, 0 when all are no, -99 when any is unknown or there is no interview. The
  columns no indicator feeds (RestrictsFinancialAccess, PsychoactiveSubstances,
  RestrictsMedicalCare, UsesChildren): -99. meansOfControlNotSpecified: -99 without an
  interview, 0 when a means of control is 1, 1 when none is.
- isForcedLabour: forced criminality in a scam compound is forced labour: 1 when the latest
  determination is trafficking_victim, 0 when willing_worker, -99 undetermined or not yet.
- isSexualExploit, isOtherExploit, isSexAndLabour, isForcedMarriage, isForcedMilitary,
  isOrganRemoval: -99, Passage records none of them.
- typeOfLabourIllicitActivities: forced criminality (scam work): 1 when the determination is
  trafficking_victim or CD6 ("forced to commit fraud or other crimes") is yes, 0 when CD6 is
  no, otherwise -99. typeOfLabourNotSpecified: 0 when that is 1, otherwise -99.
- The other typeOfLabour… and typeOfSex… columns, RecruiterRelationship and
  recruiterRelation…: -99, Passage records none of them.
- isAbduction: CR2 (abducted, sold or bought during recruitment or transport).
- CountryOfExploitation: the country of the compound of the person's latest crossing from
  one, else -99.
- …Concatenated, as CTDC builds them: the descriptions of the group's columns that are 1
  ("Debt bondage", "Illicit activities"), in alphabetical order, joined by ";"; -99 when
  none is 1.

Where CTDC has no word: "sold, or threatened with being sold, to another compound" (CD7)
and isolation (CD10) are meansOfControlOther, as SCREENING.md says.
"""

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from app.i18n import _
from app.screening.catalogue import INDICATORS, ctdc_field

K = 11
UNKNOWN_CITIZENSHIP = "00"
MISSING = "-99"
DATASOURCE = "Case management"

# CTDC's age bands and their order in its codebook
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 8, "0--8"), (9, 17, "9--17"), (18, 20, "18--20"), (21, 23, "21--23"),
    (24, 26, "24--26"), (27, 29, "27--29"), (30, 38, "30--38"), (39, 47, "39--47"),
    (48, None, "48+"),
)
MEANS = (
    "DebtBondage", "TakesEarnings", "RestrictsFinancialAccess", "Threats",
    "PsychologicalAbuse", "PhysicalAbuse", "SexualAbuse", "FalsePromises",
    "PsychoactiveSubstances", "RestrictsMovement", "RestrictsMedicalCare",
    "ExcessiveWorkingHours", "UsesChildren", "ThreatOfLawEnforcement",
    "WithholdsNecessities", "WithholdsDocuments", "Other", "NotSpecified",
)
EXPLOITATION = ("isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour",
                "isForcedMarriage", "isForcedMilitary", "isOrganRemoval")
LABOUR = ("Agriculture", "Aquafarming", "Begging", "Construction", "DomesticWork",
          "Hospitality", "IllicitActivities", "Manufacturing", "MiningOrDrilling", "Peddling",
          "Transportation", "Other", "NotSpecified")
SEX = ("Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices")
RECRUITER = ("IntimatePartner", "Friend", "Family", "Other", "Unknown")

MEANS_FIELDS = tuple(f"meansOfControl{m}" for m in MEANS)
LABOUR_FIELDS = tuple(f"typeOfLabour{t}" for t in LABOUR)
SEX_FIELDS = tuple(f"typeOfSex{t}" for t in SEX)

# the data dictionary's 62 columns, in its order, with its names
HEADER: tuple[str, ...] = (
    "yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus",
    "majorityStatusAtExploit", "MajorityEntry", "citizenship",
    *MEANS_FIELDS, "meansOfControlConcatenated",
    *EXPLOITATION, "typeOfExploitConcatenated",
    *LABOUR_FIELDS, "typeOfLabourConcatenated",
    *SEX_FIELDS, "typeOfSexConcatenated",
    "isAbduction", "RecruiterRelationship", "CountryOfExploitation",
    *(f"recruiterRelation{r}" for r in RECRUITER),
)
# CTDC's country list (2018) lacks these ISO codes: they are published as "00"
NOT_IN_CTDC_COUNTRIES = frozenset({"AX", "BL", "BQ", "GG", "IM", "JE", "MF", "SX"})
GENDERS = {"female": "Female", "male": "Male"}
EXPLOITATION_DESCRIPTIONS = {
    "isForcedLabour": "Forced labour", "isSexualExploit": "Sexual exploitation",
    "isOtherExploit": "Other exploitation", "isSexAndLabour": "Sex and labour",
    "isForcedMarriage": "Forced marriage", "isForcedMilitary": "Forced military",
    "isOrganRemoval": "Organ removal"}
FORCED_CRIMINALITY_CODE = "CD6"  # SCREENING.md: forced to commit fraud or other crimes


def _indicator_fields() -> dict[str, tuple[str, ...]]:
    """CTDC field -> the indicator codes that feed it (SCREENING.md's CTDC column)."""
    fields: dict[str, list[str]] = {}
    for indicator in INDICATORS:
        for name in indicator.ctdc:
            fields.setdefault(ctdc_field(name), []).append(indicator.code)
    return {k: tuple(v) for k, v in fields.items()}


INDICATOR_FIELDS = _indicator_fields()
QUASI_IDENTIFIERS = ("gender", "ageBroad", "citizenship")
QI_POSITIONS = tuple(HEADER.index(name) for name in QUASI_IDENTIFIERS)
CITIZENSHIP_POSITION = HEADER.index("citizenship")


def description(name: str, prefix: str) -> str:
    """A column's value description, as CTDC's concatenated columns write it:
    "meansOfControlDebtBondage" → "Debt bondage"."""
    words = re.findall(r"[A-Z][a-z]*", name.removeprefix(prefix))
    return " ".join([words[0], *(w.lower() for w in words[1:])])


def concatenated(values: Mapping[str, str], names: Iterable[str], describe) -> str:
    found = sorted(describe(name) for name in names if values[name] == "1")
    return ";".join(found) if found else MISSING


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
    recruited_on: date | None = None  # the latest screened interview's


def age_at(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_broad(age: int | None) -> str:
    if age is None or age < 0:
        return MISSING
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return MISSING


def majority_status(age: int | None) -> str:
    if age is None or age < 0:
        return MISSING
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
    """1 when any feeding indicator is yes, 0 when all are no, -99 when not known."""
    values = [answers.get(code) for code in codes]
    if "yes" in values:
        return "1"
    if values and all(v == "no" for v in values):
        return "0"
    return MISSING


def citizenship(code: str | None) -> str:
    if not code or code in NOT_IN_CTDC_COUNTRIES:
        return UNKNOWN_CITIZENSHIP
    return code


def ctdc_row(source: CtdcSource) -> list[str]:
    if source.date_of_birth is not None and source.date_of_birth <= source.registered_on:
        age = age_at(source.date_of_birth, source.registered_on)
    else:
        age = source.age_estimate
    entry = None
    if source.date_of_birth is not None and source.recruited_on is not None \
            and source.date_of_birth <= source.recruited_on:
        entry = age_at(source.date_of_birth, source.recruited_on)
    answers = answers_from_screening(source.screening)
    values = dict.fromkeys(HEADER, MISSING)
    values.update({
        "yearOfRegistration": str(source.registered_on.year),
        "Datasource": DATASOURCE,
        "gender": GENDERS.get(source.sex or "", MISSING),
        "ageBroad": age_broad(age),
        "majorityStatus": majority_status(age),
        "majorityStatusAtExploit": {"adult": "Adult", "child": "Minor"}.get(
            source.screening_age_group or "", MISSING),
        "MajorityEntry": age_broad(entry),
        "citizenship": citizenship(source.nationality_code),
        "CountryOfExploitation": source.exploitation_country or MISSING,
    })
    for name, codes in INDICATOR_FIELDS.items():
        values[name] = indicator_value(answers, codes)
    fed = [f for f in MEANS_FIELDS if f != "meansOfControlNotSpecified"]
    if answers:
        values["meansOfControlNotSpecified"] = \
            "0" if any(values[f] == "1" for f in fed) else "1"
    victim = source.outcome == "trafficking_victim"
    values["isForcedLabour"] = {"trafficking_victim": "1", "willing_worker": "0"}.get(
        source.outcome or "", MISSING)
    criminality = answers.get(FORCED_CRIMINALITY_CODE)
    values["typeOfLabourIllicitActivities"] = (
        "1" if victim or criminality == "yes" else "0" if criminality == "no" else MISSING)
    if values["typeOfLabourIllicitActivities"] == "1":
        values["typeOfLabourNotSpecified"] = "0"
    values["meansOfControlConcatenated"] = concatenated(
        values, MEANS_FIELDS, lambda n: description(n, "meansOfControl"))
    values["typeOfExploitConcatenated"] = concatenated(
        values, EXPLOITATION, EXPLOITATION_DESCRIPTIONS.__getitem__)
    values["typeOfLabourConcatenated"] = concatenated(
        values, LABOUR_FIELDS, lambda n: description(n, "typeOfLabour"))
    values["typeOfSexConcatenated"] = concatenated(
        values, SEX_FIELDS, lambda n: description(n, "typeOfSex"))
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
        raise ValueError(_("k must be at least 1"))
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
