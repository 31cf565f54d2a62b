"""IOM's Human Trafficking Case Data Standard (HTCDS 2.0): a case as the standard's fields, for
one case (JSON, field names with their prefixes) and for many (the standard's case sheet, one
row per case, CSV or XLSX), and back (app.reports.htcds_import).

Identifying fields go with a case only when the person gave `consent_to_share` on it (the
case's consent, recorded like a referral's); without it they are left out, the rest of the
case is still there. Multiselect values are joined by ";" in the sheet, lists in JSON.

How Passage fills the fields (value names from the standard's picklists):
- cas_CaseOwner: the organisation that holds the case.
- con_Consent: the case's consent_to_share.
- prs_FirstName, prs_SecondName, prs_Birthdate, prs_MobilePhone, prs_IdentityNumber (JSON
  only): given name, family name, date of birth, phone, document number; with consent only.
- prs_Gender: female → Feminine, male → Masculine, other → NonConforming, unknown →
  NonSpecifiedUnknown. prs_Citizenship: the nationality's ISO code.
- vic_TraffickingStatus: the latest determination: trafficking_victim →
  ActualVictimOfTrafficking, willing_worker → NotAVictimOfTrafficking, undetermined or none
  yet → PossibleVictimOfTrafficking. vic_TraffickingStatusDecisionMakingOrg: NGO when a
  determination of victim or not was recorded (caseworkers of NGOs decide).
- vic_MethodsOfControl: the indicators answered yes in the latest screening, through their
  CTDC means of control (SCREENING.md): Threats → PhysicalThreats (a threat to the family,
  CD9 → ThreatensChildrenFamily), ThreatOfLawEnforcement → ThreatsLawEnforcement, the others
  by the same name; RestrictsMovement, which HTCDS has no value for, → Other.
- vic_TypeOfExploitation: ForcedLabour for a determined victim (HTCDS has no forced
  criminality; scam work under coercion is forced labour), vic_ForcedLabourIndustry:
  N_AdministrativeAndSupportServiceActivities (call-centre work, ISIC section N), the nearest
  to online fraud.
- cas_Status: open and determined → Active; closed → Closed, or ClosedReferred when closed as
  referred_elsewhere. cas_ReasonForCaseClosure: the closure reason in words.
- Every other field: what an HTCDS import brought for the case (kept as received), else empty.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.labels import CLOSURE_REASON_LABELS
from app.screening.catalogue import INDICATORS, ctdc_field

# the standard's case sheet (case-sheet-2.0.csv), its columns in order: the template's
# spelling kept ("vic_TraffickinStatusDecisionMakingOrg"); the column the template leaves
# unnamed is cas_ReasonForOutgoingReferral, as its label says
SHEET_COLUMNS: tuple[str, ...] = (
    "cas_CaseOwner", "prs_Salutation", "prs_FirstName", "prs_SecondName", "con_Consent",
    "prs_Birthdate", "prs_Gender", "prs_Citizenship", "prs_Title", "prs_Email",
    "prs_HomePhone", "prs_MobilePhone", "prs_MailingCity", "prs_MailingCountry",
    "prs_MailingState", "prs_MailingStreet", "prs_MailingPostalCode", "vic_TraffickingStatus",
    "vic_TraffickinStatusDecisionMakingOrg", "vic_MethodOfRecruitment",
    "vic_LocationOfRecruitment", "vic_MethodsOfControl", "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry", "vic_TypeOfSexExploitation", "vic_LocationOfExploitation",
    "cas_Status", "cas_ReferringOrganisation", "cas_IncomingReferralDate",
    "cas_ReferringPrimaryCaseWorker", "cas_ReasonForIncomingReferral",
    "cas_IncomingReferralDetails", "cas_ReferredOrganisation", "cas_ReferredPrimaryCaseWorker",
    "cas_ReasonForOutgoingReferral", "cas_OutgoingReferralDate", "cas_OutgoingReferralDetails",
    "cas_ReasonForCaseClosure",
)
# the field standard's own name of the sheet's misspelt column
SHEET_SPELLING = {"vic_TraffickingStatusDecisionMakingOrg":
                  "vic_TraffickinStatusDecisionMakingOrg"}
FIELD_NAME = {v: k for k, v in SHEET_SPELLING.items()}
# identifying fields: with the case's consent_to_share only
IDENTIFYING = frozenset({
    "prs_Salutation", "prs_FirstName", "prs_MiddleName", "prs_SecondName", "prs_Birthdate",
    "prs_Title", "prs_Email", "prs_HomePhone", "prs_MobilePhone", "prs_MailingCity",
    "prs_MailingCountry", "prs_MailingState", "prs_MailingStreet", "prs_MailingPostalCode",
    "prs_MailingLongitude", "prs_MailingLatitude", "prs_IdentityNumber",
})
MULTISELECT = frozenset({"prs_Citizenship", "vic_MethodOfRecruitment", "vic_MethodsOfControl",
                         "vic_TypeOfExploitation", "vic_TypeOfSexExploitation"})
SEPARATOR = ";"

GENDERS = {"female": "Feminine", "male": "Masculine", "other": "NonConforming",
           "unknown": "NonSpecifiedUnknown"}
SEXES = {**{v: k for k, v in GENDERS.items()}, "TransgenderFeminine": "other",
         "TransgenderMasculine": "other"}
STATUSES = {"trafficking_victim": "ActualVictimOfTrafficking",
            "willing_worker": "NotAVictimOfTrafficking"}
POSSIBLE = "PossibleVictimOfTrafficking"
OUTCOMES = {v: k for k, v in STATUSES.items()}
DECIDED_BY = "NGO"
FORCED_LABOUR = "ForcedLabour"
SCAM_INDUSTRY = "N_AdministrativeAndSupportServiceActivities"
ACTIVE, CLOSED, CLOSED_REFERRED = "Active", "Closed", "ClosedReferred"
REFERRED_ELSEWHERE = "referred_elsewhere"

# the picklist's order of vic_MethodsOfControl
METHODS_ORDER = (
    "PhysicalThreats", "ThreatsLawEnforcement", "ThreatensChildrenFamily", "DebtBondage",
    "FalsePromises", "PhysicalAbuse", "SexualAbuse", "TakesEarnings",
    "RestrictsFinancialAccess", "RestrictsMedicalCare", "WithholdsNecessities",
    "PsychologicalAbuse", "PsychoactiveSubstance", "ExcessiveWorkingHours",
    "WithholdsDocuments", "Other",
)
# CTDC's means of control (the catalogue's column) → HTCDS's method of control
CTDC_TO_METHOD = {
    "meansOfControlThreats": "PhysicalThreats",
    "meansOfControlThreatOfLawEnforcement": "ThreatsLawEnforcement",
    "meansOfControlDebtBondage": "DebtBondage",
    "meansOfControlFalsePromises": "FalsePromises",
    "meansOfControlPhysicalAbuse": "PhysicalAbuse",
    "meansOfControlSexualAbuse": "SexualAbuse",
    "meansOfControlTakesEarnings": "TakesEarnings",
    "meansOfControlWithholdsNecessities": "WithholdsNecessities",
    "meansOfControlPsychologicalAbuse": "PsychologicalAbuse",
    "meansOfControlExcessiveWorkingHours": "ExcessiveWorkingHours",
    "meansOfControlWithholdsDocuments": "WithholdsDocuments",
    "meansOfControlRestrictsMovement": "Other",  # HTCDS has no "restricts movement"
    "meansOfControlOther": "Other",
}
METHOD_OVERRIDES = {"CD9": "ThreatensChildrenFamily"}  # their family threatened or harmed


def _indicator_methods() -> dict[str, tuple[str, ...]]:
    methods: dict[str, tuple[str, ...]] = {}
    for indicator in INDICATORS:
        if indicator.code in METHOD_OVERRIDES:
            methods[indicator.code] = (METHOD_OVERRIDES[indicator.code],)
            continue
        found = tuple(dict.fromkeys(CTDC_TO_METHOD[ctdc_field(n)] for n in indicator.ctdc
                                    if ctdc_field(n) in CTDC_TO_METHOD))
        if found:
            methods[indicator.code] = found
    return methods


INDICATOR_METHODS = _indicator_methods()


@dataclass(frozen=True)
class HtcdsSource:
    """One case as Passage holds it."""

    organization: str
    consent_to_share: bool
    given_name: str
    family_name: str
    date_of_birth: date | None
    sex: str | None
    nationality_code: str | None
    phone: str | None
    document_number: str | None
    yes_codes: frozenset[str]  # indicators answered yes in the latest screening
    outcome: str | None
    status: str
    closure_reason: str | None
    received: Mapping[str, str] | None  # what an HTCDS import brought


def yes_codes(result: Mapping | None) -> frozenset[str]:
    if not result:
        return frozenset()
    return frozenset(code for d in result.get("dimensions", [])
                     for codes in (d.get("yes") or {}).values() for code in codes)


def methods_of_control(codes: frozenset[str]) -> list[str]:
    found = {m for code in codes for m in INDICATOR_METHODS.get(code, ())}
    return [m for m in METHODS_ORDER if m in found]


def case_status(status: str, closure_reason: str | None) -> str:
    if status != "closed":
        return ACTIVE
    return CLOSED_REFERRED if closure_reason == REFERRED_ELSEWHERE else CLOSED


def fields(source: HtcdsSource) -> dict[str, str | list[str] | bool | None]:
    """The case's HTCDS fields (field standard names), in JSON's types: lists for
    multiselects, a bool for the consent, ISO dates; identifying ones only with consent."""
    victim = source.outcome == "trafficking_victim"
    values: dict[str, str | list[str] | bool | None] = {
        "cas_CaseOwner": source.organization,
        "con_Consent": source.consent_to_share,
        "prs_FirstName": source.given_name or None,
        "prs_SecondName": source.family_name or None,
        "prs_Birthdate": source.date_of_birth.isoformat() if source.date_of_birth else None,
        "prs_MobilePhone": source.phone or None,
        "prs_IdentityNumber": source.document_number or None,
        "prs_Gender": GENDERS.get(source.sex or "unknown", "NonSpecifiedUnknown"),
        "prs_Citizenship": [source.nationality_code] if source.nationality_code else [],
        "vic_TraffickingStatus": STATUSES.get(source.outcome or "", POSSIBLE),
        "vic_TraffickingStatusDecisionMakingOrg":
            DECIDED_BY if source.outcome in STATUSES else None,
        "vic_MethodsOfControl": methods_of_control(source.yes_codes),
        "vic_TypeOfExploitation": [FORCED_LABOUR] if victim else [],
        "vic_ForcedLabourIndustry": SCAM_INDUSTRY if victim else None,
        "cas_Status": case_status(source.status, source.closure_reason),
        # a data standard's file: in English whatever the reader's language, so that it
        # imports anywhere (app.reports.htcds_import reads these words)
        "cas_ReasonForCaseClosure": (CLOSURE_REASON_LABELS.english().get(source.closure_reason)
                                     if source.status == "closed" and source.closure_reason
                                     else None),
    }
    for name, value in (source.received or {}).items():
        name = FIELD_NAME.get(name, name)
        if value in ("", None) or values.get(name) not in (None, "", []):
            continue
        values[name] = value.split(SEPARATOR) if name in MULTISELECT else value
    if not source.consent_to_share:
        for name in IDENTIFYING:
            values.pop(name, None)
    return {name: value for name, value in values.items() if value not in (None, "", [])
            or name == "con_Consent"}


def sheet_row(source: HtcdsSource) -> list[str]:
    """The case as a row of the standard's case sheet (text)."""
    values = fields(source)
    row = []
    for column in SHEET_COLUMNS:
        value = values.get(FIELD_NAME.get(column, column))
        if isinstance(value, bool):
            row.append("true" if value else "false")
        elif isinstance(value, list):
            row.append(SEPARATOR.join(value))
        else:
            row.append(value or "")
    return row
