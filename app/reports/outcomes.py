"""Outcome counts: cases by nationality, by latest suggestion and latest determination.

Coordinators (Permission.STATS_EXACT) read them exactly, for any range of registration days,
for the nationalities that have cases, with the cases of each (suggestion, determination)
pair (`pairs`). Every other role reads them under the rule of app.reports.disclosure: whole
calendar months, a row for every nationality Passage knows (and "not recorded") whether or
not anyone of it has a case, and the counts from 0 to threshold - 1 shown as "<threshold",
with secondary suppression ("x").

A case has one suggestion and one determination, so a row's suggestions and its
determinations each add up to its cases: two tables that share their row totals, which the
two-way suppression of app.reports.suppression cannot protect apart. They are suppressed
together as the flow network they form (app.reports.network_suppression); the pairs are not
published to these roles.
"""

from collections import Counter
from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session, func, select

from app import audit
from app.audit.service import Actor
from app.cases.latest import latest_value
from app.cases.models import Case, Determination, Screening
from app.cases.schemas import Outcome
from app.filters import DateRange
from app.nationalities.service import nationality_names
from app.people.models import Person
from app.reports import disclosure
from app.reports.disclosure import Cell
from app.reports.network_suppression import suppress_network
from app.reports.suppression import SECONDARY_LABEL, Mark
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


class OutcomeCounts(BaseModel):
    date_from: date | None = Field(serialization_alias="from",
                                   description="The first registration day counted (Thai time)")
    date_to: date | None = Field(serialization_alias="to",
                                 description="The last registration day counted (Thai time)")
    exact: bool = Field(description="false: whole months, every nationality, and counts from "
                                    "0 to threshold - 1 read \"<threshold\" (\"x\": hidden)")
    threshold: int
    cases: Cell
    suggestions: dict[str, Cell]
    determinations: dict[str, Cell]
    rows: list[OutcomeRow]
    note: str = ""


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
    asked = filters
    if not exact:
        start, end = disclosure.whole_months(filters.date_from, filters.date_to)
        filters = filters.model_copy(update={"date_from": start, "date_to": end})
    counts = _pair_counts(session, filters)
    names = nationality_names(session)
    if exact:
        codes = sorted({code for code, _, _ in counts},
                       key=lambda c: (-sum(n for k, n in counts.items() if k[0] == c),
                                      names.get(c, NOT_RECORDED) if c else "~", c or ""))
    else:
        known = sorted(names, key=lambda c: (names[c], c))
        extra = sorted({code for code, _, _ in counts if code and code not in names})
        codes = [*known, *extra, None]
    matrix = [[counts.get((code, s, o), 0) for s, o in PAIRS] for code in codes]
    if exact:
        rows, suggestions, determinations, cases = _exact(codes, names, matrix)
    else:
        rows, suggestions, determinations, cases = _suppressed(codes, names, matrix,
                                                               threshold)
        # most cases first, as published (a number before "<5" or "x"), then by name: the
        # order says no more than the numbers do
        rows.sort(key=lambda r: (0, -r.cases, "") if isinstance(r.cases, int)
                  else (1, 0 if r.code else 1, r.name))
    audit.record(session, actor=actor, action="stats.outcomes", entity_type="statistics",
                 detail={**asked.dates_as_audit(), "exact": exact})
    return OutcomeCounts(
        date_from=filters.date_from, date_to=filters.date_to, exact=exact,
        threshold=threshold, cases=cases, suggestions=suggestions,
        determinations=determinations, rows=rows,
        note="" if exact else disclosure.rule_sentence(threshold))


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


def _suppressed(codes, names, matrix, threshold: int):
    """Every nationality's cases, by suggestion and by determination, and the totals,
    suppressed as one network: T_in → T_out → S_s → R_i_in → R_i_out → D_d → T_in."""
    by_suggestion = [[sum(r[k] for k, (s, _) in enumerate(PAIRS) if s == key)
                      for key in SUGGESTION_KEYS] for r in matrix]
    by_outcome = [[sum(r[k] for k, (_, o) in enumerate(PAIRS) if o == key)
                   for key in OUTCOME_KEYS] for r in matrix]
    grand = sum(map(sum, matrix))
    t_in, t_out = 0, 1
    s_node = {key: 2 + k for k, key in enumerate(SUGGESTION_KEYS)}
    d_node = {key: 2 + len(s_node) + k for k, key in enumerate(OUTCOME_KEYS)}
    first = 2 + len(s_node) + len(d_node)
    edges: list[tuple[int, int]] = []
    values: list[int] = []
    costs: list[float] = []

    def edge(tail: int, head: int, value: int, base: float) -> int:
        edges.append((tail, head))
        values.append(value)
        costs.append(base + value / (grand + 1))
        return len(edges) - 1

    grand_edge = edge(t_in, t_out, grand, 100.0)
    s_total = {key: edge(t_out, s_node[key], sum(r[k] for r in by_suggestion), 10.0)
               for k, key in enumerate(SUGGESTION_KEYS)}
    d_total = {key: edge(d_node[key], t_in, sum(r[k] for r in by_outcome), 10.0)
               for k, key in enumerate(OUTCOME_KEYS)}
    row_edges = []
    for i, _ in enumerate(codes):
        r_in, r_out = first + 2 * i, first + 2 * i + 1
        row_edges.append((
            edge(r_in, r_out, sum(by_suggestion[i]), 10.0),
            {key: edge(s_node[key], r_in, by_suggestion[i][k], 1.0)
             for k, key in enumerate(SUGGESTION_KEYS)},
            {key: edge(r_out, d_node[key], by_outcome[i][k], 1.0)
             for k, key in enumerate(OUTCOME_KEYS)}))
    table = suppress_network(edges, values, costs, threshold)

    def label(e: int) -> Cell:
        mark = table.marks[e]
        if mark is Mark.PRIMARY:
            return f"<{threshold}"
        if mark is Mark.SECONDARY:
            return SECONDARY_LABEL
        return values[e]

    rows = [OutcomeRow(code=code, name=_name(code, names), cases=label(cases_edge),
                       suggestions={k: label(e) for k, e in s_edges.items()},
                       determinations={k: label(e) for k, e in d_edges.items()})
            for code, (cases_edge, s_edges, d_edges) in zip(codes, row_edges, strict=True)]
    return (rows, {k: label(e) for k, e in s_total.items()},
            {k: label(e) for k, e in d_total.items()}, label(grand_edge))


def _pair_counts(session: Session, filters: OutcomeFilters
                 ) -> Counter[tuple[str | None, str, str]]:
    """(nationality, current suggestion, latest determination) → cases registered in the
    range; "none" where the case has no suggestion or no determination yet."""
    per_case = (select(Person.nationality_code.label("nationality"),
                       latest_value(Screening, "classification").label("suggestion"),
                       latest_value(Determination, "outcome").label("outcome"))
                .select_from(Case).join(Person, Person.id == Case.person_id)
                .where(*filters.conditions(Case.created_at)).subquery())
    c = per_case.c
    statement = (select(c.nationality, c.suggestion, c.outcome, func.count())
                 .group_by(c.nationality, c.suggestion, c.outcome))
    counts: Counter[tuple[str | None, str, str]] = Counter()
    for code, suggestion, outcome, n in session.exec(statement):
        key = (code or None, suggestion if suggestion in SUGGESTION_KEYS else NONE,
               outcome if outcome in OUTCOME_KEYS else NONE)
        counts[key] += n
    return counts
