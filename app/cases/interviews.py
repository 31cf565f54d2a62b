"""Intake interviews and the screenings they produce.

An interview stores its answers and the rules' suggestion in the same transaction; nothing is
rewritten: every interview and every suggestion stays readable.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel.lists import format_list
from sqlalchemy import insert
from sqlmodel import Session, select

from app import audit, i18n
from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.auth.service import display_names
from app.cases import next_step
from app.cases.latest import latest_row
from app.cases.lifecycle import refuse_if_closed
from app.cases.models import Case, Interview, InterviewAnswer, Screening
from app.cases.schemas import DimensionRead, InterviewCreate, InterviewRead, ScreeningRead
from app.clock import assume_local, local_date, utcnow
from app.errors import InvalidInput, NotFound, field_error
from app.i18n import N_, _
from app.people.models import Person
from app.screening.catalogue import CURRENT_RULES_VERSION, INDICATORS_BY_CODE
from app.screening.rules import (
    ENGLISH,
    Answer,
    InvalidAnswers,
    ScreeningResult,
    Words,
    age_group_at_recruitment,
    dimension_level_reasons,
    parse_answers,
    reasons_of,
    screen,
)

# an interview dated a little ahead of the server's clock is a clock difference, not a mistake
FUTURE_TOLERANCE = timedelta(minutes=10)


# --- screenings ---

def reason_words(code: str | None = None) -> Words:
    """The screening reasons' words in a locale (the request's when None): its catalogue and
    its way of joining a list (Babel's format_list). English is the rules' own wording."""
    code = code or i18n.current_code()
    if code == i18n.SOURCE_LOCALE or not i18n.is_available(code):
        return ENGLISH
    t = i18n.translations(code)
    locale = i18n.by_code()[code].babel

    def join(items: list[str], style: str = "standard") -> str:
        if not items:
            return ""
        return format_list(items, "or" if style == "or" else "standard", locale=locale)

    return Words(gettext=t.gettext, ngettext=t.ngettext, join=join)


def screening_read(screening: Screening, actor: Actor, words: Words = ENGLISH) -> ScreeningRead:
    """A stored suggestion as the actor may read it: in full (indicator codes answered yes and
    unknown, reasons naming indicators) for those who may read the interview's answers; at
    dimension level for everyone else (coordinators), from which no answer can be rebuilt.
    The reasons in `words` (the API's are English unless ?lang= asks; a page's, the reader's
    language); codes never translated."""
    result = screening.result or {}
    dimensions = result.get("dimensions", [])
    if can(actor, Permission.INTERVIEW_READ):
        return ScreeningRead(
            id=screening.id, interview_id=screening.interview_id, case_id=screening.case_id,
            classification=screening.classification, rules_version=screening.rules_version,
            age_group=screening.age_group, age_at_recruitment=result.get("age_at_recruitment"),
            dimensions=[DimensionRead(**d) for d in dimensions],
            unknown=result.get("unknown", []),
            # in today's words (stored suggestions keep their classification, not their wording)
            reasons=reasons_of(result, words) or result.get("reasons", []),
            created_at=screening.created_at,
        )
    present = [d["code"] for d in dimensions if d.get("present")]
    return ScreeningRead(
        id=screening.id, interview_id=screening.interview_id, case_id=screening.case_id,
        classification=screening.classification, rules_version=screening.rules_version,
        age_group=screening.age_group, age_at_recruitment=result.get("age_at_recruitment"),
        dimensions=[DimensionRead(code=d["code"], name=d["name"], present=d["present"])
                    for d in dimensions],
        reasons=dimension_level_reasons(present, screening.classification,
                                        screening.age_group, words),
        created_at=screening.created_at,
    )


def screenings_of(session: Session, case_id: int) -> list[Screening]:
    """Every suggestion of the case, by interview and then rules version: the last is the
    current one."""
    return list(session.exec(select(Screening).where(Screening.case_id == case_id)
                             .order_by(Screening.interview_id, Screening.rules_version)).all())


def latest_screening_of(session: Session, case_id: int) -> Screening | None:
    return latest_row(session, Screening, case_id)


def latest_screening(session: Session, *, actor: Actor, case_id: int,
                     words: Words = ENGLISH) -> ScreeningRead:
    case = access.get_visible(session, actor, Case, case_id, action="screening.read")
    screening = latest_screening_of(session, case.id)
    if screening is None:
        raise NotFound(_("No interview has been recorded for this case yet"))
    audit.record(session, actor=actor, action="screening.read", entity_type="case",
                 entity_id=case.id, detail={"screening_id": screening.id})
    return screening_read(screening, actor, words)


def list_screenings(session: Session, *, actor: Actor, case_id: int,
                    words: Words = ENGLISH) -> list[ScreeningRead]:
    case = access.get_visible(session, actor, Case, case_id, action="screening.read")
    rows = screenings_of(session, case.id)
    audit.record(session, actor=actor, action="screening.read", entity_type="case",
                 entity_id=case.id, detail={"returned": len(rows)})
    return [screening_read(s, actor, words) for s in rows]


# --- interviews ---

def _answers_or_422(raw: dict[str, str]):
    try:
        return parse_answers(raw)
    except InvalidAnswers as exc:
        raise InvalidInput([{"loc": ["body", "answers", where], "msg": message,
                             "type": "value_error"} for where, message in exc.errors]) from None


AGE_ERRORS = {
    "recruited_on is in the future": (
        "recruited_on", N_("The recruitment date is after the interview date")),
    "recruited_on is before date_of_birth": (
        "recruited_on", N_("The recruitment date is before the person's date of birth")),
    "date_of_birth is in the future": (
        "conducted_at", N_("The interview date is before the person's date of birth")),
}


def screen_interview(person: Person, *, answers: dict[str, Answer], recruited_on: date | None,
                     interviewed_on: date, rules_version: int) -> tuple[int | None,
                                                                      ScreeningResult]:
    """The suggestion a rules version makes of an interview's answers, with the person's age
    at recruitment as of the interview day. Raises ValueError when the dates cannot all be
    true (the AGE_ERRORS)."""
    age, group = age_group_at_recruitment(
        date_of_birth=person.date_of_birth, recruited_on=recruited_on,
        age_estimate=person.age_estimate, today=interviewed_on, rules_version=rules_version)
    return age, screen(answers, group, rules_version=rules_version)


def new_screening(*, interview: Interview, age: int | None, result: ScreeningResult,
                  at: datetime) -> Screening:
    """The row that stores a suggestion; added beside earlier ones, never over them."""
    return Screening(
        interview_id=interview.id, case_id=interview.case_id,
        classification=result.classification.value, rules_version=result.rules_version,
        age_group=result.age_group.value,
        result={**result.to_dict(), "age_at_recruitment": age}, created_at=at,
    )


def record_interview(session: Session, *, actor: Actor, case_id: int,
                     interview_in: InterviewCreate,
                     rules_version: int = CURRENT_RULES_VERSION) -> InterviewRead:
    """Store the interview, every answer, and the rules' suggestion with its rules version,
    all in one transaction. New interviews take the current rules; only the demo, which
    replays October 2025, asks for the version in force then."""
    case = access.get_visible(session, actor, Case, case_id, action="interview.create")
    refuse_if_closed(case)
    if interview_in.consent_given is not True:
        raise field_error("consent_given",
                          _("The person's informed consent is needed before the interview is "
                          "recorded"))
    answers = _answers_or_422(interview_in.answers)
    now = utcnow()
    conducted_at = assume_local(interview_in.conducted_at) if interview_in.conducted_at else now
    if conducted_at > now + FUTURE_TOLERANCE:
        raise field_error("conducted_at", _("The interview date cannot be in the future"))
    person = session.get(Person, case.person_id)
    today = local_date(conducted_at)
    try:
        age, result = screen_interview(person, answers=answers,
                                       recruited_on=interview_in.recruited_on,
                                       interviewed_on=today,
                                       rules_version=rules_version)
    except ValueError as exc:
        where, message = AGE_ERRORS.get(str(exc), ("recruited_on", N_("The dates do not agree")))
        raise field_error(where, _(message)) from None

    interview = Interview(
        case_id=case.id, conducted_at=conducted_at.astimezone(UTC),
        language=interview_in.language, interpreter_used=interview_in.interpreter_used,
        consent_given=True, recruited_on=interview_in.recruited_on,
        narrative=interview_in.narrative, section_notes=dict(interview_in.section_notes),
        created_by_id=actor.user_id, created_at=now,
    )
    session.add(interview)
    session.flush()
    stored = {code: answer.value for code, answer in answers.items()}
    if stored:
        # one multi-row INSERT, without an ORM object per answer
        session.execute(insert(InterviewAnswer), [
            {"interview_id": interview.id, "code": code, "answer": value}
            for code, value in stored.items()])
    screening = new_screening(interview=interview, age=age, result=result, at=now)
    session.add(screening)
    session.flush()
    next_step.refresh(session, [case.id])
    audit.record(session, actor=actor, action="interview.create", entity_type="case",
                 entity_id=case.id,
                 detail={"interview_id": interview.id, "screening_id": screening.id,
                         "rules_version": result.rules_version})
    # answered from what was just stored: nothing to read back
    return _interview_read(interview, stored, actor.full_name or actor.username, screening,
                           actor)


def _interview_reads(session: Session, interviews: list[Interview],
                     screenings: dict[int, Screening], actor: Actor) -> list[InterviewRead]:
    ids = [i.id for i in interviews]
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    if ids:
        for row in session.exec(select(InterviewAnswer)
                                .where(InterviewAnswer.interview_id.in_(ids))):
            answers[row.interview_id][row.code] = row.answer
    users = display_names(session, {i.created_by_id for i in interviews})
    return [_interview_read(i, answers[i.id], users.get(i.created_by_id), screenings[i.id],
                            actor)
            for i in interviews]


def _interview_read(interview: Interview, answers: dict[str, str], created_by: str | None,
                    screening: Screening, actor: Actor) -> InterviewRead:
    i = interview
    return InterviewRead(
        id=i.id, case_id=i.case_id, conducted_at=i.conducted_at, language=i.language,
        interpreter_used=i.interpreter_used, consent_given=i.consent_given,
        recruited_on=i.recruited_on, answers=_in_catalogue_order(answers),
        narrative=i.narrative, section_notes=i.section_notes or {},
        created_by=created_by, created_at=i.created_at,
        screening=screening_read(screening, actor),
    )


_CATALOGUE_ORDER = {code: n for n, code in enumerate(INDICATORS_BY_CODE)}


def _in_catalogue_order(answers: dict[str, str]) -> dict[str, str]:
    order = _CATALOGUE_ORDER
    return dict(sorted(answers.items(), key=lambda item: order.get(item[0], len(order))))


def interviews_of(session: Session, case_id: int, actor: Actor,
                  screenings: list[Screening] | None = None) -> list[InterviewRead]:
    """The case's interviews with their answers and suggestions; `screenings`: the case's
    screenings when the caller has read them already (screenings_of).

    An interview and its screening are stored in one transaction, but on PostgreSQL each
    statement of a read sees what was committed before it began: the interviews are read
    after the screenings were, and only those screened in what was read (an interview saved
    in between, with its screening, is the next read's; reading it here answered 500 under
    load)."""
    if screenings is None:
        screenings = screenings_of(session, case_id)
    interviews = list(session.exec(
        select(Interview).where(Interview.case_id == case_id,
                                Interview.id.in_({s.interview_id for s in screenings}))
        .order_by(Interview.id)).all())
    # by interview, the last (newest rules version) of each
    return _interview_reads(session, interviews, {s.interview_id: s for s in screenings},
                            actor)


def list_interviews(session: Session, *, actor: Actor, case_id: int) -> list[InterviewRead]:
    case = access.get_visible(session, actor, Case, case_id, action="interview.read")
    rows = interviews_of(session, case.id, actor)
    audit.record(session, actor=actor, action="interview.read", entity_type="case",
                 entity_id=case.id, detail={"returned": len(rows)})
    return rows




def intake_context(session: Session, *, actor: Actor, case_id: int) -> dict[str, Any]:
    """What the intake form shows above the questions: the case and whose it is."""
    case = access.get_visible(session, actor, Case, case_id, action="interview.create")
    person = session.get(Person, case.person_id)
    audit.record(session, actor=actor, action="case.read", entity_type="case",
                 entity_id=case.id, detail={"view": "intake"})
    return {"id": case.id, "reference": case.reference, "given_name": person.given_name,
            "family_name": person.family_name}
