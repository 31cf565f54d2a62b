"""The rule for counts beyond crossings (DESIGN.md, "outcome, pipeline and statistics counts";
issue 10 part 2), in one place for every page, API answer and export that shows them.

Crossing counts are exact for everyone. Counts that say more than a crossing (a case, an
interview, a suggestion, a determination, a referral, a repatriation, a closure) are exact,
for any range of days and as they stand now, only for roles that hold Permission.STATS_EXACT
(coordinators). Every other role reads them as follows, and why:

- **One table per calendar month, never a total across months.** Suppression protects the
  cells of one table; it cannot protect two tables whose populations are nested. Widening a
  range to whole months was not enough: "October to December" minus "October to November"
  is December, exactly, cell by cell (a tester read one Indian woman's determination that
  way). So a range answers one table per month in it, each published on its own under
  primary and secondary suppression, and no figure adds months up. A month's table is the
  same in every answer it is part of, whatever the range asked, and months are disjoint: no
  published figure is the sum of other published figures, so subtracting two answers gives
  either 0 or figures of different months, never a small count. (At most MAX_MONTHS tables
  an answer.)
- **Completed months only, each counted as it stood when it ended, once and for all.** A
  month still under way would move between two requests (a case registered today: +1), and so
  would a finished month if later records counted (a determination recorded today on an
  October case: +1, the same attack through time; and at the turn of each month, October as
  published in November against October as published in December). So the current (Thai)
  month is not published to these roles, and a month's table counts only what was recorded
  before that month ended (`Month.counted_before`): the case, its interviews, suggestions and
  determinations, referrals, repatriation steps and closures, and for the pipeline the entry
  crossing too (a crossing recorded later for a day of the month would add a person, and their
  stages, to a finished month). And the table is stored at its first publication and read from
  the store ever after (app.reports.month_store), so a month's table is the same from its
  first publication on, whatever is recorded or corrected afterwards: what happened later to
  that month's people, and a later edit of a person (nationality, sex) or merge of two records
  that would move someone between its rows, shows to these roles in no table (coordinators
  read it exactly).
- **Every cell of the grid, zeros included**, so that a row's or cell's presence says
  nothing, and a count from 0 to threshold - 1 is shown as "<threshold" (0 like 1-4:
  "nobody" is not told apart from "one or two"); where a row or column total would let a
  small count be worked out, more cells are hidden ("x") by app.reports.suppression (the
  outcome counts: app.reports.network_suppression). The pipeline's month is then audited as a
  whole (app.reports.pipeline_audit): with the order of its stages (no more interviews than
  cases, no more cases than crossings) a difference between two stages is a count too, and
  neither it nor a hidden count may be worked out to lie in 1 .. threshold - 1; a row, or
  the month, whose counts cannot be protected otherwise is withheld ("x" in every cell but
  the crossings).

What this leaves (said so that no one reads more into it): a month is published at its first
reading, not at its end, so it takes the people's details (nationality, sex, merges) as they
stood then, and a correction made between the month's end and that reading counts; a later
month's table shows a person's earlier steps only through its own cohort. A month is published
once per suppression threshold: a threshold changed in the settings publishes it again at the
new one, and a reader of both publications may narrow a count hidden in each (the threshold
is the operator's decision of what is safe to show; changing it is rare and deliberate).
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.auth.permissions import Permission, can
from app.clock import LOCAL_TZ, local_day_start, local_today
from app.errors import field_error
from app.i18n import _
from app.reports.suppression import SECONDARY_LABEL, Mark, suppress

Cell = int | str


def rule_sentence(threshold: int) -> str:
    """The rule in one sentence, for the pages that apply it."""
    return (f"Counts beyond crossings are published one calendar month at a time (never a total "
            f"across months), for completed months only, each as recorded by its end and "
            f"unchanged once published, with "
            f"fewer than {threshold} (none included) shown as “<{threshold}” and a few more "
            "hidden (“x”) where totals, or the difference between two stages, would give "
            "them away; crossing counts are exact.")


def is_exact_for(actor) -> bool:
    """Whether the actor reads counts beyond crossings exactly, for any range of days."""
    return can(actor, Permission.STATS_EXACT)


@dataclass(frozen=True)
class Month:
    """One calendar month: its first and last (Thai) days, and its name as `2025-10`."""

    first: date
    last: date

    @property
    def key(self) -> str:
        return self.first.strftime("%Y-%m")

    @classmethod
    def of(cls, day: date) -> "Month":
        first = day.replace(day=1)
        return cls(first, first.replace(day=calendar.monthrange(day.year, day.month)[1]))

    def next(self) -> "Month":
        return Month.of(self.last + timedelta(days=1))

    @property
    def counted_before(self) -> datetime:
        """A month's table counts what was recorded before the month ended (its next month's
        first moment, Thai time): fixed from its first publication, never counted again."""
        return local_day_start(self.next().first)


@dataclass(frozen=True)
class Months:
    """What a role without exact counts reads of a range: the completed months in it, oldest
    first, each a table of its own, counted from the records recorded before `as_of` (the
    start of the current Thai month)."""

    months: list[Month]
    as_of: datetime

    @property
    def last_published(self) -> Month:
        return Month.of(self.as_of.astimezone(LOCAL_TZ).date() - timedelta(days=1))


# one answer's tables at most: a table a month is a table of every nationality each
MAX_MONTHS = 24


def published_months(date_from: date | None, date_to: date | None, *,
                     earliest: date | None) -> Months:
    """The completed calendar months that meet the range (`date_from`..`date_to`, Thai days,
    either end open). An open start begins at `earliest` (the month of the first record
    counted; none: no month), or MAX_MONTHS before the end; an open end, and any end in the
    current month or later, stops at the last completed month. A range of more than
    MAX_MONTHS months is refused (422 naming `from`)."""
    today = local_today()
    current = Month.of(today)
    as_of = local_day_start(current.first)
    last = Month.of(current.first - timedelta(days=1))
    end = last if date_to is None or date_to >= current.first else Month.of(date_to)
    start_day = date_from if date_from is not None else earliest
    months: list[Month] = []
    if start_day is not None:
        month = Month.of(start_day)
        while month.first <= end.first:
            months.append(month)
            month = month.next()
    if len(months) > MAX_MONTHS:
        if date_from is None:
            months = months[-MAX_MONTHS:]
        else:
            raise field_error(
                "from",
                _("Ask for at most %(limit)s months at a time: they come one table a month")
                % {"limit": MAX_MONTHS},
                where="query",
            )
    return Months(months, as_of)


def page_range(filters, *, exact: bool):
    """A page's range: as asked; with no day given, for roles without exact counts, the last
    completed month (rather than every month since the first, one table each)."""
    if exact or filters.date_from is not None or filters.date_to is not None:
        return filters
    last = Month.of(local_today().replace(day=1) - timedelta(days=1))
    return filters.model_copy(update={"date_from": last.first, "date_to": last.last})


def whole_years(date_from: date | None, date_to: date | None) -> tuple[date | None,
                                                                        date | None]:
    """The range widened to whole calendar years (the CTDC export's registration years, for
    every role): from 1 January of `date_from`'s year to 31 December of `date_to`'s. An open
    end stays open."""
    start = date(date_from.year, 1, 1) if date_from is not None else None
    end = date(date_to.year, 12, 31) if date_to is not None else None
    return start, end


CTDC_RULE = ("The CTDC data set covers whole years of registration, and a row whose gender, "
             "age band and citizenship fewer than {k} people share gets citizenship “00” or "
             "is left out.")


@dataclass(frozen=True)
class Published:
    """A table of counts as a role may read it: `cells[i][j]` for the rows and columns,
    `row_totals[i]`, `column_totals[j]` and `grand_total`; each an int, "<threshold" or
    "x"."""

    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    grand_total: Cell


def publish(counts: Sequence[Sequence[int]], *, width: int, threshold: int, exact: bool,
            row_totals: Sequence[int] | None = None) -> Published:
    """`counts` (rows × `width` columns) with its totals, as published under the rule.

    `row_totals`: when a row's total is not the sum of its cells (the columns are a part of
    something larger, such as the suggestions of the people interviewed, where each person
    has one suggestion: then it is the sum), give it; by default it is the sum. Exact for
    roles that read exact counts; otherwise primary and secondary suppression, and zeros
    shown as "<threshold" too."""
    rows = [list(r) for r in counts]
    if any(len(r) != width for r in rows):
        raise ValueError(_("every row needs %(width)s counts") % {"width": width})
    sums = [sum(r) for r in rows]
    totals = list(row_totals) if row_totals is not None else sums
    column_totals = [sum(r[j] for r in rows) for j in range(width)]
    if exact:
        return Published(rows, totals, column_totals, sum(totals))
    if not rows:
        # nothing counted: the totals are zeros, and a zero is shown like 1-4
        small = f"<{threshold}"
        return Published([], [], [small] * width, small)
    # a row total larger than its cells' sum: the rest is one more (never published) column,
    # so that the totals add up as the suppression expects
    rest = [t - s for t, s in zip(totals, sums, strict=True)]
    table_counts = [r + [x] for r, x in zip(rows, rest, strict=True)] if any(rest) else rows
    table = suppress(table_counts, threshold, zeros_small=True)
    if table.withheld:
        hidden = SECONDARY_LABEL
        return Published([[hidden] * width for _ in rows], [hidden] * len(rows),
                         [hidden] * width, hidden)

    def label(i: int, j: int) -> Cell:
        if table.marks[i][j] is Mark.SHOWN:
            value = table.values[i][j]
            return f"<{threshold}" if value == 0 else value
        return table.label(i, j)

    last = table.columns  # the row-total column
    return Published(
        cells=[[label(i, j) for j in range(width)] for i in range(len(rows))],
        row_totals=[label(i, last) for i in range(len(rows))],
        column_totals=[label(table.rows, j) for j in range(width)],
        grand_total=label(table.rows, last),
    )
