"""Integrity analytics: does the screening's suggestion agree with the determination, and
where do people depart from it?

The unit is a case's latest determination, paired with the suggestion it answered. Counted:
the agreement matrix (suggestion × determination) overall and by organisation, caseworker,
nationality, interview language and interpreter use; the override rate (determinations of
`willing_worker` against a suggestion of indicators of trafficking) with Fisher's exact test
of each organisation and nationality against the rest of the cases in view; how often the
interviewer left a strong indicator "don't know"; the days from crossing to interview and from
interview to determination.

Coordinators see every organisation, exactly. Caseworkers see their own organisation's cases,
with small cells suppressed as in the statistics export: groups of fewer cases than the
threshold counted together, counts from 1 to threshold - 1 shown as "<threshold", and cells
hidden ("x") so that those cannot be worked out from the totals.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from pydantic import BaseModel
from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth import access
from app.auth.models import Organization
from app.auth.permissions import Permission, can
from app.auth.service import display_names
from app.cases.models import Case, Determination, Interview, InterviewAnswer, Screening
from app.cases.schemas import Outcome
from app.crossings.models import Crossing
from app.i18n import _
from app.nationalities.service import nationality_names
from app.people.models import Person
from app.reports.suppression import Mark, suppress
from app.screening.catalogue import INDICATORS, Strength
from app.screening.rules import Classification

SIGNIFICANCE = 0.01
SUGGESTIONS = [c.value for c in Classification]
OUTCOMES = [o.value for o in Outcome]
# a determination agrees with a suggestion (SCREENING.md rule 6)
AGREES = {("trafficking_victim", "trafficking_victim"), ("needs_assessment", "undetermined"),
          ("willing_worker", "willing_worker")}
STRONG_CODES = [i.code for i in INDICATORS if i.strength is Strength.STRONG]
NOT_RECORDED = "Not recorded"

Count = int | str  # a number, or a suppressed cell's label ("<5", "x")


@dataclass(frozen=True)
class Pair:
    """A case's latest determination and the suggestion it answered."""

    organization_id: int
    decided_by_id: int
    nationality: str | None
    language: str
    interpreter_used: bool
    suggestion: str
    outcome: str

    @property
    def indicated(self) -> bool:
        return self.suggestion == Classification.TRAFFICKING_VICTIM

    @property
    def overridden(self) -> bool:
        return self.indicated and self.outcome == Outcome.WILLING_WORKER


# --- what the API returns ----------------------------------------------------------------

class GroupRow(BaseModel):
    key: str
    label: str
    cases: Count
    agreed: Count
    agreement_rate: float | None
    matrix: dict[str, dict[str, Count]]  # suggestion → determination → cases
    indicator_cases: Count  # suggestion: indicators of trafficking found
    overrides: Count  # ... and determined willing_worker
    override_rate: float | None
    p_value: float | None = None  # Fisher's exact test against the rest (two-sided)
    flagged: bool = False


class Breakdown(BaseModel):
    by: str
    title: str
    tested: bool  # whether each group's override rate is tested against the rest
    rows: list[GroupRow]


class Flag(BaseModel):
    by: str
    key: str
    label: str
    indicator_cases: int
    overrides: int
    override_rate: float
    rest_override_rate: float
    p_value: float


class InterviewQuality(BaseModel):
    caseworker: str
    interviews: Count
    strong_answers: Count
    strong_unknown: Count
    share_unknown: float | None


class Durations(BaseModel):
    key: str
    label: str
    crossing_to_interview_cases: Count
    crossing_to_interview_median_days: float | None
    interview_to_determination_cases: Count
    interview_to_determination_median_days: float | None


class IntegrityReport(BaseModel):
    scope: str
    suppressed_below: int | None
    significance: float
    overall: GroupRow
    breakdowns: list[Breakdown]
    flags: list[Flag]
    interview_quality: list[InterviewQuality]
    durations: list[Durations]


# --- reading ------------------------------------------------------------------------------

