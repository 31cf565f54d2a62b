"""Embassy batches: made by coordinators, joined by repatriations (service._join), moved a
stage at a time with all their members; the departure list border officials tick; the exit
crossing recorded once for each person who leaves; the rows of the embassy manifest.

Every list of a batch's people reads them through service.members_of, which applies the
safeguard in SQL: a person held back is on no list, whatever their record says."""

import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization, User
from app.auth.permissions import ROLE_PERMISSIONS, Permission, can
from app.auth.service import display_names
from app.cases.models import Case
from app.clock import utcnow
from app.crossings.models import Crossing
from app.crossings.service import insert_exit
from app.errors import Conflict, field_error
from app.i18n import _
from app.labels import BATCH_STAGE_LABELS, REPATRIATION_STAGE_LABELS
from app.nationalities.models import Nationality
from app.pagination import PageParams, paginate
from app.people.models import Person
from app.repatriation import service
from app.repatriation.models import (
    Repatriation,
    RepatriationBatch,
    RepatriationExit,
    RepatriationStageChange,
)
from app.repatriation.schemas import (
    Answer,
    BatchCounts,
    BatchCreate,
    BatchMember,
    BatchRead,
    BatchStage,
    BatchSummary,
    BatchUpdate,
    DepartureList,
    DepartureRow,
    EmergencyDocument,
    ExitRead,
    RepatriationUpdate,
    Stage,
)

# what a batch's stage moves its members to, and the member stages it moves them from
BATCH_MOVES: dict[BatchStage, tuple[BatchStage, Stage, Stage]] = {
    # batch stage: (the batch stage it comes after, members from, members to)
    BatchStage.EXIT_CLEARED: (BatchStage.PLANNED, Stage.DOCUMENTS_READY, Stage.EXIT_CLEARED),
    BatchStage.DEPARTED: (BatchStage.EXIT_CLEARED, Stage.EXIT_CLEARED, Stage.DEPARTED),
    BatchStage.RECEIVED: (BatchStage.DEPARTED, Stage.DEPARTED, Stage.RECEIVED),
}


def document_of(rep: Repatriation, person: Person) -> str:
    """The document the person travels on, in words."""
    if rep.emergency_document == EmergencyDocument.ISSUED:
        return f"Emergency travel document {rep.emergency_document_number}"
    if person.document_number:
        return person.document_number
    return _("No document number recorded")


def latin_name(rep: Repatriation, person: Person) -> str:
    """The name in Latin letters: as the caseworker recorded it from the travel document,
    else as the person's record has it in Latin letters, else the name itself when it is
    written in Latin letters already."""
    if rep.name_latin:
        return rep.name_latin
    recorded = " ".join(p for p in (person.given_name_latin, person.family_name_latin) if p)
    if recorded:
        return recorded
    name = " ".join(p for p in (person.given_name, person.family_name) if p)
    if all(c.isascii() or unicodedata.name(c, "").startswith("LATIN") for c in name):
        return name
    return ""


def _exits_of(session: Session, rep_ids: list[int]) -> set[int]:
    if not rep_ids:
        return set()
    return set(session.exec(select(RepatriationExit.repatriation_id)
                            .where(RepatriationExit.repatriation_id.in_(rep_ids))).all())


def _counts(session: Session, batch: RepatriationBatch) -> BatchCounts:
    members = service.members_of(session, batch.id)
    named = sum(1 for m in members
                if m.repatriation.consent_to_share_with_embassy == Answer.YES)
    exits = _exits_of(session, [m.repatriation.id for m in members])
    return BatchCounts(members=len(members), consent_to_share=named,
                       withheld=len(members) - named, exits_recorded=len(exits))


def _read(session: Session, *, actor: Actor, batch: RepatriationBatch) -> BatchRead:
    members = service.members_of(session, batch.id)
    exits = _exits_of(session, [m.repatriation.id for m in members])
    every_member = can(actor, Permission.REPATRIATION_BATCHES) or can(
        actor, Permission.REPATRIATION_DEPARTURE)
    opens_cases = can(actor, Permission.REPATRIATION_READ)
    visible_cases: set[int] = set()
    if not every_member and members:
        visible_cases = set(session.exec(select(Case.id).where(
            Case.id.in_([m.case.id for m in members]), access.visible(actor, Case))).all())
    listed = [m for m in members if every_member or m.case.id in visible_cases]
    names = display_names(session, {batch.created_by_id, batch.updated_by_id})
    return BatchRead(
        id=batch.id, name=batch.name, nationality_code=batch.nationality_code,
        departs_on=batch.departs_on, mode=batch.mode,
        carrier_reference=batch.carrier_reference, exit_point=batch.exit_point,
        border_organization_id=batch.border_organization_id,
        border_organization=_organization_name(session, batch.border_organization_id),
        stage=batch.stage, counts=_counts(session, batch), created_at=batch.created_at,
        created_by=names.get(batch.created_by_id), updated_at=batch.updated_at,
        updated_by=names.get(batch.updated_by_id),
        members=[BatchMember(
            repatriation_id=m.repatriation.id,
            case_id=m.case.id if opens_cases else None,
            case_reference=m.case.reference if opens_cases else None,
            given_name=m.person.given_name, family_name=m.person.family_name,
            name_latin=m.repatriation.name_latin, stage=m.repatriation.stage,
            document=document_of(m.repatriation, m.person),
            exit_recorded=m.repatriation.id in exits) for m in listed])


