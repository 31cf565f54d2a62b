"""The indicator catalogue of SCREENING.md, for rules versions 1 and 2.

Codes are part of the public contract and never change meaning; a new rules version adds
codes rather than editing these. Version 2 changed a rule, not the catalogue.
"""

from dataclasses import dataclass
from enum import StrEnum


def N_(message: str) -> str:  # noqa: N802  (gettext's name for "mark for translation")
    """Marks a text for extraction into the message catalogues (pybabel's N_ keyword) and
    returns it unchanged: the catalogue stays in English and imports nothing of the app; the
    texts are translated where they are shown (the interview and case pages, the reasons, the
    exports in words): the dimensions' names, the labels, the short labels and the questions.
    Codes and strengths' values are never translated."""
    return message

# Every rules version Passage can still screen with: stored suggestions keep the version they
# were made with, and re-screening compares them with a newer one.
RULES_VERSIONS = (1, 2)
CURRENT_RULES_VERSION = RULES_VERSIONS[-1]

# CTDC field names in the table are `meansOfControl…` fields unless written in full; a full
# name starts with a lower-case letter (isAbduction, typeOfLabourIllicitActivities).
CTDC_MEANS_OF_CONTROL_PREFIX = "meansOfControl"


class Strength(StrEnum):
    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"


# The strengths in words (the reasons' "(strong)"); the values above are codes.
STRENGTH_WORDS: dict[str, str] = {
    Strength.STRONG: N_("strong"), Strength.MEDIUM: N_("medium"), Strength.WEAK: N_("weak"),
}


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    strength: Strength
    label: str
    question: str
    ctdc: tuple[str, ...]


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("DR", N_("Deceptive recruitment")),
    Dimension("CR", N_("Coercive recruitment")),
    Dimension("VR", N_("Abuse of vulnerability at recruitment")),
    Dimension("EX", N_("Exploitative conditions of work")),
    Dimension("CD", N_("Coercion at destination")),
    Dimension("VD", N_("Abuse of vulnerability at destination")),
)

DIMENSIONS_BY_CODE: dict[str, Dimension] = {d.code: d for d in DIMENSIONS}

