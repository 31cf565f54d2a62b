"""What a pending referral does to its case's next step (app.cases.next_step): the case waits
for the receiving service's answer since the earliest pending referral last changed."""

from sqlalchemy import ColumnElement, func
from sqlmodel import select

from app.cases import next_step
from app.cases.models import Case
from app.referrals.models import Referral
from app.referrals.schemas import ReferralStatus


def referred_at() -> ColumnElement:
    return (select(func.min(Referral.updated_at))
            .where(Referral.case_id == Case.id,
                   Referral.status == ReferralStatus.PENDING.value)
            .scalar_subquery())


next_step.register_referrals(referred_at)
