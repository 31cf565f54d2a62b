"""Determinations: a person's decision, answering the latest suggestion.

Passage suggests; a person decides. A determination needs a rationale whenever it differs
from the suggestion it answers; earlier determinations are kept.
"""

from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.service import display_names
from app.cases import follow_ups, lifecycle
from app.cases.interviews import latest_screening_of
from app.cases.models import Case, Determination, Screening
from app.cases.schemas import DeterminationCreate, DeterminationRead, Outcome
from app.db import utcnow
from app.errors import Conflict, field_error
from app.i18n import _
from app.labels import SUGGESTION_LABELS
from app.screening.rules import Classification


def agrees(outcome: str, suggestion: str | None) -> bool:
    """Whether a determination agrees with a suggestion (SCREENING.md rule 6): the same
    classification, or `undetermined` for `needs_assessment`. No suggestion, no agreement."""
    if suggestion is None:
        return False
    if outcome == Outcome.UNDETERMINED and suggestion == Classification.NEEDS_ASSESSMENT:
        return True
    return outcome == suggestion


def _determination_reads(session: Session, rows: list[Determination]) -> list[DeterminationRead]:
    screening_ids = {d.screening_id for d in rows if d.screening_id is not None}
    suggestions = dict(session.exec(select(Screening.id, Screening.classification)
                                    .where(Screening.id.in_(screening_ids))).all()) \
        if screening_ids else {}
    users = display_names(session, {d.decided_by_id for d in rows})
    reads = []
    for d in rows:
        suggestion = suggestions.get(d.screening_id)
        reads.append(DeterminationRead(
            id=d.id, case_id=d.case_id, screening_id=d.screening_id, suggestion=suggestion,
            outcome=d.outcome, rationale=d.rationale,
            differs_from_suggestion=not agrees(d.outcome, suggestion),
            decided_by_id=d.decided_by_id, decided_by=users.get(d.decided_by_id),
            decided_at=d.decided_at,
        ))
    return reads


def determinations_of(session: Session, case_id: int) -> list[DeterminationRead]:
    rows = list(session.exec(select(Determination).where(Determination.case_id == case_id)
                             .order_by(Determination.id)).all())
    return _determination_reads(session, rows)


def record_determination(session: Session, *, actor: Actor, case_id: int,
                         determination_in: DeterminationCreate) -> DeterminationRead:
    """A person's decision, answering the latest suggestion. Earlier ones are kept."""
    case = access.get_visible(session, actor, Case, case_id, action="determination.create")
    lifecycle.refuse_if_closed(case)
    latest = latest_screening_of(session, case.id)
    if determination_in.screening_id is not None and (
            latest is None or latest.id != determination_in.screening_id):
        raise Conflict(_("A newer interview has been recorded for this case since this "
                       "suggestion; review the latest suggestion and decide again"))
    suggestion = latest.classification if latest else None
    outcome = determination_in.outcome.value
    if not agrees(outcome, suggestion) and not determination_in.rationale:
        if suggestion is None:
            message = ("Explain the determination: no interview has been screened for this "
                       "case yet")
        else:
            message = ("Explain why the determination differs from the screening suggestion "
                       f"({SUGGESTION_LABELS[suggestion]})")
        raise field_error("rationale", message)
    determination = Determination(
        case_id=case.id, screening_id=latest.id if latest else None, outcome=outcome,
        rationale=determination_in.rationale, decided_by_id=actor.user_id,
        decided_at=utcnow(),
    )
    session.add(determination)
    session.flush()
    lifecycle.after_determination(session, case=case, outcome=outcome,
                                  determination_id=determination.id, actor=actor)
    follow_ups.propose_after_determination(session, case=case, outcome=outcome, actor=actor)
    audit.record(session, actor=actor, action="determination.create", entity_type="case",
                 entity_id=case.id,
                 detail={"determination_id": determination.id,
                         "screening_id": determination.screening_id,
                         "differs_from_suggestion": not agrees(outcome, suggestion)})
    return _determination_reads(session, [determination])[0]


def list_determinations(session: Session, *, actor: Actor,
                        case_id: int) -> list[DeterminationRead]:
    case = access.get_visible(session, actor, Case, case_id, action="determination.read")
    rows = determinations_of(session, case.id)
    audit.record(session, actor=actor, action="determination.read", entity_type="case",
                 entity_id=case.id, detail={"returned": len(rows)})
    return rows
