"""Words shown to people for the codes Passage stores: one place, so that a page, a letter
and an error message never call the same thing by two names. Keyed by the stored value (an
enum member finds its label too: StrEnum members are their values)."""

from functools import lru_cache

from app.i18n import N_, Labels, gettext

SUGGESTION_LABELS = Labels({
    "trafficking_victim": N_("indicators of trafficking found"),
    "needs_assessment": N_("needs assessment"),
    "willing_worker": N_("no indicators of trafficking found"),
})
OUTCOME_LABELS = Labels({
    "trafficking_victim": N_("Trafficking victim"),
    "willing_worker": N_("Willing worker"),
    "undetermined": N_("Undetermined: needs further assessment"),
})

# in the order a form offers them: "not known" first, the usual answer at a border
SEX_LABELS = Labels({
    "unknown": N_("Not known"),
    "female": N_("Female"),
    "male": N_("Male"),
    "other": N_("Other"),
})

CASE_STATUS_LABELS = Labels({
    "open": N_("Open: no determination yet"),
    "determined": N_("Determined: support under way"),
    "closed": N_("Closed"),
})
# in the order a form offers them
CLOSURE_REASON_LABELS = Labels({
    "repatriated": N_("Returned home (repatriated)"),
    "relocated": N_("Moved to a third country or resettled"),
    "local_integration": N_("Settled in Thailand (local integration)"),
    "referred_elsewhere": N_("Continues with another organisation"),
    "declined_assistance": N_("Declined assistance"),
    "lost_contact": N_("Lost contact"),
    "duplicate_record": N_("Duplicate record"),
    "deceased": N_("Deceased"),
})

ROLE_LABELS = Labels({
    "caseworker": N_("Caseworker"),
    "border_official": N_("Border official"),
    "coordinator": N_("Coordinator"),
    "admin": N_("Administrator"),
})

ORGANIZATION_KIND_LABELS = Labels({
    "ngo": N_("NGO"),
    "border_post": N_("Border post"),
    "coordination": N_("Coordination office"),
    "other": N_("Other"),
})

SERVICE_LABELS = Labels({
    "shelter": N_("Shelter"),
    "medical": N_("Medical care"),
    "legal": N_("Legal aid"),
    "psychosocial": N_("Psychosocial support"),
    "repatriation": N_("Repatriation (IOM)"),
    "embassy": N_("Embassy or consulate"),
    "other": N_("Other service"),
})