def _organization_name(session: Session, organization_id: int | None) -> str | None:
    if organization_id is None:
        return None
    organization = session.get(Organization, organization_id)
    return organization.name if organization else None


def _check_border_organization(session: Session, organization_id: int | None) -> None:
    if organization_id is not None and session.get(Organization, organization_id) is None:
        raise field_error("border_organization_id", _("No organisation has this id"))


def border_organizations(session: Session) -> list[tuple[int, str]]:
    """The organisations whose staff tick departure lists, for the batch forms: (id, name)."""
    ticking = [role.value for role, held in ROLE_PERMISSIONS.items()
               if Permission.REPATRIATION_DEPARTURE in held]
    rows = session.exec(select(Organization.id, Organization.name)
                        .where(Organization.id.in_(select(User.organization_id).where(
                            User.role.in_(ticking))))
                        .order_by(Organization.name)).all()
    return [(id_, name) for id_, name in rows]


def create_batch(session: Session, *, actor: Actor, batch_in: BatchCreate) -> BatchRead:
    if session.get(Nationality, batch_in.nationality_code) is None:
        raise field_error("nationality_code", _("No country has this code"))
    _check_border_organization(session, batch_in.border_organization_id)
    batch = RepatriationBatch(**batch_in.model_dump(), created_by_id=actor.user_id,
                              updated_by_id=actor.user_id)
    session.add(batch)
    session.flush()
    audit.record(session, actor=actor, action="repatriation_batch.create",
                 entity_type="repatriation_batch", entity_id=batch.id,
                 detail={"nationality_code": batch.nationality_code})
    return _read(session, actor=actor, batch=batch)


def read_batch(session: Session, *, actor: Actor, batch_id: int) -> BatchRead:
    batch = access.get_visible(session, actor, RepatriationBatch, batch_id,
                               action="repatriation_batch.read")
    result = _read(session, actor=actor, batch=batch)
    audit.record(session, actor=actor, action="repatriation_batch.read",
                 entity_type="repatriation_batch", entity_id=batch.id,
                 detail={"members_listed": len(result.members)})
    return result


def list_batches(session: Session, *, actor: Actor, page: PageParams,
                 nationality: str | None = None) -> tuple[list[BatchSummary], int]:
    members = (select(func.count(Repatriation.id))
               .where(Repatriation.batch_id == RepatriationBatch.id, service.safe_to_return(),
                      Repatriation.stage != Stage.CANCELLED.value)
               .correlate(RepatriationBatch).scalar_subquery())
    statement = (select(RepatriationBatch, members.label("members"))
                 .where(access.visible(actor, RepatriationBatch))
                 .order_by(RepatriationBatch.departs_on, RepatriationBatch.id))
    if nationality:
        statement = statement.where(RepatriationBatch.nationality_code == nationality)
    rows, total = paginate(session, statement, page)
    audit.record(session, actor=actor, action="repatriation_batch.list",
                 entity_type="repatriation_batch",
                 detail={"returned": len(rows), "nationality": nationality})
    return [BatchSummary(id=b.id, name=b.name, nationality_code=b.nationality_code,
                         departs_on=b.departs_on, mode=b.mode, stage=b.stage,
                         members=count or 0) for b, count in rows], total


