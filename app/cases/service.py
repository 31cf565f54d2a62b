"""Cases: opening one for a person, listing them, reading one whole.

Interviews and their screenings live in interviews.py, determinations in determinations.py,
the outcome counts in outcomes.py; the case page, which also shows crossings and referrals,
is composed in app/pages/.
"""

import uuid
from datetime import datetime

from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization, User
from app.auth.permissions import Permission, can
from app.auth.service import display_names
from app.cases import lifecycle
from app.cases.determinations import determinations_of
from app.cases.interviews import interviews_of, screening_read, screenings_of
from app.cases.latest import latest_ids
from app.cases.models import Case, Determination, Screening
from app.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CaseOverview,
    CaseRead,
    CaseStatus,
    KnownDetails,
)
from app.clock import local_date, local_today, utcnow
from app.errors import Conflict, Hidden, NotFound, field_error
from app.pagination import PageParams, paginate
from app.people.duplicates import Probe, find_duplicates
from app.people.models import Person

REFERENCE_PREFIX = "PSG"


def _new_reference(case: Case) -> str:
    year = local_date(case.created_at or utcnow()).year
    return f"{REFERENCE_PREFIX}-{year}-{case.id:06d}"


def create_case(session: Session, *, actor: Actor, case_in: CaseCreate) -> Case:
    """Open a case for a person the caseworker may see, owned by their organisation.

    The reference is derived from the case's own id after the insert, so two caseworkers
    opening cases at the same moment on different app processes can never get the same one."""
    person = session.get(Person, case_in.person_id)
    if person is None:
        raise NotFound("No such person")
    linked = False
    if not access.is_visible(session, actor, Person, person.id):
        if not _found_by_details(session, actor=actor, person_id=person.id,
                                 details=case_in.known_details):
            raise Hidden("No such person", action="case.create", entity_type="person",
                         entity_id=person.id)
        linked = True
    open_case = session.exec(
        select(Case.reference).where(Case.person_id == person.id,
                                     Case.organization_id == actor.organization_id,
                                     lifecycle.active_condition())
    ).first()
    if open_case is not None:
        raise Conflict(f"Your organisation already has an open case for this person: "
                       f"{open_case}")
    assigned_to_id = case_in.assigned_to_id or actor.user_id
    if case_in.assigned_to_id is not None:
        assignee = session.get(User, case_in.assigned_to_id)
        if (assignee is None or assignee.organization_id != actor.organization_id
                or not assignee.is_active or not can(assignee, Permission.CASE_WRITE)):
            raise field_error("assigned_to_id",
                              "Must be an active caseworker of your organisation")
    case = insert_case(session, actor=actor, person_id=person.id,
                       assigned_to_id=assigned_to_id)
    if linked:
        audit.record(session, actor=actor, action="case.link_existing_record",
                     entity_type="person", entity_id=person.id,
                     detail={"case_id": case.id})
    return case


def _found_by_details(session: Session, *, actor: Actor, person_id: int,
                      details: KnownDetails | None) -> bool:
    """One record per person: a caseworker may open a case on a record another organisation
    registered, but only one that the person's own details find among the likely duplicates
    (DESIGN.md: caseworkers search names for duplicates), never any record by its id."""
    if details is None or not can(actor, Permission.PERSON_DUPLICATE_SEARCH):
        return False
    found = find_duplicates(session, Probe(**details.model_dump()),
                            today=local_today())
    return person_id in {d.person.id for d in found}


def insert_case(session: Session, *, actor: Actor, person_id: int,
                assigned_to_id: int | None, created_at: datetime | None = None) -> Case:
    """The insert behind create_case, without its checks (the demo loader uses it for
    people the border post registered). The reference is derived from the id after the
    insert: unique without a counter or a lock."""
    case = Case(reference=f"new-{uuid.uuid4().hex[:28]}", person_id=person_id,
                organization_id=actor.organization_id, assigned_to_id=assigned_to_id,
                status=CaseStatus.OPEN.value)
    if created_at is not None:
        case.created_at = case.updated_at = created_at
    session.add(case)
    session.flush()
    case.reference = _new_reference(case)
    session.add(case)
    session.flush()
    lifecycle.record_opened(session, case=case, actor=actor)
    audit.record(session, actor=actor, action="case.create", entity_type="case",
                 entity_id=case.id, detail={"person_id": person_id})
    return case


