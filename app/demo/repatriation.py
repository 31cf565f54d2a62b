"""Demo returns home after the KK Park raid: the Indian Air Force flights of 6 November 2025
(about 270 people, received at home) and 10 November (about 197, departed), a Philippine
flight, a Chinese batch by land cleared to leave and waiting at the border, people waiting for
emergency travel documents, and a few who fear returning: most referred to UNHCR, one cleared
with a rationale, two not yet assessed. The cases closed as `repatriated` get the journey they
made. Seeded, and idempotent: once a batch exists, nothing is added.

The records are written as the services write them (each stage with who and when, an exit
crossing for each person a batch took out of the country), dated in October and November
2025; the cases opened here for the return home have no interview (the person asked only for
help going home)."""

import random
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, func, select

from app.audit.service import Actor
from app.cases import service as cases_service
from app.cases.models import Case
from app.cases.schemas import CaseStatus, ClosureReason
from app.clock import LOCAL_TZ
from app.crossings.models import Crossing
from app.crossings.service import insert_exit
from app.people.models import Person
from app.repatriation.models import (
    ProtectionAssessmentRecord,
    Repatriation,
    RepatriationBatch,
    RepatriationExit,
    RepatriationStageChange,
)
from app.repatriation.schemas import STEPS, Stage

SEED = 2025
INDIAN_FLIGHTS = (270, 197)
WITHHELD_SHARE = 0.03  # did not agree to share their details with the embassy


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


class _Writer:
    def __init__(self, session: Session, rng: random.Random, actors: dict[int, Actor]):
        self.session = session
        self.rng = rng
        self.actors = actors
        self.count = 0

    def repatriation(self, case: Case, *, stage: Stage, started: date, batch=None,
                     **fields) -> Repatriation:
        """A repatriation walked to `stage`, a step every few days from `started`."""
        actor = self.actors[case.organization_id]
        person = self.session.get(Person, case.person_id)
        values = {"consent_to_return": "yes", "consent_to_return_on": started,
                  "consent_to_share_with_embassy":
                      "no" if self.rng.random() < WITHHELD_SHARE else "yes",
                  "consent_to_share_on": started, "fear_of_return": "no",
                  "travel_document_status": self.rng.choice(
                      ["with_person", "held_by_compound", "lost"])}
        if values["travel_document_status"] != "with_person":
            values.update(emergency_document="issued",
                          emergency_document_number=f"ETC{self.rng.randint(100000, 999999)}",
                          emergency_document_issued_on=started + timedelta(days=4))
        values.update(fields)
        if values["fear_of_return"] == "yes":
            values["fear_of_return_recorded_at"] = _at(started)
        rep = Repatriation(case_id=case.id, destination_country=person.nationality_code,
                           stage=stage.value, batch_id=batch.id if batch else None,
                           created_by_id=actor.user_id, updated_by_id=actor.user_id,
                           created_at=_at(started), updated_at=_at(started), **values)
        self.session.add(rep)
        self.session.flush()
        if rep.protection_outcome is not None:
            self.session.add(ProtectionAssessmentRecord(
                repatriation_id=rep.id, outcome=rep.protection_outcome,
                rationale=rep.protection_rationale, fear_of_return=rep.fear_of_return,
                assessed_by_id=rep.protection_assessed_by_id,
                assessed_at=rep.protection_assessed_at))
        reached = ([Stage.PLANNING, Stage.CANCELLED] if stage == Stage.CANCELLED
                   else list(STEPS[:STEPS.index(stage) + 1]))
        previous, day = None, started
        for step in reached:
            self.session.add(RepatriationStageChange(
                repatriation_id=rep.id, from_stage=previous, to_stage=step.value,
                batch_id=rep.batch_id, changed_by_id=actor.user_id, changed_at=_at(day),
                note=f"With the batch {batch.name}" if batch and step in (
                    Stage.EXIT_CLEARED, Stage.DEPARTED, Stage.RECEIVED) else ""))
            previous = step.value
            day += timedelta(days=self.rng.randint(1, 3))
        self.count += 1
        return rep

    def exit(self, rep: Repatriation, person_id: int, batch: RepatriationBatch,
             border: Actor) -> None:
        crossing = insert_exit(self.session, actor=border, person_id=person_id,
                               crossed_at=_at(batch.departs_on, 7),
                               crossing_point=batch.exit_point,
                               group_reference=f"batch-{batch.id}")
        self.session.add(RepatriationExit(repatriation_id=rep.id, crossing_id=crossing.id,
                                          batch_id=batch.id, recorded_by_id=border.user_id,
                                          recorded_at=_at(batch.departs_on, 7)))


