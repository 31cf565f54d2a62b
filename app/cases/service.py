"""Cases: opening one for a person, listing them, reading one whole.

Interviews and their screenings live in interviews.py, determinations in determinations.py,
the outcome counts in outcomes.py; the case page, which also shows crossings and referrals,
is composed in app/pages/.
"""

import uuid
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, text
from sqlmodel import Session, select

from app import audit
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization, User
from app.auth.permissions import Permission, can
from app.cases import lifecycle, next_step
from app.cases.determinations import determinations_of
from app.cases.interviews import interviews_of, screening_read, screenings_of
from app.cases.models import Case
from app.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CaseOverview,
    CaseRead,
    CaseStatus,
    KnownDetails,
)
from app.clock import local_date, local_today, utcnow
from app.errors import Conflict, PermissionDenied, TooManyRequests, field_error
from app.i18n import _
from app.pagination import PageParams, paginate
from app.people import identity
from app.people.duplicates import Probe
from app.people.models import Person

REFERENCE_PREFIX = "PSG"


def _new_reference(case: Case) -> str:
    year = local_date(case.created_at or utcnow()).year
    return f"{REFERENCE_PREFIX}-{year}-{case.id:06d}"


def create_case(session: Session, *, actor: Actor, case_in: CaseCreate) -> Case:
    """Open a case for a person the caseworker may see (`person_id`), owned by their
    organisation; a person they may not see is 404, whatever else the request says."""
    person = access.get_visible(session, actor, Person, case_in.person_id, action="case.create")
    case = _open_case(session, actor=actor, person=person,
                      assigned_to_id=case_in.assigned_to_id)
    if case_in.consent_to_share:
        set_consent(session, actor=actor, case=case, consent_to_share=True)
    return case


def set_consent(session: Session, *, actor: Actor, case: Case, consent_to_share: bool) -> Case:
    """Record the person's consent to share their identifying details with the case (HTCDS),
    or its withdrawal; audited like every change."""
    case.consent_to_share = consent_to_share
    case.updated_at = utcnow()
    session.add(case)
    session.flush()
    audit.record(session, actor=actor, action="case.consent_to_share", entity_type="case",
                 entity_id=case.id, detail={"consent_to_share": consent_to_share})
    return case


def record_consent(session: Session, *, actor: Actor, case_id: int,
                   consent_to_share: bool) -> Case:
    """The owning organisation's caseworkers only (anyone else: 404 or 403)."""
    if not can(actor, Permission.CASE_WRITE):
        raise PermissionDenied(action="case.consent_to_share", entity_type="case")
    case = access.get_visible(session, actor, Case, case_id, action="case.consent_to_share")
    return set_consent(session, actor=actor, case=case, consent_to_share=consent_to_share)


def _open_case(session: Session, *, actor: Actor, person: Person,
               assigned_to_id: int | None) -> Case:
    """The reference is derived from the case's own id after the insert, so two caseworkers
    opening cases at the same moment on different app processes can never get the same one."""
    open_case = session.exec(
        select(Case.reference).where(Case.person_id == person.id,
                                     Case.organization_id == actor.organization_id,
                                     lifecycle.active_condition())
    ).first()
    if open_case is not None:
        raise Conflict(
            _("Your organisation already has an open case for this person: %(open_case)s")
            % {"open_case": open_case}
        )
    if assigned_to_id is not None:
        assignee = session.get(User, assigned_to_id)
        if (assignee is None or assignee.organization_id != actor.organization_id
                or not assignee.is_active or not can(assignee, Permission.CASE_WRITE)):
            raise field_error("assigned_to_id",
                              _("Must be an active caseworker of your organisation"))
    return insert_case(session, actor=actor, person_id=person.id,
                       assigned_to_id=assigned_to_id or actor.user_id)


# --- a case on the record another organisation registered ---

RECORD_SEARCH = "case.record_search"
# PostgreSQL advisory locks, two-integer key space: (RECORD_SEARCHES, user id)
RECORD_SEARCHES = 0x5043  # "PC"


def count_record_search(session: Session, *, actor: Actor, per_day: int) -> None:
    """Count one search for a record by a person's details against the user's allowance:
    `per_day` in any 24 hours, found or not (each search is a guess at someone's identity);
    TooManyRequests past it. Kept in the audit log, where the search is recorded; on
    PostgreSQL one user's searches wait for each other, so that parallel requests cannot
    all pass the count. The caller commits the count before searching."""
    if not can(actor, Permission.PERSON_DUPLICATE_SEARCH):
        raise PermissionDenied(_("Your role does not allow looking for other organisations' "
                               "records"), action=RECORD_SEARCH)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:cls, :key)"),
                        {"cls": RECORD_SEARCHES, "key": actor.user_id})
    since = utcnow() - timedelta(days=1)
    done = session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.actor_id == actor.user_id, AuditEvent.action == RECORD_SEARCH,
        AuditEvent.at > since)).one()
    if done >= per_day:
        oldest = session.exec(select(func.min(AuditEvent.at)).where(
            AuditEvent.actor_id == actor.user_id, AuditEvent.action == RECORD_SEARCH,
            AuditEvent.at > since)).one()
        wait = max(60, int(((oldest or utcnow()) - since).total_seconds()))
        raise TooManyRequests(
            _(
                "You have looked for %(per_day)s records of other organisations in the last 24 "
                "hours, as many as one person may; try again later or ask a coordinator"
            )
            % {"per_day": per_day},
            headers={"Retry-After": str(wait)},
        )
    audit.record(session, actor=actor, action=RECORD_SEARCH, entity_type="person",
                 detail={"allowance": per_day, "used": done + 1})