def _pairs(session: Session, actor: Actor) -> list[Pair]:
    d = aliased(Determination)
    latest = (select(func.max(d.id)).where(d.case_id == Determination.case_id)
              .correlate_except(d).scalar_subquery())
    rows = session.exec(
        select(Case.organization_id, Determination.decided_by_id, Person.nationality_code,
               Interview.language, Interview.interpreter_used, Screening.classification,
               Determination.outcome)
        .select_from(Determination)
        .join(Screening, Screening.id == Determination.screening_id)
        .join(Interview, Interview.id == Screening.interview_id)
        .join(Case, Case.id == Determination.case_id)
        .join(Person, Person.id == Case.person_id)
        .where(Determination.id == latest, access.visible(actor, Case))
    ).all()
    return [Pair(org, by, nat, (lang or "").strip(), bool(interp), s, o)
            for org, by, nat, lang, interp, s, o in rows]


def _strong_answers(session: Session, actor: Actor) -> dict[int | None, tuple[int, int, int]]:
    """Interviewer → (interviews, strong indicators asked, of those answered "don't know")."""
    unknown = func.sum(case((InterviewAnswer.answer == "unknown", 1), else_=0))
    rows = session.exec(
        select(Interview.created_by_id, func.count(func.distinct(Interview.id)),
               func.count(), unknown)
        .select_from(InterviewAnswer)
        .join(Interview, Interview.id == InterviewAnswer.interview_id)
        .join(Case, Case.id == Interview.case_id)
        .where(InterviewAnswer.code.in_(STRONG_CODES), access.visible(actor, Case))
        .group_by(Interview.created_by_id)
    ).all()
    return {by: (interviews, answers, int(unknowns or 0))
            for by, interviews, answers, unknowns in rows}


def _timings(session: Session, actor: Actor) -> list[tuple[int, float | None, float | None]]:
    """Per case: (organisation, days from the person's last crossing before the first
    interview to that interview, days from the first interview to the first determination)."""
    first_interview = (select(func.min(Interview.conducted_at))
                       .where(Interview.case_id == Case.id).correlate(Case).scalar_subquery())
    first_determination = (select(func.min(Determination.decided_at))
                           .where(Determination.case_id == Case.id).correlate(Case)
                           .scalar_subquery())
    crossed = (select(func.max(Crossing.crossed_at))
               .where(Crossing.person_id == Case.person_id,
                      Crossing.crossed_at <= first_interview)
               .correlate(Case).scalar_subquery())
    rows = session.exec(
        select(Case.organization_id, crossed, first_interview, first_determination)
        .where(access.visible(actor, Case), first_interview.is_not(None))
    ).all()
    return [(org, _days(crossed_at, interviewed), _days(interviewed, decided))
            for org, crossed_at, interviewed, decided in rows]


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0) / 86400


# --- counting -----------------------------------------------------------------------------

def _matrix(pairs: Iterable[Pair]) -> list[list[int]]:
    counts = Counter((p.suggestion, p.outcome) for p in pairs)
    return [[counts[(s, o)] for o in OUTCOMES] for s in SUGGESTIONS]


def _rate(numerator: Count, denominator: Count) -> float | None:
    if isinstance(numerator, int) and isinstance(denominator, int) and denominator:
        return round(numerator / denominator, 4)
    return None


def _row(key: str, label: str, pairs: list[Pair], threshold: int | None) -> GroupRow:
    counts = _matrix(pairs)
    row_of = SUGGESTIONS.index
    col_of = OUTCOMES.index
    tv, ww = row_of("trafficking_victim"), col_of("willing_worker")
    if threshold is None:
        cell = lambda i, j: counts[i][j]  # noqa: E731
        total = len(pairs)
        indicated: Count = sum(counts[tv])
    else:
        table = suppress(counts, threshold)
        published = [[_published(table, i, j) for j in range(table.columns + 1)]
                     for i in range(table.rows + 1)]
        cell = lambda i, j: published[i][j]  # noqa: E731
        total = published[table.rows][table.columns]
        indicated = published[tv][table.columns]
    agreed_cells = [cell(row_of(s), col_of(o)) for s, o in AGREES]
    agreed: Count = (sum(agreed_cells) if all(isinstance(c, int) for c in agreed_cells)
                     else "x")
    overrides = cell(tv, ww)
    return GroupRow(
        key=key, label=label, cases=total, agreed=agreed,
        agreement_rate=_rate(agreed, total),
        matrix={s: {o: cell(i, j) for j, o in enumerate(OUTCOMES)}
                for i, s in enumerate(SUGGESTIONS)},
        indicator_cases=indicated, overrides=overrides,
        override_rate=_rate(overrides, indicated))


