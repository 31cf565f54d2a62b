"""One publication a month, for roles without exact counts: every count of a completed month
that any answer shows them (the statistics export, the outcome counts and their page) comes
from here, suppressed once and stored at the month's first reading (month_publications,
app.reports.month_store), so that two answers print the same value for every cell they
share, neither can undo what the other hides, and the month reads the same ever after.

A month's cases are published per nationality by latest suggestion, by latest determination
and by sex: three tables that share their row totals (each nationality's cases) and their
grand total, with their column totals. A reader of every answer knows exactly that: every
shown number, "<t" as 0 .. t-1, "x" as t or more, each table's rows and columns adding up to
their totals, and the three row sums equal. Three tables sharing one set of row totals are
no flow network (a row total would be an edge with three ends), so the network suppression
of app.reports.network_suppression is applied to each table on its own, with the row totals
and the grand total as a boundary the tables share. A hidden count is protected by a move of
the counts to another set consistent with everything published:

- within one table, around a cycle of its hidden cells and column totals, row totals and the
  grand total unchanged (the other tables unchanged too); or
- across all three: a nationality's total moves by one, balanced by another hidden
  nationality total (or the grand total), and every table carries that unit from the one row
  (or its column totals) to the other along its own hidden cells. The count protected lies
  on its table's path.

Each such move is a real alternative set of whole counts, so a count with one is not
determined; the constraints of the three tables form a totally unimodular system (each
table's rows and columns alternate in sign, and a row or the grand total ties three tables
of which two can always be signed alike), so the linear program of tests/reports/attacker.py
is what any reader can compute. Where no protection can be found, or the month holds fewer
than threshold cases, the month is withheld (every count "x")."""

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from app.cases.latest import latest_value
from app.cases.models import Case, Determination, Screening
from app.clock import local_date
from app.filters import DateRange
from app.people.models import Person
from app.reports import disclosure, month_store
from app.reports.network_suppression import Network
from app.reports.suppression import SECONDARY_LABEL, Mark

Cell = int | str

SUGGESTIONS = ("trafficking_victim", "needs_assessment", "willing_worker", "none")
OUTCOMES = ("trafficking_victim", "willing_worker", "undetermined", "none")
SEXES = ("female", "male", "other", "unknown")
KEYS = (SUGGESTIONS, OUTCOMES, SEXES)

_TOTAL_COST, _ROW_COST, _GRAND_COST = 10.0, 10.0, 100.0


def case_counts(reader, *, filters, before: datetime | None = None
                ) -> Counter[tuple[str, str, str, str]]:
    """Cases by (nationality, latest suggestion, latest determination, sex), "" for a
    nationality not recorded. `reader`: anything with `execute` (a Session, a Reader).
    `before`: as recorded before that moment (cases, suggestions and determinations)."""
    recorded = [Case.created_at < before] if before is not None else []
    if before is None:  # as things stand: as kept on the case
        suggestion, outcome = Case.latest_suggestion, Case.latest_outcome
    else:
        suggestion = latest_value(Screening, "classification", before=before)
        outcome = latest_value(Determination, "outcome", before=before)
    inner = (
        select(Person.nationality_code.label("nationality"), Person.sex.label("sex"),
               suggestion.label("suggestion"), outcome.label("outcome"))
        .select_from(Case)
        .join(Person, Person.id == Case.person_id)
        .where(*filters.conditions(Case.created_at), *recorded)
        .subquery()
    )
    rows = reader.execute(
        select(inner.c.nationality, inner.c.suggestion, inner.c.outcome, inner.c.sex,
               func.count())
        .group_by(inner.c.nationality, inner.c.suggestion, inner.c.outcome, inner.c.sex)
    ).all()
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for nationality, suggestion, outcome, sex, n in rows:
        key = (nationality or "", suggestion if suggestion in SUGGESTIONS else "none",
               outcome if outcome in OUTCOMES else "none", sex if sex in SEXES else "unknown")
        counts[key] += n
    return counts


