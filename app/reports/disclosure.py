"""The rule for counts beyond crossings (DESIGN.md, "outcome, pipeline and statistics counts";
issue 10 part 2), in one place for every page, API answer and export that shows them.

Crossing counts are exact for everyone. Counts that say more than a crossing (a case, an
interview, a suggestion, a determination, a referral, a repatriation, a closure) are exact,
for any range of days, only for roles that hold Permission.STATS_EXACT (coordinators). For
every other role:
- the period is widened to whole calendar months, so that two answers for ranges one day
  apart cannot isolate the people of that day;
- every cell of the grid is shown, zeros included, so that a row's or a cell's presence says
  nothing;
- a count from 0 to threshold - 1 is shown as "<threshold" (0 like 1-4: "nobody" is not told
  apart from "one or two"), and where a row or column total would let a small count be worked
  out, more cells are hidden ("x") by app.reports.suppression.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.auth.permissions import Permission, can
from app.reports.suppression import SECONDARY_LABEL, Mark, suppress

Cell = int | str


def rule_sentence(threshold: int) -> str:
    """The rule in one sentence, for the pages that apply it."""
    return (f"Counts beyond crossings cover whole calendar months and show fewer than "
            f"{threshold} (none included) as “<{threshold}”, with a few more hidden (“x”) "
            "where totals would give them away; crossing counts are exact.")


def is_exact_for(actor) -> bool:
    """Whether the actor reads counts beyond crossings exactly, for any range of days."""
    return can(actor, Permission.STATS_EXACT)


def whole_months(date_from: date | None, date_to: date | None) -> tuple[date | None,
                                                                         date | None]:
    """The range widened to whole calendar months: from the first day of `date_from`'s
    month to the last day of `date_to`'s. An open end stays open."""
    start = date_from.replace(day=1) if date_from is not None else None
    end = None
    if date_to is not None:
        end = date_to.replace(day=calendar.monthrange(date_to.year, date_to.month)[1])
    return start, end


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
        raise ValueError(f"every row needs {width} counts")
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
