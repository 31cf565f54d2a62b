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
For roles without exact counts each group of columns is suppressed on its own first, and then
the month's whole table is audited (app.reports.pipeline_audit) against a reader who also
knows the order of the stages (STAGE_ORDER there: a case at most the crossings, an interview,
a determination, a referral, a repatriation and a closure at most the cases, a departure at
most the repatriations), the groups' sums and the totals: more is hidden until no count from
1 to threshold - 1, no "<threshold" pinned to 0 and no difference of two stages from 1 to
threshold - 1 (three who crossed without a case) can be worked out. A row whose every cell
beyond crossings is "x" is withheld: its small counts are behind an "x" too.

Coordinators read the range as asked, as things stand now. Every other role reads one table
per completed calendar month (the people whose entry crossing in it was recorded before the
month ended), each stage as it stood then (`before`): the records recorded before that
moment, the repatriation's stage and the case's status from their histories. A month's table
is published once, every nationality and every column, stored at its first reading and read
from the store ever after (app.reports.month_store): each role reads its columns of it, and
a nationality asked for reads its row of it. The figures never change, whatever is recorded
or corrected later.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from pydantic import Field
from sqlalchemy import ColumnElement, Select, and_, case, exists, func
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.auth.permissions import Permission, can
from app.cases.latest import newest_first, recorded_at
from app.cases.models import Case, CaseStatusChange, Determination, Interview, Screening
from app.cases.schemas import CaseStatus, ClosureReason, Outcome
from app.clock import local_date
from app.crossings import rollup
from app.crossings.direction import Direction
from app.crossings.filters import CountryCode, CrossingFilters, use_custom_plans
from app.crossings.models import Crossing
from app.filters import Blank, DateRange
from app.i18n import N_, _
from app.labels import CLOSURE_REASON_LABELS, OUTCOME_LABELS, SUGGESTION_LABELS
from app.nationalities.models import Nationality
from app.nationalities.service import nationality_names
from app.people.models import Person
from app.referrals.models import Referral
from app.repatriation.models import Repatriation, RepatriationStageChange
from app.repatriation.schemas import Stage
from app.reports import disclosure, month_store, pipeline_audit
from app.reports.disclosure import Cell
from app.reports.reading import SessionReader
from app.screening.rules import Classification

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Column:
    key: str
    english: str  # the label as written; `label` is it in the reader's language
    group: str  # columns of one group are suppressed together (they add up to its total)
    funnel: bool = False  # drawn as a bar of the funnel
    of: tuple[str, str] | None = None  # ("suggestion", code): "Suggestion: <its label>"

    @property
    def label(self) -> str:
        if self.of is None:
            return _(self.english)
        kind, code = self.of
        if kind == "suggestion":
            return _("Suggestion: %(label)s") % {"label": SUGGESTION_LABELS[code]}
        if kind == "determination":
            return _("Determination: %(label)s") % {"label": OUTCOME_LABELS[code]}
        return _("Closed: %(label)s") % {"label": CLOSURE_REASON_LABELS[code]}


COLUMNS: tuple[Column, ...] = (
    Column("crossed", N_("Crossed"), "crossed", funnel=True),
    Column("case", N_("Case opened"), "case", funnel=True),
    Column("interview", N_("Interviewed"), "interview", funnel=True),
    *(Column(f"suggestion_{c.value}", f"Suggestion: {SUGGESTION_LABELS.english()[c.value]}",
             "suggestion", of=("suggestion", c.value)) for c in Classification),
    Column("determined", N_("Determined"), "determined", funnel=True),
    *(Column(f"determination_{o.value}", f"Determination: {OUTCOME_LABELS.english()[o.value]}",
             "determination", of=("determination", o.value)) for o in Outcome),
    Column("referral", N_("Referred"), "referral", funnel=True),
    Column("repatriation_started", N_("Repatriation started"), "repatriation_started",
           funnel=True),
    Column("departed", N_("Departed"), "departed", funnel=True),
    Column("closed", N_("Case closed"), "closed", funnel=True),
    *(Column(f"closed_{r.value}", f"Closed: {CLOSURE_REASON_LABELS.english()[r.value]}",
             "closure", of=("closure", r.value)) for r in ClosureReason),
)
# a group of columns that add up to another column: (its total column)
GROUP_TOTALS = {"suggestion": "interview", "determination": "determined", "closure": "closed"}
# a part column → the column it adds up to
PART_OF = {c.key: GROUP_TOTALS[c.group] for c in COLUMNS if c.group in GROUP_TOTALS}
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
class PipelineMonth:
    """One calendar month's table, published on its own."""

    month: str
    date_from: date
    date_to: date
    overall: dict[str, Cell]
    rows: list[PipelineRow]


