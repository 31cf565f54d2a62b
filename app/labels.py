"""Words shown to people for the codes Passage stores: one place, so that a page, a letter
and an error message never call the same thing by two names. Keyed by the stored value (an
enum member finds its label too: StrEnum members are their values)."""

from functools import lru_cache

SUGGESTION_LABELS = {
    "trafficking_victim": "indicators of trafficking found",
    "needs_assessment": "needs assessment",
    "willing_worker": "no indicators of trafficking found",
}
OUTCOME_LABELS = {
    "trafficking_victim": "Trafficking victim",
    "willing_worker": "Willing worker",
    "undetermined": "Undetermined: needs further assessment",
}

# in the order a form offers them: "not known" first, the usual answer at a border
SEX_LABELS = {
    "unknown": "Not known",
    "female": "Female",
    "male": "Male",
    "other": "Other",
}

CASE_STATUS_LABELS = {
    "open": "Open: no determination yet",
    "determined": "Determined: support under way",
    "closed": "Closed",
}
# in the order a form offers them
CLOSURE_REASON_LABELS = {
    "repatriated": "Returned home (repatriated)",
    "relocated": "Moved to a third country or resettled",
    "local_integration": "Settled in Thailand (local integration)",
    "referred_elsewhere": "Continues with another organisation",
    "declined_assistance": "Declined assistance",
    "lost_contact": "Lost contact",
    "duplicate_record": "Duplicate record",
    "deceased": "Deceased",
}

ROLE_LABELS = {
    "caseworker": "Caseworker",
    "border_official": "Border official",
    "coordinator": "Coordinator",
    "admin": "Administrator",
}

ORGANIZATION_KIND_LABELS = {
    "ngo": "NGO",
    "border_post": "Border post",
    "coordination": "Coordination office",
    "other": "Other",
}

SERVICE_LABELS = {
    "shelter": "Shelter",
    "medical": "Medical care",
    "legal": "Legal aid",
    "psychosocial": "Psychosocial support",
    "repatriation": "Repatriation (IOM)",
    "embassy": "Embassy or consulate",
    "other": "Other service",
}

STATUS_LABELS = {
    "pending": "Pending",
    "accepted": "Accepted",
    "declined": "Declined",
    "completed": "Completed",
}

# what the referral board's buttons say for each move to a status
ACTION_LABELS = {
    "accepted": "Mark accepted",
    "declined": "Mark declined",
    "completed": "Mark completed",
}

# the grounds a person is held or charged on, as a letter's sentence says them
GROUNDS_LABELS = {
    "immigration_offence": "an immigration offence",
    "crime_under_coercion": "a crime committed under coercion",
    "other": "another offence",
}

# repatriation (app.repatriation): the stages in their order, then cancelled
REPATRIATION_STAGE_LABELS = {
    "planning": "Planning",
    "embassy_notified": "Embassy notified",
    "nationality_verified": "Nationality verified",
    "documents_ready": "Travel documents ready",
    "exit_cleared": "Cleared to leave",
    "departed": "Departed",
    "received": "Received at home",
    "cancelled": "Cancelled",
}
CONSENT_LABELS = {"yes": "Yes", "no": "No", "not_asked": "Not asked yet"}
FEAR_OF_RETURN_LABELS = {"yes": "Yes: fears returning", "no": "No",
                         "not_asked": "Not asked yet"}
PROTECTION_OUTCOME_LABELS = {
    "referred_to_unhcr": "Referred to UNHCR: not to be returned",
    "cleared": "Cleared to return",
}
TRAVEL_DOCUMENT_LABELS = {
    "with_person": "With the person",
    "held_by_compound": "Held by the compound",
    "lost": "Lost",
    "held_by_authorities": "Held by the authorities",
    "none": "Never had one",
}
EMERGENCY_DOCUMENT_LABELS = {"not_needed": "Not needed", "requested": "Requested",
                             "issued": "Issued"}
BATCH_MODE_LABELS = {"flight": "Flight", "land": "Land", "sea": "Sea"}
BATCH_STAGE_LABELS = {"planned": "Planned", "exit_cleared": "Cleared to leave",
                      "departed": "Departed", "received": "Received at home"}
