"""Outcome counts: cases by nationality, by latest suggestion and latest determination."""

from collections import Counter

from sqlmodel import Session, func, select

from app.audit.service import Actor
from app.auth.permissions import Permission, can
from app.cases.latest import latest_value
from app.cases.models import Case, Determination, Screening
from app.cases.schemas import Outcome, OutcomeCounts, OutcomeRow
from app.nationalities.service import nationality_names
from app.people.models import Person
from app.screening.rules import Classification

NONE = "none"


def _empty(keys) -> dict[str, int]:
    return {k: 0 for k in keys}


SUGGESTION_KEYS = [c.value for c in Classification] + [NONE]
OUTCOME_KEYS = [o.value for o in Outcome] + [NONE]


def outcome_counts(session: Session, *, actor: Actor, threshold: int) -> OutcomeCounts:
    """Cases by nationality, by their latest suggestion and their latest determination.

    No names, and for every role. Roles that may not read every suggestion (everyone but
    coordinators) get nationalities with fewer cases than `threshold` (the suppression
    threshold, as the statistics export uses it) counted together, so that a nationality of
    one or two people does not reveal their outcome."""
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

    grouped_below = None
    result = list(rows.values())
    if not can(actor, Permission.SCREENING_READ_ALL):
        grouped_below = threshold
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
                         determinations=dict(totals_d), rows=result,
                         grouped_below=grouped_below)


def _latest_by_nationality(session: Session, model, column) -> dict[tuple, int]:
    """(nationality, value of the case's current row of `model`) → number of cases; a case
    with no row counts under value None."""
    per_case = (select(Person.nationality_code.label("nationality"),
                       latest_value(model, column.key).label("value"))
                .select_from(Case).join(Person, Person.id == Case.person_id).subquery())
    statement = (select(per_case.c.nationality, per_case.c.value, func.count())
                 .group_by(per_case.c.nationality, per_case.c.value))
    return {(code, value): count for code, value, count in session.exec(statement)}