@dataclass(frozen=True)
class Pipeline:
    date_from: date | None
    date_to: date | None
    exact: bool
    threshold: int
    columns: tuple[Column, ...]
    overall: dict[str, Cell] | None  # None when `months` holds several tables
    rows: list[PipelineRow]
    repatriation_recorded: bool = True
    months: list[PipelineMonth] | None = None  # several months (not exact): one table each
    as_of: datetime | None = None  # not exact: counted as recorded before this moment

    def tables(self) -> list["Pipeline | PipelineMonth"]:
        """The tables of the answer, for a page: itself, or its months."""
        return [self] if self.months is None else list(self.months)


def crossed_statement(filters: PipelineFilters, *, before: datetime | None = None) -> Select:
    """The people (records not merged into another) with an entry crossing in the period, by
    nationality: (nationality_code, name, count), largest first. As things stand, from the
    nationality counts' rollup (app.crossings.rollup) when it can answer; `before`: the
    crossings recorded before then, from the crossings."""
    if before is None:
        from_rollup = rollup.counts_statement(CrossingFilters(
            date_from=filters.date_from, date_to=filters.date_to,
            nationality=filters.nationality, direction=Direction.ENTRY))
        if from_rollup is not None:
            # a merged record's crossings are its survivor's (app.people.merge): none is left
            return from_rollup
    crossed = select(Crossing.person_id).where(*filters.crossing_conditions(),
                                               *_recorded(before))
    count = func.count(Person.id)
    return (select(Person.nationality_code, Nationality.name, count.label("count"))
            .outerjoin(Nationality, Nationality.code == Person.nationality_code)
            .where(Person.id.in_(crossed), Person.merged_into_id.is_(None),
                   *filters.person_conditions())
            .group_by(Person.nationality_code, Nationality.name)
            .order_by(count.desc(), Nationality.name))


def stages_statement(filters: PipelineFilters, *, before: datetime | None = None) -> Select:
    """The people of crossed_statement who have a case, by nationality and the stages they
    reached: a row per nationality and combination, with its number of people. Each person's
    stages are read once, by correlated subqueries on the person, each on an index (case
    person_id, and the case_id of interviews, screenings, determinations, referrals), and for
    the people with a case only: the others reached no stage. (Read in the aggregate's own
    columns, a subquery was run again for each column it feeds, for every person who crossed:
    21 of them per person, 20 s for a quarter at national scale.) `before`: as things stood
    then, counting only what was recorded before it (crossings included)."""
    stages = _stages_now() if before is None else _stages_before(before)
    has_case = stages.pop("has_case")
    crossed = select(Crossing.person_id).where(*filters.crossing_conditions(),
                                               *_recorded(before))
    people = (select(Person.nationality_code.label("nationality"),
                     *(value.label(key) for key, value in stages.items()))
              .where(Person.id.in_(crossed), Person.merged_into_id.is_(None), has_case,
                     *filters.person_conditions())
              .subquery())
    reached = [people.c.nationality, *(people.c[key] for key in stages)]
    return select(*reached, func.count().label("people")).group_by(*reached)


def _recorded(before: datetime | None) -> list:
    return [] if before is None else [Crossing.created_at < before]


def _stages_now() -> dict:
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
    return {"has_case": has_case, "has_interview": has_interview, "suggestion": suggestion,
            "outcome": outcome, "has_referral": has_referral,
            "has_repatriation": has_repatriation, "has_departed": has_departed,
            "closure": closure}


