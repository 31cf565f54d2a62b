"""Imports every table so that the metadata (and Alembic) knows them all."""

from app.audit.models import AuditEvent
from app.auth.models import AuthSession, Organization, User
from app.cases.models import Case, Determination, Interview, InterviewAnswer, Screening
from app.compounds.models import Compound
from app.crossings.models import Crossing
from app.detention.models import Detention, NonPunishmentLetter
from app.nationalities.models import Nationality
from app.people.models import Person
from app.referrals.models import Referral, ReferralStatusChange

__all__ = [
    "AuditEvent", "AuthSession", "Case", "Compound", "Crossing", "Detention", "Determination",
    "Interview", "InterviewAnswer", "Nationality", "NonPunishmentLetter", "Organization",
    "Person", "Referral", "ReferralStatusChange", "Screening", "User",
]