@dataclass(frozen=True)
class Row:
    code: str  # "" when not recorded
    cases: Cell
    suggestions: dict[str, Cell]
    determinations: dict[str, Cell]
    sexes: dict[str, Cell]


@dataclass(frozen=True)
class MonthPublication:
    """A month as every role without exact counts reads it, every nationality Passage knows
    (then any other code, then "not recorded" last), in the order of their names."""

    rows: list[Row]
    cases: Cell
    suggestions: dict[str, Cell]
    determinations: dict[str, Cell]
    sexes: dict[str, Cell]
    withheld: bool


def publish_month(counts: Counter, names: dict[str, str], threshold: int) -> MonthPublication:
    """The month's counts (`case_counts`) as published to roles without exact counts."""
    codes = sorted(names, key=lambda c: (names[c], c))
    codes += sorted({k[0] for k in counts} - set(codes) - {""}) + [""]
    index = {code: i for i, code in enumerate(codes)}
    tables = [[[0] * len(keys) for _ in codes] for keys in KEYS]
    for (code, suggestion, outcome, sex), n in counts.items():
        i = index[code]
        tables[0][i][SUGGESTIONS.index(suggestion)] += n
        tables[1][i][OUTCOMES.index(outcome)] += n
        tables[2][i][SEXES.index(sex)] += n
    star = suppress_star(tables, threshold)
    totals = [sum(tables[0][i]) for i in range(len(codes))]
    grand = sum(totals)

    def label(mark: Mark, value: int) -> Cell:
        if star.withheld or mark is Mark.SECONDARY:
            return SECONDARY_LABEL
        if mark is Mark.PRIMARY:
            return f"<{threshold}"
        return value

    def by(t: int, i: int) -> dict[str, Cell]:
        return {key: label(star.cells[t][i][j], tables[t][i][j])
                for j, key in enumerate(KEYS[t])}

    def column(t: int) -> dict[str, Cell]:
        return {key: label(star.column_totals[t][j], sum(r[j] for r in tables[t]))
                for j, key in enumerate(KEYS[t])}

    rows = [Row(code, label(star.row_totals[i], totals[i]), by(0, i), by(1, i), by(2, i))
            for i, code in enumerate(codes)]
    return MonthPublication(rows, label(star.grand_total, grand), column(0), column(1),
                            column(2), star.withheld)


def _cells(month: MonthPublication) -> dict:
    """The publication as stored (app.reports.month_store): codes and published cells."""
    def by(values: dict[str, Cell], keys: tuple[str, ...]) -> list[Cell]:
        return [values[k] for k in keys]

    return {"rows": [[row.code, row.cases, by(row.suggestions, SUGGESTIONS),
                      by(row.determinations, OUTCOMES), by(row.sexes, SEXES)]
                     for row in month.rows],
            "total": [month.cases, by(month.suggestions, SUGGESTIONS),
                      by(month.determinations, OUTCOMES), by(month.sexes, SEXES)],
            "withheld": month.withheld}


def _from_cells(cells: dict) -> MonthPublication:
    def by(values: list[Cell], keys: tuple[str, ...]) -> dict[str, Cell]:
        return dict(zip(keys, values, strict=True))

    rows = [Row(code, cases, by(s, SUGGESTIONS), by(d, OUTCOMES), by(x, SEXES))
            for code, cases, s, d, x in cells["rows"]]
    cases, s, d, x = cells["total"]
    return MonthPublication(rows, cases, by(s, SUGGESTIONS), by(d, OUTCOMES), by(x, SEXES),
                            cells["withheld"])