def _stages_before(before: datetime) -> dict:
    """The same stages as they stood at `before`: only rows recorded before it, and the
    repatriation's stage and the case's status read from their histories."""
    of_person = and_(Case.person_id == Person.id, Case.created_at < before)
    has_case = exists(select(Case.id).where(of_person))
    has_interview = exists(select(Interview.id).join(Case, Case.id == Interview.case_id)
                           .where(of_person, Interview.created_at < before))
    suggestion = (select(Screening.classification).join(Case, Case.id == Screening.case_id)
                  .where(of_person, recorded_at(Screening) < before)
                  .order_by(Case.id.desc(), *newest_first(Screening))
                  .limit(1).scalar_subquery())
    outcome = (select(Determination.outcome).join(Case, Case.id == Determination.case_id)
               .where(of_person, recorded_at(Determination) < before)
               .order_by(*newest_first(Determination)).limit(1).scalar_subquery())
    has_referral = exists(select(Referral.id).join(Case, Case.id == Referral.case_id)
                          .where(of_person, Referral.created_at < before))
    stage_then = (select(RepatriationStageChange.to_stage)
                  .where(RepatriationStageChange.repatriation_id == Repatriation.id,
                         RepatriationStageChange.changed_at < before)
                  .order_by(RepatriationStageChange.changed_at.desc(),
                            RepatriationStageChange.id.desc())
                  .limit(1).correlate(Repatriation).scalar_subquery())
    repatriation = select(Repatriation.id).join(Case, Case.id == Repatriation.case_id)
    has_repatriation = exists(repatriation.where(
        of_person, stage_then != Stage.CANCELLED.value))
    has_departed = exists(repatriation.where(
        of_person, stage_then.in_((Stage.DEPARTED.value, Stage.RECEIVED.value))))
    # correlated to the person two levels up, explicitly: left to itself, SQLAlchemy would
    # not find Person in the closure's own FROM and would take the latest case of anyone
    latest_case = (select(Case.id).where(of_person).order_by(Case.id.desc()).limit(1)
                   .correlate(Person).scalar_subquery())
    change = CaseStatusChange
    closure = (select(case((change.to_status == CaseStatus.CLOSED.value,
                            func.coalesce(change.reason, "")), else_=None))
               .where(change.case_id == latest_case, change.changed_at < before)
               .order_by(change.changed_at.desc(), change.id.desc())
               .limit(1).scalar_subquery())
    return {"has_case": has_case, "has_interview": has_interview, "suggestion": suggestion,
            "outcome": outcome, "has_referral": has_referral,
            "has_repatriation": has_repatriation, "has_departed": has_departed,
            "closure": closure}


def _counts(session: Session, filters: PipelineFilters, *, before: datetime | None = None
            ) -> list[tuple[str | None, str, dict[str, int]]]:
    use_custom_plans(session)
    rows, by_code = [], {}
    for crossed in session.exec(crossed_statement(filters, before=before)):
        counts = {col.key: 0 for col in COLUMNS} | {"crossed": int(crossed.count)}
        rows.append((crossed.nationality_code, crossed.name or NOT_RECORDED, counts))
        by_code[crossed.nationality_code] = counts
    for result in session.exec(stages_statement(filters, before=before)):
        reached = result._mapping
        counts, people = by_code[reached["nationality"]], int(reached["people"])
        keys = ["case", "interview" if reached["has_interview"] else None,
                "referral" if reached["has_referral"] else None,
                "repatriation_started" if reached["has_repatriation"] else None,
                "departed" if reached["has_departed"] else None]
        if reached["suggestion"] is not None:
            keys.append(f"suggestion_{reached['suggestion']}")
        if reached["outcome"] is not None:
            keys += ["determined", f"determination_{reached['outcome']}"]
        if reached["closure"] is not None:  # "" when closed for no reason (before then)
            keys += ["closed", f"closed_{reached['closure']}"]
        for key in keys:
            if key in counts:
                counts[key] += people
    return rows


def columns_for(actor: Actor) -> tuple[Column, ...]:
    if can(actor, Permission.PIPELINE_STAGES):
        return COLUMNS
    return tuple(c for c in COLUMNS if c.key in CROSSINGS_AND_DEPARTURES)


def pipeline(session: Session, *, actor: Actor, filters: PipelineFilters,
             threshold: int) -> Pipeline:
    """The pipeline as the actor may read it; the read is audited (filters only)."""
    exact = disclosure.is_exact_for(actor)
    columns = columns_for(actor)
    as_of = None
    if exact:
        raw = _counts(session, filters)
        published = _publish(raw, columns, threshold=threshold, exact=True)
        result = Pipeline(filters.date_from, filters.date_to, True, threshold, columns,
                          published[len(raw)], _rows(raw, published))
    else:
        first = session.exec(select(func.min(Crossing.crossed_at))
                             .where(Crossing.direction == Direction.ENTRY.value)).one()
        plan = disclosure.published_months(
            filters.date_from, filters.date_to,
            earliest=local_date(first) if first is not None else None)
        as_of = plan.as_of
        names = nationality_names(session)
        stored = month_store.read(session, SessionReader(session), kind="pipeline",
                                  months=plan.months, threshold=threshold,
                                  publish=lambda month: _month_cells(session, month, threshold))
        months = []
        for month, cells in zip(plan.months, stored, strict=True):
            overall, rows = _read_month(cells, columns, names, filters.nationality,
                                        threshold=threshold)
            months.append(PipelineMonth(month.key, month.first, month.last, overall, rows))
        date_from = plan.months[0].first if plan.months else filters.date_from
        date_to = plan.months[-1].last if plan.months else filters.date_to
        if len(months) == 1:
            result = Pipeline(date_from, date_to, False, threshold, columns,
                              months[0].overall, months[0].rows, as_of=as_of)
        else:
            result = Pipeline(date_from, date_to, False, threshold, columns, None, [],
                              months=months, as_of=as_of)
    audit.record(session, actor=actor, action="stats.pipeline", entity_type="statistics",
                 detail={**filters.dates_as_audit(), "nationality": filters.nationality,
                         "exact": exact, "as_of": as_of.isoformat() if as_of else None})
    return result


