"""Re-screening: what a rules version would suggest for every stored interview, beside what
was suggested, and (on request) those suggestions added as new screenings.

Nothing stored is changed: a new rules version's suggestion is a new row next to the old ones
(one per interview and version), and each stays readable with the version it was made with.
The interview's answers, the person's age (as of the interview day) and the recruitment date
are read as they are stored now.

Coordinators run it for every organisation and see counts. Caseworkers may look (not run it)
for their own organisation's interviews, and only they see the references of their cases
whose suggestion would move: the references are the owning organisation's to follow up.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel
from sqlmodel import Session, func, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.permissions import Permission, can
from app.cases import next_step
from app.cases.follow_ups import add_follow_up
from app.cases.interviews import new_screening, screen_interview
from app.cases.lifecycle import is_active
from app.cases.models import Case, FollowUp, Interview, InterviewAnswer, Screening
from app.clock import local_date, local_today, utcnow
from app.errors import PermissionDenied, field_error
from app.i18n import _
from app.nationalities.service import nationality_names
from app.people.models import Person
from app.screening.catalogue import RULES_VERSIONS
from app.screening.rules import Answer, ScreeningResult

BATCH = 500  # interviews read (and screened) at a time
REVIEW_TITLE = "The screening rules changed: review the determination"
REVIEW_WITHIN_DAYS = 7
NOT_RECORDED = "Not recorded"
NONE = "none"  # an interview that was never screened (none is: each is, when recorded)


class Move(BaseModel):
    from_suggestion: str
    to_suggestion: str
    interviews: int


class NationalityMoves(BaseModel):
    code: str | None
    name: str
    interviews: int
    moved: int
    moves: list[Move]


class RescreenReport(BaseModel):
    rules_version: int
    applied: bool  # False: a dry run, nothing stored
    interviews: int  # stored interviews in view
    already_screened: int  # have a suggestion of this version (or a newer one) already
    screened: int  # would get (or got) a suggestion of this version
    not_screenable: int  # their dates do not agree (e.g. born after the recruitment date)
    unchanged: int
    moved: int
    moves: list[Move]  # between the suggestion in force and this version's, with counts
    by_nationality: list[NationalityMoves]
    cases_affected: int  # cases whose current suggestion moves: the determination to review
    references: list[str] | None  # those cases, for their own organisation's caseworkers
    note: str


@dataclass(frozen=True)
class _Planned:
    interview: Interview
    nationality: str | None
    previous: str  # the classification in force for the interview
    age: int | None
    result: ScreeningResult
    reference: str
    latest_of_case: bool


def _check_version(rules_version: int) -> None:
    if rules_version not in RULES_VERSIONS:
        known = ", ".join(str(v) for v in RULES_VERSIONS)
        raise field_error(
            "rules_version",
            _("Not a rules version Passage knows: %(known)s") % {"known": known},
            where="query",
        )


def _interview_batches(session: Session, actor: Actor) -> Iterator[list[tuple]]:
    """(interview, person, case reference) for every interview in the actor's view, in
    batches by id: a national database does not fit in one list."""
    after = 0
    while True:
        rows = session.exec(
            select(Interview, Person, Case.reference)
            .join(Case, Case.id == Interview.case_id)
            .join(Person, Person.id == Case.person_id)
            .where(Interview.id > after, access.visible(actor, Case))
            .order_by(Interview.id).limit(BATCH)).all()
        if not rows:
            return
        yield list(rows)
        after = rows[-1][0].id


class _Tally:
    """The counts of a re-screening, kept as the batches go by."""

    def __init__(self) -> None:
        self.interviews = self.already = self.unscreenable = self.screened = 0
        self.moves: Counter[tuple[str, str]] = Counter()
        self.by_nationality: dict[str | None, Counter[tuple[str, str]]] = defaultdict(Counter)
        self.affected: dict[int, str] = {}  # case id → reference

    def add(self, planned: "_Planned") -> None:
        self.screened += 1
        move = (planned.previous, planned.result.classification.value)
        self.moves[move] += 1
        self.by_nationality[planned.nationality][move] += 1
        if planned.latest_of_case and move[0] != move[1]:
            self.affected[planned.interview.case_id] = planned.reference


def _plan(session: Session, actor: Actor, rules_version: int,
          tally: _Tally) -> Iterator[list[_Planned]]:
    """The suggestions the version would add, a batch at a time, counted into `tally`."""
    for rows in _interview_batches(session, actor):
        ids = [interview.id for interview, _, _ in rows]
        case_ids = {interview.case_id for interview, _, _ in rows}
        latest_interview = dict(session.exec(
            select(Interview.case_id, func.max(Interview.id))
            .where(Interview.case_id.in_(case_ids)).group_by(Interview.case_id)).all())
        tally.interviews += len(ids)
        stored: dict[int, list[Screening]] = defaultdict(list)
        for screening in session.exec(select(Screening).where(Screening.interview_id.in_(ids))
                                      .order_by(Screening.rules_version)):
            stored[screening.interview_id].append(screening)
        answers: dict[int, dict[str, Answer]] = defaultdict(dict)
        for row in session.exec(select(InterviewAnswer)
                                .where(InterviewAnswer.interview_id.in_(ids))):
            answers[row.interview_id][row.code] = Answer(row.answer)
        batch = []
        for interview, person, reference in rows:
            versions = stored.get(interview.id, [])
            if versions and versions[-1].rules_version >= rules_version:
                tally.already += 1  # never an older version over a newer one
                continue
            try:
                age, result = screen_interview(
                    person, answers=answers[interview.id], recruited_on=interview.recruited_on,
                    interviewed_on=local_date(interview.conducted_at),
                    rules_version=rules_version)
            except ValueError:
                tally.unscreenable += 1
                continue
            planned = _Planned(
                interview=interview, nationality=person.nationality_code,
                previous=versions[-1].classification if versions else NONE, age=age,
                result=result, reference=reference,
                latest_of_case=latest_interview.get(interview.case_id) == interview.id)
            tally.add(planned)
            batch.append(planned)
        yield batch


def _moves(counts: Counter[tuple[str, str]]) -> list[Move]:
    return [Move(from_suggestion=a, to_suggestion=b, interviews=n)
            for (a, b), n in sorted(counts.items())]


def _moved(counts: Counter[tuple[str, str]]) -> int:
    return sum(n for (a, b), n in counts.items() if a != b)


def _report(session: Session, actor: Actor, rules_version: int, *, applied: bool,
            tally: _Tally) -> RescreenReport:
    names = nationality_names(session)
    # the references go to the owning organisation's caseworkers only (the access rule has
    # kept a caseworker to their own organisation's interviews)
    show_references = can(actor, Permission.CASE_READ_OWN_ORG)
    moved = _moved(tally.moves)
    return RescreenReport(
        rules_version=rules_version, applied=applied, interviews=tally.interviews,
        already_screened=tally.already, screened=tally.screened,
        not_screenable=tally.unscreenable, unchanged=tally.screened - moved, moved=moved,
        moves=_moves(tally.moves),
        by_nationality=sorted(
            (NationalityMoves(
                code=code, name=names.get(code, NOT_RECORDED) if code else NOT_RECORDED,
                interviews=sum(counts.values()), moved=_moved(counts), moves=_moves(counts))
             for code, counts in tally.by_nationality.items()),
            key=lambda n: (-n.moved, -n.interviews, n.name)),
        cases_affected=len(tally.affected),
        references=sorted(tally.affected.values()) if show_references else None,
        note=("Your organisation's cases whose current suggestion moves: review each "
              "determination." if show_references else
              "References of the cases whose suggestion moves are shown to their own "
              "organisation's caseworkers."))


def preview(session: Session, *, actor: Actor, rules_version: int) -> RescreenReport:
    """The dry run: what `rules_version` would suggest beside what was suggested; nothing is
    stored."""
    _check_version(rules_version)
    tally = _Tally()
    for _step in _plan(session, actor, rules_version, tally):
        pass
    report = _report(session, actor, rules_version, applied=False, tally=tally)
    audit.record(session, actor=actor, action="screening.rescreen_preview",
                 entity_type="screening",
                 detail={"rules_version": rules_version, "screened": report.screened,
                         "moved": report.moved})
    return report


def apply(session: Session, *, actor: Actor, rules_version: int) -> RescreenReport:
    """Add `rules_version`'s suggestion for every stored interview that has none of it (or of
    a newer version) yet, as new screenings; every case whose current suggestion moved gets a
    follow-up to review its determination."""
    if not can(actor, Permission.SCREENING_RESCREEN):
        raise PermissionDenied(action="screening.rescreen", entity_type="screening")
    _check_version(rules_version)
    tally = _Tally()
    now = utcnow()
    for batch in _plan(session, actor, rules_version, tally):
        added = [new_screening(interview=p.interview, age=p.age, result=p.result, at=now)
                 for p in batch]
        session.add_all(added)
        session.flush()
        next_step.refresh(session, {s.case_id for s in added})
        for screening in added:  # written: a national re-screening need not stay in memory
            session.expunge(screening)
    report = _report(session, actor, rules_version, applied=True, tally=tally)
    follow_ups = ask_for_review(session, actor=actor, case_ids=sorted(tally.affected),
                                rules_version=rules_version)
    audit.record(session, actor=actor, action="screening.rescreen", entity_type="screening",
                 detail={"rules_version": rules_version, "added": report.screened,
                         "moved": report.moved, "cases_affected": report.cases_affected,
                         "follow_ups": follow_ups,
                         "moves": [m.model_dump() for m in report.moves]})
    return report


def ask_for_review(session: Session, *, actor: Actor, case_ids: list[int],
                   rules_version: int) -> int:
    """Each case whose current suggestion moved gets the follow-up REVIEW_TITLE, due in
    REVIEW_WITHIN_DAYS, for its caseworker; a closed case takes no follow-up (it is reopened
    first), and a case that already has the same one waiting gets no second. Returns how many
    were added."""
    added = 0
    due_on = local_today() + timedelta(days=REVIEW_WITHIN_DAYS)
    for start in range(0, len(case_ids), BATCH):
        chunk = case_ids[start:start + BATCH]
        waiting = set(session.exec(select(FollowUp.case_id).where(
            FollowUp.case_id.in_(chunk), FollowUp.title == REVIEW_TITLE,
            FollowUp.done.is_(False), FollowUp.dropped_at.is_(None))).all())
        for case in session.exec(select(Case).where(Case.id.in_(chunk))).all():
            if not is_active(case.status) or case.id in waiting:
                continue
            add_follow_up(session, case=case, title=REVIEW_TITLE, due_on=due_on, actor=actor,
                          note=f"Screening rules version {rules_version} suggests differently "
                               "from the suggestion this determination answered.",
                          proposed=True)
            added += 1
    return added
