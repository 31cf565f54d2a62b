"""Outcome counts: cases by nationality, by latest suggestion and latest determination.

Coordinators (Permission.STATS_EXACT) read them exactly, for any range of registration days,
for the nationalities that have cases, with the cases of each (suggestion, determination)
pair (`pairs`), as things stand. Every other role reads them under the rule of
app.reports.disclosure: one table per completed calendar month (never a total across
months), as recorded when the last month ended, a row for every nationality Passage knows
(and "not recorded") whether or not anyone of it has a case, and the counts from 0 to
threshold - 1 shown as "<threshold", with secondary suppression ("x").

A case has one suggestion and one determination, so a row's suggestions and its
determinations each add up to its cases: two tables that share their row totals, which the
two-way suppression of app.reports.suppression cannot protect apart; and the statistics
export publishes the same month's cases by nationality and determination, and by sex. So
these roles read the month's one publication (app.reports.publication), every table of the
month suppressed together: the two answers print the same value for every cell they share,
and neither gives away what the other hides. The pairs are not published to these roles.
"""

from collections import Counter
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlmodel import Session, func, select

from app import audit
from app.audit.service import Actor
from app.cases.models import Case
from app.cases.schemas import Outcome
from app.filters import DateRange
from app.nationalities.service import nationality_names
from app.people.models import Person
from app.reports import disclosure, publication
from app.reports.disclosure import Cell
from app.reports.reading import SessionReader
from app.reports.suppression import SECONDARY_LABEL
from app.screening.rules import Classification

NONE = "none"
NOT_RECORDED = "Not recorded"
SUGGESTION_KEYS = [c.value for c in Classification] + [NONE]
OUTCOME_KEYS = [o.value for o in Outcome] + [NONE]
PAIRS = [(s, o) for s in SUGGESTION_KEYS for o in OUTCOME_KEYS]


class OutcomeFilters(DateRange):
    """Cases registered from `from` to `to` (Thai days, both included)."""


class OutcomeRow(BaseModel):
    code: str | None
    name: str
    cases: Cell
    suggestions: dict[str, Cell]
    determinations: dict[str, Cell]
    pairs: dict[str, dict[str, Cell]] | None = Field(
        default=None, description="suggestion → determination → cases (exact counts only)")


class OutcomeMonth(BaseModel):
    """One calendar month's table, published on its own."""

    month: str = Field(description="The calendar month, as 2025-10")
    date_from: date = Field(serialization_alias="from", description="Its first day")
    date_to: date = Field(serialization_alias="to", description="Its last day")
    cases: Cell
    suggestions: dict[str, Cell]
    determinations: dict[str, Cell]
    rows: list[OutcomeRow]


class OutcomeCounts(BaseModel):
    date_from: date | None = Field(serialization_alias="from",
                                   description="The first registration day counted (Thai time)")
    date_to: date | None = Field(serialization_alias="to",
                                 description="The last registration day counted (Thai time)")
    exact: bool = Field(description="true (coordinators): the range as asked, counted now, in "
                                    "one table. false: one table per completed calendar month "
                                    "of the range, counts from 0 to threshold - 1 read "
                                    "\"<threshold\" (\"x\": hidden), every nationality")
    threshold: int
    as_of: datetime | None = Field(
        default=None, description="When not exact: only what was recorded before this moment "
                                  "(the start of the current month, Thai time) is counted, so "
                                  "the figures stay the same until the next month")
    cases: Cell | None = Field(description="The table's counts when the answer is one table "
                                           "(exact, or one month); null when `months` holds "
                                           "several")
    suggestions: dict[str, Cell] | None
    determinations: dict[str, Cell] | None
    rows: list[OutcomeRow] = Field(description="Empty when `months` holds several tables")
    months: list[OutcomeMonth] | None = Field(
        default=None,
        description="null when the answer is one table, in the fields above. Otherwise (not "
                    "exact, a range of more than one month, or none completed yet: []) one "
                    "table per completed month, oldest first; never a total across months")
    note: str = ""

    def tables(self) -> list["OutcomeMonth | OutcomeCounts"]:
        """The tables of the answer, for a page: itself, or its months."""
        return [self] if self.months is None else list(self.months)


def _sum(values: list[Cell]) -> Cell:
    """A sum of published cells: a number only where each of them is one."""
    if all(isinstance(v, int) for v in values):
        return sum(values)  # type: ignore[arg-type]
    return SECONDARY_LABEL


def _margins(pairs: list[Cell]) -> tuple[dict[str, Cell], dict[str, Cell]]:
    by = dict(zip(PAIRS, pairs, strict=True))
    suggestions = {s: _sum([by[(s, o)] for o in OUTCOME_KEYS]) for s in SUGGESTION_KEYS}
    determinations = {o: _sum([by[(s, o)] for s in SUGGESTION_KEYS]) for o in OUTCOME_KEYS}
    return suggestions, determinations