def _month_cells(session: Session, month: disclosure.Month, threshold: int) -> dict:
    """A completed month's one publication, as stored (app.reports.month_store): every
    nationality of the people who crossed in it, every column, each stage as it stood when
    the month ended; nationality codes and published cells only."""
    filters = PipelineFilters(date_from=month.first, date_to=month.last)
    raw = _counts(session, filters, before=month.counted_before)
    published = _publish(raw, COLUMNS, threshold=threshold, exact=False)
    published = pipeline_audit.audit(
        [counts for _, _, counts in raw], published, keys=[c.key for c in COLUMNS],
        groups=PART_OF, threshold=threshold)
    keys = [c.key for c in COLUMNS]
    return {"columns": keys,
            "rows": [[code, [published[i][k] for k in keys]]
                     for i, (code, _, _) in enumerate(raw)],
            "overall": [published[-1][k] for k in keys]}


def _read_month(cells: dict, columns: tuple[Column, ...], names: dict[str, str],
                nationality: str | None, *, threshold: int
                ) -> tuple[dict[str, Cell], list[PipelineRow]]:
    """(overall, rows) of a stored month in the reader's columns. A role's columns are whole
    groups of COLUMNS (columns_for) and its cells the publication's: the audit covered the
    whole table, so any part of it is safe too. A nationality asked for reads its row of the
    month's table (and the same cells as the overall): a month has one table, never a second
    one of a part of it."""
    keys = [c.key for c in columns]
    position = {key: j for j, key in enumerate(cells["columns"])}

    def pick(values: list[Cell]) -> dict[str, Cell]:
        return {key: values[position[key]] for key in keys}

    rows = [PipelineRow(code, names.get(code, NOT_RECORDED) if code else NOT_RECORDED,
                        pick(values)) for code, values in cells["rows"]]
    if nationality is None:
        return pick(cells["overall"]), rows
    rows = [row for row in rows if row.code == nationality]
    if not rows:  # no one of it crossed in the month
        return _publish([], columns, threshold=threshold, exact=False)[0], []
    return dict(rows[0].counts), rows


def _rows(raw, published) -> list[PipelineRow]:
    return [PipelineRow(code, name, published[i]) for i, (code, name, _) in enumerate(raw)]


def _publish(raw, columns: tuple[Column, ...], *, threshold: int,
             exact: bool) -> list[dict[str, Cell]]:
    """Each row's published cells and, last, the overall row. Crossings exact; each group
    of columns beyond them through the disclosure rule, with its total column (the first
    pass: a month's table is then audited as a whole, _month_cells)."""
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
    """One table; or, for several months, a `month` column first and each month's rows with
    its own total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keys = [c.key for c in result.columns]
    if result.months is None:
        writer.writerow(["code", "nationality", *keys])
        for row in result.rows:
            writer.writerow([row.code or "", row.name, *(row.counts[k] for k in keys)])
        writer.writerow(["", "Total", *(result.overall[k] for k in keys)])  # type: ignore[index]
        return out.getvalue()
    writer.writerow(["month", "code", "nationality", *keys])
    for month in result.months:
        for row in month.rows:
            writer.writerow([month.month, row.code or "", row.name,
                             *(row.counts[k] for k in keys)])
        writer.writerow([month.month, "", "Total", *(month.overall[k] for k in keys)])
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


def funnel(result: "Pipeline | PipelineMonth", columns: tuple[Column, ...], *,
           width: int = 560, label_width: int = 170, row_height: int = 34) -> Funnel:
    """Centred bars, one per stage, as wide as their count (a hidden count: no bar, its label
    written); geometry only."""
    top = 36
    plot_width = width - label_width - 16
    stages = [c for c in columns if c.funnel]
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