def month_publications(session: Session, reader, months: Sequence[disclosure.Month],
                       names: dict[str, str], threshold: int) -> list[MonthPublication]:
    """Each completed month's one publication: stored at its first reading, the stored one
    from then on (app.reports.month_store). `reader`: what the months are read with (the
    session, or an export's reader); new publications are stored through the session."""

    def publish(month: disclosure.Month) -> dict:
        counts = case_counts(reader, filters=DateRange(date_from=month.first,
                                                       date_to=month.last),
                             before=month.counted_before)
        return _cells(publish_month(counts, names, threshold))

    stored = month_store.read(session, reader, kind="cases", months=months,
                              threshold=threshold, publish=publish)
    return [_from_cells(cells) for cells in stored]


# --- suppression of tables sharing their row totals ---------------------------------------

@dataclass(frozen=True)
class StarTables:
    cells: list[list[list[Mark]]]  # [table][row][column]
    column_totals: list[list[Mark]]  # [table][column]
    row_totals: list[Mark]
    grand_total: Mark
    withheld: bool


def _bounds(value: int, mark: Mark, threshold: int) -> tuple[float, float]:
    if mark is Mark.PRIMARY:
        return 0, threshold - 1
    if mark is Mark.SECONDARY:
        return threshold, float("inf")
    return value, value


def _can(value: int, mark: Mark, delta: int, threshold: int, candidates: bool) -> bool:
    """Whether a boundary count (a row total, the grand total) may move by `delta`: as
    published, or (candidates) once hidden."""
    if mark is Mark.SHOWN and candidates:
        mark = Mark.SECONDARY
    low, high = _bounds(value, mark, threshold)
    return low <= value + delta <= high