INDICATORS: tuple[Indicator, ...] = (
    # Deceptive recruitment
    Indicator(
        code="DR1",
        dimension="DR",
        strength=Strength.STRONG,
        label=N_("deceived about the nature of the job, its location or the employer"),
        question=N_(
            "Were you deceived about the nature of the job, its location or the employer? For "
            "example, were you promised customer service, translation or IT work in Thailand "
            "and then taken to a compound in Myanmar?"
        ),
        ctdc=("FalsePromises",),
    ),
    Indicator(
        code="DR2",
        dimension="DR",
        strength=Strength.MEDIUM,
        label=N_("deceived about wages or earnings"),
        question=N_("Were you deceived about your wages or how much you would earn?"),
        ctdc=("FalsePromises",),
    ),
    Indicator(
        code="DR3",
        dimension="DR",
        strength=Strength.MEDIUM,
        label=N_("deceived about working conditions"),
        question=N_(
            "Were you deceived about the working conditions, such as the hours, the days off or "
            "what the work would be?"
        ),
        ctdc=("FalsePromises",),
    ),
    Indicator(
        code="DR4",
        dimension="DR",
        strength=Strength.MEDIUM,
        label=N_("deceived about the journey or recruitment conditions"),
        question=N_(
            "Were you deceived about the journey or the conditions of recruitment, such as the "
            "route, who would pay for it, or fees?"
        ),
        ctdc=("FalsePromises",),
    ),
    Indicator(
        code="DR5",
        dimension="DR",
        strength=Strength.MEDIUM,
        label=N_("deceived about the legality of the work or about visas"),
        question=N_(
            "Were you deceived about whether the work was legal, or about your visa or legal "
            "status?"
        ),
        ctdc=("FalsePromises",),
    ),
    Indicator(
        code="DR6",
        dimension="DR",
        strength=Strength.MEDIUM,
        label=N_("deceived about housing and living conditions"),
        question=N_(
            "Were you deceived about where you would live or what the living conditions would be?"
        ),
        ctdc=("FalsePromises",),
    ),
    Indicator(
        code="DR7",
        dimension="DR",
        strength=Strength.WEAK,
        label=N_("deceived about training or education"),
        question=N_("Were you deceived about training or education you would get?"),
        ctdc=("FalsePromises",),
    ),
    # Coercive recruitment
    Indicator(
        code="CR1",
        dimension="CR",
        strength=Strength.STRONG,
        label=N_("violence during recruitment or transport"),
        question=N_(
            "Did anyone use violence against you while you were being recruited or taken to the "
            "place of work?"
        ),
        ctdc=("PhysicalAbuse",),
    ),
    Indicator(
        code="CR2",
        dimension="CR",
        strength=Strength.MEDIUM,
        label=N_("abducted, sold or bought during recruitment or transport"),
        question=N_(
            "Were you abducted, or sold or bought, while you were being recruited or taken to the "
            "place of work?"
        ),
        ctdc=("isAbduction",),
    ),
    Indicator(
        code="CR3",
        dimension="CR",
        strength=Strength.MEDIUM,
        label=N_("identity documents taken during recruitment or transport"),
        question=N_(
            "Were your passport or identity documents taken from you while you were being "
            "recruited or taken to the place of work?"
        ),
        ctdc=("WithholdsDocuments",),
    ),
    Indicator(
        code="CR4",
        dimension="CR",
        strength=Strength.MEDIUM,
        label=N_("put into debt for recruitment or transport costs"),
        question=N_("Were you put into debt for the costs of your recruitment or journey?"),
        ctdc=("DebtBondage",),
    ),
    Indicator(
        code="CR5",
        dimension="CR",
        strength=Strength.MEDIUM,
        label=N_("confined or watched during transport"),
        question=N_("During the journey, were you locked in, kept from leaving or watched?"),
        ctdc=("RestrictsMovement",),
    ),
    Indicator(
        code="CR6",
        dimension="CR",
        strength=Strength.MEDIUM,
        label=N_("threatened, or family threatened, during recruitment"),
        question=N_("Were you or your family threatened while you were being recruited?"),
        ctdc=("Threats",),
    ),
    # Abuse of vulnerability at recruitment
    Indicator(
        code="VR1",
        dimension="VR",
        strength=Strength.MEDIUM,
        label=N_("recruited by exploiting irregular status or lack of documents"),
        question=N_(
            "Did the recruiter take advantage of your irregular status or your lack of documents?"
        ),
        ctdc=("ThreatOfLawEnforcement",),
    ),
    Indicator(
        code="VR2",
        dimension="VR",
        strength=Strength.MEDIUM,
        label=N_("recruited by exploiting economic hardship"),
        question=N_(
            "Did the recruiter take advantage of money problems, such as having no job or debts "
            "at home?"
        ),
        ctdc=("Other",),
    ),
    Indicator(
        code="VR3",
        dimension="VR",
        strength=Strength.MEDIUM,
        label=N_("recruited by exploiting lack of information or of the language"),
        question=N_(
            "Did the recruiter take advantage of you not having enough information or not "
            "knowing the language?"
        ),
        ctdc=("Other",),
    ),
    Indicator(
        code="VR4",
        dimension="VR",
        strength=Strength.MEDIUM,
        label=N_("recruited by exploiting a difficult family or personal situation"),
        question=N_(
            "Did the recruiter take advantage of a difficult family or personal situation?"
        ),
        ctdc=("Other",),
    ),
    Indicator(
        code="VR5",
        dimension="VR",
        strength=Strength.WEAK,
        label=N_("emotionally dependent on the recruiter"),
        question=N_(
            "Were you emotionally dependent on the recruiter, for example a partner, a friend or "
            "a relative?"
        ),
        ctdc=("PsychologicalAbuse",),
    ),
    # Exploitative conditions of work
    Indicator(
        code="EX1",
        dimension="EX",
        strength=Strength.STRONG,
        label=N_("made to work excessive hours or days"),
        question=N_(
            "Were you made to work excessive hours or days, for example 12 hours or more a day, "
            "or with no rest days?"
        ),
        ctdc=("ExcessiveWorkingHours",),
    ),
    Indicator(
        code="EX2",
        dimension="EX",
        strength=Strength.MEDIUM,
        label=N_("paid little or nothing, or wages withheld or cut by fines"),
        question=N_(
            "Were you paid little or nothing, or were your wages withheld or cut by fines?"
        ),
        ctdc=("TakesEarnings",),
    ),
    Indicator(
        code="EX3",
        dimension="EX",
        strength=Strength.MEDIUM,
        label=N_("very bad living conditions"),
        question=N_(
            "Were you kept in very bad living conditions, such as crowding, too little food or "
            "no medical care?"
        ),
        ctdc=("WithholdsNecessities",),
    ),
    Indicator(
        code="EX4",
        dimension="EX",
        strength=Strength.MEDIUM,
        label=N_("punished for missing targets or quotas"),
        question=N_(
            "Were you punished for missing targets or quotas, for example with fines, extra hours "
            "or being locked up?"
        ),
        ctdc=("PsychologicalAbuse",),
    ),
    Indicator(
        code="EX5",
        dimension="EX",
        strength=Strength.MEDIUM,
        label=N_("no contract, or its terms not respected"),
        question=N_("Did you have no contract, or were the terms of your contract not respected?"),
        ctdc=("Other",),
    ),
    Indicator(
        code="EX6",
        dimension="EX",
        strength=Strength.WEAK,
        label=N_("no social protection"),
        question=N_("Were you without social protection, such as insurance or sick leave?"),
        ctdc=("Other",),
    ),
    # Coercion at destination
    Indicator(
        code="CD1",
        dimension="CD",
        strength=Strength.STRONG,
        label=N_("passport or identity documents taken"),
        question=N_(
            "Was your passport, or were your identity documents, taken away or kept from you?"
        ),
        ctdc=("WithholdsDocuments",),
    ),
    Indicator(
        code="CD2",
        dimension="CD",
        strength=Strength.STRONG,
        label=N_("held in debt bondage"),
        question=N_(
            "Were you told you owed a debt, a ransom or a resale price that you had to work off "
            "or pay before you could leave?"
        ),
        ctdc=("DebtBondage",),
    ),
    Indicator(
        code="CD3",
        dimension="CD",
        strength=Strength.STRONG,
        label=N_("not free to leave"),
        question=N_("Were you kept from leaving, for example locked in, guarded or watched?"),
        ctdc=("RestrictsMovement",),
    ),
    Indicator(
        code="CD4",
        dimension="CD",
        strength=Strength.STRONG,
        label=N_("physical or sexual violence"),
        question=N_(
            "Were you subjected to physical or sexual violence, such as beatings, electric shocks "
            "or being locked up?"
        ),
        ctdc=("PhysicalAbuse", "SexualAbuse"),
    ),
    Indicator(
        code="CD5",
        dimension="CD",
        strength=Strength.STRONG,
        label=N_("threatened with violence"),
        question=N_("Were you threatened with violence?"),
        ctdc=("Threats",),
    ),
    Indicator(
        code="CD6",
        dimension="CD",
        strength=Strength.MEDIUM,
        label=N_("forced to commit fraud or other crimes"),
        question=N_("Were you forced to commit fraud or other crimes?"),
        ctdc=("typeOfLabourIllicitActivities",),
    ),
    Indicator(
        code="CD7",
        dimension="CD",
        strength=Strength.MEDIUM,
        label=N_("sold, or threatened with being sold, to another compound"),
        question=N_("Were you sold, or threatened with being sold, to another compound?"),
        ctdc=("Other",),
    ),
    Indicator(
        code="CD8",
        dimension="CD",
        strength=Strength.MEDIUM,
        label=N_("threatened with denunciation to the authorities"),
        question=N_(
            "Were you threatened with being reported to the authorities, or with arrest or "
            "deportation?"
        ),
        ctdc=("ThreatOfLawEnforcement",),
    ),
    Indicator(
        code="CD9",
        dimension="CD",
        strength=Strength.MEDIUM,
        label=N_("family threatened or harmed"),
        question=N_("Was your family threatened or harmed?"),
        ctdc=("Threats",),
    ),
    Indicator(
        code="CD10",
        dimension="CD",
        strength=Strength.MEDIUM,
        label=N_("isolated: phone taken, contact with family stopped or watched"),
        question=N_(
            "Were you cut off from others, for example was your phone taken, or was contact with "
            "your family stopped or watched?"
        ),
        ctdc=("Other",),
    ),
    Indicator(
        code="CD11",
        dimension="CD",
        strength=Strength.MEDIUM,
        label=N_("forced to lie about their situation"),
        question=N_(
            "Were you forced to lie to the authorities, your family or others about your situation?"
        ),
        ctdc=("PsychologicalAbuse",),
    ),
    # Abuse of vulnerability at destination
    Indicator(
        code="VD1",
        dimension="VD",
        strength=Strength.MEDIUM,
        label=N_("dependent on the exploiters for food, housing, transport or documents"),
        question=N_(
            "Did you depend on the people who exploited you for food, housing, transport or "
            "documents?"
        ),
        ctdc=("WithholdsNecessities",),
    ),
    Indicator(
        code="VD2",
        dimension="VD",
        strength=Strength.MEDIUM,
        label=N_("unable to communicate"),
        question=N_(
            "Were you unable to communicate, for example because of the language, having no "
            "interpreter or no phone?"
        ),
        ctdc=("Other",),
    ),
    Indicator(
        code="VD3",
        dimension="VD",
        strength=Strength.MEDIUM,
        label=N_("without legal status in the country"),
        question=N_("Were you without legal status in the country where you were exploited?"),
        ctdc=("ThreatOfLawEnforcement",),
    ),
    Indicator(
        code="VD4",
        dimension="VD",
        strength=Strength.MEDIUM,
        label=N_("under economic pressure"),
        question=N_(
            "Were you under economic pressure, for example your family depending on your income, "
            "or debts at home?"
        ),
        ctdc=("Other",),
    ),
    Indicator(
        code="VD5",
        dimension="VD",
        strength=Strength.WEAK,
        label=N_("vulnerable by personal characteristics"),
        question=N_(
            "Were you vulnerable because of your age, health, a disability or a pregnancy?"
        ),
        ctdc=("Other",),
    ),
)

