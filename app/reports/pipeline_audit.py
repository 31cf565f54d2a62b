"""The second pass of a pipeline month's publication: an audit of the whole table as a reader
without exact counts sees it, and more cells hidden until it passes. Pure functions.

The first pass (app.reports.disclosure.publish) suppresses each group of columns on its own.
But a reader knows more than each group: per row, the stages are ordered (a case at most the
crossings, which are exact; an interview, a determination, a referral, a repatriation and a
closure at most the cases; a departure at most the repatriations), the groups add up to
their totals, and every column to the overall row. Put together, a hidden count could be
worked out (an "x" of a row that crossed 5 is 5; then the total minus the rest gives a "<5"
exactly), and so could the difference between two stages (case 6, interview 5: exactly one
person with a case and no interview).

So the table is audited as a system: integer programmes (HiGHS, through highspy) over every
table consistent with what is published, with all those relations, for the least and the
most of every hidden "<t" count and of every difference between two ordered stages or
between a group's total and one of its parts, in every row and in the overall row. It
fails where a "<t" count is pinned to one value or known not to be 0, or where a difference
is known to lie within 1..t-1. Where it fails, more is hidden ("x": a count of t or more),
cheapest first: the failing row's cells of the stages concerned, then the overall row's,
then every stage of both, and at last the whole month ("x" in every cell beyond crossings);
then it audits again. A border official reads a part of the same table (crossings and
departures), so what the whole table lets no one work out, that part does not either.

An "x" worked out to one value is not a failure: it is t or more, a count the rule would
have shown (a row that crossed 5, all 5 with a case); the small counts next to it are what
the audit protects. Deterministic: the same counts give the same cells.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from highspy import HighsLp, HighsModelStatus, HighsVarType, MatrixFormat

try:  # the bindings' own class: highspy.Highs adds interrupt callbacks and prints a banner
    from highspy._core import _Highs
except ImportError:  # a later highspy that moves it
    from highspy import Highs as _Highs

HIDDEN = "x"

# (smaller, larger): per row, the first stage is at most the second
STAGE_ORDER: tuple[tuple[str, str], ...] = (
    ("case", "crossed"), ("interview", "case"), ("determined", "case"), ("referral", "case"),
    ("repatriation_started", "case"), ("departed", "repatriation_started"), ("closed", "case"),
)

TOTAL = -1  # the overall row, in a failure
WHOLE_ROW = "*"  # every stage cell of a row, in an escalation


def _ordered_pairs() -> list[tuple[str, str]]:
    """Every pair the order implies, transitively (departed ≤ crossed too)."""
    larger: dict[str, set[str]] = {}
    for small, big in STAGE_ORDER:
        larger.setdefault(small, set()).add(big)
    changed = True
    while changed:
        changed = False
        for small in list(larger):
            for big in list(larger[small]):
                new = larger.get(big, set()) - larger[small]
                if new:
                    larger[small] |= new
                    changed = True
    return sorted((s, b) for s, bigs in larger.items() for b in bigs)


@dataclass(frozen=True)
class _Item:
    """A count the reader must not work out: `plus` minus `minus` (column keys) of a row
    (TOTAL: the overall row); `cell` when it is one published cell."""

    row: int
    plus: tuple[str, ...]
    minus: tuple[str, ...]

    @property
    def cell(self) -> bool:
        return not self.minus

    @property
    def keys(self) -> tuple[str, ...]:
        return self.plus + self.minus


def audit(counts: Sequence[dict[str, int]], cells: list[dict], *, keys: Sequence[str],
          groups: dict[str, str], threshold: int, max_rounds: int = 100) -> list[dict]:
    """`cells` (each row's published cells, the overall row last, as the first pass made
    them) with more hidden until no count can be worked out; `counts` are the rows' true
    counts (crossed first among `keys`); `groups`: a part column → its total column."""
    cells = [dict(row) for row in cells]
    if not counts:
        return cells
    stage_keys = [k for k in keys if k != "crossed"]
    families = _families(stage_keys, groups)
    items = _items(len(counts), stage_keys, groups)
    levels: dict[_Item, int] = {}
    # hiding more only widens what a reader can read into the table: an item that passed
    # passes after, and a table consistent with the cells before is consistent after
    pool = _Pool()
    for _ in range(max_rounds):
        system = _System(counts, cells, stage_keys, groups, threshold, pool)
        failures = system.failures(items)
        items = failures
        if not failures:
            return cells
        touched: set[int] = set()  # rows changed this round: audited again before more
        for item in failures:
            if item.row in touched or TOTAL in touched:
                continue
            while True:
                level = levels.get(item, 0) + 1
                levels[item] = level
                if level > 4:
                    return _withheld(cells, stage_keys)
                changed = _hide(cells, _escalation(item, level, counts, families, stage_keys),
                                threshold, stage_keys)
                if changed:
                    touched |= changed
                    break
    return _withheld(cells, stage_keys)


def _families(stage_keys: Sequence[str], groups: dict[str, str]) -> dict[str, set[str]]:
    """A column's family: a group's parts with its total, hidden together."""
    family = {k: {k} for k in stage_keys}
    for part, total in groups.items():
        if part in family and total in family:
            family[total].add(part)
    for part, total in groups.items():
        if part in family and total in family:
            family[part] = family[total]
    return family


def _items(rows: int, stage_keys: Sequence[str], groups: dict[str, str]) -> list[_Item]:
    present = set(stage_keys) | {"crossed"}
    differences = [((big,), (small,)) for small, big in _ordered_pairs()
                   if small in present and big in present]
    differences += [((total,), (part,)) for part, total in groups.items()
                    if part in present and total in present]
    items = []
    for row in [*range(rows), TOTAL]:
        items += [_Item(row, (k,), ()) for k in stage_keys]
        items += [_Item(row, plus, minus) for plus, minus in differences]
    return items


def _escalation(item: _Item, level: int, counts, families, stage_keys) -> list[tuple[int, str]]:
    """The cells to hide for a failing item at `level` (1, 2, 3): (row, key), TOTAL for the
    overall row."""
    family = sorted(set().union(*(families.get(k, set()) for k in item.keys)))
    if item.row != TOTAL:
        rows = [item.row]
        first, second = rows, [TOTAL]
    else:
        # the rows that make up the total's count
        rows = [i for i, row in enumerate(counts)
                if sum(row[k] for k in item.plus) - sum(row[k] for k in item.minus) != 0]
        first, second = [TOTAL], rows
    if level == 1:
        return [(r, k) for r in first for k in family]
    if level == 2:
        return [(r, k) for r in second for k in family]
    if level == 3:
        return [(r, WHOLE_ROW) for r in rows]
    return [(TOTAL, k) for k in stage_keys]


def _hide(cells: list[dict], where: list[tuple[int, str]], threshold: int,
          stage_keys: Sequence[str]) -> set[int]:
    """Hide the shown counts among `where` (WHOLE_ROW: every stage cell of the row, small
    ones too); the rows changed."""
    changed = set()
    for row, key in where:
        for k in stage_keys if key == WHOLE_ROW else [key]:
            value = cells[row][k]
            if value != HIDDEN and (key == WHOLE_ROW or (isinstance(value, int)
                                                         and value >= threshold)):
                cells[row][k] = HIDDEN
                changed.add(row)
    return changed


def withheld(row: dict, stage_keys: Sequence[str]) -> bool:
    """A row whose every stage cell is "x" is withheld: a reader knows nothing of its
    counts, small ones included."""
    return all(row[k] == HIDDEN for k in stage_keys)


def _withheld(cells: list[dict], stage_keys: Sequence[str]) -> list[dict]:
    return [{k: (HIDDEN if k in stage_keys else v) for k, v in row.items()} for row in cells]


class _System:
    """Every table consistent with the published cells: one integer variable per row and
    stage column, each from 0 to the row's crossings."""

    def __init__(self, counts, cells, stage_keys, groups, threshold: int,
                 pool: "_Pool"):
        self.counts, self.cells, self.threshold = counts, cells, threshold
        self.rows = len(counts)
        self.index = {k: j for j, k in enumerate(stage_keys)}
        self.width = len(stage_keys)
        size = self.rows * self.width
        self.size = size
        self._vectors: dict[tuple, np.ndarray] = {}
        lines: list[np.ndarray] = []
        lower: list[float] = []
        upper: list[float] = []

        def constrain(coefficients: np.ndarray, low: float, high: float):
            lines.append(coefficients)
            lower.append(low)
            upper.append(high)

        truth = np.zeros(size)
        for i, row in enumerate(counts):
            for k, j in self.index.items():
                truth[i * self.width + j] = row[k]
        self.truth = truth
        for row in [*range(self.rows), TOTAL]:
            if withheld(cells[row], stage_keys):
                continue  # any count, from 0 up
            for k in stage_keys:
                label = cells[row][k]
                value = self._value(row, (k,), (), truth)
                low, high = self._bounds(label, value)
                constrain(self._vector(row, (k,), ()), low, high)
        for i, row in enumerate(counts):
            for small, big in STAGE_ORDER:
                if small in self.index and row[small] <= row[big]:
                    if big == "crossed":
                        continue  # every variable is at most the crossings
                    if big in self.index:
                        constrain(self._vector(i, (big,), (small,)), 0, np.inf)
            for part_total in set(groups.values()):
                parts = tuple(p for p, t in groups.items() if t == part_total)
                if part_total not in self.index or not all(p in self.index for p in parts):
                    continue
                rest = row[part_total] - sum(row[p] for p in parts)
                if rest == 0:
                    constrain(self._vector(i, (part_total,), parts), 0, 0)
                elif rest > 0:
                    constrain(self._vector(i, (part_total,), parts), 0, np.inf)
        if not lines:  # every row withheld: the crossings alone
            constrain(np.zeros(size), 0, 0)
        crossed = np.repeat([float(row["crossed"]) for row in counts], self.width)
        self.programme = _Programme(np.array(lines), np.array(lower), np.array(upper),
                                    crossed)
        self.pool = pool  # tables consistent with the cells, the true one first
        if not pool:
            pool.add(truth)
            hidden = np.zeros(size)
            for i in range(self.rows):
                for k, j in self.index.items():
                    if not isinstance(cells[i][k], int):
                        hidden[i * self.width + j] = 1.0
            for sign in (1, -1):  # the fewest and the most: many small counts at their ends
                self._solve(sign * hidden)
        self.withheld = {row: withheld(cells[row], stage_keys)
                         for row in [*range(self.rows), TOTAL]}

    def counts_of(self, item: "_Item") -> int:
        return self._value(item.row, item.plus, item.minus, self.truth)

    def _bounds(self, label, value: int) -> tuple[float, float]:
        if isinstance(label, int):
            return label, label
        if label.startswith("<"):
            return 0, int(label[1:]) - 1
        # an "x" is t or more; one of a group the first pass withheld may be less
        return (self.threshold if value >= self.threshold else 0), np.inf

    def _vector(self, row: int, plus, minus) -> np.ndarray:
        key = (row, plus, minus)
        if key not in self._vectors:
            self._vectors[key] = self._new_vector(row, plus, minus)
        return self._vectors[key]

    def _new_vector(self, row: int, plus, minus) -> np.ndarray:
        vector = np.zeros(self.size)
        rows = range(self.rows) if row == TOTAL else [row]
        for sign, keys in ((1.0, plus), (-1.0, minus)):
            for k in keys:
                if k == "crossed":
                    continue  # a constant
                for i in rows:
                    vector[i * self.width + self.index[k]] += sign
        return vector

    def _constant(self, row: int, plus, minus) -> int:
        rows = range(self.rows) if row == TOTAL else [row]
        crossed = sum(self.counts[i]["crossed"] for i in rows)
        return crossed * (plus.count("crossed") - minus.count("crossed"))

    def _value(self, row: int, plus, minus, solution: np.ndarray) -> int:
        return round(float(self._vector(row, plus, minus) @ solution)
                     + self._constant(row, plus, minus))

    def _shown(self, item: _Item) -> bool:
        return all(k == "crossed" or isinstance(self.cells[item.row][k], int)
                   for k in item.keys)

    def _end(self, item: _Item, sign: int) -> int:
        """The least (sign 1) or the most (sign -1) of the item."""
        solution = self._solve(sign * self._vector(item.row, item.plus, item.minus))
        return self._value(item.row, item.plus, item.minus, solution)

    def _solve(self, objective: np.ndarray) -> np.ndarray:
        """A table consistent with the cells at which `objective` is least."""
        solution = self.programme.least(objective)
        self.pool.add(solution)
        return solution

    def _seen(self, item: _Item) -> np.ndarray:
        """The item's value in each table found so far."""
        values = self.pool.tables @ self._vector(item.row, item.plus, item.minus)
        return np.rint(values).astype(np.int64) + self._constant(item.row, item.plus, item.minus)

    def _open(self, item: _Item) -> str | None:
        """What is to be shown of an item: "cell" (a small count not pinned, not known to
        be more than 0), "difference" (not known to lie in 1..t-1), "failed" (a
        difference published exactly in 1..t-1), None (nothing: shown, t or more, or 0)."""
        t = self.threshold
        value = self.counts_of(item)
        if item.cell:
            label = self.cells[item.row][item.plus[0]]
            if label == HIDDEN and self.withheld[item.row]:
                return "cell" if value < t else None  # withheld: any count
            small = isinstance(label, str) and label.startswith("<")
            return "cell" if small else None  # else shown, or "x": t or more
        if value == 0 or value >= t:
            return None
        return "failed" if self._shown(item) else "difference"

    def _settled(self, item: _Item, kind: str) -> bool:
        """Whether the tables found so far show the item protected."""
        seen = self._seen(item)
        if kind == "cell":
            return bool((seen == 0).any() and seen.max() >= 1)
        return bool((seen == 0).any() or seen.max() >= self.threshold)

    def failures(self, items: list[_Item]) -> list[_Item]:
        t = self.threshold
        kinds = {item: kind for item in items if (kind := self._open(item)) is not None}
        failed = [item for item, kind in kinds.items() if kind == "failed"]
        open_items = [item for item, kind in kinds.items()
                      if kind != "failed" and not self._settled(item, kind)]
        if len(open_items) > 1:
            # two tables first, at the least and the most of them all: most are settled by
            # one of the two
            together = sum(self._vector(i.row, i.plus, i.minus) for i in open_items)
            for sign in (1, -1):
                self._solve(sign * together)
        for item in open_items:
            kind = kinds[item]
            if self._settled(item, kind):
                continue
            if kind == "cell":
                if not (self._seen(item) == 0).any():
                    if self._end(item, 1) != 0:
                        failed.append(item)
                        continue
                if self._seen(item).max() < 1 and self._end(item, -1) < 1:
                    failed.append(item)
                continue
            if self._end(item, 1) != 0 and self._end(item, -1) < t:
                failed.append(item)
        return [item for item in items if item in set(failed)]  # in the items' order


