"""The demo's referral step, on cases made with factories."""

from collections import defaultdict

from sqlmodel import select

from app.demo.referrals import load_referrals
from app.referrals.models import Referral, ReferralStatusChange
from app.referrals.schemas import TRANSITIONS, ReferralStatus
from tests import factories


def _demo_world(session, cases: int = 60):
    first = factories.make_organization(session, name="Border Care Foundation")
    second = factories.make_organization(session, name="Safe Return Legal Aid")
    users = {
        "caseworker": factories.make_user(session, role="caseworker", organization=first)[0],
        "caseworker2": factories.make_user(session, role="caseworker", organization=second)[0],
        "coordinator": factories.make_user(session, role="coordinator")[0],
    }
    made = []
    for i in range(cases):
        org = first if i % 3 else second
        person = factories.make_person(session, organization=org,
                                       nationality_code=["IN", "PH", "CN", "ET"][i % 4])
        case = factories.make_case(session, person=person, organization=org)
        case.created_at = factories.aware(2025, 10, 22 + i % 5)
        if i % 2:
            factories.make_determination(session, case=case, outcome="trafficking_victim",
                                         decided_by=users["caseworker"])
        made.append(case)
    session.flush()
    return users, made


def test_demo_refers_about_half_the_cases_some_anonymously(session):
    users, cases = _demo_world(session)
    said: list[str] = []
    load_referrals(session, users=users, orgs={}, echo=said.append)
    referrals = session.exec(select(Referral)).all()
    referred_cases = {r.case_id for r in referrals}
    assert 0.3 * len(cases) <= len(referred_cases) <= 0.7 * len(cases)
    anonymous = [r for r in referrals if not r.consent_to_share]
    assert 0 < len(anonymous) < len(referrals)
    assert all(r.notes == "" for r in anonymous)
    assert said == [f"Referrals made: {len(referrals)} ({len(anonymous)} anonymous)"]
    opened = {c.id: c.created_at for c in cases}
    assert all(r.created_at > opened[r.case_id] for r in referrals)
    assert {r.organization_id for r in referrals} <= {users["caseworker"].organization_id,
                                                      users["caseworker2"].organization_id}


def test_demo_referral_histories_follow_the_status_rules(session):
    users, _ = _demo_world(session)
    load_referrals(session, users=users, orgs={}, echo=lambda _: None)
    history = defaultdict(list)
    for change in session.exec(select(ReferralStatusChange)
                               .order_by(ReferralStatusChange.id)).all():
        history[change.referral_id].append(change)
    statuses = set()
    for referral in session.exec(select(Referral)).all():
        changes = history[referral.id]
        assert changes[0].from_status is None and changes[0].to_status == "pending"
        for before, after in zip(changes, changes[1:], strict=False):
            assert ReferralStatus(after.to_status) in TRANSITIONS[ReferralStatus(before.to_status)]
            assert after.changed_at > before.changed_at
        assert changes[-1].to_status == referral.status
        statuses.add(referral.status)
    assert statuses == {"pending", "accepted", "declined", "completed"}


def test_demo_referrals_are_loaded_once(session):
    users, _ = _demo_world(session)
    load_referrals(session, users=users, orgs={}, echo=lambda _: None)
    count = len(session.exec(select(Referral)).all())
    said: list[str] = []
    load_referrals(session, users=users, orgs={}, echo=said.append)
    assert len(session.exec(select(Referral)).all()) == count
    assert said == [f"Referrals already loaded: {count}"]
