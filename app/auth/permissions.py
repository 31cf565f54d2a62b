"""Roles and permissions as data (DESIGN.md, "Roles and what each may see").

Nothing else in the code compares a user's role: it asks can(user, permission).
Row-level limits (a caseworker's own organisation) live in each domain's scope helper.
"""

from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    CASEWORKER = "caseworker"
    BORDER_OFFICIAL = "border_official"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Permission(StrEnum):
    # people
    PERSON_CREATE = "person:create"
    PERSON_READ_OWN_ORG = "person:read_own_org"  # registered/imported by, or case held by, own org
    PERSON_READ_ALL = "person:read_all"
    # likely duplicates among the records they see; another organisation's record found by
    # the person's own details, a few times a day (app.people.identity)
    PERSON_DUPLICATE_SEARCH = "person:duplicate_search"
    PERSON_MERGE = "person:merge"  # merge two records of one person, undo a merge
    # crossings
    CROSSING_CREATE = "crossing:create"
    CROSSING_READ = "crossing:read"  # own organisation's records, or all with PERSON_READ_ALL
    CROSSING_READ_OWN_CASES = "crossing:read_own_cases"
    # cases, interviews, screening, determinations
    CASE_WRITE = "case:write"
    CASE_READ_OWN_ORG = "case:read_own_org"
    INTERVIEW_WRITE = "interview:write"
    INTERVIEW_READ = "interview:read"  # answers and narrative
    SCREENING_READ = "screening:read"
    SCREENING_READ_ALL = "screening:read_all"
    DETERMINATION_WRITE = "determination:write"
    SCREENING_RESCREEN = "screening:rescreen"  # add a newer rules version's suggestions
    SCREENING_RESCREEN_PREVIEW = "screening:rescreen_preview"  # what it would move
    INTEGRITY_READ = "stats:integrity"  # suggestion against determination, overrides
    # follow-ups: dated tasks on a case (closing and reopening a case is CASE_WRITE)
    FOLLOW_UP_WRITE = "follow_up:write"
    FOLLOW_UP_READ = "follow_up:read"
    # non-punishment: the detention record of a case and the letter to the authority
    DETENTION_WRITE = "detention:write"
    DETENTION_READ = "detention:read"
    NON_PUNISHMENT_LETTER = "letter:non_punishment"
    # repatriation (app.repatriation): a case's repatriation; the embassy batches; their
    # manifests (names for the embassy); the departure list and the exits at the border
    REPATRIATION_WRITE = "repatriation:write"
    REPATRIATION_READ = "repatriation:read"
    REPATRIATION_BATCHES = "repatriation:batches"  # make batches, move them a stage
    REPATRIATION_BATCH_READ = "repatriation:batch_read"
    REPATRIATION_MANIFEST = "repatriation:manifest"
    REPATRIATION_DEPARTURE = "repatriation:departure"  # every member's name and document
    # the safeguard's judgement: record a protection assessment, withdraw a fear of return
    # (the owning organisation's caseworkers, who heard the person; anyone who changes a
    # repatriation may record a fear)
    REPATRIATION_PROTECTION = "repatriation:protection"
    # referrals
    REFERRAL_CREATE = "referral:create"
    REFERRAL_READ_OWN_ORG = "referral:read_own_org"
    REFERRAL_READ_ALL = "referral:read_all"
    REFERRAL_UPDATE_STATUS = "referral:update_status"
    # aggregates and exports
    STATS_READ = "stats:read"
    # counts beyond crossings read exactly, for any range of days (app.reports.disclosure)
    STATS_EXACT = "stats:exact"
    # the pipeline from crossing to closure: its crossing and departure counts, and with
    # PIPELINE_STAGES every stage between
    PIPELINE_READ = "stats:pipeline"
    PIPELINE_STAGES = "stats:pipeline_stages"
    EXPORT_REFERRALS_OWN_ORG = "export:referrals_own_org"
    EXPORT_REFERRALS_ALL = "export:referrals_all"
    EXPORT_STATISTICS = "export:statistics"
    EXPORT_CTDC = "export:ctdc"
    # the organisation's cases in IOM's HTCDS: each case (JSON), the case sheet (CSV, XLSX),
    # and an HTCDS case sheet imported as people and cases of the organisation
    HTCDS_EXCHANGE = "exchange:htcds"
    EXPORTS_PAGE = "export:page"  # the exports page: roles holding at least one export above
    # reference data and administration
    COMPOUND_READ = "compound:read"
    COMPOUND_WRITE = "compound:write"
    USER_ADMIN = "user:admin"  # the users of one's own organisation
    # Passage-wide administration: every organisation's users, and the organisations. No role
    # holds these: an administrator given the Passage-wide flag at the command line does
    # (`passage grant-global-admin`)
    USER_ADMIN_ALL = "user:admin_all"
    ORGANIZATION_ADMIN = "organization:admin"
    # the two-person rule: confirm a user an administrator added to one's organisation
    USER_CONFIRM = "user:confirm"
    AUDIT_READ = "audit:read"  # the events of one's own organisation's staff
    AUDIT_READ_ALL = "audit:read_all"  # every event (Passage-wide administrators)
    # every signed-in user, on their own account
    OWN_ACCOUNT = "account:own"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CASEWORKER: frozenset({
        P.OWN_ACCOUNT,
        P.PERSON_CREATE, P.PERSON_READ_OWN_ORG, P.PERSON_DUPLICATE_SEARCH,
        P.CROSSING_READ_OWN_CASES,
        P.CASE_WRITE, P.CASE_READ_OWN_ORG, P.INTERVIEW_WRITE, P.INTERVIEW_READ,
        P.FOLLOW_UP_WRITE, P.FOLLOW_UP_READ,
        P.SCREENING_READ, P.DETERMINATION_WRITE,
        P.SCREENING_RESCREEN_PREVIEW, P.INTEGRITY_READ,
        P.DETENTION_WRITE, P.DETENTION_READ, P.NON_PUNISHMENT_LETTER,
        P.REPATRIATION_WRITE, P.REPATRIATION_READ, P.REPATRIATION_BATCH_READ,
        P.REPATRIATION_PROTECTION,
        P.REFERRAL_CREATE, P.REFERRAL_READ_OWN_ORG,
        P.STATS_READ, P.EXPORT_REFERRALS_OWN_ORG, P.EXPORTS_PAGE, P.HTCDS_EXCHANGE,
        P.PIPELINE_READ, P.PIPELINE_STAGES,
        P.COMPOUND_READ,
        P.USER_CONFIRM,
    }),
    Role.BORDER_OFFICIAL: frozenset({
        P.OWN_ACCOUNT,
        P.PERSON_CREATE, P.PERSON_READ_OWN_ORG,
        P.CROSSING_CREATE, P.CROSSING_READ,
        P.REPATRIATION_BATCH_READ, P.REPATRIATION_DEPARTURE,
        P.STATS_READ, P.EXPORT_STATISTICS, P.EXPORTS_PAGE,
        P.PIPELINE_READ,
        P.COMPOUND_READ,
    }),
    Role.COORDINATOR: frozenset({
        P.OWN_ACCOUNT,
        P.PERSON_READ_ALL, P.PERSON_MERGE,
        P.CROSSING_READ,
        P.SCREENING_READ, P.SCREENING_READ_ALL, P.FOLLOW_UP_READ,
        P.SCREENING_RESCREEN, P.SCREENING_RESCREEN_PREVIEW, P.INTEGRITY_READ,
        P.DETENTION_READ, P.NON_PUNISHMENT_LETTER,
        P.REPATRIATION_WRITE, P.REPATRIATION_READ, P.REPATRIATION_BATCHES,
        P.REPATRIATION_BATCH_READ, P.REPATRIATION_MANIFEST,
        P.REFERRAL_READ_ALL, P.REFERRAL_UPDATE_STATUS,
        P.STATS_READ, P.EXPORT_REFERRALS_ALL, P.EXPORT_STATISTICS, P.EXPORT_CTDC, P.EXPORTS_PAGE,
        P.STATS_EXACT, P.PIPELINE_READ, P.PIPELINE_STAGES,
        P.COMPOUND_READ, P.COMPOUND_WRITE,
        P.USER_CONFIRM,
    }),
    Role.ADMIN: frozenset({
        P.OWN_ACCOUNT,
        P.STATS_READ,
        P.COMPOUND_READ, P.COMPOUND_WRITE,
        P.USER_ADMIN, P.AUDIT_READ,
    }),
}
# what an administrator holding the Passage-wide flag holds besides their role's
GLOBAL_ADMIN_PERMISSIONS: frozenset[Permission] = frozenset({P.USER_ADMIN_ALL,
                                                            P.ORGANIZATION_ADMIN,
                                                            P.AUDIT_READ_ALL})
# all a user awaiting confirmation (app.auth.confirmation) may do: their own account
AWAITING_CONFIRMATION_PERMISSIONS: frozenset[Permission] = frozenset({P.OWN_ACCOUNT})

class HasRole(Protocol):
    role: str
    is_active: bool
    awaiting_confirmation: bool
    global_admin: bool


def permissions_of(user: HasRole | None) -> frozenset[Permission]:
    """What the user may do: their role's permissions; with the Passage-wide flag, an
    administrator's also GLOBAL_ADMIN_PERMISSIONS; awaiting confirmation, only their own
    account (whatever the role)."""
    if user is None or not user.is_active:
        return frozenset()
    try:
        role = Role(user.role)
    except ValueError:
        return frozenset()
    permissions = ROLE_PERMISSIONS[role]
    if user.awaiting_confirmation:
        return permissions & AWAITING_CONFIRMATION_PERMISSIONS
    if role is Role.ADMIN and user.global_admin:
        permissions = permissions | GLOBAL_ADMIN_PERMISSIONS
    return permissions


def can(user: HasRole | None, permission: Permission) -> bool:
    return permission in permissions_of(user)


def can_any(user: HasRole | None, *permissions: Permission) -> bool:
    return any(can(user, p) for p in permissions)