CROSSING_DIRECTION_LABELS = {"entry": "Entry", "exit": "Exit"}
# A form field in a sentence ("Enter the given name"), by the field's name in the form. Fields
# that are chosen from a list rather than typed are in CHOSEN_FIELDS ("Choose the sex").
FIELD_WORDS = {
    "username": "the username", "password": "the password", "full_name": "the full name",
    "current_password": "your current password", "new_password": "the new password",
    "confirm_password": "the new password again", "role": "a role",
    "organization_id": "an organisation", "kind": "the kind of organisation",
    "name": "a name", "given_name": "the given name", "family_name": "the family name",
    "sex": "the sex", "date_of_birth": "the date of birth", "age_estimate": "the age",
    "nationality": "a nationality", "nationality_code": "a nationality",
    "document_number": "the document number", "languages": "the languages",
    "reference": "a case reference", "status": "a status", "service": "a service",
    "recipient": "the recipient's name", "notes": "the notes", "note": "a note",
    "title": "what is to be done", "due_on": "the date it is due", "who": "who does it",
    "outcome": "a determination", "rationale": "the reasons for the determination",
    "screening_id": "the screening", "reason": "a reason", "detained": "whether the person is "
    "detained", "charged": "whether the person is charged", "authority": "the authority",
    "place": "the place", "since": "the date", "grounds": "the grounds",
    "consent_to_share": "whether the person consents to sharing", "consent_given": "consent",
    "conducted_on": "the date of the interview", "language": "the language",
    "interpreter_used": "whether an interpreter was used", "recruited_on": "the recruitment date",
    "narrative": "the narrative", "from": "a start date", "to": "an end date",
    "crossing_point": "the crossing point", "compound_id": "a compound",
    "compound": "a compound", "crossed_at": "when the person crossed",
    "crossed_on": "the date of the crossing", "crossed_time": "the time of the crossing",
    "country_code": "a country", "region": "the region", "by_sex": "whether to count by sex",
    "q": "a name", "active": "active or disabled", "actor": "a username", "action": "an action",
    "entity_type": "a kind of record", "entity_id": "a record number", "format": "a format",
    "file": "a roster file", "duplicate_id": "the duplicate record",
    "labels": "how columns are named",
}
CHOSEN_FIELDS = frozenset({
    "role", "organization_id", "kind", "sex", "nationality", "nationality_code", "status",
    "service", "outcome", "screening_id", "reason", "detained", "charged", "grounds",
    "consent_to_share", "interpreter_used", "compound_id", "compound", "country_code",
    "by_sex", "active", "entity_type", "format", "file", "duplicate_id", "consent_given",
    "action", "outcome_filter", "labels",
})

# what a case waits for next (the cases list, the home page)
NEXT_STEP_LABELS = {
    "interview": "Intake interview",
    "decide": "Decide",
    "follow_up": "Follow-up due",
    "referral": "Referral pending",
    "none": "Nothing waiting",
    "closed": "Closed",
}