def _record_exit(session: Session, *, actor: Actor, batch: RepatriationBatch,
                 member: service.Member) -> tuple[RepatriationExit, bool]:
    """The member's exit crossing, recorded once: (the exit, whether it is new)."""
    found = session.exec(select(RepatriationExit).where(
        RepatriationExit.repatriation_id == member.repatriation.id)).first()
    if found is not None:
        return found, False
    # an exit the border recorded already (one by one, or by roster) since the person was
    # cleared to leave, not yet tied to a journey: that is this one
    cleared_at = session.exec(
        select(func.max(RepatriationStageChange.changed_at))
        .where(RepatriationStageChange.repatriation_id == member.repatriation.id,
               RepatriationStageChange.to_stage == Stage.EXIT_CLEARED.value)).one()
    crossing = session.exec(
        select(Crossing).where(
            Crossing.person_id == member.person.id, Crossing.direction == "exit",
            Crossing.crossed_at >= (cleared_at or batch.created_at),
            Crossing.id.not_in(select(RepatriationExit.crossing_id)))
        .order_by(Crossing.crossed_at)).first() if cleared_at is not None else None
    if crossing is None:
        crossing = insert_exit(session, actor=actor, person_id=member.person.id,
                               crossed_at=utcnow(),
                               crossing_point=batch.exit_point or f"Departure: {batch.name}",
                               group_reference=f"batch-{batch.id}")
    exit_ = RepatriationExit(repatriation_id=member.repatriation.id, crossing_id=crossing.id,
                             batch_id=batch.id, recorded_by_id=actor.user_id)
    try:
        with session.begin_nested():
            session.add(exit_)
            session.flush()
    except IntegrityError:
        raise Conflict(_("This exit was recorded at the same moment by someone else: "
                       "load the list again")) from None
    return exit_, True


def update_batch(session: Session, *, actor: Actor, batch_id: int,
                 update_in: BatchUpdate) -> BatchRead:
    """Move every member to the batch's new stage at once; marking `departed` records each
    member's exit crossing (once, however often it is sent)."""
    batch = access.get_visible(session, actor, RepatriationBatch, batch_id,
                               action="repatriation_batch.update")
    if "border_organization_id" in update_in.model_fields_set:
        _check_border_organization(session, update_in.border_organization_id)
        if batch.border_organization_id != update_in.border_organization_id:
            audit.record(session, actor=actor, action="repatriation_batch.update",
                         entity_type="repatriation_batch", entity_id=batch.id,
                         detail={"border_organization_id": [batch.border_organization_id,
                                                            update_in.border_organization_id]})
            batch.border_organization_id = update_in.border_organization_id
            batch.updated_by_id = actor.user_id
            batch.updated_at = utcnow()
            session.add(batch)
            session.flush()
    if update_in.stage is None:
        if "border_organization_id" not in update_in.model_fields_set:
            raise field_error("stage", _("Say which stage the batch moves to"))
        return _read(session, actor=actor, batch=batch)
    target = BatchStage(update_in.stage)
    if target == BatchStage.PLANNED:
        raise Conflict(_("A batch goes forward only: take people out of it instead"))
    after, members_from, members_to = BATCH_MOVES[target]
    # the batch and its people locked, then read again as committed: a fear of return
    # recorded a moment ago is seen here, and one recorded from now on waits for this move
    service.lock_batch(session, batch.id)
    locked = service.lock_repatriations(session, Repatriation.batch_id == batch.id,
                                        Repatriation.stage != Stage.CANCELLED.value)
    current = BatchStage(batch.stage)
    if current != target and current != after:
        raise Conflict(
            _(
                "'%(stage)s' comes after '%(before)s'; the batch is "
                "'%(current)s'"
            )
            % {
                "stage": BATCH_STAGE_LABELS[target],
                "before": BATCH_STAGE_LABELS[after],
                "current": BATCH_STAGE_LABELS[current],
            }
        )
    # the safeguard checked again for every member inside the lock: anyone held back is
    # left out (members_of leaves them out in SQL; this is the second look)
    members = [m for m in service.members_of(session, batch.id)
               if m.repatriation.batch_id == batch.id and not service.held_back(m.repatriation)]
    if not members:
        raise Conflict(_("The batch has no one in it"))
    order = [members_from, members_to, *([Stage.RECEIVED] if members_to == Stage.DEPARTED
                                         else [])]
    behind = Counter(m.repatriation.stage for m in members if m.repatriation.stage not in order)
    if behind:
        raise Conflict(
            _("Every member must be at '%(stage)s' first: ")
            % {"stage": REPATRIATION_STAGE_LABELS[members_from]}
            + ", ".join(
                f"{n} at '{REPATRIATION_STAGE_LABELS[s]}'" for s, n in sorted(behind.items())
            )
        )
    moved = exits = 0
    for member in members:
        rep = member.repatriation
        if rep.stage == members_from:
            service.record_stage(session, rep=rep, to=members_to, actor=actor,
                                 note=update_in.note or f"With the batch {batch.name}")
            rep.updated_by_id = actor.user_id
            rep.updated_at = utcnow()
            session.add(rep)
            moved += 1
            if members_to == Stage.RECEIVED:
                service.propose_closure(session, case=member.case, actor=actor)
        if target == BatchStage.DEPARTED:
            exits += _record_exit(session, actor=actor, batch=batch, member=member)[1]
    batch.stage = target.value
    batch.updated_by_id = actor.user_id
    batch.updated_at = utcnow()
    session.add(batch)
    session.flush()
    audit.record(session, actor=actor, action="repatriation_batch.update",
                 entity_type="repatriation_batch", entity_id=batch.id,
                 detail={"stage": [current.value, target.value], "moved": moved,
                         "exits_recorded": exits,
                         # in the batch, held back by the safeguard: not moved, no exit
                         "left_out": len(locked) - len(members)})
    return _read(session, actor=actor, batch=batch)


