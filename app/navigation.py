"""The destinations of the navigation and the home page. Each is shown only to users who hold
the permission that guards its route; later features add their entries here."""

from dataclasses import dataclass

from app.auth.permissions import Permission


@dataclass(frozen=True)
class Destination:
    label: str
    href: str
    permission: Permission
    description: str


DESTINATIONS: tuple[Destination, ...] = (
    # no role holds both permissions of a pair below, so no one sees an entry twice
    Destination("People", "/people", Permission.PERSON_READ_OWN_ORG,
                "Find a person by name, nationality or case reference; register someone new."),
    Destination("People", "/people", Permission.PERSON_READ_ALL,
                "Find a person by name, nationality or case reference."),
    Destination("Cases", "/cases", Permission.CASE_READ_OWN_ORG,
                "Your organisation's cases: intake interviews, screening and determinations."),
    Destination("Cases", "/cases", Permission.SCREENING_READ_ALL,
                "Every case's screening suggestions and determinations."),
    Destination("Referrals", "/referrals", Permission.REFERRAL_READ_OWN_ORG,
                "Your organisation's referrals to shelters, doctors, lawyers and embassies."),
    Destination("Referrals", "/referrals", Permission.REFERRAL_READ_ALL,
                "The referral board: follow every referral and move its status on."),
    Destination("Work queue", "/follow-ups", Permission.FOLLOW_UP_READ,
                "Follow-ups of cases, overdue first: mark them done as you go."),
    Destination("Screening integrity", "/stats/integrity", Permission.INTEGRITY_READ,
                "Where determinations depart from the suggestions: by organisation, "
                "nationality, language; overrides tested."),
    Destination("Non-punishment letters", "/non-punishment", Permission.NON_PUNISHMENT_LETTER,
                "Detained or charged people with indicators of trafficking and no letter yet."),
    Destination("Exports", "/exports", Permission.EXPORTS_PAGE,
                "Download reports: referrals, statistics without names, the CTDC data set."),
    Destination("Compounds", "/compounds", Permission.COMPOUND_READ,
                "The scam compounds people come from; coordinators and administrators add them."),
    Destination("Crossings", "/crossings", Permission.CROSSING_READ,
                "Record a crossing in a few fields, and look up the crossings on record."),
    Destination("Import roster", "/crossings/import", Permission.CROSSING_CREATE,
                "Record a whole list of people who crossed from a CSV or XLSX roster."),
    Destination("Repatriation", "/repatriation", Permission.REPATRIATION_BATCHES,
                "Who is ready to go home, by nationality; embassy batches and their manifests."),
    Destination("Departures", "/repatriation", Permission.REPATRIATION_DEPARTURE,
                "Batches leaving the country: tick each person as they pass."),
    Destination("Pipeline", "/stats/pipeline", Permission.PIPELINE_READ,
                "From crossing to closure: how many reached each stage, by nationality."),
    Destination("Outcome counts", "/stats/outcomes", Permission.STATS_READ,
                "Cases by nationality, screening suggestion and determination; no names."),
    Destination("Nationality counts", "/stats/nationalities", Permission.STATS_READ,
                "How many people of each nationality crossed, when and where: table, chart, CSV."),
    Destination("Users", "/admin/users", Permission.USER_ADMIN,
                "Add people who use Passage, change their role, disable them."),
    Destination("Organisations", "/admin/organizations", Permission.ORGANIZATION_ADMIN,
                "The NGOs, border posts and offices whose staff use Passage."),
    Destination("Sign-in locks", "/admin/sign-in-locks", Permission.USER_ADMIN,
                "Names locked after repeated failed sign-ins; lift a lock."),
    Destination("Audit log", "/admin/audit", Permission.AUDIT_READ,
                "Who did what to which record, when and from where; download as CSV."),
    Destination("Confirm users", "/confirmations", Permission.USER_CONFIRM,
                "People an administrator added to your organisation: they see nothing of it "
                "until one of you confirms them."),
    Destination("Your password", "/account/password", Permission.OWN_ACCOUNT,
                "Change your password; signs you out everywhere else."),
)
