"""Demo cases: about 600 of the people who crossed, interviewed by the two NGOs' caseworkers,
screened by the real rules, most with a determination, a few overriding the suggestion with a
rationale. Seeded, so every run builds the same cases, and idempotent: once the NGOs hold any
case, nothing is added.

The interviews go through the same service as `POST /api/v1/cases/{id}/interviews`, so every
suggestion is the rules' own; only the answers are invented, from a few interview profiles
modelled on what people leaving KK Park reported (a job offer in Thailand, a compound in
Myanmar, quotas, beatings, passports taken, ransom to leave).
"""

import random
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from app.audit.service import Actor
from app.cases import determinations, interviews, service
from app.cases.models import Case, Determination, Interview, Screening
from app.cases.schemas import DeterminationCreate, InterviewCreate, Outcome
from app.crossings.models import Crossing
from app.errors import InvalidInput
from app.people.models import Person
from app.screening.catalogue import INDICATORS
from app.screening.rules import Classification

SEED = 2025
CASES = 600
# the first caseworker's NGO takes two cases in three
SHARE_OF_FIRST_NGO = 2 / 3
DETERMINED = 0.8  # of cases, a determination
OVERRIDDEN = 0.03  # of determinations, one that differs from the suggestion
SECOND_INTERVIEW = 0.08
# The demo replays October 2025, before rules version 2: its interviews were screened with
# version 1, so that re-screening the demo shows what version 2 changes.
DEMO_RULES_VERSION = 1

LANGUAGES = {
    "IN": ["Hindi", "Punjabi", "Tamil", "Malayalam", "Bengali", "English"],
    "PH": ["Tagalog", "Cebuano", "English"], "CN": ["Mandarin", "Cantonese"],
    "VN": ["Vietnamese"], "ET": ["Amharic", "Afaan Oromo"], "KE": ["Swahili", "English"],
    "PK": ["Urdu", "Punjabi"], "ID": ["Indonesian"], "NP": ["Nepali"],
    "LK": ["Sinhala", "Tamil"], "TH": ["Thai"], "LA": ["Lao"], "BD": ["Bengali"],
    "MM": ["Burmese"], "UG": ["Luganda", "English"], "RU": ["Russian"], "UA": ["Ukrainian"],
}
INTERPRETED = {"Hindi", "Punjabi", "Tamil", "Malayalam", "Bengali", "Mandarin", "Cantonese",
               "Vietnamese", "Amharic", "Afaan Oromo", "Urdu", "Nepali", "Sinhala", "Lao",
               "Burmese", "Russian", "Ukrainian", "Indonesian", "Luganda"}

# (profile, weight): which indicators are likely yes, which likely unknown
PROFILES: dict[str, dict] = {
    # lured by a job offer, held and forced to scam under quotas
    "trafficked": {
        "weight": 55,
        "yes": {"DR1": .95, "DR2": .8, "DR3": .7, "DR4": .5, "DR5": .5, "DR6": .4,
                "CR3": .5, "CR4": .4, "CR5": .5, "CR2": .15, "CR1": .15, "VR2": .6, "VR3": .4,
                "EX1": .9, "EX2": .8, "EX3": .6, "EX4": .85, "EX5": .7, "EX6": .5,
                "CD1": .85, "CD2": .6, "CD3": .9, "CD4": .5, "CD5": .7, "CD6": .95,
                "CD7": .3, "CD8": .4, "CD9": .15, "CD10": .7, "CD11": .3,
                "VD1": .7, "VD2": .5, "VD3": .8, "VD4": .5},
        "unknown": .08,
    },
    # a partial account: too frightened, too tired, or the interview was cut short
    "partial": {
        "weight": 30,
        "yes": {"DR1": .6, "DR2": .4, "EX1": .5, "EX4": .3, "CD3": .3, "CD6": .6,
                "VD3": .4, "VR2": .3},
        "unknown": .45,
    },
    # went knowingly, was paid, left when they chose
    "willing": {
        "weight": 15,
        "yes": {"EX6": .3, "VD4": .3, "VR2": .2, "DR7": .1, "CD6": .1},
        "unknown": .02,
    },
}

RATIONALES = {
    (Classification.TRAFFICKING_VICTIM, Outcome.WILLING_WORKER): [
        "He shows a signed contract, was paid monthly to his own account and left with his "
        "passport when he chose; the indicators he described concern other workers.",
        "Recruited through a relative with full knowledge of the work; kept her phone and "
        "passport throughout. The answers were about the compound in general.",
    ],
    (Classification.NEEDS_ASSESSMENT, Outcome.TRAFFICKING_VICTIM): [
        "A second conversation with a trusted interpreter confirmed the passport was taken on "
        "arrival and a ransom demanded to leave; the first interview was cut short.",
        "Medical examination found injuries consistent with the beatings described; the "
        "unanswered questions do not change the picture.",
    ],
    (Classification.NEEDS_ASSESSMENT, Outcome.WILLING_WORKER): [
        "Worked in the compound's canteen with a contract, free to leave on days off; the "
        "strong indicators were answered unknown only because of the language barrier.",
    ],
    (Classification.WILLING_WORKER, Outcome.TRAFFICKING_VICTIM): [
        "Disclosed in a later conversation that she was sold between compounds and beaten; "
        "the interview answers were given in front of other workers.",
    ],
    (Classification.TRAFFICKING_VICTIM, Outcome.UNDETERMINED): [
        "The account changes between interviews; waiting for the embassy's records before "
        "deciding.",
    ],
}


