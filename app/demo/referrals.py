"""Demo referrals: about half of the demo cases referred to shelters, hospitals, legal aid,
counselling, IOM and embassies; about one in four without consent to share (anonymous), more
often so for embassies; the coordinator has moved many of them on. Seeded and idempotent: once
the NGOs hold any referral, nothing is added.

Referrals and status changes go through the same service as the API, then are dated back to
the days after each case was opened."""

import random
from datetime import timedelta

from sqlmodel import Session, func, select

from app.audit.service import Actor
from app.cases.models import Case, Determination
from app.people.models import Person
from app.referrals import service
from app.referrals.models import Referral, ReferralStatusChange
from app.referrals.schemas import (
    ReferralCreate,
    ReferralService,
    ReferralStatus,
    ReferralStatusUpdate,
)

SEED = 2025
SHARE_REFERRED = 0.5
SECOND_REFERRAL = 0.2
ANONYMOUS = 0.22
ANONYMOUS_EMBASSY = 0.45

RECIPIENTS: dict[ReferralService, list[str]] = {
    ReferralService.SHELTER: ["Mae Sot Safe House", "Tak Provincial Shelter for Men",
                              "Kredtrakarn Protection Centre", "Baan Kru Nam Shelter"],
    ReferralService.MEDICAL: ["Mae Sot General Hospital", "Mae Tao Clinic",
                              "Tak Provincial Hospital"],
    ReferralService.LEGAL: ["Safe Return Legal Aid", "Lawyers Council of Thailand, Tak",
                            "Tak Legal Clinic"],
    ReferralService.PSYCHOSOCIAL: ["Mae Sot Counselling Centre", "Border Trauma Support"],
    ReferralService.REPATRIATION: ["IOM Mae Sot", "IOM Bangkok"],
    ReferralService.OTHER: ["Tak Employment Office", "Mae Sot Language School"],
}
EMBASSIES = {
    "IN": "Embassy of India, Bangkok", "PH": "Embassy of the Philippines, Bangkok",
    "CN": "Embassy of China, Bangkok", "VN": "Embassy of Viet Nam, Bangkok",
    "ID": "Embassy of Indonesia, Bangkok", "ET": "Embassy of Ethiopia, Bangkok",
    "KE": "Embassy of Kenya, Bangkok", "NP": "Embassy of Nepal, Bangkok",
    "LK": "Embassy of Sri Lanka, Bangkok", "PK": "Embassy of Pakistan, Bangkok",
    "BD": "Embassy of Bangladesh, Bangkok",
}
NOTES = [
    "Needs a ground-floor room: injured knee.", "Speaks only Amharic; interpreter booked.",
    "Wants to call family before travelling.", "Passport still held at the compound.",
    "Asked for a female counsellor.", "", "", "",
]
# by the case's determination: which services are likely
SERVICE_WEIGHTS = {
    "trafficking_victim": {ReferralService.SHELTER: 30, ReferralService.MEDICAL: 20,
                           ReferralService.LEGAL: 15, ReferralService.PSYCHOSOCIAL: 15,
                           ReferralService.REPATRIATION: 10, ReferralService.EMBASSY: 8,
                           ReferralService.OTHER: 2},
    "other": {ReferralService.REPATRIATION: 35, ReferralService.EMBASSY: 25,
              ReferralService.MEDICAL: 20, ReferralService.SHELTER: 10,
              ReferralService.OTHER: 10},
}
# what the coordinator did with a referral, by the referral's age in the demo
MOVES = [([], 30), ([ReferralStatus.ACCEPTED], 25), ([ReferralStatus.DECLINED], 10),
         ([ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED], 35)]


def _latest_outcomes(session: Session, case_ids: list[int]) -> dict[int, str]:
    rows = session.exec(select(Determination.case_id, Determination.outcome)
                        .where(Determination.case_id.in_(case_ids))
                        .order_by(Determination.decided_at, Determination.id)).all()
    return dict(rows)  # the last one per case wins


def load_referrals(session: Session, *, users, orgs, echo) -> None:
    caseworkers = {users[name].organization_id: users[name]
                   for name in ("caseworker", "caseworker2")}
    already = session.exec(select(func.count()).select_from(Referral).where(
        Referral.organization_id.in_(list(caseworkers)))).one()
    if already:
        echo(f"Referrals already loaded: {already}")
        return
    coordinator = Actor.of(users["coordinator"], "cli")
    cases = session.exec(
        select(Case.id, Case.organization_id, Case.created_at, Person.nationality_code)
        .join(Person, Person.id == Case.person_id)
        .where(Case.organization_id.in_(list(caseworkers))).order_by(Case.id)
    ).all()
    outcomes = _latest_outcomes(session, [c[0] for c in cases])
    rng = random.Random(SEED)
    made = anonymous = 0
    for case_id, organization_id, opened, nationality in cases:
        if rng.random() >= SHARE_REFERRED:
            continue
        actor = Actor.of(caseworkers[organization_id], "cli")
        weights = SERVICE_WEIGHTS["trafficking_victim" if outcomes.get(case_id) ==
                                  "trafficking_victim" else "other"]
        for n in range(2 if rng.random() < SECOND_REFERRAL else 1):
            kind = rng.choices(list(weights), list(weights.values()))[0]
            if kind is ReferralService.EMBASSY:
                recipient = EMBASSIES.get(nationality or "", "Embassy in Bangkok")
                consent = rng.random() >= ANONYMOUS_EMBASSY
            else:
                recipient = rng.choice(RECIPIENTS[kind])
                consent = rng.random() >= ANONYMOUS
            read = service.create_referral(
                session, actor=actor, case_id=case_id,
                referral_in=ReferralCreate(service=kind, recipient=recipient,
                                           consent_to_share=consent,
                                           notes=rng.choice(NOTES) if consent else ""))
            at = opened + timedelta(days=1 + 2 * n + rng.randint(0, 3), hours=rng.randint(0, 8))
            _date_back(session, read.id, at)
            moves = rng.choices([m for m, _ in MOVES], [w for _, w in MOVES])[0]
            for step, status in enumerate(moves, start=1):
                service.update_status(session, actor=coordinator, referral_id=read.id,
                                      update_in=ReferralStatusUpdate(status=status))
                _date_back(session, read.id, at + timedelta(days=2 * step), status=status)
            made += 1
            anonymous += not consent
            if consent:  # the person agreed to share: with the case in HTCDS exchanges too
                shared = session.get(Case, case_id)
                shared.consent_to_share = True
                session.add(shared)
    session.flush()
    echo(f"Referrals made: {made} ({anonymous} anonymous)")


def _date_back(session: Session, referral_id: int, at, *, status: ReferralStatus | None = None):
    """The referral (or its latest status change) as of `at`, not the demo's run."""
    referral = session.get(Referral, referral_id)
    change = session.exec(select(ReferralStatusChange)
                          .where(ReferralStatusChange.referral_id == referral_id)
                          .order_by(ReferralStatusChange.id.desc())).first()
    if status is None:
        referral.created_at = at
    change.changed_at = at
    referral.updated_at = at
    session.add_all([referral, change])
    session.flush()
