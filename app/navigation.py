"""The destinations of the navigation and the home page. Each is shown only to users who hold
the permission that guards its route; later features add their entries here."""

from dataclasses import dataclass

from app.auth.permissions import Permission
from app.i18n import N_


@dataclass(frozen=True)
class Destination:
    label: str
    href: str
    permission: Permission
    description: str


DESTINATIONS: tuple[Destination, ...] = (
    # no role holds both permissions of a pair below, so no one sees an entry twice
    Destination(N_("People"), "/people", Permission.PERSON_READ_OWN_ORG,
                N_("Find a person by name, nationality or case reference; register someone new.")),
    Destination(N_("People"), "/people", Permission.PERSON_READ_ALL,
                N_("Find a person by name, nationality or case reference.")),
    Destination(N_("Cases"), "/cases", Permission.CASE_READ_OWN_ORG,
                N_("Your organisation's cases: intake interviews, screening and determinations.")),
    Destination(N_("Cases"), "/cases", Permission.SCREENING_READ_ALL,
                N_("Every case's screening suggestions and determinations.")),
    Destination(N_("Referrals"), "/referrals", Permission.REFERRAL_READ_OWN_ORG,
                N_("Your organisation's referrals to shelters, doctors, lawyers and embassies.")),
    Destination(N_("Referrals"), "/referrals", Permission.REFERRAL_READ_ALL,
                N_("The referral board: follow every referral and move its status on.")),
    Destination(N_("Work queue"), "/follow-ups", Permission.FOLLOW_UP_READ,
                N_("Follow-ups of cases, overdue first: mark them done as you go.")),
    Destination(N_("Screening integrity"), "/stats/integrity", Permission.INTEGRITY_READ,
                N_("Where determinations depart from the suggestions: by organisation, "
                "nationality, language; overrides tested.")),
    Destination(N_("Non-punishment letters"), "/non-punishment", Permission.NON_PUNISHMENT_LETTER,
                N_("Detained or charged people with indicators of trafficking and no letter yet.")),
    Destination(N_("Exports"), "/exports", Permission.EXPORTS_PAGE,
                N_("Download reports: referrals, statistics without names, the CTDC data set.")),
    Destination(N_("Compounds"), "/compounds", Permission.COMPOUND_READ,
                N_("The scam compounds people come from; coordinators and administrators add "
                   "them.")),
    Destination(N_("Crossings"), "/crossings", Permission.CROSSING_READ,
                N_("Record a crossing in a few fields, and look up the crossings on record.")),
    Destination(N_("Import roster"), "/crossings/import", Permission.CROSSING_CREATE,
                N_("Record a whole list of people who crossed from a CSV or XLSX roster.")),
    Destination(N_("Repatriation"), "/repatriation", Permission.REPATRIATION_BATCHES,
                N_("Who is ready to go home, by nationality; embassy batches and their "
                   "manifests.")),
    Destination(N_("Departures"), "/repatriation", Permission.REPATRIATION_DEPARTURE,
                N_("Batches leaving the country: tick each person as they pass.")),
    Destination(N_("Pipeline"), "/stats/pipeline", Permission.PIPELINE_READ,
                N_("From crossing to closure: how many reached each stage, by nationality.")),
    Destination(N_("Outcome counts"), "/stats/outcomes", Permission.STATS_READ,
                N_("Cases by nationality, screening suggestion and determination; no names.")),
    Destination(N_("Nationality counts"), "/stats/nationalities", Permission.STATS_READ,
                N_("How many people of each nationality crossed, when and where: table, "
                   "chart, CSV.")),
    Destination(N_("Users"), "/admin/users", Permission.USER_ADMIN,
                N_("Add people who use Passage, change their role, disable them.")),
    Destination(N_("Organisations"), "/admin/organizations", Permission.ORGANIZATION_ADMIN,
                N_("The NGOs, border posts and offices whose staff use Passage.")),
    Destination(N_("Sign-in locks"), "/admin/sign-in-locks", Permission.USER_ADMIN,
                N_("Names locked after repeated failed sign-ins; lift a lock.")),
    Destination(N_("Audit log"), "/admin/audit", Permission.AUDIT_READ,
                N_("Who did what to which record, when and from where; download as CSV.")),
    Destination(N_("Confirm users"), "/confirmations", Permission.USER_CONFIRM,
                N_("People an administrator added to your organisation: they see nothing of it "
                "until one of you confirms them.")),
    Destination(N_("Your password"), "/account/password", Permission.OWN_ACCOUNT,
                N_("Change your password; signs you out everywhere else.")),
)
