"""Cases, intake interviews, screenings and determinations.

Passage suggests; a person decides. An interview stores its answers and the rules' suggestion
in the same transaction; a determination answers the latest suggestion and needs a rationale
whenever it differs from it. Nothing is rewritten: every interview, suggestion and
determination stays readable.
"""

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import false, true
from sqlmodel import Session, func, select

from app import audit
from app.audit.service import Actor
from app.auth.models import Organization, User
from app.auth.permissions import Permission, can
from app.cases.models import Case, Determination, Interview, InterviewAnswer, Screening
from app.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CaseOverview,
    CaseRead,
    CaseStatus,
    DeterminationCreate,
    DeterminationRead,
    DimensionRead,
    InterviewCreate,
    InterviewRead,
    KnownDetails,
    Outcome,
    OutcomeCounts,
    OutcomeRow,
    ScreeningRead,
)
from app.config import get_settings
from app.crossings.models import Crossing
from app.crossings.service import visible_crossings
from app.db import utcnow
from app.errors import Conflict, Hidden, InvalidInput, NotFound, field_error
from app.nationalities.service import nationality_names
from app.pagination import PageParams, paginate
from app.people import service as people_service
from app.people.models import Person
from app.referrals.models import Referral
from app.screening.catalogue import INDICATORS_BY_CODE
from app.screening.rules import (
    Classification,
    InvalidAnswers,
    age_at_recruitment,
    age_group,
    parse_answers,
    screen,
)
from app.web import LOCAL_TZ

REFERENCE_PREFIX = "PSG"
# an interview dated a little ahead of the server's clock is a clock difference, not a mistake
FUTURE_TOLERANCE = timedelta(minutes=10)

SUGGESTION_LABELS = {
    Classification.TRAFFICKING_VICTIM.value: "indicators of trafficking found",
    Classification.NEEDS_ASSESSMENT.value: "needs assessment",
    Classification.WILLING_WORKER.value: "no indicators of trafficking found",
}
OUTCOME_LABELS = {
    Outcome.TRAFFICKING_VICTIM.value: "Trafficking victim",
    Outcome.WILLING_WORKER.value: "Willing worker",
    Outcome.UNDETERMINED.value: "Undetermined: needs further assessment",
}
NONE = "none"


# --- scope: the one row-level rule for cases ---

def case_scope(actor: Actor):
    """Which cases the actor may open: every case for roles that read all suggestions
    (coordinators), their own organisation's for caseworkers, none for anyone else."""
    if can(actor, Permission.SCREENING_READ_ALL):
        return true()
    if can(actor, Permission.CASE_READ_OWN_ORG):
        return Case.organization_id == actor.organization_id
    return false()


def _case_for(session: Session, actor: Actor, case_id: int, *, action: str) -> Case:
    """The case, or 404: NotFound when there is none, Hidden (audited) when it is outside the
    actor's scope, so that its existence does not leak."""
    case = session.exec(select(Case).where(Case.id == case_id, case_scope(actor))).first()
    if case is not None:
        return case
    if session.get(Case, case_id) is None:
        raise NotFound("Case not found")
    raise Hidden("Case not found", action=action, entity_type="case", entity_id=case_id)


def _user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.username, User.full_name).where(User.id.in_(ids)))
    return {uid: full_name or username for uid, username, full_name in rows}


# --- cases ---

def _new_reference(case: Case) -> str:
    year = (case.created_at or utcnow()).astimezone(LOCAL_TZ).year
    return f"{REFERENCE_PREFIX}-{year}-{case.id:06d}"