def open_case_for(session: Session, *, actor: Actor, person_id: int,
                  known_details: KnownDetails | None = None) -> Case:
    """The page's "Open a case": the organisation's open case for the person when there is
    one, else a new case."""
    existing = session.exec(select(Case).where(
        Case.person_id == person_id, Case.organization_id == actor.organization_id,
        lifecycle.active_condition(), access.visible(actor, Case))).first()
    if existing is not None:
        return existing
    return create_case(session, actor=actor,
                       case_in=CaseCreate(person_id=person_id, known_details=known_details))


def _case_reads(session: Session, cases: list[Case]) -> list[CaseRead]:
    ids = [c.id for c in cases]
    latest_screening = latest_ids(session, Screening, ids)
    latest_determination = latest_ids(session, Determination, ids)
    classifications = dict(session.exec(
        select(Screening.id, Screening.classification)
        .where(Screening.id.in_(list(latest_screening.values())))).all()) \
        if latest_screening else {}
    outcomes = dict(session.exec(
        select(Determination.id, Determination.outcome)
        .where(Determination.id.in_(list(latest_determination.values())))).all()) \
        if latest_determination else {}
    orgs = dict(session.exec(select(Organization.id, Organization.name).where(
        Organization.id.in_({c.organization_id for c in cases}))).all()) if cases else {}
    users = display_names(session, {c.assigned_to_id for c in cases})
    return [
        CaseRead(
            id=c.id, reference=c.reference, status=c.status, person_id=c.person_id,
            organization_id=c.organization_id, organization=orgs.get(c.organization_id, ""),
            assigned_to_id=c.assigned_to_id, assigned_to=users.get(c.assigned_to_id),
            created_at=c.created_at, closure_reason=c.closure_reason,
            latest_suggestion=classifications.get(latest_screening.get(c.id)),
            latest_outcome=outcomes.get(latest_determination.get(c.id)),
        )
        for c in cases
    ]


def case_read(session: Session, case: Case) -> CaseRead:
    return _case_reads(session, [case])[0]


def list_cases(session: Session, *, actor: Actor, page: PageParams,
               person_id: int | None = None, status: str | None = None,
               reference: str | None = None) -> tuple[list[CaseRead], int]:
    statement = select(Case).where(access.visible(actor, Case))
    if person_id is not None:
        statement = statement.where(Case.person_id == person_id)
    if status:
        statement = statement.where(Case.status == status)
    if reference:
        statement = statement.where(Case.reference == reference.strip().upper())
    rows, total = paginate(session, statement.order_by(Case.id.desc()), page)
    audit.record(session, actor=actor, action="case.list", entity_type="case",
                 detail={"returned": len(rows)})
    return _case_reads(session, rows), total


# --- a whole case ---

def read_case(session: Session, *, actor: Actor, case: Case) -> CaseOverview:
    """The case (one the actor may open: CurrentCase) with its suggestions and
    determinations; with its interviews (answers and narratives) only for those who may read
    them (the owning organisation's caseworkers)."""
    base = case_read(session, case).model_dump()
    screenings = [screening_read(s, actor) for s in screenings_of(session, case.id)]
    determinations = determinations_of(session, case.id)
    audit.record(session, actor=actor, action="case.read", entity_type="case",
                 entity_id=case.id)
    if can(actor, Permission.INTERVIEW_READ):
        return CaseDetail(**base, screenings=screenings, determinations=determinations,
                          interviews=interviews_of(session, case.id, actor))
    return CaseOverview(**base, screenings=screenings, determinations=determinations)