# The audit log's actions in words, for its filter: "person.read" is "Person record: read".
# An action not named here still reads in words, from its two halves.
AUDIT_ENTITY_WORDS = {
    "audit": "Audit log", "auth": "Sign-in", "case": "Case", "compound": "Compound",
    "crossing": "Crossing", "csrf": "Form check", "detention": "Detention record",
    "determination": "Determination", "export": "Export", "follow_up": "Follow-up",
    "import": "Import", "interview": "Interview", "organization": "Organisation",
    "person": "Person record", "referral": "Referral", "repatriation": "Repatriation",
    "repatriation_batch": "Repatriation batch", "screening": "Screening",
    "stats": "Statistics", "user": "User account", "database": "Database",
}
AUDIT_VERB_WORDS = {
    "read": "read", "list": "listed", "create": "created", "update": "changed",
    "close": "closed", "reopen": "reopened", "history": "history read", "search": "searched",
    "export": "exported", "sign_in": "signed in", "sign_out": "signed out",
    "lock": "name locked", "lock_lift": "lock lifted", "password_change": "password changed",
    "set_password": "password set with a code", "merge": "merged", "merge_undo": "merge undone",
    "merged_into": "followed to the record it was merged into", "link": "linked",
    "links": "links read", "duplicate_check": "duplicates checked",
    "duplicates": "duplicates listed", "consent_to_share": "consent to share changed",
    "import_checked": "roster checked", "letter": "letter made", "check": "refused",
    "rescreen": "screened again", "rescreen_preview": "re-screening previewed",
    "confirm": "confirmed", "enable": "enabled", "global_admin_revoke": "Passage-wide "
    "administration removed", "password_reset": "password reset",
    "sessions_end": "signed out everywhere", "set_password_code": "set-password code made",
    "join_batch": "joined a batch", "departure": "departure list read",
    "exit": "exit recorded", "manifest": "manifest made", "integrity": "integrity read",
    "outcomes": "outcome counts read", "pipeline": "pipeline read", "htcds": "HTCDS read",
    "ctdc": "CTDC data set", "referrals": "referral report", "statistics": "statistics",
    "token_revoke": "access token revoked", "record_search": "records searched",
    "import": "roster imported", "backup": "backed up", "restore": "restored",
    "fear_of_return": "fear of return withdrawn",
    "protection_assessment": "protection assessment recorded", "disable": "disabled",
    "global_admin_grant": "Passage-wide administration given",
}
# every action Passage records (tests/test_audit_actions_listed.py reads them from the code)
AUDIT_ACTIONS = (
    "audit.export", "auth.lock", "auth.lock_lift", "auth.password_change", "auth.set_password",
    "auth.sign_in", "auth.sign_out", "auth.token_revoke", "case.close", "case.consent_to_share",
    "case.create", "case.history", "case.htcds", "case.list", "case.read", "case.record_search",
    "case.reopen", "compound.create", "crossing.create", "crossing.import",
    "crossing.import_checked", "crossing.list", "csrf.check", "database.backup",
    "database.restore", "detention.create", "detention.read", "detention.update",
    "determination.create", "determination.read", "export.ctdc", "export.htcds",
    "export.letter", "export.referrals", "export.statistics", "follow_up.create",
    "follow_up.list", "follow_up.update", "import.htcds", "interview.create", "interview.read",
    "organization.create", "person.create", "person.duplicate_check", "person.duplicates",
    "person.link", "person.links", "person.list", "person.merge", "person.merge_undo",
    "person.merged_into", "person.read", "person.search", "person.update", "referral.create",
    "referral.letter", "referral.list", "referral.read", "referral.update", "repatriation.create",
    "repatriation.fear_of_return", "repatriation.join_batch",
    "repatriation.protection_assessment", "repatriation.read", "repatriation.update",
    "repatriation_batch.create", "repatriation_batch.departure", "repatriation_batch.exit",
    "repatriation_batch.list", "repatriation_batch.manifest", "repatriation_batch.read",
    "repatriation_batch.update", "screening.read", "screening.rescreen",
    "screening.rescreen_preview", "stats.export", "stats.integrity", "stats.outcomes",
    "stats.pipeline", "user.confirm", "user.create", "user.disable", "user.enable",
    "user.global_admin_grant", "user.global_admin_revoke", "user.password_reset", "user.read",
    "user.sessions_end", "user.set_password_code", "user.update",
)


def audit_action_words(action: str) -> str:
    """An audit action in words: "person.read" -> "Person record: read"; "auth.*" -> "Every
    sign-in event"."""
    entity, _, verb = action.partition(".")
    noun = AUDIT_ENTITY_WORDS.get(entity, entity.replace("_", " ").capitalize())
    if verb == "*":
        return f"Every {noun.lower() if noun != 'Sign-in' else 'sign-in'} event"
    return f"{noun}: {AUDIT_VERB_WORDS.get(verb, verb.replace('_', ' '))}"


@lru_cache
def country_names() -> dict[str, str]:
    """Every ISO 3166-1 country's English name by its two-letter code, as the nationalities
    table holds them (the data migration loads the same names from pycountry)."""
    import pycountry

    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


def country_name(code: str | None) -> str:
    """A country or nationality in words ("Myanmar" for MM); the code itself if unknown."""
    if not code:
        return ""
    return country_names().get(code.upper(), code)