def _published(table, i: int, j: int) -> Count:
    if table.withheld:
        return "x"
    return table.values[i][j] if table.marks[i][j] is Mark.SHOWN else table.label(i, j)


def _fisher(group: list[Pair], rest: list[Pair]) -> float:
    # imported here: SciPy is heavy, and only this report needs it
    from scipy.stats import fisher_exact

    k = sum(p.overridden for p in group)
    n = sum(p.indicated for p in group)
    k_rest = sum(p.overridden for p in rest)
    n_rest = sum(p.indicated for p in rest)
    _, p_value = fisher_exact([[k, n - k], [k_rest, n_rest - k_rest]])
    return float(p_value)


def _testable(group: list[Pair], rest: list[Pair], threshold: int) -> bool:
    """Never on small cells: the group's indicator cases, its overrides and its other
    determinations, and the rest's indicator cases, each at least the threshold."""
    n = sum(p.indicated for p in group)
    k = sum(p.overridden for p in group)
    return (n >= threshold and k >= threshold and n - k >= threshold
            and sum(p.indicated for p in rest) >= threshold)


@dataclass(frozen=True)
class _Grouping:
    by: str
    title: str
    key: Callable[[Pair], str]
    tested: bool


def _breakdown(grouping: _Grouping, pairs: list[Pair], labels: Callable[[str], str], *,
               threshold: int, suppress_below: int | None,
               flags: list[Flag]) -> Breakdown:
    groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        groups[grouping.key(pair)].append(pair)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), labels(item[0])))
    rows: list[GroupRow] = []
    small: list[Pair] = []
    for key, members in ordered:
        if suppress_below is not None and len(members) < suppress_below:
            small.extend(members)
            continue
        row = _row(key, labels(key), members, suppress_below)
        if grouping.tested:
            rest = [p for p in pairs if grouping.key(p) != key]
            if _testable(members, rest, threshold):
                row.p_value = _fisher(members, rest)
                row.flagged = row.p_value < SIGNIFICANCE
                if row.flagged:
                    n, k = sum(p.indicated for p in members), sum(p.overridden for p in members)
                    n_rest = sum(p.indicated for p in rest)
                    flags.append(Flag(
                        by=grouping.by, key=key, label=row.label, indicator_cases=n,
                        overrides=k, override_rate=round(k / n, 4),
                        rest_override_rate=round(sum(p.overridden for p in rest) / n_rest, 4),
                        p_value=row.p_value))
        rows.append(row)
    if small:
        rows.append(_row("other", f"Others (fewer than {suppress_below} cases each)", small,
                         suppress_below))
    return Breakdown(by=grouping.by, title=grouping.title, tested=grouping.tested, rows=rows)


def _shown(value: int, threshold: int | None) -> Count:
    if threshold is not None and 0 < value < threshold:
        return f"<{threshold}"
    return value


def _quality(session: Session, actor: Actor, threshold: int | None) -> list[InterviewQuality]:
    found = _strong_answers(session, actor)
    names = display_names(session, set(found))
    rows = []
    for by, (interviews, answers, unknown) in sorted(
            found.items(), key=lambda item: -item[1][0]):
        shown_unknown = _shown(unknown, threshold)
        shown_answers = _shown(answers, threshold)
        rows.append(InterviewQuality(
            caseworker=names.get(by, "Unknown user"), interviews=_shown(interviews, threshold),
            strong_answers=shown_answers, strong_unknown=shown_unknown,
            share_unknown=_rate(shown_unknown, shown_answers)))
    return rows


def _durations(key: str, label: str, timings, threshold: int | None) -> Durations:
    crossing = [t[1] for t in timings if t[1] is not None]
    decided = [t[2] for t in timings if t[2] is not None]

    def middle(values: list[float]) -> float | None:
        if not values or (threshold is not None and len(values) < threshold):
            return None
        return round(median(values), 1)

    return Durations(key=key, label=label,
                     crossing_to_interview_cases=_shown(len(crossing), threshold),
                     crossing_to_interview_median_days=middle(crossing),
                     interview_to_determination_cases=_shown(len(decided), threshold),
                     interview_to_determination_median_days=middle(decided))