def _nested(pairs: list[Cell]) -> dict[str, dict[str, Cell]]:
    by = dict(zip(PAIRS, pairs, strict=True))
    return {s: {o: by[(s, o)] for o in OUTCOME_KEYS} for s in SUGGESTION_KEYS}


def outcome_counts(session: Session, *, actor: Actor, filters: OutcomeFilters,
                   threshold: int) -> OutcomeCounts:
    """The counts as the actor may read them; the read is audited (filters only)."""
    exact = disclosure.is_exact_for(actor)
    names = nationality_names(session)
    if exact:
        table = _table(session, names, filters)
        months, as_of = None, None
        date_from, date_to = filters.date_from, filters.date_to
    else:
        plan = publication.months_of_cases(session, filters.date_from, filters.date_to)
        as_of = plan.as_of
        published = publication.month_publications(session, SessionReader(session),
                                                   plan.months, names, threshold)
        months = []
        for month, one in zip(plan.months, published, strict=True):
            cases, suggestions, determinations, rows = _published(one, names)
            months.append(OutcomeMonth(month=month.key, date_from=month.first,
                                       date_to=month.last, cases=cases,
                                       suggestions=suggestions,
                                       determinations=determinations, rows=rows))
        date_from = plan.months[0].first if plan.months else filters.date_from
        date_to = plan.months[-1].last if plan.months else filters.date_to
        if len(months) == 1:
            one = months[0]
            table = (one.cases, one.suggestions, one.determinations, one.rows)
            months = None
        else:
            table = (None, None, None, [])
    cases, suggestions, determinations, rows = table
    audit.record(session, actor=actor, action="stats.outcomes", entity_type="statistics",
                 detail={**filters.dates_as_audit(), "exact": exact,
                         "as_of": as_of.isoformat() if as_of else None})
    return OutcomeCounts(
        date_from=date_from, date_to=date_to, exact=exact, threshold=threshold, as_of=as_of,
        cases=cases, suggestions=suggestions, determinations=determinations, rows=rows,
        months=months, note="" if exact else disclosure.rule_sentence(threshold))


def _table(session: Session, names: dict[str, str], filters: OutcomeFilters):
    """(cases, suggestions, determinations, rows) of the cases registered in the range,
    exact, as things stand."""
    counts = _pair_counts(session, filters)
    codes = sorted({code for code, _, _ in counts},
                   key=lambda c: (-sum(n for k, n in counts.items() if k[0] == c),
                                  names.get(c, NOT_RECORDED) if c else "~", c or ""))
    matrix = [[counts.get((code, s, o), 0) for s, o in PAIRS] for code in codes]
    rows, suggestions, determinations, cases = _exact(codes, names, matrix)
    return cases, suggestions, determinations, rows


def _name(code: str | None, names: dict[str, str]) -> str:
    return names.get(code, NOT_RECORDED) if code else NOT_RECORDED


def _exact(codes, names, matrix):
    rows = []
    for code, counts in zip(codes, matrix, strict=True):
        suggestions, determinations = _margins(counts)
        rows.append(OutcomeRow(code=code, name=_name(code, names), cases=sum(counts),
                               suggestions=suggestions, determinations=determinations,
                               pairs=_nested(counts)))
    totals = [sum(r[j] for r in matrix) for j in range(len(PAIRS))]
    suggestions, determinations = _margins(totals)
    return rows, suggestions, determinations, sum(totals)


def _published(month: publication.MonthPublication, names: dict[str, str]):
    """(cases, suggestions, determinations, rows) of a month as roles without exact counts
    read it: the month's one publication (app.reports.publication), the same as in the
    statistics export, the suggestions suppressed with them (and with the sexes that export
    shows)."""
    rows = [OutcomeRow(code=row.code or None, name=_name(row.code or None, names),
                       cases=row.cases, suggestions=dict(row.suggestions),
                       determinations=dict(row.determinations)) for row in month.rows]
    # most cases first, as published (a number before "<5" or "x"), then by name: the order
    # says no more than the numbers do
    rows.sort(key=lambda r: (0, -r.cases, "") if isinstance(r.cases, int)
              else (1, 0 if r.code else 1, r.name))
    return month.cases, dict(month.suggestions), dict(month.determinations), rows


def _pair_counts(session: Session, filters: OutcomeFilters
                 ) -> Counter[tuple[str | None, str, str]]:
    """(nationality, current suggestion, latest determination) → cases registered in the
    range; "none" where the case has no suggestion or no determination yet."""
    kept = (Person.nationality_code, Case.latest_suggestion, Case.latest_outcome)
    statement = (select(*kept, func.count()).select_from(Case)
                 .join(Person, Person.id == Case.person_id)
                 .where(*filters.conditions(Case.created_at)).group_by(*kept))
    counts: Counter[tuple[str | None, str, str]] = Counter()
    for code, suggestion, outcome, n in session.exec(statement):
        key = (code or None, suggestion if suggestion in SUGGESTION_KEYS else NONE,
               outcome if outcome in OUTCOME_KEYS else NONE)
        counts[key] += n
    return counts