def create_case(session: Session, *, actor: Actor, case_in: CaseCreate) -> Case:
    """Open a case for a person the caseworker may see, owned by their organisation.

    The reference is derived from the case's own id after the insert, so two caseworkers
    opening cases at the same moment on different app processes can never get the same one."""
    person = session.get(Person, case_in.person_id)
    if person is None:
        raise NotFound("No such person")
    linked = False
    if not people_service.is_visible(session, actor=actor, person_id=person.id):
        if not _found_by_details(session, actor=actor, person_id=person.id,
                                 details=case_in.known_details):
            raise Hidden("No such person", action="case.create", entity_type="person",
                         entity_id=person.id)
        linked = True
    open_case = session.exec(
        select(Case.reference).where(Case.person_id == person.id,
                                     Case.organization_id == actor.organization_id,
                                     Case.status == CaseStatus.OPEN.value)
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
    from app.people.duplicates import Probe, find_duplicates

    found = find_duplicates(session, Probe(**details.model_dump()),
                            today=datetime.now(LOCAL_TZ).date())
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
    audit.record(session, actor=actor, action="case.create", entity_type="case",
                 entity_id=case.id, detail={"person_id": person_id})
    return case


def open_case_for(session: Session, *, actor: Actor, person_id: int,
                  known_details: KnownDetails | None = None) -> Case:
    """The page's "Open a case": the organisation's open case for the person when there is
    one, else a new case."""
    existing = session.exec(select(Case).where(
        Case.person_id == person_id, Case.organization_id == actor.organization_id,
        Case.status == CaseStatus.OPEN.value, case_scope(actor))).first()
    if existing is not None:
        return existing
    return create_case(session, actor=actor,
                       case_in=CaseCreate(person_id=person_id, known_details=known_details))


def _latest_ids(session: Session, model, case_ids: list[int]) -> dict[int, int]:
    if not case_ids:
        return {}
    rows = session.exec(select(model.case_id, func.max(model.id))
                        .where(model.case_id.in_(case_ids)).group_by(model.case_id))
    return dict(rows.all())


def _case_reads(session: Session, cases: list[Case]) -> list[CaseRead]:
    ids = [c.id for c in cases]
    latest_screening = _latest_ids(session, Screening, ids)
    latest_determination = _latest_ids(session, Determination, ids)
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
    users = _user_names(session, {c.assigned_to_id for c in cases})
    return [
        CaseRead(
            id=c.id, reference=c.reference, status=c.status, person_id=c.person_id,
            organization_id=c.organization_id, organization=orgs.get(c.organization_id, ""),
            assigned_to_id=c.assigned_to_id, assigned_to=users.get(c.assigned_to_id),
            created_at=c.created_at,
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
    statement = select(Case).where(case_scope(actor))
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


# --- screenings ---

def screening_read(screening: Screening) -> ScreeningRead:
    result = screening.result or {}
    return ScreeningRead(
        id=screening.id, interview_id=screening.interview_id, case_id=screening.case_id,
        classification=screening.classification, rules_version=screening.rules_version,
        age_group=screening.age_group, age_at_recruitment=result.get("age_at_recruitment"),
        dimensions=[DimensionRead(**d) for d in result.get("dimensions", [])],
        unknown=result.get("unknown", []), reasons=result.get("reasons", []),
        created_at=screening.created_at,
    )


def _screenings_of(session: Session, case_id: int) -> list[Screening]:
    return list(session.exec(select(Screening).where(Screening.case_id == case_id)
                             .order_by(Screening.id)).all())


def _latest_screening(session: Session, case_id: int) -> Screening | None:
    return session.exec(select(Screening).where(Screening.case_id == case_id)
                        .order_by(Screening.id.desc())).first()


def latest_screening(session: Session, *, actor: Actor, case_id: int) -> ScreeningRead:
    case = _case_for(session, actor, case_id, action="screening.read")
    screening = _latest_screening(session, case.id)
    if screening is None:
        raise NotFound("No interview has been recorded for this case yet")
    audit.record(session, actor=actor, action="screening.read", entity_type="case",
                 entity_id=case.id, detail={"screening_id": screening.id})
    return screening_read(screening)


def list_screenings(session: Session, *, actor: Actor, case_id: int) -> list[ScreeningRead]:
    case = _case_for(session, actor, case_id, action="screening.read")
    rows = _screenings_of(session, case.id)
    audit.record(session, actor=actor, action="screening.read", entity_type="case",
                 entity_id=case.id, detail={"returned": len(rows)})
    return [screening_read(s) for s in rows]


# --- interviews ---

def _answers_or_422(raw: dict[str, str]):
    try:
        return parse_answers(raw)
    except InvalidAnswers as exc:
        raise InvalidInput([{"loc": ["body", "answers", where], "msg": message,
                             "type": "value_error"} for where, message in exc.errors]) from None


def _aware(value: datetime) -> datetime:
    # a time written without a zone is a time at the reception centre
    return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value


AGE_ERRORS = {
    "recruited_on is in the future": (
        "recruited_on", "The recruitment date is after the interview date"),
    "recruited_on is before date_of_birth": (
        "recruited_on", "The recruitment date is before the person's date of birth"),
    "date_of_birth is in the future": (
        "conducted_at", "The interview date is before the person's date of birth"),
}


def _age_at_recruitment(person: Person, *, recruited_on: date | None, today: date) -> int | None:
    try:
        return age_at_recruitment(date_of_birth=person.date_of_birth, recruited_on=recruited_on,
                                  age_estimate=person.age_estimate, today=today)
    except ValueError as exc:
        where, message = AGE_ERRORS.get(str(exc), ("recruited_on", "The dates do not agree"))
        raise field_error(where, message) from None


def record_interview(session: Session, *, actor: Actor, case_id: int,
                     interview_in: InterviewCreate) -> InterviewRead:
    """Store the interview, every answer, and the rules' suggestion with its rules version,
    all in one transaction."""
    case = _case_for(session, actor, case_id, action="interview.create")
    if interview_in.consent_given is not True:
        raise field_error("consent_given",
                          "The person's informed consent is needed before the interview is "
                          "recorded")
    answers = _answers_or_422(interview_in.answers)
    now = utcnow()
    conducted_at = _aware(interview_in.conducted_at) if interview_in.conducted_at else now
    if conducted_at > now + FUTURE_TOLERANCE:
        raise field_error("conducted_at", "The interview date cannot be in the future")
    person = session.get(Person, case.person_id)
    today = conducted_at.astimezone(LOCAL_TZ).date()
    age = _age_at_recruitment(person, recruited_on=interview_in.recruited_on, today=today)
    result = screen(answers, age_group(age), rules_version=1)

    interview = Interview(
        case_id=case.id, conducted_at=conducted_at.astimezone(UTC),
        language=interview_in.language, interpreter_used=interview_in.interpreter_used,
        consent_given=True, recruited_on=interview_in.recruited_on,
        narrative=interview_in.narrative, section_notes=dict(interview_in.section_notes),
        created_by_id=actor.user_id, created_at=now,
    )
    session.add(interview)
    session.flush()
    session.add_all(InterviewAnswer(interview_id=interview.id, code=code, answer=answer.value)
                    for code, answer in answers.items())
    screening = Screening(
        interview_id=interview.id, case_id=case.id,
        classification=result.classification.value, rules_version=result.rules_version,
        age_group=result.age_group.value,
        result={**result.to_dict(), "age_at_recruitment": age}, created_at=now,
    )
    session.add(screening)
    session.flush()
    audit.record(session, actor=actor, action="interview.create", entity_type="case",
                 entity_id=case.id,
                 detail={"interview_id": interview.id, "screening_id": screening.id,
                         "rules_version": result.rules_version})
    return _interview_reads(session, [interview], {interview.id: screening})[0]


def _interview_reads(session: Session, interviews: list[Interview],
                     screenings: dict[int, Screening]) -> list[InterviewRead]:
    ids = [i.id for i in interviews]
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    if ids:
        for row in session.exec(select(InterviewAnswer)
                                .where(InterviewAnswer.interview_id.in_(ids))):
            answers[row.interview_id][row.code] = row.answer
    users = _user_names(session, {i.created_by_id for i in interviews})
    return [
        InterviewRead(
            id=i.id, case_id=i.case_id, conducted_at=i.conducted_at, language=i.language,
            interpreter_used=i.interpreter_used, consent_given=i.consent_given,
            recruited_on=i.recruited_on, answers=_in_catalogue_order(answers[i.id]),
            narrative=i.narrative, section_notes=i.section_notes or {},
            created_by=users.get(i.created_by_id), created_at=i.created_at,
            screening=screening_read(screenings[i.id]),
        )
        for i in interviews
    ]


def _in_catalogue_order(answers: dict[str, str]) -> dict[str, str]:
    order = {code: n for n, code in enumerate(INDICATORS_BY_CODE)}
    return dict(sorted(answers.items(), key=lambda item: order.get(item[0], len(order))))


def _interviews_of(session: Session, case_id: int) -> list[InterviewRead]:
    interviews = list(session.exec(select(Interview).where(Interview.case_id == case_id)
                                   .order_by(Interview.id)).all())
    screenings = {s.interview_id: s for s in _screenings_of(session, case_id)}
    return _interview_reads(session, interviews, screenings)


def list_interviews(session: Session, *, actor: Actor, case_id: int) -> list[InterviewRead]:
    case = _case_for(session, actor, case_id, action="interview.read")
    rows = _interviews_of(session, case.id)
    audit.record(session, actor=actor, action="interview.read", entity_type="case",
                 entity_id=case.id, detail={"returned": len(rows)})
    return rows


# --- determinations ---

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
    users = _user_names(session, {d.decided_by_id for d in rows})
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


def _determinations_of(session: Session, case_id: int) -> list[DeterminationRead]:
    rows = list(session.exec(select(Determination).where(Determination.case_id == case_id)
                             .order_by(Determination.id)).all())
    return _determination_reads(session, rows)


def record_determination(session: Session, *, actor: Actor, case_id: int,
                         determination_in: DeterminationCreate) -> DeterminationRead:
    """A person's decision, answering the latest suggestion. Earlier ones are kept."""
    case = _case_for(session, actor, case_id, action="determination.create")
    latest = _latest_screening(session, case.id)
    if determination_in.screening_id is not None and (
            latest is None or latest.id != determination_in.screening_id):
        raise Conflict("A newer interview has been recorded for this case since this "
                       "suggestion; review the latest suggestion and decide again")
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
    case.status = (CaseStatus.OPEN.value if outcome == Outcome.UNDETERMINED
                   else CaseStatus.DETERMINED.value)
    session.add(case)
    session.flush()
    audit.record(session, actor=actor, action="determination.create", entity_type="case",
                 entity_id=case.id,
                 detail={"determination_id": determination.id,
                         "screening_id": determination.screening_id,
                         "differs_from_suggestion": not agrees(outcome, suggestion)})
    return _determination_reads(session, [determination])[0]


def list_determinations(session: Session, *, actor: Actor,
                        case_id: int) -> list[DeterminationRead]:
    case = _case_for(session, actor, case_id, action="determination.read")
    rows = _determinations_of(session, case.id)
    audit.record(session, actor=actor, action="determination.read", entity_type="case",
                 entity_id=case.id, detail={"returned": len(rows)})
    return rows


# --- a whole case ---

def read_case(session: Session, *, actor: Actor, case_id: int) -> CaseOverview:
    """The case with its suggestions and determinations; with its interviews (answers and
    narratives) only for those who may read them (the owning organisation's caseworkers)."""
    case = _case_for(session, actor, case_id, action="case.read")
    base = case_read(session, case).model_dump()
    screenings = [screening_read(s) for s in _screenings_of(session, case.id)]
    determinations = _determinations_of(session, case.id)
    audit.record(session, actor=actor, action="case.read", entity_type="case",
                 entity_id=case.id)
    if can(actor, Permission.INTERVIEW_READ):
        return CaseDetail(**base, screenings=screenings, determinations=determinations,
                          interviews=_interviews_of(session, case.id))
    return CaseOverview(**base, screenings=screenings, determinations=determinations)


# --- outcome counts ---

def _empty(keys) -> dict[str, int]:
    return {k: 0 for k in keys}


SUGGESTION_KEYS = [c.value for c in Classification] + [NONE]
OUTCOME_KEYS = [o.value for o in Outcome] + [NONE]


def outcome_counts(session: Session, *, actor: Actor) -> OutcomeCounts:
    """Cases by nationality, by their latest suggestion and their latest determination.

    No names, and for every role. Roles that may not read every suggestion (everyone but
    coordinators) get nationalities with fewer cases than the suppression threshold counted
    together, so that a nationality of one or two people does not reveal their outcome."""
    by_suggestion = _latest_by_nationality(session, Screening, Screening.classification)
    by_outcome = _latest_by_nationality(session, Determination, Determination.outcome)
    names = nationality_names(session)
    rows: dict[str | None, OutcomeRow] = {}

    def row(code: str | None) -> OutcomeRow:
        if code not in rows:
            rows[code] = OutcomeRow(code=code, name=names.get(code, "Not recorded")
                                    if code else "Not recorded", cases=0,
                                    suggestions=_empty(SUGGESTION_KEYS),
                                    determinations=_empty(OUTCOME_KEYS))
        return rows[code]

    for (code, value), count in by_suggestion.items():
        r = row(code)
        r.suggestions[value or NONE] += count
        r.cases += count
    for (code, value), count in by_outcome.items():
        row(code).determinations[value or NONE] += count

    threshold = None
    result = list(rows.values())
    if not can(actor, Permission.SCREENING_READ_ALL):
        threshold = get_settings().suppression_threshold
        small = [r for r in result if r.cases < threshold]
        if small:
            result = [r for r in result if r.cases >= threshold]
            other = OutcomeRow(code=None, name=f"Other nationalities (fewer than {threshold} "
                               "cases each)", cases=sum(r.cases for r in small),
                               suggestions=_empty(SUGGESTION_KEYS),
                               determinations=_empty(OUTCOME_KEYS))
            for r in small:
                for k, v in r.suggestions.items():
                    other.suggestions[k] += v
                for k, v in r.determinations.items():
                    other.determinations[k] += v
            result.append(other)
    result.sort(key=lambda r: (r.code is None, -r.cases, r.name))
    totals_s: Counter[str] = Counter(_empty(SUGGESTION_KEYS))
    totals_d: Counter[str] = Counter(_empty(OUTCOME_KEYS))
    for r in result:
        totals_s.update(r.suggestions)
        totals_d.update(r.determinations)
    return OutcomeCounts(cases=sum(r.cases for r in result), suggestions=dict(totals_s),
                         determinations=dict(totals_d), rows=result, grouped_below=threshold)


def _latest_by_nationality(session: Session, model, column) -> dict[tuple, int]:
    """(nationality, value of the case's latest row of `model`) → number of cases; a case
    with no row counts under value None."""
    latest = (select(model.case_id.label("case_id"), func.max(model.id).label("latest_id"))
              .group_by(model.case_id).subquery())
    statement = (
        select(Person.nationality_code, column, func.count(Case.id))
        .select_from(Case)
        .join(Person, Person.id == Case.person_id)
        .outerjoin(latest, latest.c.case_id == Case.id)
        .outerjoin(model, model.id == latest.c.latest_id)
        .group_by(Person.nationality_code, column)
    )
    return {(code, value): count for code, value, count in session.exec(statement)}


# --- the case page ---

@dataclass
class TimelineEntry:
    at: datetime
    text: str
    kind: str


@dataclass
class CasePage:
    case: CaseRead
    person: Person
    crossings: list[dict[str, Any]]
    screenings: list[ScreeningRead]
    determinations: list[DeterminationRead]
    interviews: list[InterviewRead] | None
    nationality: str = ""
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def latest(self) -> ScreeningRead | None:
        return self.screenings[-1] if self.screenings else None

    @property
    def latest_determination(self) -> DeterminationRead | None:
        return self.determinations[-1] if self.determinations else None


def describe_screening(screening: ScreeningRead) -> list[dict[str, Any]]:
    """The suggestion's dimensions in words for people: each with the indicators answered
    yes (plain label, strength, code for reference) and how many were unknown."""
    rows = []
    for dimension in screening.dimensions:
        found = [
            {"code": code, "label": INDICATORS_BY_CODE[code].label, "strength": strength}
            for strength, codes in dimension.yes.items() for code in codes
            if code in INDICATORS_BY_CODE
        ]
        rows.append({"code": dimension.code, "name": dimension.name,
                     "present": dimension.present, "found": found,
                     "unknown": [{"code": c, "label": INDICATORS_BY_CODE[c].label}
                                 for c in dimension.unknown if c in INDICATORS_BY_CODE]})
    return rows


def case_page(session: Session, *, actor: Actor, case_id: int) -> CasePage:
    """Everything the case page shows, read once and audited as one read of the case and of
    the person's record."""
    case = _case_for(session, actor, case_id, action="case.read")
    person = session.get(Person, case.person_id)
    read = case_read(session, case)
    screenings = [screening_read(s) for s in _screenings_of(session, case.id)]
    determinations = _determinations_of(session, case.id)
    interviews = (_interviews_of(session, case.id)
                  if can(actor, Permission.INTERVIEW_READ) else None)
    crossing_rows = session.exec(
        select(Crossing).where(Crossing.person_id == person.id, visible_crossings(actor))
        .order_by(Crossing.crossed_at)
    ).all()
    crossings = [{"crossed_at": c.crossed_at, "crossing_point": c.crossing_point,
                  "compound_id": c.compound_id, "group_reference": c.group_reference}
                 for c in crossing_rows]
    _attach_compound_names(session, crossings)
    referrals = session.exec(select(Referral).where(Referral.case_id == case.id)).all()
    audit.record(session, actor=actor, action="case.read", entity_type="case",
                 entity_id=case.id)
    audit.record(session, actor=actor, action="person.read", entity_type="person",
                 entity_id=person.id, detail={"via": "case"})
    page = CasePage(case=read, person=person, crossings=crossings, screenings=screenings,
                    determinations=determinations, interviews=interviews,
                    nationality=nationality_names(session).get(person.nationality_code or "",
                                                               ""))
    page.timeline = _timeline(read, crossings, screenings, determinations, referrals,
                              with_interviews=interviews is not None)
    return page


def _attach_compound_names(session: Session, crossings: list[dict[str, Any]]) -> None:
    from app.compounds.models import Compound

    ids = {c["compound_id"] for c in crossings if c["compound_id"]}
    names = dict(session.exec(select(Compound.id, Compound.name)
                              .where(Compound.id.in_(ids))).all()) if ids else {}
    for c in crossings:
        c["compound"] = names.get(c["compound_id"], "")


def _timeline(case: CaseRead, crossings, screenings: list[ScreeningRead],
              determinations: list[DeterminationRead], referrals,
              *, with_interviews: bool) -> list[TimelineEntry]:
    entries = [TimelineEntry(case.created_at, f"Case {case.reference} opened by "
                             f"{case.organization}", "case")]
    for c in crossings:
        where = c["crossing_point"] + (f" from {c['compound']}" if c["compound"] else "")
        entries.append(TimelineEntry(c["crossed_at"], f"Crossed at {where}", "crossing"))
    for s in screenings:
        what = "Interview recorded; screening" if with_interviews else "Screening"
        entries.append(TimelineEntry(
            s.created_at, f"{what} suggests: {SUGGESTION_LABELS[s.classification]} "
                          f"(rules version {s.rules_version})", "screening"))
    for d in determinations:
        entries.append(TimelineEntry(
            d.decided_at, f"Determination: {OUTCOME_LABELS[d.outcome]}, by "
                          f"{d.decided_by or 'unknown user'}", "determination"))
    for r in referrals:
        entries.append(TimelineEntry(r.created_at, f"Referral for {r.service} ({r.status})",
                                     "referral"))
    return sorted(entries, key=lambda e: e.at, reverse=True)


def intake_context(session: Session, *, actor: Actor, case_id: int) -> dict[str, Any]:
    """What the intake form shows above the questions: the case and whose it is."""
    case = _case_for(session, actor, case_id, action="interview.create")
    person = session.get(Person, case.person_id)
    audit.record(session, actor=actor, action="case.read", entity_type="case",
                 entity_id=case.id, detail={"view": "intake"})
    return {"id": case.id, "reference": case.reference, "given_name": person.given_name,
            "family_name": person.family_name}