def integrity_report(session: Session, *, actor: Actor, threshold: int) -> IntegrityReport:
    """The whole report for the cases the actor may see; audited as one read of aggregates."""
    exact = can(actor, Permission.SCREENING_READ_ALL)
    suppress_below = None if exact else threshold
    pairs = _pairs(session, actor)
    org_names = dict(session.exec(select(Organization.id, Organization.name)).all())
    user_names = display_names(session, {p.decided_by_id for p in pairs})
    nationalities = nationality_names(session)
    groupings = [
        (_Grouping("organization", _("Organisation"), lambda p: str(p.organization_id), True),
         lambda k: org_names.get(int(k), _("Unknown organisation"))),
        (_Grouping("caseworker", _("Caseworker who determined"), lambda p: str(p.decided_by_id),
                   False),
         lambda k: user_names.get(int(k), _("Unknown user"))),
        (_Grouping("nationality", _("Nationality"), lambda p: p.nationality or "", True),
         lambda k: nationalities.get(k, NOT_RECORDED) if k else NOT_RECORDED),
        (_Grouping("language", _("Interview language"), lambda p: p.language.casefold(), False),
         _language_labels(pairs)),
        (_Grouping("interpreter", _("Interpreter"), lambda p: "yes" if p.interpreter_used
                   else "no", False),
         lambda k: _("With an interpreter") if k == "yes" else _("Without an interpreter")),
    ]
    flags: list[Flag] = []
    breakdowns = [_breakdown(grouping, pairs, labels, threshold=threshold,
                             suppress_below=suppress_below, flags=flags)
                  for grouping, labels in groupings]
    timings = _timings(session, actor)
    by_org: dict[int, list] = defaultdict(list)
    for timing in timings:
        by_org[timing[0]].append(timing)
    durations = [_durations("all", _("All cases in view"), timings, suppress_below)] + [
        _durations(str(org), org_names.get(org, _("Unknown organisation")), rows,
                   suppress_below)
        for org, rows in sorted(by_org.items(), key=lambda item: -len(item[1]))]
    scope = (_("Every organisation") if exact
             else _("%(organisation)s only") % {
                 "organisation": org_names.get(actor.organization_id, _("Your organisation"))})
    report = IntegrityReport(
        scope=scope, suppressed_below=suppress_below, significance=SIGNIFICANCE,
        overall=_row("all", _("All cases in view"), pairs, suppress_below),
        breakdowns=breakdowns, flags=flags,
        interview_quality=_quality(session, actor, suppress_below), durations=durations)
    audit.record(session, actor=actor, action="stats.integrity", entity_type="report",
                 detail={"cases": len(pairs), "flags": len(flags), "exact": exact})
    return report


def _language_labels(pairs: list[Pair]) -> Callable[[str], str]:
    """Each language as it was most often typed."""
    spelled: dict[str, Counter] = defaultdict(Counter)
    for p in pairs:
        spelled[p.language.casefold()][p.language] += 1
    return lambda key: (spelled[key].most_common(1)[0][0] if key and spelled.get(key)
                        else NOT_RECORDED)


# --- CSV ----------------------------------------------------------------------------------

CSV_HEADER = ("section", "by", "group", "measure", "value")


def csv_rows(report: IntegrityReport) -> Iterable[tuple[str, str, str, str, str]]:
    """The report in long form: one measure per line."""
    def agreement(by: str, row: GroupRow):
        for measure in ("cases", "agreed", "agreement_rate", "indicator_cases", "overrides",
                        "override_rate", "p_value", "flagged"):
            value = getattr(row, measure)
            if value is not None:
                yield ("agreement", by, row.label, measure, str(value))
        for suggestion, outcomes in row.matrix.items():
            for outcome, value in outcomes.items():
                yield ("agreement", by, row.label, f"{suggestion} → {outcome}", str(value))

    yield from agreement("all", report.overall)
    for breakdown in report.breakdowns:
        for row in breakdown.rows:
            yield from agreement(breakdown.by, row)
    for q in report.interview_quality:
        for measure in ("interviews", "strong_answers", "strong_unknown", "share_unknown"):
            value = getattr(q, measure)
            if value is not None:
                yield ("interview quality", "caseworker", q.caseworker, measure, str(value))
    for d in report.durations:
        for measure in ("crossing_to_interview_cases", "crossing_to_interview_median_days",
                        "interview_to_determination_cases",
                        "interview_to_determination_median_days"):
            value = getattr(d, measure)
            if value is not None:
                yield ("days", "organization" if d.key != "all" else "all", d.label, measure,
                       str(value))

