"""A case's repatriation: its fields, its stages one step at a time, and the safeguard.

The safeguard (non-refoulement). A person who fears returning is not sent back on Passage's
watch until someone has assessed that fear and recorded the outcome with a rationale:
- while `fear_of_return` is `yes` and no protection assessment *clearing* the return is
  recorded, the repatriation cannot go past `planning`, and the person is in no batch and in
  no manifest (`held_back` here, `safe_to_return` in SQL for every list and manifest);
- an assessment that refers the person to UNHCR holds them back the same way, whatever the
  fear says afterwards: a referral is the finding that they need protection, not leave to send
  them home; only a later assessment (with its rationale, kept with the one it supersedes)
  lifts it;
- an assessment covers only the fear it assessed: a fear recorded after it (said yes, or its
  note changed while yes) needs a new one, and until then the person is held back as if none
  was recorded (every assessment is kept in repatriation_assessments);
- the judgement is the owning organisation's caseworkers' (REPATRIATION_PROTECTION: they
  heard the person): they record assessments and withdraw a fear, with a note kept in the
  history; anyone who may change the repatriation may record a fear;
- recording a fear of return (or a withdrawn consent to return) on a repatriation already
  under way takes it back to `planning` and out of its batch, with the reason in its history:
  what the person says is never refused, and the journey stops until it is assessed.
The fear must also have been asked about (`no` or `yes`) before the embassy is notified.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.auth.service import display_names
from app.cases.follow_ups import add_follow_up
from app.cases.lifecycle import refuse_if_closed
from app.cases.models import Case
from app.cases.schemas import CaseStatus
from app.clock import local_today, utcnow
from app.errors import Conflict, NotFound, PermissionDenied, field_error
from app.i18n import N_, _
from app.labels import REPATRIATION_STAGE_LABELS
from app.nationalities.models import Nationality
from app.people.models import Person
from app.repatriation.models import (
    ProtectionAssessmentRecord,
    Repatriation,
    RepatriationBatch,
    RepatriationStageChange,
)
from app.repatriation.schemas import (
    STEPS,
    Answer,
    EmergencyDocument,
    ProtectionAssessmentRead,
    ProtectionOutcome,
    RepatriationCreate,
    RepatriationRead,
    RepatriationUpdate,
    Stage,
    StageChangeRead,
    TravelDocument,
)

# the stages a batch member may be at (joining needs documents ready)
BATCH_STAGES = (Stage.DOCUMENTS_READY, Stage.EXIT_CLEARED, Stage.DEPARTED, Stage.RECEIVED)
# on the way and not yet gone: where a fear of return recorded late takes a journey back
UNDER_WAY = (Stage.EMBASSY_NOTIFIED, Stage.NATIONALITY_VERIFIED, Stage.DOCUMENTS_READY,
             Stage.EXIT_CLEARED)
GONE = (Stage.DEPARTED, Stage.RECEIVED)

# fields a PATCH may not set to null: the record keeps a value for each
NOT_NULL = ("destination_country", "name_latin", "place_of_origin", "consent_to_return",
            "consent_to_share_with_embassy", "fear_of_return", "fear_of_return_note",
            "emergency_document", "emergency_document_number")

FEAR_NOT_ASKED = N_("Fear of return: ask the person whether they fear returning home")
FEAR_UNASSESSED = ("Fear of return: the person fears returning and no protection "
                   "assessment is recorded")
FEAR_REFERRED = ("Protection assessment: the person was referred to UNHCR and is not to be "
                 "returned")
FEAR_REASSESS = ("Fear of return: recorded after the last protection assessment, which did not "
                 "assess it: a new protection assessment is needed")
NO_CONSENT = N_("Consent to return: the person has not agreed to return")
NO_DOCUMENT = ("Travel document: the person has neither their own travel document nor an "
               "issued emergency document")


# --- the safeguard ----------------------------------------------------------------------

def held_back(rep: Repatriation) -> list[str]:
    """Why the person may not go past planning, in words (empty: they may)."""
    reasons = []
    if rep.consent_to_return != Answer.YES:
        reasons.append(_(NO_CONSENT))
    if rep.fear_of_return == Answer.NOT_ASKED:
        reasons.append(_(FEAR_NOT_ASKED))
    elif rep.fear_of_return == Answer.YES:
        if rep.protection_outcome is None:
            reasons.append(FEAR_UNASSESSED)
        elif assessment_outdated(rep):
            reasons.append(FEAR_REASSESS)
        elif rep.protection_outcome != ProtectionOutcome.CLEARED:
            reasons.append(FEAR_REFERRED)
    if (rep.fear_of_return != Answer.YES
            and rep.protection_outcome == ProtectionOutcome.REFERRED_TO_UNHCR):
        reasons.append(FEAR_REFERRED)
    return reasons


def assessment_outdated(rep: Repatriation) -> bool:
    """The latest assessment is older than the fear recorded since: it did not assess it."""
    return (rep.protection_outcome is not None and rep.fear_of_return_recorded_at is not None
            and (rep.protection_assessed_at is None
                 or rep.protection_assessed_at < rep.fear_of_return_recorded_at))


def unassessed_fear(rep: Repatriation) -> bool:
    """A fear of return that no assessment of it cleared."""
    return (rep.fear_of_return == Answer.YES
            and (rep.protection_outcome != ProtectionOutcome.CLEARED
                 or assessment_outdated(rep)))


def assessment_current() -> ColumnElement[bool]:
    """SQL: the latest assessment is no older than the fear (assessment_outdated negated)."""
    return or_(Repatriation.fear_of_return_recorded_at.is_(None),
               Repatriation.protection_assessed_at >= Repatriation.fear_of_return_recorded_at)


def fear_not_cleared() -> ColumnElement[bool]:
    """SQL: unassessed_fear."""
    return and_(Repatriation.fear_of_return == Answer.YES.value,
                or_(Repatriation.protection_outcome.is_(None),
                    Repatriation.protection_outcome != ProtectionOutcome.CLEARED.value,
                    ~assessment_current()))


def safe_to_return() -> ColumnElement[bool]:
    """SQL: the repatriation may go past planning (held_back is empty). Every batch list and
    manifest reads people through it, whatever their stage says."""
    return and_(
        Repatriation.consent_to_return == Answer.YES.value,
        or_(and_(Repatriation.fear_of_return == Answer.NO.value,
                 or_(Repatriation.protection_outcome.is_(None),
                     Repatriation.protection_outcome != ProtectionOutcome.REFERRED_TO_UNHCR.value)),
            and_(Repatriation.fear_of_return == Answer.YES.value,
                 Repatriation.protection_outcome == ProtectionOutcome.CLEARED.value,
                 assessment_current())))


def documents_ready(rep: Repatriation) -> bool:
    return (rep.travel_document_status == TravelDocument.WITH_PERSON
            or rep.emergency_document == EmergencyDocument.ISSUED)


def missing_for(rep: Repatriation, stage: Stage) -> list[str]:
    """What reaching `stage` (a step after planning) still needs, in words."""
    missing = held_back(rep)
    if STEPS.index(stage) >= STEPS.index(Stage.DOCUMENTS_READY) and not documents_ready(rep):
        missing.append(NO_DOCUMENT)
    return missing


def next_stage(rep: Repatriation) -> Stage | None:
    if rep.stage == Stage.CANCELLED:
        return None
    index = STEPS.index(Stage(rep.stage))
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


# --- reading ----------------------------------------------------------------------------

def _record_of(session: Session, case_id: int) -> Repatriation | None:
    return session.exec(select(Repatriation).where(Repatriation.case_id == case_id)).first()


# --- locks --------------------------------------------------------------------------------
# A batch's move and a change of one of its people's records each read, check the safeguard
# and write: both lock the rows they read (SELECT ... FOR UPDATE on PostgreSQL; SQLite has
# one writer at a time), always the batch first and then the repatriations by id, so that a
# fear of return recorded while the batch moves is seen by whichever comes second.

def lock_batch(session: Session, batch_id: int) -> RepatriationBatch | None:
    """The batch row, locked until the transaction ends, as committed now."""
    return session.exec(select(RepatriationBatch).where(RepatriationBatch.id == batch_id)
                        .with_for_update()
                        .execution_options(populate_existing=True)).first()


def lock_repatriations(session: Session, *conditions) -> list[Repatriation]:
    """The repatriations matching `conditions`, locked in the order of their ids, as
    committed now."""
    return list(session.exec(select(Repatriation).where(*conditions)
                             .order_by(Repatriation.id).with_for_update()
                             .execution_options(populate_existing=True)).all())


def _lock_record(session: Session, rep: Repatriation, joining: int | None) -> Repatriation:
    """Lock the batches the repatriation is in or joins, then the repatriation itself."""
    locked: set[int] = set()
    for _attempt in range(3):
        for batch_id in sorted({rep.batch_id, joining} - {None} - locked):
            lock_batch(session, batch_id)
            locked.add(batch_id)
        rep = lock_repatriations(session, Repatriation.id == rep.id)[0]
        if rep.batch_id is None or rep.batch_id in locked:
            return rep
    raise Conflict(_("The repatriation is being changed by someone else: try again"))


def _history(session: Session, rep: Repatriation) -> list[RepatriationStageChange]:
    return list(session.exec(select(RepatriationStageChange)
                             .where(RepatriationStageChange.repatriation_id == rep.id)
                             .order_by(RepatriationStageChange.id)).all())


def _assessments(session: Session, rep: Repatriation) -> list[ProtectionAssessmentRecord]:
    return list(session.exec(select(ProtectionAssessmentRecord)
                             .where(ProtectionAssessmentRecord.repatriation_id == rep.id)
                             .order_by(ProtectionAssessmentRecord.id)).all())


def read_of(session: Session, rep: Repatriation, case: Case) -> RepatriationRead:
    history = _history(session, rep)
    assessments = _assessments(session, rep)
    names = display_names(session, {rep.protection_assessed_by_id,
                                    *(a.assessed_by_id for a in assessments),
                                    *(h.changed_by_id for h in history)} - {None})
    upcoming = next_stage(rep)
    assessment = None
    if rep.protection_outcome is not None:
        assessment = ProtectionAssessmentRead(
            outcome=rep.protection_outcome, rationale=rep.protection_rationale,
            assessed_by=names.get(rep.protection_assessed_by_id),
            assessed_at=rep.protection_assessed_at, fear_of_return=None,
            outdated=assessment_outdated(rep))
    return RepatriationRead(
        id=rep.id, case_id=rep.case_id, destination_country=rep.destination_country,
        name_latin=rep.name_latin, place_of_origin=rep.place_of_origin,
        consent_to_return=rep.consent_to_return, consent_to_return_on=rep.consent_to_return_on,
        consent_to_share_with_embassy=rep.consent_to_share_with_embassy,
        consent_to_share_on=rep.consent_to_share_on, fear_of_return=rep.fear_of_return,
        fear_of_return_note=rep.fear_of_return_note,
        fear_of_return_recorded_at=rep.fear_of_return_recorded_at,
        protection_assessment=assessment,
        protection_assessments=[ProtectionAssessmentRead(
            outcome=a.outcome, rationale=a.rationale, assessed_by=names.get(a.assessed_by_id),
            assessed_at=a.assessed_at, fear_of_return=a.fear_of_return,
            outdated=a.id != assessments[-1].id or assessment_outdated(rep))
            for a in assessments],
        travel_document_status=rep.travel_document_status,
        emergency_document=rep.emergency_document,
        emergency_document_number=rep.emergency_document_number,
        emergency_document_issued_on=rep.emergency_document_issued_on, stage=rep.stage,
        cancel_reason=rep.cancel_reason, batch_id=rep.batch_id,
        next_stage=upcoming.value if upcoming else None,
        missing=missing_for(rep, upcoming) if upcoming else [],
        closure_offered=("repatriated" if rep.stage == Stage.RECEIVED
                         and case.status != CaseStatus.CLOSED else None),
        history=[StageChangeRead(from_stage=h.from_stage, to_stage=h.to_stage, note=h.note,
                                 changed_by=names.get(h.changed_by_id),
                                 changed_at=h.changed_at) for h in history],
        created_at=rep.created_at, updated_at=rep.updated_at)


def read_repatriation(session: Session, *, actor: Actor, case_id: int) -> RepatriationRead:
    case = access.get_visible(session, actor, Case, case_id, action="repatriation.read")
    rep = _record_of(session, case.id)
    if rep is None:
        raise NotFound(_("No repatriation has been started for this case"))
    audit.record(session, actor=actor, action="repatriation.read", entity_type="case",
                 entity_id=case.id, detail={"repatriation_id": rep.id})
    return read_of(session, rep, case)


def repatriation_of(session: Session, *, case: Case) -> RepatriationRead | None:
    """The record for a page that has already checked and audited the read of the case."""
    rep = _record_of(session, case.id)
    return read_of(session, rep, case) if rep is not None else None


# --- writing ----------------------------------------------------------------------------

def record_stage(session: Session, *, rep: Repatriation, to: Stage, actor: Actor,
                 note: str = "") -> None:
    session.add(RepatriationStageChange(
        repatriation_id=rep.id, from_stage=rep.stage, to_stage=to.value, note=note,
        batch_id=rep.batch_id, changed_by_id=actor.user_id, changed_at=utcnow()))
    rep.stage = to.value


def _apply_fields(session: Session, rep: Repatriation, changes: dict, *,
                  actor: Actor) -> list[str]:
    """Set the fields sent (checked one by one); the names of those that changed."""
    for name in NOT_NULL:
        if name in changes and changes[name] is None:
            raise field_error(name, _("Cannot be empty: leave it out to keep it as it is"))
    if "destination_country" in changes and session.get(
            Nationality, changes["destination_country"]) is None:
        raise field_error("destination_country", _("No country has this code"))
    today = local_today()
    for name in ("consent_to_return_on", "consent_to_share_on", "emergency_document_issued_on"):
        if changes.get(name) is not None and changes[name] > today:
            raise field_error(name, _("The date cannot be in the future"))
    changed = []
    assessment = changes.pop("protection_assessment", None)
    judges = can(actor, Permission.REPATRIATION_PROTECTION)
    if assessment is not None and not judges:
        raise PermissionDenied(_("A protection assessment is recorded by a caseworker of the "
                               "case's organisation, who heard the person"),
                               action="repatriation.protection_assessment",
                               entity_type="case", entity_id=rep.case_id)
    fear_before = rep.fear_of_return
    if (changes.get("fear_of_return") not in (None, fear_before, Answer.YES) and not judges):
        raise PermissionDenied(_("Only a caseworker of the case's organisation changes a fear of "
                               "return to anything but yes"),
                               action="repatriation.fear_of_return",
                               entity_type="case", entity_id=rep.case_id)
    for name, value in changes.items():
        if getattr(rep, name) != value:
            setattr(rep, name, value)
            changed.append(name)
    # a fear recorded: said yes, or what it is changed while yes. An assessment made before
    # did not assess it (assessment_outdated)
    if rep.fear_of_return == Answer.YES and (fear_before != Answer.YES
                                              or "fear_of_return_note" in changed):
        rep.fear_of_return_recorded_at = utcnow()
    # an answer given today unless said otherwise
    for answer, day in (("consent_to_return", "consent_to_return_on"),
                        ("consent_to_share_with_embassy", "consent_to_share_on")):
        if (answer in changed and getattr(rep, answer) != Answer.NOT_ASKED
                and day not in changes and getattr(rep, day) is None):
            setattr(rep, day, today)
            changed.append(day)
    if assessment is not None:
        # the assessment it supersedes stays in repatriation_assessments
        rep.protection_outcome = assessment["outcome"]
        rep.protection_rationale = assessment["rationale"]
        rep.protection_assessed_by_id = actor.user_id
        rep.protection_assessed_at = utcnow()
        changed.append("protection_assessment")
    if rep.emergency_document == EmergencyDocument.ISSUED:
        if not rep.emergency_document_number:
            raise field_error("emergency_document_number",
                              _("Give the number of the emergency document that was issued"))
        if rep.emergency_document_issued_on is None:
            raise field_error("emergency_document_issued_on",
                              _("Give the date the emergency document was issued"))
    return sorted(changed)


def _keep_assessment(session: Session, rep: Repatriation) -> None:
    """The assessment just recorded, kept for good (after the repatriation has its id)."""
    session.add(ProtectionAssessmentRecord(
        repatriation_id=rep.id, outcome=rep.protection_outcome,
        rationale=rep.protection_rationale, fear_of_return=rep.fear_of_return,
        assessed_by_id=rep.protection_assessed_by_id, assessed_at=rep.protection_assessed_at))


def _hold_back_if_needed(session: Session, rep: Repatriation, *, actor: Actor,
                         changed: list[str]) -> None:
    """The safeguard on a journey under way: back to planning and out of its batch. So too
    a new destination (another embassy); and lost documents take it back a step."""
    if rep.stage not in UNDER_WAY:
        return
    reasons = held_back(rep)
    if "destination_country" in changed:
        reasons.append("Destination: changed, so another embassy is to be notified")
    if reasons:
        rep.batch_id = None
        record_stage(session, rep=rep, to=Stage.PLANNING, actor=actor,
                     note="Back to planning: " + "; ".join(reasons))
    elif (STEPS.index(Stage(rep.stage)) >= STEPS.index(Stage.DOCUMENTS_READY)
          and not documents_ready(rep)):
        rep.batch_id = None
        record_stage(session, rep=rep, to=Stage.NATIONALITY_VERIFIED, actor=actor,
                     note="Back a step: " + NO_DOCUMENT)


def _move(session: Session, rep: Repatriation, to: Stage, note: str, *,
          actor: Actor) -> None:
    """One step forward, any steps back with a note, or cancelled with a reason."""
    current = Stage(rep.stage)
    if to == current:
        return
    if to == Stage.CANCELLED:
        if current in GONE:
            raise Conflict(_("The person has already left: a journey that happened cannot be "
                           "cancelled (step it back with a note if it was recorded by mistake)"))
        if not note:
            raise field_error("note", _("Say why the repatriation is cancelled"))
        rep.cancel_reason = note
        rep.batch_id = None
        record_stage(session, rep=rep, to=to, actor=actor, note=note)
        return
    if current == Stage.CANCELLED:
        if to != Stage.PLANNING:
            raise Conflict(_("A cancelled repatriation starts again at planning"))
        if not note:
            raise field_error("note", _("Say why the repatriation starts again"))
        rep.cancel_reason = ""
        record_stage(session, rep=rep, to=to, actor=actor, note=note)
        return
    here, there = STEPS.index(current), STEPS.index(to)
    if there < here:
        if not note:
            raise field_error("note", _("Say why the repatriation steps back"))
        if to not in BATCH_STAGES:
            rep.batch_id = None
        record_stage(session, rep=rep, to=to, actor=actor, note=note)
        return
    if there > here + 1:
        skipped = STEPS[here + 1]
        raise Conflict(
            _(
                "One step at a time: '%(stage)s' (%(value)s) comes next, "
                "before '%(next_stage)s'"
            )
            % {
                "stage": REPATRIATION_STAGE_LABELS[skipped],
                "value": skipped.value,
                "next_stage": REPATRIATION_STAGE_LABELS[to],
            }
        )
    missing = missing_for(rep, to)
    if missing:
        raise Conflict(
            _("'%(stage)s' needs: ")
            % {"stage": REPATRIATION_STAGE_LABELS[to]}
            + "; ".join(missing)
        )
    record_stage(session, rep=rep, to=to, actor=actor, note=note)


def joining_refusals(rep: Repatriation, batch: RepatriationBatch) -> list[str]:
    """Why the repatriation may not join the batch, in words (empty: it may)."""
    reasons = []
    if rep.destination_country != batch.nationality_code:
        reasons.append(f"Destination: the batch goes to {batch.nationality_code}, the person "
                       f"to {rep.destination_country}")
    if rep.stage not in (Stage.DOCUMENTS_READY, Stage.EXIT_CLEARED):
        reasons.append("Stage: a person joins a batch once their travel documents are ready "
                       f"(now '{REPATRIATION_STAGE_LABELS[rep.stage]}')")
    reasons.extend(held_back(rep))
    if not documents_ready(rep):
        reasons.append(NO_DOCUMENT)
    if batch.stage != "planned":
        reasons.append("Batch: it has been cleared to leave already; people join before")
    return reasons


def _join(session: Session, rep: Repatriation, batch_id: int | None, *,
          actor: Actor) -> None:
    if batch_id is None:
        if rep.stage in GONE and rep.batch_id is not None:
            raise Conflict(_("The person left with this batch: they stay on it"))
        rep.batch_id = None
        return
    batch = access.get_visible(session, actor, RepatriationBatch, batch_id,
                               action="repatriation.join_batch")
    if rep.batch_id == batch.id:
        raise Conflict(_("The person is already in this batch"))
    if rep.batch_id is not None:
        raise Conflict(_("The person is in another batch: take them out of it first "
                       "(batch_id null)"))
    refusals = joining_refusals(rep, batch)
    if refusals:
        raise Conflict(_("Cannot join this batch: ") + "; ".join(refusals))
    rep.batch_id = batch.id


def _writable_case(session: Session, *, actor: Actor, case_id: int, action: str) -> Case:
    case = access.get_visible(session, actor, Case, case_id, action=action)
    refuse_if_closed(case)
    return case


def create_repatriation(session: Session, *, actor: Actor, case_id: int,
                        rep_in: RepatriationCreate) -> RepatriationRead:
    case = _writable_case(session, actor=actor, case_id=case_id, action="repatriation.create")
    if _record_of(session, case.id) is not None:
        raise Conflict(_("This case already has a repatriation: change it with PATCH"))
    changes = rep_in.model_dump(exclude_unset=True)
    if changes.get("destination_country") is None:
        person = session.get(Person, case.person_id)
        if person is None or person.nationality_code is None:
            raise field_error("destination_country", _("The person's nationality is not "
                              "recorded: say which country they return to"))
        changes["destination_country"] = person.nationality_code
    rep = Repatriation(case_id=case.id, destination_country=changes["destination_country"],
                       created_by_id=actor.user_id, updated_by_id=actor.user_id)
    changed = _apply_fields(session, rep, changes, actor=actor)
    session.add(rep)
    session.flush()
    if "protection_assessment" in changed:
        _keep_assessment(session, rep)
    session.add(RepatriationStageChange(repatriation_id=rep.id, from_stage=None,
                                        to_stage=Stage.PLANNING.value,
                                        changed_by_id=actor.user_id, changed_at=utcnow()))
    session.flush()
    audit.record(session, actor=actor, action="repatriation.create", entity_type="case",
                 entity_id=case.id, detail={"repatriation_id": rep.id})
    return read_of(session, rep, case)


def update_repatriation(session: Session, *, actor: Actor, case_id: int,
                        update_in: RepatriationUpdate) -> RepatriationRead:
    """The fields sent, then the safeguard, then the stage, then the batch: all or nothing
    (a refusal rolls the request's unit of work back)."""
    case = _writable_case(session, actor=actor, case_id=case_id, action="repatriation.update")
    rep = _record_of(session, case.id)
    if rep is None:
        raise NotFound(_("No repatriation has been started for this case: start it with POST"))
    changes = update_in.model_dump(exclude_unset=True)
    stage = changes.pop("stage", None)
    note = changes.pop("note", None) or ""
    batch_sent = "batch_id" in changes
    batch_id = changes.pop("batch_id", None)
    rep = _lock_record(session, rep, batch_id)
    if stage is None and "stage" in update_in.model_fields_set:
        raise field_error("stage", _("Cannot be empty: leave it out to keep the stage"))
    before = (rep.stage, rep.batch_id)
    fear_before, outcome_before = rep.fear_of_return, rep.protection_outcome
    changed = _apply_fields(session, rep, changes, actor=actor)
    if "protection_assessment" in changed:
        _keep_assessment(session, rep)
    fear = None
    if rep.fear_of_return != fear_before:
        fear = [fear_before, rep.fear_of_return]
        if fear_before == Answer.YES:
            # a fear withdrawn is never silent: a note, kept in the history with the codes
            if not note:
                raise field_error("note", _("Say why the fear of return is withdrawn (it is "
                                          "kept in the repatriation's history)"))
            session.add(RepatriationStageChange(
                repatriation_id=rep.id, from_stage=rep.stage, to_stage=rep.stage,
                note=f"Fear of return withdrawn ({fear_before} to {rep.fear_of_return}): "
                     f"{note}", batch_id=rep.batch_id, changed_by_id=actor.user_id,
                changed_at=utcnow()))
    _hold_back_if_needed(session, rep, actor=actor, changed=changed)
    if stage is not None:
        _move(session, rep, Stage(stage), note, actor=actor)
        if rep.stage == Stage.RECEIVED and before[0] != Stage.RECEIVED:
            propose_closure(session, case=case, actor=actor)
    if batch_sent:
        _join(session, rep, batch_id, actor=actor)
    if changed or (rep.stage, rep.batch_id) != before:
        rep.updated_by_id = actor.user_id
        rep.updated_at = utcnow()
        session.add(rep)
        session.flush()
    # the names of the fields changed, never their values (a note may name people)
    audit.record(session, actor=actor, action="repatriation.update", entity_type="case",
                 entity_id=case.id,
                 detail={"repatriation_id": rep.id, "fields": changed,
                         "fear_of_return": fear,
                         "protection_assessment": [outcome_before, rep.protection_outcome]
                         if "protection_assessment" in changed else None,
                         "stage": [before[0], rep.stage] if rep.stage != before[0] else None,
                         "batch": [before[1], rep.batch_id] if rep.batch_id != before[1]
                         else None})
    return read_of(session, rep, case)


CLOSURE_FOLLOW_UP = "The person is home: close the case as repatriated"


def propose_closure(session: Session, *, case: Case, actor: Actor) -> None:
    """Received at home: the caseworker's queue gets the closing of the case (due today)."""
    if case.status != CaseStatus.CLOSED:
        add_follow_up(session, case=case, title=CLOSURE_FOLLOW_UP, due_on=local_today(),
                      actor=actor, proposed=True)


@dataclass(frozen=True)
class Member:
    """A batch member as the departure list and the manifest read them."""

    repatriation: Repatriation
    case: Case
    person: Person


def members_of(session: Session, batch_id: int, *, named_only: bool = False) -> list[Member]:
    """The people of a batch who may travel (the safeguard in SQL, whatever their stage
    says); with `named_only`, those who agreed to share their details with the embassy."""
    conditions = [Repatriation.batch_id == batch_id, safe_to_return(),
                  Repatriation.stage != Stage.CANCELLED.value, Person.merged_into_id.is_(None)]
    if named_only:
        conditions.append(Repatriation.consent_to_share_with_embassy == Answer.YES.value)
    rows = session.exec(select(Repatriation, Case, Person)
                        .join(Case, Case.id == Repatriation.case_id)
                        .join(Person, Person.id == Case.person_id)
                        .where(*conditions)
                        .order_by(Person.family_name, Person.given_name, Repatriation.id)).all()
    return [Member(*row) for row in rows]


def can_write(actor: Actor) -> bool:
    return can(actor, Permission.REPATRIATION_WRITE)