def _batch(session: Session, coordinator, border: Actor, **values) -> RepatriationBatch:
    """A batch whose departure list the demo's border post ticks."""
    batch = RepatriationBatch(created_by_id=coordinator.id, updated_by_id=coordinator.id,
                              border_organization_id=border.organization_id, **values)
    session.add(batch)
    session.flush()
    return batch


def _people(session: Session, border_org_id: int, code: str) -> list[tuple[int, datetime]]:
    return list(session.exec(
        select(Person.id, func.min(Crossing.crossed_at))
        .join(Crossing, Crossing.person_id == Person.id)
        .where(Person.registered_by_organization_id == border_org_id,
               Person.nationality_code == code, Person.merged_into_id.is_(None),
               Crossing.direction == "entry")
        .group_by(Person.id).order_by(Person.id)).all())


def load_repatriation(session: Session, *, users, orgs, echo) -> None:
    if session.exec(select(func.count()).select_from(RepatriationBatch)).one():
        echo("Repatriations already loaded")
        return
    rng = random.Random(SEED)
    caseworkers = [users["caseworker"], users["caseworker2"]]
    actors = {u.organization_id: Actor.of(u, "cli") for u in caseworkers}
    border = Actor.of(users["border"], "cli")
    coordinator = users["coordinator"]
    writer = _Writer(session, rng, actors)
    used: set[int] = set()

    # the cases closed as repatriated made the journey home
    for case in session.exec(select(Case).where(
            Case.closure_reason == ClosureReason.REPATRIATED.value).order_by(Case.id)).all():
        writer.repatriation(case, stage=Stage.RECEIVED, started=date(2025, 10, 27))
        used.add(case.person_id)

    def open_case(person_id: int, crossed_at: datetime) -> Case | None:
        """The person's latest case still open, or a new one (for the return home)."""
        latest = session.exec(select(Case).where(Case.person_id == person_id)
                              .order_by(Case.id.desc())).first()
        if latest is not None:
            return None if latest.status == CaseStatus.CLOSED else latest
        actor = rng.choice(list(actors.values()))
        return cases_service.insert_case(session, actor=actor, person_id=person_id,
                                         assigned_to_id=actor.user_id,
                                         created_at=crossed_at + timedelta(days=2))

    def cases_of(code: str, limit: int | None = None) -> list[Case]:
        found = []
        for person_id, crossed_at in _people(session, border.organization_id, code):
            if person_id in used:
                continue
            case = open_case(person_id, crossed_at)
            if case is not None:
                used.add(person_id)
                found.append(case)
            if limit is not None and len(found) >= limit:
                break
        return found

    # India: a few held back or waiting, the rest on the two flights
    indian = cases_of("IN")
    held, waiting, flying = indian[:3], indian[3:8], indian[8:]
    first = round(len(flying) * INDIAN_FLIGHTS[0] / sum(INDIAN_FLIGHTS))
    for number, (members, day, stage) in enumerate(
            ((flying[:first], date(2025, 11, 6), Stage.RECEIVED),
             (flying[first:], date(2025, 11, 10), Stage.DEPARTED)), start=1):
        batch = _batch(session, coordinator, border, name=f"Indian Air Force flight {number}",
                       nationality_code="IN", departs_on=day, mode="flight",
                       carrier_reference="IAF C-130J", exit_point="Mae Sot Airport",
                       stage=stage.value)
        for case in members:
            rep = writer.repatriation(case, stage=stage, batch=batch,
                                      started=date(2025, 10, 25))
            writer.exit(rep, case.person_id, batch, border)

    philippine = cases_of("PH", limit=62)
    batch = _batch(session, coordinator, border, name="Philippine Airlines repatriation flight",
                   nationality_code="PH", departs_on=date(2025, 11, 14), mode="flight",
                   carrier_reference="PR 737", exit_point="Suvarnabhumi Airport",
                   stage=Stage.DEPARTED.value)
    for case in philippine[:60]:
        rep = writer.repatriation(case, stage=Stage.DEPARTED, batch=batch,
                                  started=date(2025, 10, 29))
        writer.exit(rep, case.person_id, batch, border)
    # one who feared returning, assessed and cleared, went with the flight
    cleared = philippine[60]
    rep = writer.repatriation(
        cleared, stage=Stage.DEPARTED, batch=batch, started=date(2025, 10, 29),
        fear_of_return="yes",
        fear_of_return_note="Afraid the recruiter in Manila will come after the debt.",
        protection_outcome="cleared",
        protection_rationale="The recruiter was arrested in Manila on 2 November (DMW "
                             "advisory); the family will meet the flight; IACAT "
                             "informed.",
        protection_assessed_by_id=actors[cleared.organization_id].user_id,
        protection_assessed_at=_at(date(2025, 11, 3)))
    writer.exit(rep, cleared.person_id, batch, border)
    writer.repatriation(philippine[61], stage=Stage.PLANNING, started=date(2025, 11, 5),
                        fear_of_return="yes",
                        fear_of_return_note="Threatened by the compound's agent at home.")

    chinese = cases_of("CN", limit=45)
    batch = _batch(session, coordinator, border, name="Chinese return by road via Mae Sot",
                   nationality_code="CN", departs_on=date(2025, 11, 18), mode="land",
                   carrier_reference="Coach convoy, Chinese embassy",
                   exit_point="Mae Sot Friendship Bridge 1",
                   stage=Stage.EXIT_CLEARED.value)
    for case in chinese:
        writer.repatriation(case, stage=Stage.EXIT_CLEARED, batch=batch,
                            started=date(2025, 11, 1))

    # waiting for emergency travel documents: the passports stayed in the compounds
    for case in waiting + cases_of("VN", limit=12) + cases_of("ET", limit=6):
        writer.repatriation(case, stage=Stage.NATIONALITY_VERIFIED, started=date(2025, 11, 4),
                            travel_document_status="held_by_compound",
                            emergency_document="requested", emergency_document_number="",
                            emergency_document_issued_on=None)

    # who fears returning: referred to UNHCR, or not assessed yet
    fearful = held + cases_of("ET", limit=4) + cases_of("PK", limit=1)
    for index, case in enumerate(fearful):
        referred = index not in (1, 4)
        fields = {"fear_of_return": "yes",
                  "fear_of_return_note": "Fears being detained or harmed by the traffickers' "
                                         "associates at home."}
        if referred:
            fields.update(protection_outcome="referred_to_unhcr",
                          protection_rationale="Credible threat; the person asks for "
                                               "international protection.",
                          protection_assessed_by_id=actors[case.organization_id].user_id,
                          protection_assessed_at=_at(date(2025, 11, 7)))
        writer.repatriation(case, stage=Stage.PLANNING, started=date(2025, 11, 6), **fields)
    session.flush()
    exits = session.exec(select(func.count()).select_from(RepatriationExit)).one()
    echo(f"Repatriations: {writer.count} ({len(flying)} on two Indian flights, "
         f"{exits} exit crossings recorded), 4 batches, {len(fearful) + 2} people who fear "
         "returning")
