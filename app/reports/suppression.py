"""Small-cell suppression of a two-way table with its row and column totals. Pure functions.

The published table is the counts (rows × columns), a total for every row and every column,
and the grand total. A count (or a total) from 1 to threshold - 1 is shown as "<threshold"
(primary suppression). Other cells are then hidden as well ("x", secondary suppression) until
no hidden cell can be worked out from what is published.

What a reader knows, and what the test's attacker uses: every shown value; that a "<5" cell
lies in 1..4; that an "x" cell is at least 5 (zeros are never hidden, so an "x" is never 0);
and that every row and column adds up to its total. With those bounds the set of tables
consistent with the publication is the set of integer points of a network-flow polytope, so a
hidden cell's value is determined exactly when no alternating cycle of hidden cells can move
it by one (see `is_protected`). Secondary cells are chosen along the cheapest such cycle:
few cells, small counts, totals only when nothing else will do.
"""

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.i18n import _


class Mark(StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"  # 1 .. threshold-1, shown as "<threshold"
    SECONDARY = "secondary"  # hidden so that no primary cell can be worked out, shown as "x"


SECONDARY_LABEL = "x"


@dataclass(frozen=True)
class SuppressedTable:
    """The full table, totals included: `values[i][j]` for i < rows, j < columns are the
    counts; index `rows` is the column-total row and index `columns` the row-total column.
    `withheld` is set when no choice of hidden cells protects the small ones (a threshold
    below 3, where "<2" means exactly 1): then none of the table may be published.
    `zeros_small`: zeros are shown as "<threshold" too (marked PRIMARY), so a reader knows a
    "<threshold" cell only to lie in 0 .. threshold - 1."""

    values: tuple[tuple[int, ...], ...]
    marks: tuple[tuple[Mark, ...], ...]
    threshold: int
    withheld: bool = False
    zeros_small: bool = False

    @property
    def rows(self) -> int:
        return len(self.values) - 1

    @property
    def columns(self) -> int:
        return len(self.values[0]) - 1

    def label(self, i: int, j: int) -> str:
        mark = self.marks[i][j]
        if mark is Mark.PRIMARY:
            return f"<{self.threshold}"
        if mark is Mark.SECONDARY:
            return SECONDARY_LABEL
        return str(self.values[i][j])

    def published(self) -> list[list[str]]:
        return [[self.label(i, j) for j in range(self.columns + 1)]
                for i in range(self.rows + 1)]

    def hidden_cells(self) -> list[tuple[int, int]]:
        return [(i, j) for i in range(self.rows + 1) for j in range(self.columns + 1)
                if self.marks[i][j] is not Mark.SHOWN]


def with_totals(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    """The counts with a total column on the right and a total row at the bottom."""
    if not counts or not counts[0]:
        raise ValueError(_("a table needs at least one row and one column"))
    width = len(counts[0])
    if any(len(r) != width for r in counts):
        raise ValueError(_("every row needs the same number of columns"))
    if any(v < 0 for r in counts for v in r):
        raise ValueError(_("counts cannot be negative"))
    table = [list(r) + [sum(r)] for r in counts]
    table.append([sum(r[j] for r in table) for j in range(width + 1)])
    return table


# --- the network view ------------------------------------------------------------------
# In the full table, negate every total except the grand total: then every row and every
# column adds up to 0. A change that keeps all published sums is an assignment of changes to
# hidden cells with every line adding up to 0: a circulation in the bipartite graph of row
# nodes and column nodes whose edges are the hidden cells. Raising "d" (the signed value) of
# cell (i, j) is an arc row i -> column j; lowering it is an arc column j -> row i.

def _sign(i: int, j: int, rows: int, cols: int) -> int:
    return -1 if (i == rows) != (j == cols) else 1


def _bounds(mark: Mark, value: int, threshold: int, zeros_small: bool = False
            ) -> tuple[int, float]:
    if mark is Mark.PRIMARY:
        return (0 if zeros_small else 1), threshold - 1
    if mark is Mark.SECONDARY:
        return threshold, float("inf")
    return value, value


def _moves(value: int, sign: int, low: float, high: float) -> tuple[bool, bool]:
    """(d may rise by one, d may fall by one) for a cell of this value and bounds."""
    up = value + sign  # the value after raising d by one
    down = value - sign
    return low <= up <= high, low <= down <= high


class _Graph:
    def __init__(self, values: list[list[int]], marks: list[list[Mark]], threshold: int,
                 zeros_small: bool = False):
        self.values = values
        self.marks = marks
        self.threshold = threshold
        self.zeros_small = zeros_small
        self.rows = len(values) - 1
        self.cols = len(values[0]) - 1
        self.hidden = {(i, j) for i, row in enumerate(marks) for j, m in enumerate(row)
                       if m is not Mark.SHOWN}
        # the arcs, built once for each kind and kept up to date as cells are hidden
        self._adjacency: dict[bool, dict[int, list[tuple[int, float, tuple[int, int]]]]] = {}

    def hide(self, i: int, j: int) -> None:
        self.marks[i][j] = Mark.SECONDARY
        self.hidden.add((i, j))
        # the built arcs follow: the cell's arcs, as a hidden cell's (cost 0), replace what
        # they were (none, or a candidate's at its cost)
        r, c = self.node_row(i), self.node_col(j)
        up, down = self.moves(i, j)
        for adjacency in self._adjacency.values():
            for node in (r, c):
                if node in adjacency:
                    adjacency[node] = [a for a in adjacency[node] if a[2] != (i, j)]
            if up:
                adjacency.setdefault(r, []).append((c, 0.0, (i, j)))
            if down:
                adjacency.setdefault(c, []).append((r, 0.0, (i, j)))

    def adjacency(self, candidates: bool) -> dict[int, list[tuple[int, float,
                                                                 tuple[int, int]]]]:
        if candidates not in self._adjacency:
            adjacency: dict[int, list[tuple[int, float, tuple[int, int]]]] = {}
            for a, b, cost, cell in self.arcs(candidates=candidates, skip=(-1, -1)):
                adjacency.setdefault(a, []).append((b, cost, cell))
            self._adjacency[candidates] = adjacency
        return self._adjacency[candidates]

    def node_row(self, i: int) -> int:
        return i

    def node_col(self, j: int) -> int:
        return self.rows + 1 + j

    def moves(self, i: int, j: int, mark: Mark | None = None) -> tuple[bool, bool]:
        mark = mark or self.marks[i][j]
        low, high = _bounds(mark, self.values[i][j], self.threshold, self.zeros_small)
        return _moves(self.values[i][j], _sign(i, j, self.rows, self.cols), low, high)

    def arcs(self, *, candidates: bool, skip: tuple[int, int]):
        """(from, to, cost, cell) for hidden cells (cost 0) and, with `candidates`, for shown
        non-zero cells as they would be once hidden as secondary."""
        cells = ((i, j) for i in range(self.rows + 1) for j in range(self.cols + 1)) \
            if candidates else iter(self.hidden)
        for i, j in cells:
            if (i, j) == skip:
                continue
            if self.marks[i][j] is Mark.SHOWN:
                if self.values[i][j] == 0:
                    continue
                up, down = self.moves(i, j, Mark.SECONDARY)
                cost = _cost(i, j, self.rows, self.cols, self.values)
            else:
                up, down = self.moves(i, j)
                cost = 0.0
            r, c = self.node_row(i), self.node_col(j)
            if up:
                yield r, c, cost, (i, j)
            if down:
                yield c, r, cost, (i, j)

    def cheapest_path(self, start: int, goal: int, *, candidates: bool,
                      skip: tuple[int, int]) -> list[tuple[int, int]] | None:
        adjacency = self.adjacency(candidates)
        if not candidates:  # every arc costs nothing: any path will do
            return _any_path(adjacency, start, goal, skip)
        best = {start: 0.0}
        came: dict[int, tuple[int, tuple[int, int]]] = {}
        queue = [(0.0, start)]
        while queue:
            dist, node = heapq.heappop(queue)
            if node == goal:
                path = []
                while node != start:
                    node, cell = came[node]
                    path.append(cell)
                return path[::-1]
            if dist > best.get(node, float("inf")):
                continue
            for nxt, cost, cell in adjacency.get(node, ()):
                if cell == skip:
                    continue
                nd = dist + cost
                if nd < best.get(nxt, float("inf")):
                    best[nxt] = nd
                    came[nxt] = (node, cell)
                    heapq.heappush(queue, (nd, nxt))
        return None

    def protecting_cycle(self, i: int, j: int, *, candidates: bool):
        """The cells (besides (i, j)) of the cheapest cycle that moves cell (i, j) by one, or
        None. Without `candidates`, only cycles of cells already hidden count."""
        up, down = self.moves(i, j)
        r, c = self.node_row(i), self.node_col(j)
        options = []
        if up:  # arc r -> c, closed by a path c -> r
            options.append(self.cheapest_path(c, r, candidates=candidates, skip=(i, j)))
        if down:  # arc c -> r, closed by a path r -> c
            options.append(self.cheapest_path(r, c, candidates=candidates, skip=(i, j)))
        found = [p for p in options if p is not None]
        if not found:
            return None
        return min(found, key=lambda p: sum(
            _cost(a, b, self.rows, self.cols, self.values)
            for a, b in p if self.marks[a][b] is Mark.SHOWN))


def _any_path(adjacency, start: int, goal: int, skip: tuple[int, int]
              ) -> list[tuple[int, int]] | None:
    """A path from `start` to `goal` that does not use `skip`'s arcs (breadth first)."""
    came: dict[int, tuple[int, tuple[int, int]]] = {start: (start, skip)}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt, _via, cell in adjacency.get(node, ()):
                if nxt in came or cell == skip:
                    continue
                came[nxt] = (node, cell)
                if nxt == goal:
                    path = []
                    while nxt != start:
                        nxt, step = came[nxt]
                        path.append(step)
                    return path[::-1]
                following.append(nxt)
        frontier = following
    return None


def _cost(i: int, j: int, rows: int, cols: int, values: list[list[int]]) -> float:
    """What hiding one more cell costs: a cell first, smaller counts before larger, a total
    only when no cell will do, the grand total last of all."""
    grand = values[rows][cols] or 1
    share = values[i][j] / (grand + 1)
    if i == rows and j == cols:
        return 100.0
    if i == rows or j == cols:
        return 10.0 + share
    return 1.0 + share


def is_protected(table: SuppressedTable, i: int, j: int) -> bool:
    """True when the published table is consistent with another value of hidden cell (i, j).

    Exact, not a heuristic: any other consistent table differs from the true one by an integer
    circulation of hidden cells; split into simple cycles that each move every cell the same
    way as the whole difference, one of them moves (i, j) and stays within every bound."""
    graph = _Graph([list(r) for r in table.values], [list(r) for r in table.marks],
                   table.threshold, table.zeros_small)
    return graph.protecting_cycle(i, j, candidates=False) is not None


def suppress(counts: Sequence[Sequence[int]], threshold: int, *,
             zeros_small: bool = False) -> SuppressedTable:
    """Primary and secondary suppression of `counts` with its totals.

    `zeros_small`: zeros are published as "<threshold" like 1 .. threshold - 1 (the rule of
    app.reports.disclosure), so each "<threshold" cell is known only to lie in
    0 .. threshold - 1; the cells from 1 to threshold - 1 are protected under those bounds
    (a zero needs no protection of its own: it is told apart from nothing)."""
    if threshold < 1:
        raise ValueError(_("the threshold must be at least 1"))
    values = with_totals(counts)
    low = 0 if zeros_small else 1
    marks = [[Mark.PRIMARY if low <= v < threshold else Mark.SHOWN for v in row]
             for row in values]
    graph = _Graph(values, marks, threshold, zeros_small)
    withheld = False
    # Hiding more cells only adds arcs, so a protected cell stays protected: one pass over
    # the primary cells, largest totals last, is enough. Each new secondary cell lies on the
    # cycle that protects the cell it was hidden for, so it is protected too.
    primary = [(i, j) for i, row in enumerate(marks) for j, m in enumerate(row)
               if m is Mark.PRIMARY and values[i][j] > 0]
    for i, j in primary:
        if graph.protecting_cycle(i, j, candidates=False) is not None:
            continue
        cycle = graph.protecting_cycle(i, j, candidates=True)
        if cycle is None:
            withheld = True
            break
        for a, b in cycle:
            if marks[a][b] is Mark.SHOWN:
                graph.hide(a, b)
    return SuppressedTable(values=tuple(tuple(r) for r in values),
                           marks=tuple(tuple(r) for r in marks), threshold=threshold,
                           withheld=withheld, zeros_small=zeros_small)