INDICATORS_BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def indicators_of(dimension_code: str) -> tuple[Indicator, ...]:
    """The indicators of one dimension, in catalogue order; KeyError for an unknown code."""
    if dimension_code not in DIMENSIONS_BY_CODE:
        raise KeyError(dimension_code)
    return tuple(i for i in INDICATORS if i.dimension == dimension_code)


def ctdc_field(name: str) -> str:
    """The full CTDC field name for a name as written in the catalogue.

    "FalsePromises" -> "meansOfControlFalsePromises"; names already written in full
    ("isAbduction", "typeOfLabourIllicitActivities") are returned unchanged.
    """
    if not name:
        raise ValueError("empty CTDC field name")
    if name[0].islower():
        return name
    return CTDC_MEANS_OF_CONTROL_PREFIX + name


# A few words for each indicator, for the reasons a caseworker reads aloud ("deceived about the
# job (strong)"); where the label is short already, the label itself.
SHORT_LABELS: dict[str, str] = {
    "DR1": N_("deceived about the job"), "DR3": N_("deceived about working conditions"),
    "DR4": N_("deceived about the journey"), "DR5": N_("deceived about legality or visas"),
    "DR6": N_("deceived about housing"), "CR1": N_("violence during recruitment"),
    "CR2": N_("abducted or sold during recruitment"),
    "CR3": N_("documents taken during recruitment"),
    "CR4": N_("put into debt for the journey"), "CR5": N_("confined during transport"),
    "CR6": N_("threatened during recruitment"), "VR1": N_("recruited through irregular status"),
    "VR2": N_("recruited through economic hardship"),
    "VR3": N_("recruited through lack of information or language"),
    "VR4": N_("recruited through a difficult family situation"),
    "VR5": N_("emotionally dependent on the recruiter"), "EX1": N_("excessive hours"),
    "EX2": N_("paid little or nothing"), "EX3": N_("very bad living conditions"),
    "EX4": N_("punished for missing quotas"), "EX5": N_("no contract, or terms broken"),
    "CD1": N_("passport or documents taken"), "CD3": N_("kept from leaving"),
    "CD4": N_("physical or sexual violence"), "CD6": N_("forced to commit fraud"),
    "CD7": N_("sold or threatened with sale"), "CD8": N_("threatened with the authorities"),
    "CD10": N_("isolated from family"), "CD11": N_("forced to lie about their situation"),
    "VD1": N_("dependent on the exploiters"), "VD3": N_("no legal status"),
    "VD5": N_("vulnerable by age, health or pregnancy"),
}


def short_label(code: str) -> str:
    """The indicator in a few words (its label where that is short already)."""
    return SHORT_LABELS.get(code) or INDICATORS_BY_CODE[code].label


def catalogue_as_dict() -> dict:
    """The catalogue as JSON-able data, as served by GET /api/v1/screening/indicators."""
    return {
        "rules_version": CURRENT_RULES_VERSION,
        "rules_versions": list(RULES_VERSIONS),
        "dimensions": [
            {
                "code": dimension.code,
                "name": dimension.name,
                "indicators": [
                    {
                        "code": indicator.code,
                        "dimension": indicator.dimension,
                        "strength": indicator.strength.value,
                        "label": indicator.label,
                        "short_label": short_label(indicator.code),
                        "question": indicator.question,
                        "ctdc": list(indicator.ctdc),
                    }
                    for indicator in indicators_of(dimension.code)
                ],
            }
            for dimension in DIMENSIONS
        ],
    }