# --- the departure list (border officials) ------------------------------------------------

def departure_list(session: Session, *, actor: Actor, batch_id: int) -> DepartureList:
    batch = access.get_visible(session, actor, RepatriationBatch, batch_id,
                               action="repatriation_batch.departure")
    members = service.members_of(session, batch.id)
    exits = _exits_of(session, [m.repatriation.id for m in members])
    audit.record(session, actor=actor, action="repatriation_batch.departure",
                 entity_type="repatriation_batch", entity_id=batch.id,
                 detail={"people": len(members)})
    return DepartureList(
        batch_id=batch.id, name=batch.name, nationality_code=batch.nationality_code,
        departs_on=batch.departs_on, mode=batch.mode, exit_point=batch.exit_point,
        border_organization=_organization_name(session, batch.border_organization_id),
        stage=batch.stage,
        people=[DepartureRow(repatriation_id=m.repatriation.id, given_name=m.person.given_name,
                             family_name=m.person.family_name,
                             name_latin=m.repatriation.name_latin,
                             document=document_of(m.repatriation, m.person),
                             cleared=m.repatriation.stage in (Stage.EXIT_CLEARED,
                                                              Stage.DEPARTED, Stage.RECEIVED),
                             exit_recorded=m.repatriation.id in exits)
                for m in members])


def record_member_exit(session: Session, *, actor: Actor, batch_id: int,
                       repatriation_id: int) -> ExitRead:
    """A tick on the departure list: the person passed the border. They must have been
    cleared to leave; their repatriation becomes `departed`. Sent twice, the exit is kept
    once (`created` false)."""
    batch = access.get_visible(session, actor, RepatriationBatch, batch_id,
                               action="repatriation_batch.exit")
    service.lock_batch(session, batch.id)
    service.lock_repatriations(session, Repatriation.id == repatriation_id)
    member = next((m for m in service.members_of(session, batch.id)
                   if m.repatriation.id == repatriation_id), None)
    if member is None or service.held_back(member.repatriation):
        raise field_error("repatriation_id", _("This person is not on the batch's list"))
    rep = member.repatriation
    if rep.stage not in (Stage.EXIT_CLEARED, Stage.DEPARTED, Stage.RECEIVED):
        raise Conflict(_("The person has not been cleared to leave: their exit clearance "
                       "comes before the departure"))
    exit_, created = _record_exit(session, actor=actor, batch=batch, member=member)
    if rep.stage == Stage.EXIT_CLEARED:
        service.record_stage(session, rep=rep, to=Stage.DEPARTED, actor=actor,
                             note=f"Exit recorded at the border ({batch.name})")
        rep.updated_by_id = actor.user_id
        rep.updated_at = utcnow()
        session.add(rep)
        session.flush()
    audit.record(session, actor=actor, action="repatriation_batch.exit",
                 entity_type="repatriation_batch", entity_id=batch.id,
                 detail={"repatriation_id": rep.id, "created": created})
    crossing = session.get(Crossing, exit_.crossing_id)
    return ExitRead(repatriation_id=rep.id, crossing_id=crossing.id,
                    crossed_at=crossing.crossed_at, crossing_point=crossing.crossing_point,
                    created=created)


# --- the manifest -------------------------------------------------------------------------

@dataclass(frozen=True)
class ManifestRow:
    given_name: str
    family_name: str
    name_latin: str
    sex: str
    date_of_birth: date | None
    age_estimate: int | None
    document: str
    place_of_origin: str
    phone: str


@dataclass(frozen=True)
class Manifest:
    batch: RepatriationBatch
    nationality: str
    rows: list[ManifestRow]
    withheld: int