class _Pool:
    """Tables consistent with the cells, found so far: rows of one matrix that grows."""

    def __init__(self):
        self._tables = np.zeros((0, 0))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, table: np.ndarray) -> None:
        if self._count == len(self._tables):
            grown = np.zeros((max(16, 2 * self._count), len(table)))
            if self._count:
                grown[:self._count] = self._tables
            self._tables = grown
        self._tables[self._count] = table
        self._count += 1

    @property
    def tables(self) -> np.ndarray:
        return self._tables[:self._count]


class _Programme:
    """The tables consistent with the cells, as one HiGHS model (through highspy, HiGHS's own
    bindings): `rows` @ table between `lower` and `upper`, each variable from 0 to `upper_of`.
    The model is built once and each objective solved from the last one's basis: the many
    least and most of one audit round differ only in their objective, so each takes a few
    simplex steps instead of a solve from nothing (SciPy's linprog built the model anew each
    time, most of the audit's cost)."""

    def __init__(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                 upper_of: np.ndarray):
        self._optimal = HighsModelStatus.kOptimal
        self._integer, self._continuous = HighsVarType.kInteger, HighsVarType.kContinuous
        size = rows.shape[1]
        self.size = size
        self._columns = np.arange(size, dtype=np.int32)
        lp = HighsLp()
        lp.num_col_, lp.num_row_ = size, rows.shape[0]
        lp.col_cost_ = np.zeros(size)
        lp.col_lower_, lp.col_upper_ = np.zeros(size), upper_of
        lp.row_lower_, lp.row_upper_ = lower, upper
        nonzero = rows != 0
        lp.a_matrix_.format_ = MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = size, rows.shape[0]
        lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(nonzero.sum(axis=1))]
                                             ).astype(np.int32)
        lp.a_matrix_.index_ = np.nonzero(nonzero)[1].astype(np.int32)
        lp.a_matrix_.value_ = rows[nonzero]
        highs = _Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        highs.setOptionValue("presolve", "off")
        highs.setOptionValue("simplex_strategy", 4)  # primal: from the last basis
        highs.passModel(lp)
        self._highs = highs

    def least(self, objective: np.ndarray) -> np.ndarray:
        """A table at which `objective` is least: the linear programme's vertex when it is
        whole (most often: the constraints are nearly a network's), the integer programme's
        otherwise."""
        highs = self._highs
        highs.changeColsCost(self.size, self._columns, objective.astype(np.float64))
        solution = self._run()
        if np.abs(solution - np.rint(solution)).max() > 1e-6:
            kinds = np.array([self._integer] * self.size)
            highs.changeColsIntegrality(self.size, self._columns, kinds)
            try:
                solution = self._run()
            finally:
                highs.changeColsIntegrality(self.size, self._columns,
                                            np.array([self._continuous] * self.size))
        return np.rint(solution)

    def _run(self) -> np.ndarray:
        self._highs.run()
        status = self._highs.getModelStatus()
        if status != self._optimal:
            raise RuntimeError(f"pipeline audit: {status}")
        return np.array(self._highs.getSolution().col_value)