def open_case_by_details(session: Session, *, actor: Actor, details: KnownDetails,
                         assigned_to_id: int | None = None) -> Case | None:
    """A case on the record that the person's own details find (app.people.identity: the same
    name, nationality and date of birth or age), or None when none does. When the record is
    another organisation's, the case links it: audited, and shown to that organisation on
    the person's page. Count the search first (count_record_search)."""
    person = identity.find_by_details(session, actor=actor,
                                      probe=Probe(**details.model_dump()), today=local_today())
    if person is None:
        return None
    linked = not access.is_visible(session, actor, Person, person.id)
    case = _open_case(session, actor=actor, person=person, assigned_to_id=assigned_to_id)
    if linked:
        identity.record_link(session, actor=actor, person_id=person.id, via="case",
                             case_id=case.id)
    return case


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
    opened = next_step.new_case(case.created_at)
    case.next_step, case.waiting_on = opened.next_step.value, opened.waiting_on
    session.add(case)
    session.flush()
    case.reference = _new_reference(case)
    session.add(case)
    session.flush()
    lifecycle.record_opened(session, case=case, actor=actor)
    audit.record(session, actor=actor, action="case.create", entity_type="case",
                 entity_id=case.id, detail={"person_id": person_id})
    return case


def open_case_for(session: Session, *, actor: Actor, person_id: int) -> Case:
    """The page's "Open a case": the organisation's open case for the person when there is
    one, else a new case."""
    existing = session.exec(select(Case).where(
        Case.person_id == person_id, Case.organization_id == actor.organization_id,
        lifecycle.active_condition(), access.visible(actor, Case))).first()
    if existing is not None:
        return existing
    return create_case(session, actor=actor, case_in=CaseCreate(person_id=person_id))


@cache
def _case_reads_statement():
    """For each case of the bound list `case_ids`: its organisation's name and its
    assignee's names, in one statement built once per process."""
    return (select(Case.id, Organization.name, User.username, User.full_name)
            .select_from(Case)
            .outerjoin(Organization, Organization.id == Case.organization_id)
            .outerjoin(User, User.id == Case.assigned_to_id)
            .where(Case.id.in_(bindparam("case_ids", expanding=True))))


def _case_reads(session: Session, cases: list[Case]) -> list[CaseRead]:
    if not cases:
        return []
    extras = {row[0]: row[1:] for row in session.exec(
        _case_reads_statement(), params={"case_ids": [c.id for c in cases]})}
    reads = []
    for c in cases:
        organization, username, full_name = extras[c.id]
        reads.append(CaseRead(
            id=c.id, reference=c.reference, status=c.status, person_id=c.person_id,
            organization_id=c.organization_id, organization=organization or "",
            assigned_to_id=c.assigned_to_id,
            assigned_to=(full_name or username) if c.assigned_to_id is not None else None,
            created_at=c.created_at, closure_reason=c.closure_reason,
            latest_suggestion=c.latest_suggestion, latest_outcome=c.latest_outcome,
            consent_to_share=c.consent_to_share,
        ))
    return reads


def case_read(session: Session, case: Case) -> CaseRead:
    return _case_reads(session, [case])[0]


def list_cases(session: Session, *, actor: Actor, page: PageParams,
               person_id: int | None = None, status: str | None = None,
               reference: str | None = None) -> tuple[list[CaseRead], int]:
    statement = select(Case).where(access.visible(actor, Case))
    if person_id is not None:
        statement = statement.where(
            Case.person_id == access.standing_for(session, Person, person_id))
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
    screening_rows = screenings_of(session, case.id)
    screenings = [screening_read(s, actor) for s in screening_rows]
    determinations = determinations_of(session, case.id)
    audit.record(session, actor=actor, action="case.read", entity_type="case",
                 entity_id=case.id)
    if can(actor, Permission.INTERVIEW_READ):
        return CaseDetail(**base, screenings=screenings, determinations=determinations,
                          interviews=interviews_of(session, case.id, actor, screening_rows))
    return CaseOverview(**base, screenings=screenings, determinations=determinations)