STATUS_LABELS = Labels({
    "pending": N_("Pending"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "completed": N_("Completed"),
})

# what the referral board's buttons say for each move to a status
ACTION_LABELS = Labels({
    "accepted": N_("Mark accepted"),
    "declined": N_("Mark declined"),
    "completed": N_("Mark completed"),
})

# the grounds a person is held or charged on, as a letter's sentence says them
GROUNDS_LABELS = Labels({
    "immigration_offence": N_("an immigration offence"),
    "crime_under_coercion": N_("a crime committed under coercion"),
    "other": N_("another offence"),
})

# repatriation (app.repatriation): the stages in their order, then cancelled
REPATRIATION_STAGE_LABELS = Labels({
    "planning": N_("Planning"),
    "embassy_notified": N_("Embassy notified"),
    "nationality_verified": N_("Nationality verified"),
    "documents_ready": N_("Travel documents ready"),
    "exit_cleared": N_("Cleared to leave"),
    "departed": N_("Departed"),
    "received": N_("Received at home"),
    "cancelled": N_("Cancelled"),
})
CONSENT_LABELS = Labels({"yes": N_("Yes"), "no": N_("No"), "not_asked": N_("Not asked yet")})
FEAR_OF_RETURN_LABELS = Labels({"yes": N_("Yes: fears returning"), "no": N_("No"),
                         "not_asked": N_("Not asked yet")})
PROTECTION_OUTCOME_LABELS = Labels({
    "referred_to_unhcr": N_("Referred to UNHCR: not to be returned"),
    "cleared": N_("Cleared to return"),
})
TRAVEL_DOCUMENT_LABELS = Labels({
    "with_person": N_("With the person"),
    "held_by_compound": N_("Held by the compound"),
    "lost": N_("Lost"),
    "held_by_authorities": N_("Held by the authorities"),
    "none": N_("Never had one"),
})
EMERGENCY_DOCUMENT_LABELS = Labels({"not_needed": N_("Not needed"), "requested": N_("Requested"),
                             "issued": N_("Issued")})
BATCH_MODE_LABELS = Labels({"flight": N_("Flight"), "land": N_("Land"), "sea": N_("Sea")})
BATCH_STAGE_LABELS = Labels({"planned": N_("Planned"), "exit_cleared": N_("Cleared to leave"),
                      "departed": N_("Departed"), "received": N_("Received at home")})
CROSSING_DIRECTION_LABELS = Labels({"entry": N_("Entry"), "exit": N_("Exit")})
# A form field in a sentence ("Enter the given name"), by the field's name in the form. Fields
# that are chosen from a list rather than typed are in CHOSEN_FIELDS ("Choose the sex").
FIELD_WORDS = Labels(
    {
        "username": N_("the username"),
        "password": N_("the password"),
        "full_name": N_("the full name"),
        "current_password": N_("your current password"),
        "new_password": N_("the new password"),
        "confirm_password": N_("the new password again"),
        "role": N_("a role"),
        "organization_id": N_("an organisation"),
        "kind": N_("the kind of organisation"),
        "name": N_("a name"),
        "given_name": N_("the given name"),
        "family_name": N_("the family name"),
        "sex": N_("the sex"),
        "date_of_birth": N_("the date of birth"),
        "age_estimate": N_("the age"),
        "nationality": N_("a nationality"),
        "nationality_code": N_("a nationality"),
        "document_number": N_("the document number"),
        "languages": N_("the languages"),
        "reference": N_("a case reference"),
        "status": N_("a status"),
        "service": N_("a service"),
        "recipient": N_("the recipient's name"),
        "notes": N_("the notes"),
        "note": N_("a note"),
        "title": N_("what is to be done"),
        "due_on": N_("the date it is due"),
        "who": N_("who does it"),
        "outcome": N_("a determination"),
        "rationale": N_("the reasons for the determination"),
        "screening_id": N_("the screening"),
        "reason": N_("a reason"),
        "detained": N_("whether the person is detained"),
        "charged": N_("whether the person is charged"),
        "authority": N_("the authority"),
        "place": N_("the place"),
        "since": N_("the date"),
        "grounds": N_("the grounds"),
        "consent_to_share": N_("whether the person consents to sharing"),
        "consent_given": N_("consent"),
        "conducted_on": N_("the date of the interview"),
        "language": N_("the language"),
        "interpreter_used": N_("whether an interpreter was used"),
        "recruited_on": N_("the recruitment date"),
        "narrative": N_("the narrative"),
        "from": N_("a start date"),
        "to": N_("an end date"),
        "crossing_point": N_("the crossing point"),
        "compound_id": N_("a compound"),
        "compound": N_("a compound"),
        "crossed_at": N_("when the person crossed"),
        "crossed_on": N_("the date of the crossing"),
        "crossed_time": N_("the time of the crossing"),
        "country_code": N_("a country"),
        "region": N_("the region"),
        "by_sex": N_("whether to count by sex"),
        "q": N_("a name"),
        "active": N_("active or disabled"),
        "actor": N_("a username"),
        "action": N_("an action"),
        "entity_type": N_("a kind of record"),
        "entity_id": N_("a record number"),
        "format": N_("a format"),
        "file": N_("a roster file"),
        "duplicate_id": N_("the duplicate record"),
        "labels": N_("how columns are named"),
    }
)
CHOSEN_FIELDS = frozenset({
    "role", "organization_id", "kind", "sex", "nationality", "nationality_code", "status",
    "service", "outcome", "screening_id", "reason", "detained", "charged", "grounds",
    "consent_to_share", "interpreter_used", "compound_id", "compound", "country_code",
    "by_sex", "active", "entity_type", "format", "file", "duplicate_id", "consent_given",
    "action", "outcome_filter", "labels",
})

# what a case waits for next (the cases list, the home page)
NEXT_STEP_LABELS = Labels({
    "interview": N_("Intake interview"),
    "decide": N_("Decide"),
    "follow_up": N_("Follow-up due"),
    "referral": N_("Referral pending"),
    "none": N_("Nothing waiting"),
    "closed": N_("Closed"),
})

# The audit log's actions in words, for its filter: "person.read" is "Person record: read".
# An action not named here still reads in words, from its two halves.
AUDIT_ENTITY_WORDS = Labels(
    {
        "audit": N_("Audit log"),
        "auth": N_("Sign-in"),
        "case": N_("Case"),
        "compound": N_("Compound"),
        "crossing": N_("Crossing"),
        "csrf": N_("Form check"),
        "detention": N_("Detention record"),
        "determination": N_("Determination"),
        "export": N_("Export"),
        "follow_up": N_("Follow-up"),
        "import": N_("Import"),
        "interview": N_("Interview"),
        "organization": N_("Organisation"),
        "person": N_("Person record"),
        "referral": N_("Referral"),
        "repatriation": N_("Repatriation"),
        "repatriation_batch": N_("Repatriation batch"),
        "screening": N_("Screening"),
        "stats": N_("Statistics"),
        "user": N_("User account"),
        "database": N_("Database"),
    }
)
AUDIT_VERB_WORDS = Labels(
    {
        "read": N_("read"),
        "list": N_("listed"),
        "create": N_("created"),
        "update": N_("changed"),
        "close": N_("closed"),
        "reopen": N_("reopened"),
        "history": N_("history read"),
        "search": N_("searched"),
        "export": N_("exported"),
        "sign_in": N_("signed in"),
        "sign_out": N_("signed out"),
        "lock": N_("name locked"),
        "lock_lift": N_("lock lifted"),
        "password_change": N_("password changed"),
        "set_password": N_("password set with a code"),
        "merge": N_("merged"),
        "merge_undo": N_("merge undone"),
        "merged_into": N_("followed to the record it was merged into"),
        "link": N_("linked"),
        "links": N_("links read"),
        "duplicate_check": N_("duplicates checked"),
        "duplicates": N_("duplicates listed"),
        "consent_to_share": N_("consent to share changed"),
        "import_checked": N_("roster checked"),
        "letter": N_("letter made"),
        "check": N_("refused"),
        "rescreen": N_("screened again"),
        "rescreen_preview": N_("re-screening previewed"),
        "confirm": N_("confirmed"),
        "enable": N_("enabled"),
        "global_admin_revoke": N_("Passage-wide administration removed"),
        "password_reset": N_("password reset"),
        "sessions_end": N_("signed out everywhere"),
        "language": N_("language changed"),
        "set_password_code": N_("set-password code made"),
        "join_batch": N_("joined a batch"),
        "departure": N_("departure list read"),
        "exit": N_("exit recorded"),
        "manifest": N_("manifest made"),
        "integrity": N_("integrity read"),
        "outcomes": N_("outcome counts read"),
        "pipeline": N_("pipeline read"),
        "htcds": N_("HTCDS read"),
        "ctdc": N_("CTDC data set"),
        "referrals": N_("referral report"),
        "statistics": N_("statistics"),
        "token_revoke": N_("access token revoked"),
        "record_search": N_("records searched"),
        "import": N_("roster imported"),
        "backup": N_("backed up"),
        "restore": N_("restored"),
        "fear_of_return": N_("fear of return withdrawn"),
        "protection_assessment": N_("protection assessment recorded"),
        "disable": N_("disabled"),
        "global_admin_grant": N_("Passage-wide administration given"),
    }
)
# every action Passage records (tests/test_audit_actions_listed.py reads them from the code)
AUDIT_ACTIONS = (
    "audit.export",
    "auth.lock",
    "auth.lock_lift",
    "auth.password_change",
    "auth.set_password",
    "auth.sign_in",
    "auth.sign_out",
    "auth.token_revoke",
    "case.close",
    "case.consent_to_share",
    "case.create",
    "case.history",
    "case.htcds",
    "case.list",
    "case.read",
    "case.record_search",
    "case.reopen",
    "compound.create",
    "crossing.create",
    "crossing.import",
    "crossing.import_checked",
    "crossing.list",
    "csrf.check",
    "database.backup",
    "database.restore",
    "detention.create",
    "detention.read",
    "detention.update",
    "determination.create",
    "determination.read",
    "export.ctdc",
    "export.htcds",
    "export.letter",
    "export.referrals",
    "export.statistics",
    "follow_up.create",
    "follow_up.list",
    "follow_up.update",
    "import.htcds",
    "interview.create",
    "interview.read",
    "organization.create",
    "person.create",
    "person.duplicate_check",
    "person.duplicates",
    "person.link",
    "person.links",
    "person.list",
    "person.merge",
    "person.merge_undo",
    "person.merged_into",
    "person.read",
    "person.search",
    "person.update",
    "referral.create",
    "referral.letter",
    "referral.list",
    "referral.read",
    "referral.update",
    "repatriation.create",
    "repatriation.fear_of_return",
    "repatriation.join_batch",
    "repatriation.protection_assessment",
    "repatriation.read",
    "repatriation.update",
    "repatriation_batch.create",
    "repatriation_batch.departure",
    "repatriation_batch.exit",
    "repatriation_batch.list",
    "repatriation_batch.manifest",
    "repatriation_batch.read",
    "repatriation_batch.update",
    "screening.read",
    "screening.rescreen",
    "screening.rescreen_preview",
    "stats.export",
    "stats.integrity",
    "stats.outcomes",
    "stats.pipeline",
    "user.confirm",
    "user.create",
    "user.disable",
    "user.enable",
    "user.global_admin_grant",
    "user.global_admin_revoke",
    "user.language",
    "user.password_reset",
    "user.read",
    "user.sessions_end",
    "user.set_password_code",
    "user.update",
)


def audit_action_words(action: str) -> str:
    """An audit action in words: "person.read" -> "Person record: read"; "auth.*" -> "Every
    sign-in event"."""
    entity, _dot, verb = action.partition(".")
    noun = AUDIT_ENTITY_WORDS.get(entity, entity.replace("_", " ").capitalize())
    if verb == "*":
        return gettext("Every %(record)s event") % {"record": noun.lower()}
    return gettext("%(record)s: %(verb)s") % {
        "record": noun, "verb": AUDIT_VERB_WORDS.get(verb, verb.replace("_", " "))}


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
