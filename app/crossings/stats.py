"""Nationality counts: distinct people who crossed, by nationality. One SQL aggregate, of the
rollup (app.crossings.rollup) when it can answer, else of the crossings; the chart and the
CSV file are drawn from its rows. Counts only, never names."""

import csv
import io
import math
from dataclasses import dataclass

from sqlalchemy import Select, case, func
from sqlmodel import Session, select

from app import audit
from app.audit.service import Actor
from app.crossings import rollup
from app.crossings.filters import CrossingFilters, use_custom_plans
from app.crossings.models import Crossing
from app.crossings.schemas import NationalityCount, NationalityStats, SexCounts
from app.nationalities.models import Nationality
from app.people.models import Person
from app.people.schemas import Sex

NOT_RECORDED = "Not recorded"


def nationality_counts_statement(filters: CrossingFilters, *, by_sex: bool = False) -> Select:
    """People (records not merged into another) with at least one crossing in the filters,
    counted by nationality, largest first, from the crossings. Each person has one
    nationality, so the counts add up to the distinct people."""
    count = func.count(Person.id)
    columns = [Person.nationality_code, Nationality.name, count.label("count")]
    if by_sex:
        columns += [func.count(case((Person.sex == sex.value, Person.id))).label(sex.value)
                    for sex in Sex]
    crossed = select(Crossing.person_id).where(*filters.crossing_conditions())
    return (
        select(*columns).select_from(Person)
        .outerjoin(Nationality, Nationality.code == Person.nationality_code)
        .where(Person.id.in_(crossed), Person.merged_into_id.is_(None),
               *filters.person_conditions())
        .group_by(Person.nationality_code, Nationality.name)
        .order_by(count.desc(), Nationality.name)
    )


def nationality_counts(session: Session, *, filters: CrossingFilters,
                       by_sex: bool = False) -> NationalityStats:
    statement = rollup.counts_statement(filters)
    if statement is None:
        use_custom_plans(session)  # the best plan for a date range depends on the dates
        statement = nationality_counts_statement(filters, by_sex=by_sex)
    rows = []
    for result in session.exec(statement):
        sexes = SexCounts(**{s.value: result._mapping[s.value] for s in Sex}) if by_sex else None
        rows.append(NationalityCount(code=result.nationality_code,
                                     name=result.name or NOT_RECORDED, count=result.count,
                                     by_sex=sexes))
    totals = None
    if by_sex:
        totals = SexCounts(**{s.value: sum(getattr(r.by_sex, s.value) for r in rows)
                              for s in Sex})
    return NationalityStats(total=sum(r.count for r in rows), rows=rows, by_sex=totals)


def export_nationality_counts_csv(session: Session, *, actor: Actor, filters: CrossingFilters,
                                  by_sex: bool = False) -> str:
    """The dashboard's table as CSV; the export is audited (filters only, no personal data)."""
    stats = nationality_counts(session, filters=filters, by_sex=by_sex)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    sexes = [s.value for s in Sex] if by_sex else []
    writer.writerow(["code", "nationality", "people", *sexes])
    for row in stats.rows:
        writer.writerow([row.code or "", row.name, row.count,
                         *(getattr(row.by_sex, s) for s in sexes)])
    writer.writerow(["", "Total", stats.total,
                     *(getattr(stats.by_sex, s) for s in sexes)])
    audit.record(session, actor=actor, action="stats.export", entity_type="statistics",
                 detail={"report": "nationalities", "format": "csv", "by_sex": by_sex,
                         "from": str(filters.date_from or ""), "to": str(filters.date_to or ""),
                         "crossing_point": filters.crossing_point or "",
                         "compound_id": filters.compound_id})
    return out.getvalue()


def all_crossing_points(session: Session) -> list[str]:
    """Every crossing point on record: the dashboard's filter (a count, not a person)."""
    return list(session.exec(
        select(Crossing.crossing_point).group_by(Crossing.crossing_point)
        .order_by(Crossing.crossing_point)).all())


# --- the bar chart, drawn by the server as SVG ---

@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    count: int
    y: float
    width: float


@dataclass(frozen=True)
class Tick:
    x: float
    value: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_width: int
    plot_top: int
    plot_bottom: int
    bar_height: int
    bars: list[Bar]
    ticks: list[Tick]


def bar_chart(rows: list[NationalityCount], *, width: int = 560, label_width: int = 150,
              row_height: int = 26, max_label: int = 20) -> BarChart:
    """Horizontal bars, one per nationality, largest on top; geometry only."""
    top, bottom_space, right_space = 44, 56, 56
    plot_width = width - label_width - right_space
    largest = max((r.count for r in rows), default=0)
    step = _tick_step(largest)
    scale_max = max(step * math.ceil(largest / step), 1) if largest else 1
    bars = []
    for index, row in enumerate(rows):
        label = row.name if len(row.name) <= max_label else row.name[:max_label - 1] + "…"
        bars.append(Bar(label=label, full_label=row.name, count=row.count,
                        y=top + index * row_height,
                        width=round(plot_width * row.count / scale_max, 1)))
    ticks = [Tick(x=round(label_width + plot_width * v / scale_max, 1), value=v)
             for v in range(0, scale_max + 1, step)] if largest else []
    plot_bottom = top + len(rows) * row_height
    return BarChart(width=width, height=plot_bottom + bottom_space, plot_left=label_width,
                    plot_width=plot_width, plot_top=top, plot_bottom=plot_bottom,
                    bar_height=row_height - 8, bars=bars, ticks=ticks)


def _tick_step(largest: int) -> int:
    """A round step giving about five ticks: 1, 2, 5, 10, 20, 50, 100..."""
    if largest <= 5:
        return 1
    raw = largest / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude
