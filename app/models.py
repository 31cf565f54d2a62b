"""Every table and its access rule: imported by the entry points (the app, the command line,
migrations/env.py) so that the metadata (and Alembic) knows every table and app.auth.access
every rule before the first query; and the command line's session, which needs them all."""

from sqlmodel import Session

import app.admin.access  # noqa: F401
import app.auth.users_access  # noqa: F401
import app.cases.access  # noqa: F401
import app.cases.merging  # noqa: F401  (what a merge of two people does to cases)
import app.crossings.access  # noqa: F401
import app.people.access  # noqa: F401
import app.referrals.access  # noqa: F401
import app.referrals.queue  # noqa: F401  (what a pending referral does to a case's next step)
import app.repatriation.access  # noqa: F401
from app.audit.models import AuditEvent
from app.auth.models import AuthSession, Organization, SetPasswordCode, User
from app.cases.models import (
    Case,
    CaseStatusChange,
    Determination,
    FollowUp,
    Interview,
    InterviewAnswer,
    Screening,
)
from app.compounds.models import Compound
from app.config import get_settings
from app.crossings.models import Crossing
from app.db import Timeouts, engine_for, session_factory_for
from app.detention.models import Detention, NonPunishmentLetter
from app.nationalities.models import Nationality
from app.people.models import IdentityLink, Person, PersonMerge
from app.referrals.models import Referral, ReferralStatusChange
from app.repatriation.models import (
    Repatriation,
    RepatriationBatch,
    RepatriationExit,
    RepatriationStageChange,
)
from app.reports.models import PublishedMonth

__all__ = [
    "AuditEvent", "AuthSession", "Case", "CaseStatusChange", "Compound", "Crossing",
    "Detention", "Determination", "FollowUp", "IdentityLink", "Interview", "InterviewAnswer",
    "Nationality", "NonPunishmentLetter", "Organization", "Person", "PersonMerge",
    "PublishedMonth", "Referral", "ReferralStatusChange", "Repatriation", "RepatriationBatch",
    "RepatriationExit", "RepatriationStageChange", "Screening", "SetPasswordCode", "User",
]


def new_session() -> Session:
    """A session on the configured database, for the command line and the demo."""
    settings = get_settings()
    return session_factory_for(engine_for(settings.database_url, Timeouts.of(settings)))()