def manifest_of(session: Session, *, actor: Actor, batch_id: int) -> Manifest:
    """What a consular officer needs of the batch's people who agreed to share their details
    with the embassy, and how many others are withheld; nothing of the interview, screening
    or determination. The caller audits the download."""
    batch = access.get_visible(session, actor, RepatriationBatch, batch_id,
                               action="repatriation_batch.manifest")
    members = service.members_of(session, batch.id)
    if not members:
        raise Conflict(_("The batch has no one in it: there is no manifest to make"))
    named = [m for m in members if m.repatriation.consent_to_share_with_embassy == Answer.YES]
    nationality = session.get(Nationality, batch.nationality_code)
    rows = [ManifestRow(
        given_name=m.person.given_name, family_name=m.person.family_name,
        name_latin=latin_name(m.repatriation, m.person), sex=m.person.sex,
        date_of_birth=m.person.date_of_birth, age_estimate=m.person.age_estimate,
        document=document_of(m.repatriation, m.person),
        place_of_origin=m.repatriation.place_of_origin, phone=m.person.phone or "")
        for m in named]
    return Manifest(batch=batch, nationality=nationality.name if nationality else "",
                    rows=rows, withheld=len(members) - len(named))


# --- the batches board ------------------------------------------------------------------

@dataclass(frozen=True)
class Readiness:
    """The repatriations bound for one country that are in no batch yet, by what holds them."""

    code: str
    name: str
    ready: int  # may join a batch now
    missing_consent: int
    fear_of_return: int  # a fear of return no assessment cleared
    missing_documents: int
    waiting: int  # every one not in a batch, not cancelled, not gone


def readiness(session: Session, *, actor: Actor) -> list[Readiness]:
    """Counts per destination, largest first (a person may be counted in several columns:
    each says what is still missing)."""
    rep = Repatriation

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    has_documents = or_(rep.travel_document_status == "with_person",
                        rep.emergency_document == EmergencyDocument.ISSUED.value)
    fear = service.fear_not_cleared()
    ready = and_(rep.stage.in_((Stage.DOCUMENTS_READY.value, Stage.EXIT_CLEARED.value)),
                 service.safe_to_return(), has_documents)
    rows = session.exec(
        select(rep.destination_country, Nationality.name, count_if(ready),
               count_if(rep.consent_to_return != Answer.YES.value), count_if(fear),
               count_if(~has_documents), func.count())
        .join(Nationality, Nationality.code == rep.destination_country)
        .where(rep.batch_id.is_(None), access.visible(actor, Repatriation),
               rep.stage.not_in((Stage.CANCELLED.value, Stage.DEPARTED.value,
                                 Stage.RECEIVED.value)))
        .group_by(rep.destination_country, Nationality.name)
        .order_by(func.count().desc(), Nationality.name)).all()
    return [Readiness(code, name, *(int(v or 0) for v in values))
            for code, name, *values in rows]


@dataclass(frozen=True)
class Candidate:
    repatriation_id: int
    case_reference: str
    given_name: str
    family_name: str
    document: str


def candidates(session: Session, *, actor: Actor, batch: RepatriationBatch,
               limit: int = 500) -> list[Candidate]:
    """The people who may join the batch now: bound for its country, documents ready, the
    safeguard passed, in no batch."""
    rows = session.exec(
        select(Repatriation, Case, Person)
        .join(Case, Case.id == Repatriation.case_id).join(Person, Person.id == Case.person_id)
        .where(Repatriation.batch_id.is_(None),
               Repatriation.destination_country == batch.nationality_code,
               Repatriation.stage.in_((Stage.DOCUMENTS_READY.value, Stage.EXIT_CLEARED.value)),
               service.safe_to_return(), access.visible(actor, Repatriation))
        .order_by(Person.family_name, Person.given_name).limit(limit)).all()
    return [Candidate(r.id, c.reference, p.given_name, p.family_name, document_of(r, p))
            for r, c, p in rows if service.documents_ready(r)]


def add_members(session: Session, *, actor: Actor, batch_id: int,
                repatriation_ids: list[int]) -> int:
    """The batch page's form: each repatriation joins as a PATCH of its batch_id would."""
    if not repatriation_ids:
        raise field_error("repatriation_id", _("Tick the people who join the batch"))
    for rep_id in repatriation_ids:
        rep = access.get_visible(session, actor, Repatriation, rep_id,
                                 action="repatriation.update")
        service.update_repatriation(session, actor=actor, case_id=rep.case_id,
                                    update_in=RepatriationUpdate(batch_id=batch_id))
    return len(repatriation_ids)
