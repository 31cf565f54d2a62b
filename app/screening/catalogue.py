"""The indicator catalogue of SCREENING.md, rules version 1.

Codes are part of the public contract and never change meaning; a new rules version adds
codes rather than editing these.
"""

from dataclasses import dataclass
from enum import StrEnum

RULES_VERSION = 1

# CTDC field names in the table are `meansOfControl…` fields unless written in full; a full
# name starts with a lower-case letter (isAbduction, typeOfLabourIllicitActivities).
CTDC_MEANS_OF_CONTROL_PREFIX = "meansOfControl"


class Strength(StrEnum):
    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"


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
    Dimension("DR", "Deceptive recruitment"),
    Dimension("CR", "Coercive recruitment"),
    Dimension("VR", "Abuse of vulnerability at recruitment"),
    Dimension("EX", "Exploitative conditions of work"),
    Dimension("CD", "Coercion at destination"),
    Dimension("VD", "Abuse of vulnerability at destination"),
)

DIMENSIONS_BY_CODE: dict[str, Dimension] = {d.code: d for d in DIMENSIONS}

_S, _M, _W = Strength.STRONG, Strength.MEDIUM, Strength.WEAK

INDICATORS: tuple[Indicator, ...] = (
    # Deceptive recruitment
    Indicator(
        "DR1", "DR", _S,
        "deceived about the nature of the job, its location or the employer",
        "Were you deceived about the nature of the job, its location or the employer? For "
        "example, were you promised customer service, translation or IT work in Thailand "
        "and then taken to a compound in Myanmar?",
        ("FalsePromises",),
    ),
    Indicator(
        "DR2", "DR", _M,
        "deceived about wages or earnings",
        "Were you deceived about your wages or how much you would earn?",
        ("FalsePromises",),
    ),
    Indicator(
        "DR3", "DR", _M,
        "deceived about working conditions",
        "Were you deceived about the working conditions, such as the hours, the days off or "
        "what the work would be?",
        ("FalsePromises",),
    ),
    Indicator(
        "DR4", "DR", _M,
        "deceived about the journey or recruitment conditions",
        "Were you deceived about the journey or the conditions of recruitment, such as the "
        "route, who would pay for it, or fees?",
        ("FalsePromises",),
    ),
    Indicator(
        "DR5", "DR", _M,
        "deceived about the legality of the work or about visas",
        "Were you deceived about whether the work was legal, or about your visa or legal "
        "status?",
        ("FalsePromises",),
    ),
    Indicator(
        "DR6", "DR", _M,
        "deceived about housing and living conditions",
        "Were you deceived about where you would live or what the living conditions would "
        "be?",
        ("FalsePromises",),
    ),
    Indicator(
        "DR7", "DR", _W,
        "deceived about training or education",
        "Were you deceived about training or education you would get?",
        ("FalsePromises",),
    ),
    # Coercive recruitment
    Indicator(
        "CR1", "CR", _S,
        "violence during recruitment or transport",
        "Did anyone use violence against you while you were being recruited or taken to the "
        "place of work?",
        ("PhysicalAbuse",),
    ),
    Indicator(
        "CR2", "CR", _M,
        "abducted, sold or bought during recruitment or transport",
        "Were you abducted, or sold or bought, while you were being recruited or taken to the "
        "place of work?",
        ("isAbduction",),
    ),
    Indicator(
        "CR3", "CR", _M,
        "identity documents taken during recruitment or transport",
        "Were your passport or identity documents taken from you while you were being "
        "recruited or taken to the place of work?",
        ("WithholdsDocuments",),
    ),
    Indicator(
        "CR4", "CR", _M,
        "put into debt for recruitment or transport costs",
        "Were you put into debt for the costs of your recruitment or journey?",
        ("DebtBondage",),
    ),
    Indicator(
        "CR5", "CR", _M,
        "confined or watched during transport",
        "During the journey, were you locked in, kept from leaving or watched?",
        ("RestrictsMovement",),
    ),
    Indicator(
        "CR6", "CR", _M,
        "threatened, or family threatened, during recruitment",
        "Were you or your family threatened while you were being recruited?",
        ("Threats",),
    ),
    # Abuse of vulnerability at recruitment
    Indicator(
        "VR1", "VR", _M,
        "recruited by exploiting irregular status or lack of documents",
        "Did the recruiter take advantage of your irregular status or your lack of "
        "documents?",
        ("ThreatOfLawEnforcement",),
    ),
    Indicator(
        "VR2", "VR", _M,
        "recruited by exploiting economic hardship",
        "Did the recruiter take advantage of money problems, such as having no job or debts "
        "at home?",
        ("Other",),
    ),
    Indicator(
        "VR3", "VR", _M,
        "recruited by exploiting lack of information or of the language",
        "Did the recruiter take advantage of you not having enough information or not "
        "knowing the language?",
        ("Other",),
    ),
    Indicator(
        "VR4", "VR", _M,
        "recruited by exploiting a difficult family or personal situation",
        "Did the recruiter take advantage of a difficult family or personal situation?",
        ("Other",),
    ),
    Indicator(
        "VR5", "VR", _W,
        "emotionally dependent on the recruiter",
        "Were you emotionally dependent on the recruiter, for example a partner, a friend or "
        "a relative?",
        ("PsychologicalAbuse",),
    ),
    # Exploitative conditions of work
    Indicator(
        "EX1", "EX", _S,
        "made to work excessive hours or days",
        "Were you made to work excessive hours or days, for example 12 hours or more a day, "
        "or with no rest days?",
        ("ExcessiveWorkingHours",),
    ),
    Indicator(
        "EX2", "EX", _M,
        "paid little or nothing, or wages withheld or cut by fines",
        "Were you paid little or nothing, or were your wages withheld or cut by fines?",
        ("TakesEarnings",),
    ),
    Indicator(
        "EX3", "EX", _M,
        "very bad living conditions",
        "Were you kept in very bad living conditions, such as crowding, too little food or "
        "no medical care?",
        ("WithholdsNecessities",),
    ),
    Indicator(
        "EX4", "EX", _M,
        "punished for missing targets or quotas",
        "Were you punished for missing targets or quotas, for example with fines, extra hours "
        "or being locked up?",
        ("PsychologicalAbuse",),
    ),
    Indicator(
        "EX5", "EX", _M,
        "no contract, or its terms not respected",
        "Did you have no contract, or were the terms of your contract not respected?",
        ("Other",),
    ),
    Indicator(
        "EX6", "EX", _W,
        "no social protection",
        "Were you without social protection, such as insurance or sick leave?",
        ("Other",),
    ),
    # Coercion at destination
    Indicator(
        "CD1", "CD", _S,
        "passport or identity documents taken",
        "Was your passport, or were your identity documents, taken away or kept from you?",
        ("WithholdsDocuments",),
    ),
    Indicator(
        "CD2", "CD", _S,
        "held in debt bondage",
        "Were you told you owed a debt, a ransom or a resale price that you had to work off "
        "or pay before you could leave?",
        ("DebtBondage",),
    ),
    Indicator(
        "CD3", "CD", _S,
        "not free to leave",
        "Were you kept from leaving, for example locked in, guarded or watched?",
        ("RestrictsMovement",),
    ),
    Indicator(
        "CD4", "CD", _S,
        "physical or sexual violence",
        "Were you subjected to physical or sexual violence, such as beatings, electric shocks "
        "or being locked up?",
        ("PhysicalAbuse", "SexualAbuse"),
    ),
    Indicator(
        "CD5", "CD", _S,
        "threatened with violence",
        "Were you threatened with violence?",
        ("Threats",),
    ),
    Indicator(
        "CD6", "CD", _M,
        "forced to commit fraud or other crimes",
        "Were you forced to commit fraud or other crimes?",
        ("typeOfLabourIllicitActivities",),
    ),
    Indicator(
        "CD7", "CD", _M,
        "sold, or threatened with being sold, to another compound",
        "Were you sold, or threatened with being sold, to another compound?",
        ("Other",),
    ),
    Indicator(
        "CD8", "CD", _M,
        "threatened with denunciation to the authorities",
        "Were you threatened with being reported to the authorities, arrested or deported?",
        ("ThreatOfLawEnforcement",),
    ),
    Indicator(
        "CD9", "CD", _M,
        "family threatened or harmed",
        "Was your family threatened or harmed?",
        ("Threats",),
    ),
    Indicator(
        "CD10", "CD", _M,
        "isolated: phone taken, contact with family stopped or watched",
        "Were you cut off from others, for example was your phone taken, or was contact with "
        "your family stopped or watched?",
        ("Other",),
    ),
    Indicator(
        "CD11", "CD", _M,
        "forced to lie about their situation",
        "Were you forced to lie to the authorities, your family or others about your "
        "situation?",
        ("PsychologicalAbuse",),
    ),
    # Abuse of vulnerability at destination
    Indicator(
        "VD1", "VD", _M,
        "dependent on the exploiters for food, housing, transport or documents",
        "Did you depend on the people who exploited you for food, housing, transport or "
        "documents?",
        ("WithholdsNecessities",),
    ),
    Indicator(
        "VD2", "VD", _M,
        "unable to communicate",
        "Were you unable to communicate, for example because of the language, having no "
        "interpreter or no phone?",
        ("Other",),
    ),
    Indicator(
        "VD3", "VD", _M,
        "without legal status in the country",
        "Were you without legal status in the country where you were exploited?",
        ("ThreatOfLawEnforcement",),
    ),
    Indicator(
        "VD4", "VD", _M,
        "under economic pressure",
        "Were you under economic pressure, for example your family depending on your income, "
        "or debts at home?",
        ("Other",),
    ),
    Indicator(
        "VD5", "VD", _W,
        "vulnerable by personal characteristics",
        "Were you vulnerable because of your age, health, a disability or a pregnancy?",
        ("Other",),
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


def catalogue_as_dict() -> dict:
    """The catalogue as JSON-able data, as served by GET /api/v1/screening/indicators."""
    return {
        "rules_version": RULES_VERSION,
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
                        "question": indicator.question,
                        "ctdc": list(indicator.ctdc),
                    }
                    for indicator in indicators_of(dimension.code)
                ],
            }
            for dimension in DIMENSIONS
        ],
    }