def _answers(rng: random.Random, profile: dict) -> dict[str, str]:
    answers = {}
    for indicator in INDICATORS:
        if rng.random() < profile["yes"].get(indicator.code, 0.0):
            answers[indicator.code] = "yes"
        elif rng.random() < profile["unknown"]:
            answers[indicator.code] = "unknown"
        else:
            answers[indicator.code] = "no"
    return answers


def _agreeing(classification: str) -> Outcome:
    if classification == Classification.NEEDS_ASSESSMENT:
        return Outcome.UNDETERMINED
    return Outcome(classification)


def _override(rng: random.Random, classification: str) -> tuple[Outcome, str] | None:
    choices = [(outcome, texts) for (c, outcome), texts in RATIONALES.items()
               if c == classification]
    if not choices:
        return None
    outcome, texts = rng.choice(choices)
    return outcome, rng.choice(texts)


def load_cases(session: Session, *, users, orgs, echo) -> None:
    first, second = users["caseworker"], users["caseworker2"]
    already = session.exec(select(func.count()).select_from(Case).where(
        Case.organization_id.in_([first.organization_id, second.organization_id]))).one()
    if already:
        echo(f"Cases already loaded: {already}")
        return
    border = users["border"]
    people = session.exec(
        select(Person.id, Person.nationality_code, func.min(Crossing.crossed_at))
        .join(Crossing, Crossing.person_id == Person.id)
        .where(Person.registered_by_organization_id == border.organization_id)
        .group_by(Person.id, Person.nationality_code).order_by(Person.id)
    ).all()
    rng = random.Random(SEED)
    chosen = sorted(rng.sample(people, min(CASES, len(people))), key=lambda p: p[0])
    profiles = list(PROFILES)
    weights = [PROFILES[p]["weight"] for p in profiles]
    counts = {c.value: 0 for c in Classification}
    determined = overridden = 0

    for person_id, nationality, crossed_at in chosen:
        user = first if rng.random() < SHARE_OF_FIRST_NGO else second
        actor = Actor.of(user, "cli")
        opened = crossed_at + timedelta(hours=rng.randint(6, 72))
        case = service.insert_case(session, actor=actor, person_id=person_id,
                                   assigned_to_id=user.id, created_at=opened)
        interviewed = opened + timedelta(hours=rng.randint(1, 96))
        screening = None
        for _ in range(2 if rng.random() < SECOND_INTERVIEW else 1):
            profile = PROFILES[rng.choices(profiles, weights)[0]]
            language = rng.choice(LANGUAGES.get(nationality or "", ["English"]))
            recruited_on = (crossed_at - timedelta(days=rng.randint(20, 600))).date() \
                if rng.random() < 0.8 else None
            interview_in = InterviewCreate(
                conducted_at=interviewed, language=language,
                interpreter_used=language in INTERPRETED, consent_given=True,
                recruited_on=recruited_on, answers=_answers(rng, profile),
                narrative="Synthetic demo interview: no real person's account.")
            try:
                read = interviews.record_interview(session, actor=actor, case_id=case.id,
                                                interview_in=interview_in,
                                                rules_version=DEMO_RULES_VERSION)
            except InvalidInput:
                # a recruitment date before a (young) person's birth: not known instead
                interview_in.recruited_on = None
                read = interviews.record_interview(session, actor=actor, case_id=case.id,
                                                interview_in=interview_in,
                                                rules_version=DEMO_RULES_VERSION)
            _backdate(session, read.id, read.screening.id, interviewed)
            screening = read.screening
            interviewed += timedelta(days=rng.randint(2, 6))
        counts[screening.classification] += 1
        if rng.random() >= DETERMINED:
            continue
        outcome, rationale = _agreeing(screening.classification), ""
        if rng.random() < OVERRIDDEN and (override := _override(rng, screening.classification)):
            outcome, rationale = override
            overridden += 1
        decision = determinations.record_determination(
            session, actor=actor, case_id=case.id,
            determination_in=DeterminationCreate(outcome=outcome, rationale=rationale))
        row = session.get(Determination, decision.id)
        row.decided_at = interviewed + timedelta(hours=rng.randint(2, 48))
        session.add(row)
        determined += 1
    session.flush()
    echo(f"Cases opened: {len(chosen)} ({counts['trafficking_victim']} suggesting indicators "
         f"of trafficking, {counts['needs_assessment']} needing assessment, "
         f"{counts['willing_worker']} with none); {determined} determined, {overridden} "
         f"against the suggestion")


def _backdate(session: Session, interview_id: int, screening_id: int, at: datetime) -> None:
    """The interview and its screening as of the interview's own time, not the demo's run."""
    interview = session.get(Interview, interview_id)
    screening = session.get(Screening, screening_id)
    interview.created_at = at + timedelta(minutes=50)
    screening.created_at = at + timedelta(minutes=50)
    session.add_all([interview, screening])