class _Star:
    def __init__(self, tables: list[list[list[int]]], threshold: int):
        self.threshold = threshold
        self.tables = tables
        self.n = len(tables[0])
        self.widths = [len(t[0]) if t else 0 for t in tables]
        self.row_values = [sum(r) for r in tables[0]]
        self.grand = sum(self.row_values)
        self.row_marks = [Mark.PRIMARY if v < threshold else Mark.SHOWN
                          for v in self.row_values]
        self.grand_mark = Mark.PRIMARY if self.grand < threshold else Mark.SHOWN
        self.nets: list[Network] = []
        for table, width in zip(tables, self.widths, strict=True):
            edges, values, costs = [], [], []
            for j in range(width):  # the column totals: T → column j
                edges.append((0, 1 + j))
                values.append(sum(r[j] for r in table))
                costs.append(_TOTAL_COST + values[-1] / (self.grand + 1))
            for i, row in enumerate(table):  # the cells: column j → row i
                for j, v in enumerate(row):
                    edges.append((1 + j, self.row_node(width, i)))
                    values.append(v)
                    costs.append(1.0 + v / (self.grand + 1))
            self.nets.append(Network(edges, values, costs, threshold))
        self._reach: dict[tuple[int, int, bool], set[int]] = {}
        self._ends: dict[tuple[bool, bool], list[int]] = {}

    @staticmethod
    def row_node(width: int, i: int) -> int:
        return 1 + width + i

    def cell(self, t: int, i: int, j: int) -> int:
        return self.widths[t] + i * self.widths[t] + j

    def node_of(self, t: int, b: int) -> int:
        """The node of boundary end `b` in table t: -1 the grand total (node T), else row b."""
        return 0 if b < 0 else self.row_node(self.widths[t], b)

    # the ends a unit can come from (up: a row total going down, or the grand total going
    # up) or go to (down: the reverse)
    def ends(self, up: bool, candidates: bool, skip: int) -> list[int]:
        key = (up, candidates)
        if key not in self._ends:
            found = [-1] if _can(self.grand, self.grand_mark, 1 if up else -1, self.threshold,
                                 candidates) else []
            self._ends[key] = found + [b for b in range(self.n) if _can(
                self.row_values[b], self.row_marks[b], -1 if up else 1, self.threshold,
                candidates)]
        return [b for b in self._ends[key] if b != skip]

    def reach(self, t: int, b: int, forward: bool) -> set[int]:
        """Nodes of table t that end b reaches (forward) or that reach it, by hidden edges."""
        key = (t, b, forward)
        if key not in self._reach:
            adjacency = self.nets[t].adjacency(False)
            if not forward:
                adjacency = _reverse(adjacency)
            start = self.node_of(t, b)
            seen, stack = {start}, [start]
            while stack:
                for nxt, _, _ in adjacency.get(stack.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
            self._reach[key] = seen
        return self._reach[key]

    def hide(self, t: int, e: int) -> None:
        self.nets[t].hide(e)
        self._reach.clear()

    def hide_boundary(self, b: int) -> None:
        if b < 0:
            self.grand_mark = Mark.SECONDARY
        else:
            self.row_marks[b] = Mark.SECONDARY
        self._reach.clear()
        self._ends.clear()

    def terminals(self, i: int, target: tuple[int, int] | None) -> list[int]:
        """Where each table's path meets row i: its row node, or for the table of `target`
        (table, cell edge) the cell's column node (the path goes on along the cell)."""
        found = [self.row_node(w, i) for w in self.widths]
        if target is not None:
            t, e = target
            found[t] = self.nets[t].edges[e][0]
        return found

    def joint_protected(self, i: int, target: tuple[int, int] | None) -> bool:
        """Whether a move across the tables changes row i's total (and the target cell)."""
        for up in (True, False):
            if not self._moves(i, target, up, candidates=False):
                continue
            terminals = self.terminals(i, target)
            for b in self.ends(up, False, skip=i):
                # up: a unit from end b to row i; down: from row i to end b
                if all(self._joins(t, b, terminals[t], up, target)
                       for t in range(len(self.nets))):
                    return True
        return False

    def _joins(self, t: int, b: int, terminal: int, up: bool, target) -> bool:
        if target is None or target[0] != t or self.nets[t].values[target[1]] == 0:
            # (a path ending at a zero cell's column never passes along it: it only rises,
            # from its column to its row)
            return terminal in self.reach(t, b, forward=up)
        adjacency = self.nets[t].adjacency(False)
        dist, _ = _dijkstra(adjacency if not up else _reverse(adjacency), terminal, target[1])
        return self.node_of(t, b) in dist

    def _moves(self, i: int, target, up: bool, candidates: bool) -> bool:
        delta = 1 if up else -1
        if not _can(self.row_values[i], self.row_marks[i], delta, self.threshold, candidates):
            return False
        if target is None:
            return True
        t, e = target
        net = self.nets[t]
        can_up, can_down = net.moves(e, net.marks[e])
        return can_up if up else can_down

    def joint_cycle(self, i: int, target: tuple[int, int] | None):
        """The cheapest move across the tables through row i's total (and the target), as
        (cost, [(table, edge)], [boundary ends]), or None."""
        best = None
        for up in (True, False):
            if not self._moves(i, target, up, candidates=True):
                continue
            terminals = self.terminals(i, target)
            trees = []
            for t, net in enumerate(self.nets):
                skip = target[1] if target is not None and target[0] == t else -1
                adjacency = net.adjacency(True)
                trees.append(_dijkstra(adjacency if not up else _reverse(adjacency),
                                       terminals[t], skip))
            for b in self.ends(up, True, skip=i):
                cost, edges = 0.0, []
                for t, (dist, came) in enumerate(trees):
                    node = self.node_of(t, b)
                    if node not in dist:
                        break
                    cost += dist[node]
                    edges += [(t, e) for e in _walk(came, node, terminals[t])]
                else:
                    ends = [b, i]
                    for end in ends:
                        mark = self.grand_mark if end < 0 else self.row_marks[end]
                        if mark is Mark.SHOWN:
                            cost += _GRAND_COST if end < 0 else _ROW_COST
                    if best is None or cost < best[0]:
                        best = (cost, edges, ends)
        return best

    def protect_row(self, i: int) -> bool:
        if self.joint_protected(i, None):
            return True
        return self._apply(self.joint_cycle(i, None))

    def protect_cell(self, t: int, e: int) -> bool:
        net = self.nets[t]
        tail, head = net.edges[e]
        is_cell = tail != 0
        i = head - 1 - self.widths[t]
        if net.is_protected(e) or (is_cell and self.joint_protected(i, (t, e))):
            return True
        options = []
        cycle = net.protecting_cycle(e, candidates=True)
        if cycle is not None:
            options.append((sum(net.costs[x] for x in cycle if net.marks[x] is Mark.SHOWN),
                            [(t, x) for x in cycle], []))
        if is_cell:
            joint = self.joint_cycle(i, (t, e))
            if joint is not None:
                options.append(joint)
        return self._apply(min(options, key=lambda o: o[0]) if options else None)

    def _apply(self, option) -> bool:
        if option is None:
            return False
        _, edges, ends = option
        for t, e in edges:
            if self.nets[t].marks[e] is Mark.SHOWN:
                self.hide(t, e)
        for end in ends:
            mark = self.grand_mark if end < 0 else self.row_marks[end]
            if mark is Mark.SHOWN:
                self.hide_boundary(end)
        return True


def _reverse(adjacency):
    reverse: dict[int, list] = {}
    for node, arcs in adjacency.items():
        for nxt, cost, e in arcs:
            reverse.setdefault(nxt, []).append((node, cost, e))
    return reverse


def _dijkstra(adjacency, start: int, skip: int):
    dist = {start: 0.0}
    came: dict[int, tuple[int, int]] = {}
    heap = [(0.0, start)]
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist.get(node, float("inf")):
            continue
        for nxt, cost, e in adjacency.get(node, ()):
            if e == skip:
                continue
            nd = d + cost
            if nd < dist.get(nxt, float("inf")):
                dist[nxt] = nd
                came[nxt] = (node, e)
                heapq.heappush(heap, (nd, nxt))
    return dist, came


def _walk(came, node: int, start: int) -> list[int]:
    path = []
    while node != start:
        node, e = came[node]
        path.append(e)
    return path


def suppress_star(tables: list[list[list[int]]], threshold: int) -> StarTables:
    """Marks for tables (`tables[t][i][j]`) whose rows i add up to the same totals in every
    table: counts from 0 to threshold - 1 PRIMARY ("<threshold"), and SECONDARY ("x") counts
    hidden so that none of them can be worked out (see the module's docstring)."""
    if threshold < 2:
        raise ValueError("the threshold must be at least 2")
    star = _Star(tables, threshold)

    def withheld() -> StarTables:
        return StarTables([[[Mark.SECONDARY] * w for _ in range(star.n)] for w in star.widths],
                          [[Mark.SECONDARY] * w for w in star.widths],
                          [Mark.SECONDARY] * star.n, Mark.SECONDARY, True)

    if star.grand < threshold:
        return withheld()
    for zeros in (False, True):  # the counts from 1 to threshold - 1 first, then the zeros
        for i, value in enumerate(star.row_values):
            if (value == 0) is zeros and value < threshold and not star.protect_row(i):
                return withheld()
        for t, net in enumerate(star.nets):
            for e, value in enumerate(net.values):
                if (value == 0) is zeros and value < threshold and not star.protect_cell(t, e):
                    return withheld()
    return StarTables(
        cells=[[[net.marks[star.cell(t, i, j)] for j in range(w)] for i in range(star.n)]
               for t, (net, w) in enumerate(zip(star.nets, star.widths, strict=True))],
        column_totals=[[net.marks[j] for j in range(w)]
                       for net, w in zip(star.nets, star.widths, strict=True)],
        row_totals=list(star.row_marks), grand_total=star.grand_mark, withheld=False)


def months_of_cases(connection, date_from, date_to) -> disclosure.Months:
    """The completed months a role without exact counts reads for a range of case counts (an
    open start from the month of the first case recorded). `connection`: a session, or the
    exports' streaming reader."""
    first = connection.execute(select(func.min(Case.created_at))).scalar_one()
    return disclosure.published_months(
        date_from, date_to, earliest=local_date(first) if first is not None else None)
