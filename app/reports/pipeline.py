"""The pipeline from crossing to closure: of the people who crossed in a period, how many
reached each stage, overall and by nationality. Counts only, never names.

Who is counted: the people (records not merged into another) with an entry crossing in the
period (exits are not arrivals).
Each stage reads the person's cases, whenever they were opened and by any organisation:
- `case`, `interview`, `referral`: at least one of them;
- `suggestion_*`: the current suggestion (app.cases.latest) of their latest case that has one,
  so the three add up to `interview`;
- `determined`: at least one determination; `determination_*`: their latest (the highest id),
  so the three add up to `determined`;
- `repatriation_started`: a repatriation (app.repatriation) on one of their cases that is not
  cancelled; `departed`: one that reached `departed` or `received` (a batch's departure and a
  tick on the border's departure list record the exit crossing with it);
- `closed`: their latest case (the highest id) is closed; `closed_*` by its reason.

Rows are the nationalities of the people who crossed in the period: crossing counts are
exact for every role, so a row's presence tells no one anything new. Counts beyond crossings
follow app.reports.disclosure; border officials read the crossing and departure columns only.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import Field
from sqlalchemy import ColumnElement, Select, case, exists, func
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth.permissions import Permission, can
from app.cases.latest import newest_first
from app.cases.models import Case, Determination, Interview, Screening
from app.cases.schemas import ClosureReason, Outcome
from app.crossings.direction import Direction
from app.crossings.filters import CountryCode, use_custom_plans
from app.crossings.models import Crossing
from app.filters import Blank, DateRange
from app.labels import CLOSURE_REASON_LABELS, OUTCOME_LABELS, SUGGESTION_LABELS
from app.nationalities.models import Nationality
from app.people.models import Person
from app.referrals.models import Referral
from app.repatriation.models import Repatriation
from app.repatriation.schemas import Stage
from app.reports import disclosure
from app.reports.disclosure import Cell
from app.screening.rules import Classification

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str  # columns of one group are suppressed together (they add up to its total)
    funnel: bool = False  # drawn as a bar of the funnel


COLUMNS: tuple[Column, ...] = (
    Column("crossed", "Crossed", "crossed", funnel=True),
    Column("case", "Case opened", "case", funnel=True),
    Column("interview", "Interviewed", "interview", funnel=True),
    *(Column(f"suggestion_{c.value}", f"Suggestion: {SUGGESTION_LABELS[c.value]}",
             "suggestion") for c in Classification),
    Column("determined", "Determined", "determined", funnel=True),
    *(Column(f"determination_{o.value}", f"Determination: {OUTCOME_LABELS[o.value]}",
             "determination") for o in Outcome),
    Column("referral", "Referred", "referral", funnel=True),
    Column("repatriation_started", "Repatriation started", "repatriation_started",
           funnel=True),
    Column("departed", "Departed", "departed", funnel=True),
    Column("closed", "Case closed", "closed", funnel=True),
    *(Column(f"closed_{r.value}", f"Closed: {CLOSURE_REASON_LABELS[r.value]}", "closure")
      for r in ClosureReason),
)
# a group of columns that add up to another column: (its total column)
GROUP_TOTALS = {"suggestion": "interview", "determination": "determined", "closure": "closed"}
# what a role without PIPELINE_STAGES reads (border officials)
CROSSINGS_AND_DEPARTURES = ("crossed", "departed")


class PipelineFilters(DateRange):
    """The period of the crossings (from, to: Thai days, both included) and a nationality."""

    nationality: Annotated[CountryCode | None, Blank, Field(
        description="ISO 3166-1 alpha-2")] = None

    def crossing_conditions(self) -> list[ColumnElement[bool]]:
        # the people who came in during the period: their exits are counted as `departed`
        return [Crossing.direction == Direction.ENTRY.value,
                *self.conditions(Crossing.crossed_at)]

    def person_conditions(self) -> list[ColumnElement[bool]]:
        return [Person.nationality_code == self.nationality] if self.nationality else []

    def as_query(self) -> dict[str, str]:
        values = {**self.dates_as_query(), "nationality": self.nationality}
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class PipelineRow:
    code: str | None
    name: str
    counts: dict[str, Cell]


@dataclass(frozen=True)
class Pipeline:
    date_from: date | None
    date_to: date | None
    exact: bool
    threshold: int
    columns: tuple[Column, ...]
    overall: dict[str, Cell]
    rows: list[PipelineRow]
    repatriation_recorded: bool = True


def stages_statement(filters: PipelineFilters) -> Select:
    """One row per nationality: the number of people who crossed in the period and of those
    at each stage. Correlated subqueries on the person, each on an index (case person_id,
    and the case_id of interviews, screenings, determinations, referrals)."""
    of_person = Case.person_id == Person.id
    has_case = exists(select(Case.id).where(of_person))
    has_interview = exists(select(Interview.id).join(Case, Case.id == Interview.case_id)
                           .where(of_person))
    suggestion = (select(Screening.classification).join(Case, Case.id == Screening.case_id)
                  .where(of_person).order_by(Case.id.desc(), *newest_first(Screening))
                  .limit(1).scalar_subquery())
    outcome = (select(Determination.outcome).join(Case, Case.id == Determination.case_id)
               .where(of_person).order_by(*newest_first(Determination)).limit(1)
               .scalar_subquery())
    has_referral = exists(select(Referral.id).join(Case, Case.id == Referral.case_id)
                          .where(of_person))
    repatriation = select(Repatriation.id).join(Case, Case.id == Repatriation.case_id)
    has_repatriation = exists(repatriation.where(
        of_person, Repatriation.stage != Stage.CANCELLED.value))
    has_departed = exists(repatriation.where(
        of_person, Repatriation.stage.in_((Stage.DEPARTED.value, Stage.RECEIVED.value))))
    closure = (select(Case.closure_reason).where(of_person).order_by(Case.id.desc())
               .limit(1).scalar_subquery())
    crossed = select(Crossing.person_id).where(*filters.crossing_conditions())
    people = (select(Person.nationality_code.label("nationality"),
                     has_case.label("has_case"), has_interview.label("has_interview"),
                     suggestion.label("suggestion"), outcome.label("outcome"),
                     has_referral.label("has_referral"),
                     has_repatriation.label("has_repatriation"),
                     has_departed.label("has_departed"), closure.label("closure"))
              .where(Person.id.in_(crossed), Person.merged_into_id.is_(None),
                     *filters.person_conditions())
              .subquery())

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    c = people.c
    counted = {
        "crossed": func.count(),
        "case": count_if(c.has_case),
        "interview": count_if(c.has_interview),
        **{f"suggestion_{s.value}": count_if(c.suggestion == s.value) for s in Classification},
        "determined": count_if(c.outcome.isnot(None)),
        **{f"determination_{o.value}": count_if(c.outcome == o.value) for o in Outcome},
        "referral": count_if(c.has_referral),
        "repatriation_started": count_if(c.has_repatriation),
        "departed": count_if(c.has_departed),
        "closed": count_if(c.closure.isnot(None)),
        **{f"closed_{r.value}": count_if(c.closure == r.value) for r in ClosureReason},
    }
    return (select(c.nationality, Nationality.name,
                   *(value.label(key) for key, value in counted.items()))
            .select_from(people).outerjoin(Nationality, Nationality.code == c.nationality)
            .group_by(c.nationality, Nationality.name)
            .order_by(func.count().desc(), Nationality.name))


def _counts(session: Session, filters: PipelineFilters) -> list[tuple[str | None, str,
                                                                     dict[str, int]]]:
    use_custom_plans(session)
    rows = []
    for result in session.exec(stages_statement(filters)):
        values = result._mapping
        rows.append((values["nationality"], values["name"] or NOT_RECORDED,
                     {col.key: int(values[col.key] or 0) for col in COLUMNS}))
    return rows


def columns_for(actor: Actor) -> tuple[Column, ...]:
    if can(actor, Permission.PIPELINE_STAGES):
        return COLUMNS
    return tuple(c for c in COLUMNS if c.key in CROSSINGS_AND_DEPARTURES)


def pipeline(session: Session, *, actor: Actor, filters: PipelineFilters,
             threshold: int) -> Pipeline:
    """The pipeline as the actor may read it; the read is audited (filters only)."""
    exact = disclosure.is_exact_for(actor)
    if not exact:
        start, end = disclosure.whole_months(filters.date_from, filters.date_to)
        filters = filters.model_copy(update={"date_from": start, "date_to": end})
    raw = _counts(session, filters)
    columns = columns_for(actor)
    published = _publish(raw, columns, threshold=threshold, exact=exact)
    rows = [PipelineRow(code, name, published[i]) for i, (code, name, _) in enumerate(raw)]
    overall = published[len(raw)]
    audit.record(session, actor=actor, action="stats.pipeline", entity_type="statistics",
                 detail={**filters.dates_as_audit(), "nationality": filters.nationality,
                         "exact": exact})
    return Pipeline(filters.date_from, filters.date_to, exact, threshold, columns, overall,
                    rows)


def _publish(raw, columns: tuple[Column, ...], *, threshold: int,
             exact: bool) -> list[dict[str, Cell]]:
    """Each row's published cells and, last, the overall row. Crossings exact; each group
    of columns beyond them through the disclosure rule, with its total column."""
    out: list[dict[str, Cell]] = [{} for _ in range(len(raw) + 1)]
    keys = {c.key for c in columns}
    groups: dict[str, list[str]] = {}
    for column in columns:
        groups.setdefault(column.group, []).append(column.key)
    for group, group_keys in groups.items():
        if group == "crossed":
            for i, (_, _, counts) in enumerate(raw):
                out[i]["crossed"] = counts["crossed"]
            out[-1]["crossed"] = sum(counts["crossed"] for _, _, counts in raw)
            continue
        if group in GROUP_TOTALS.values() and any(
                t == group and g in groups for g, t in GROUP_TOTALS.items()):
            continue  # published with the group that adds up to it
        total_key = GROUP_TOTALS.get(group)
        table = disclosure.publish(
            [[counts[k] for k in group_keys] for _, _, counts in raw], width=len(group_keys),
            threshold=threshold, exact=exact,
            row_totals=[counts[total_key] for _, _, counts in raw] if total_key else None)
        for i in range(len(raw)):
            for j, key in enumerate(group_keys):
                out[i][key] = table.cells[i][j]
            if total_key and total_key in keys:
                out[i][total_key] = table.row_totals[i]
        for j, key in enumerate(group_keys):
            out[-1][key] = table.column_totals[j]
        if total_key and total_key in keys:
            out[-1][total_key] = table.grand_total
    return out


# --- CSV ---

def pipeline_csv(result: Pipeline) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "nationality", *(c.key for c in result.columns)])
    for row in result.rows:
        writer.writerow([row.code or "", row.name, *(row.counts[c.key] for c in result.columns)])
    writer.writerow(["", "Total", *(result.overall[c.key] for c in result.columns)])
    return out.getvalue()


# --- the funnel, drawn by the server as SVG ---

@dataclass(frozen=True)
class FunnelBar:
    label: str
    value: Cell
    y: float
    width: float
    x: float


@dataclass(frozen=True)
class Funnel:
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_width: int
    bars: list[FunnelBar]


def funnel(result: Pipeline, *, width: int = 560, label_width: int = 170,
           row_height: int = 34) -> Funnel:
    """Centred bars, one per stage, as wide as their count (a hidden count: no bar, its label
    written); geometry only."""
    top = 36
    plot_width = width - label_width - 16
    stages = [c for c in result.columns if c.funnel]
    numbers = [v for c in stages if isinstance(v := result.overall[c.key], int)]
    largest = max(numbers, default=0) or 1
    bars = []
    for index, column in enumerate(stages):
        value = result.overall[column.key]
        bar = round(plot_width * value / largest, 1) if isinstance(value, int) else 0.0
        bars.append(FunnelBar(label=column.label, value=value, y=top + index * row_height,
                              width=bar, x=round(label_width + (plot_width - bar) / 2, 1)))
    return Funnel(width=width, height=top + len(stages) * row_height + 12,
                  label_width=label_width, bar_height=row_height - 8, plot_width=plot_width,
                  bars=bars)
