"""The attacker of the published counts: a linear program over every table consistent with
what was published (the shown numbers, "<t" as 0..t-1, "x" as t or more, every row and column
adding up to its total), solved by HiGHS through SciPy. Such tables form a network-flow
polytope, whose vertices are whole numbers: the LP's bounds are reached by real tables, so
what the LP cannot pin, no one can."""

import numpy as np


# scipy is imported when an attack runs, not when a test module importing this one is collected
# (importing scipy.optimize costs about a second of CPU in every test process)
def linprog(*args, **kwargs):
    from scipy.optimize import linprog
    return linprog(*args, **kwargs)


def coo_matrix(*args, **kwargs):
    from scipy.sparse import coo_matrix
    return coo_matrix(*args, **kwargs)


def vstack(*args, **kwargs):
    from scipy.sparse import vstack
    return vstack(*args, **kwargs)


def _bounds_of(label: str) -> tuple[float, float | None]:
    if label.startswith("<"):
        return 0, int(label[1:]) - 1
    if label == "x":
        return 5, None
    return int(label), int(label)


class _Programme:
    """Counts of `size` variables, each 0 or more: sums of them bounded by what was published
    (a label: a number, "<t" or "x") and sums that must be equal. `range_of` is the least and
    the most a sum of variables can be over every set of counts that satisfies them all."""

    def __init__(self, size: int):
        self.size = size
        self.bounded: tuple[list, list, list] = ([], [], [])  # line, variable, coefficient
        self.equal_rows: tuple[list, list, list] = ([], [], [])
        self.equalities = 0
        self.lower: list[float] = []
        self.upper: list[float] = []

    def bound(self, variables: list[int], label) -> None:
        low, high = _bounds_of(str(label))
        _append(self.bounded, len(self.lower), variables, 1.0)
        self.lower.append(low)
        self.upper.append(np.inf if high is None else high)

    def equal(self, left: list[int], right: list[int]) -> None:
        _append(self.equal_rows, self.equalities, left, 1.0)
        _append(self.equal_rows, self.equalities, right, -1.0)
        self.equalities += 1

    def range_of(self, variables: list[int]) -> tuple[float, float]:
        lines, cols, vals = self.bounded
        matrix = coo_matrix((vals, (lines, cols)), shape=(len(self.lower), self.size)).tocsr()
        lower, upper = np.array(self.lower, dtype=float), np.array(self.upper, dtype=float)
        finite = np.isfinite(upper)
        equalities = {}
        if self.equalities:
            lines, cols, vals = self.equal_rows
            equalities = {"A_eq": coo_matrix((vals, (lines, cols)),
                                             shape=(self.equalities, self.size)).tocsr(),
                          "b_eq": np.zeros(self.equalities)}
        objective = np.zeros(self.size)
        objective[variables] = 1.0
        ends = []
        for sign in (1, -1):
            result = linprog(sign * objective, A_ub=vstack([matrix[finite], -matrix]),
                             b_ub=np.concatenate([upper[finite], -lower]), bounds=(0, None),
                             method="highs", **equalities)
            assert result.status == 0, result.message
            ends.append(sign * result.fun)
        return ends[0], ends[1]


def _append(rows: tuple[list, list, list], line: int, variables: list[int], value: float):
    for v in variables:
        rows[0].append(line)
        rows[1].append(v)
        rows[2].append(value)


def _whole(ends: tuple[float, float]) -> tuple[int, int]:
    return round(ends[0]), round(ends[1])


def attack(publications, blocks: int, cells: int, target: list[tuple[int, int]]):
    """(min, max) of the sum of `target` (block, variable) over every set of tables consistent
    with `publications`: each a (published grid with its totals, the blocks it adds up)."""
    width = 4
    programme = _Programme(blocks * cells)

    def constrain(variables: list[int], label: str, of_blocks: list[int]):
        programme.bound([b * cells + v for b in of_blocks for v in variables], label)

    for grid, of_blocks in publications:
        body, totals = grid[:-1], grid[-1]
        count = len(body)
        assert count * width == cells
        for i, row in enumerate(body):
            for j in range(width):
                constrain([i * width + j], row[j], of_blocks)
            constrain([i * width + j for j in range(width)], row[width], of_blocks)
        for j in range(width):
            constrain([i * width + j for i in range(count)], totals[j], of_blocks)
        constrain(list(range(cells)), totals[width], of_blocks)
    return _whole(programme.range_of(sorted({b * cells + v for b, v in target})))


def attack_outcomes(body: dict, code: str, suggestion: str, determination: str):
    """((min, max) of the nationality's cases with the suggestion, (min, max) with the
    determination) over every set of counts consistent with an outcome-counts answer: each
    row's suggestions and its determinations add up to its cases, which may be hidden."""
    rows = body["rows"]
    s_keys, d_keys = list(body["suggestions"]), list(body["determinations"])
    width = len(s_keys) + len(d_keys)
    count = len(rows)
    programme = _Programme(count * width)

    def var(i: int, k: int) -> int:
        return i * width + k

    for i, row in enumerate(rows):
        s_vars = [var(i, k) for k in range(len(s_keys))]
        d_vars = [var(i, len(s_keys) + k) for k in range(len(d_keys))]
        for k, key in enumerate(s_keys):
            programme.bound([s_vars[k]], row["suggestions"][key])
        for k, key in enumerate(d_keys):
            programme.bound([d_vars[k]], row["determinations"][key])
        programme.bound(s_vars, row["cases"])
        programme.equal(s_vars, d_vars)
    for k, key in enumerate(s_keys):
        programme.bound([var(i, k) for i in range(count)], body["suggestions"][key])
    for k, key in enumerate(d_keys):
        programme.bound([var(i, len(s_keys) + k) for i in range(count)],
                        body["determinations"][key])
    programme.bound([var(i, k) for i in range(count) for k in range(len(s_keys))],
                    body["cases"])
    index = next(i for i, r in enumerate(rows) if r["code"] == code)
    return (_whole(programme.range_of([var(index, s_keys.index(suggestion))])),
            _whole(programme.range_of([var(index, len(s_keys) + d_keys.index(determination))])))


def attack_tables(publications, blocks: int, count: int, target: list[tuple[int, int, int]]):
    """(min, max) of the sum of `target` (block, row, column) over every pair of tables
    consistent with the statistics export: each publication (its rows as published, the
    Total row last; each row's cells by determination, their total, then by sex) is one block
    of `count` nationalities. A row's determinations and its sexes add up to the same total
    (the Total column the two tables share); each column to its total; a column < 4 is a
    determination, 4 + k the k-th sex. What the LP cannot pin, no reader of both tables can."""
    dets, sexes = 4, 4
    width = dets + sexes
    programme = _Programme(blocks * count * width)

    def var(block: int, i: int, k: int) -> int:
        return (block * count + i) * width + k

    for published, block in publications:
        body, totals = published[:-1], published[-1]
        assert len(body) == count
        for i, row in enumerate(body):
            for k in range(dets):
                programme.bound([var(block, i, k)], row[k])
            programme.bound([var(block, i, k) for k in range(dets)], row[dets])
            for k in range(sexes):
                programme.bound([var(block, i, dets + k)], row[dets + 1 + k])
            # the determinations and the sexes: one total
            programme.equal([var(block, i, k) for k in range(dets)],
                            [var(block, i, dets + k) for k in range(sexes)])
        for k in range(dets):
            programme.bound([var(block, i, k) for i in range(count)], totals[k])
        programme.bound([var(block, i, k) for i in range(count) for k in range(dets)],
                        totals[dets])
        for k in range(sexes):
            programme.bound([var(block, i, dets + k) for i in range(count)],
                            totals[dets + 1 + k])
    return _whole(programme.range_of(sorted({var(*t) for t in target})))


def attack_month(rows, totals, widths, targets):
    """(min, max) of each target over every set of counts consistent with a month as
    published in all its answers together: `rows`, one per nationality, each (its cases,
    [its cells of each table]) as published; `totals`, (the grand total, [each table's
    column totals]). Every table's rows add up to the nationality's cases and its columns to
    their totals. A target: ("row", i), the cases of row i, or ("cell", table, i, j)."""
    count, width = len(rows), sum(widths)
    offset = [sum(widths[:t]) for t in range(len(widths))]
    programme = _Programme(count * width)

    def var(t: int, i: int, j: int) -> int:
        return i * width + offset[t] + j

    for i, (cases, tables) in enumerate(rows):
        programme.bound([var(0, i, j) for j in range(widths[0])], cases)
        for t, labels in enumerate(tables):
            for j, label in enumerate(labels):
                programme.bound([var(t, i, j)], label)
            if t:  # every table's row adds up to the same cases
                programme.equal([var(0, i, j) for j in range(widths[0])],
                                [var(t, i, j) for j in range(widths[t])])
    grand, columns = totals
    programme.bound([var(0, i, j) for i in range(count) for j in range(widths[0])], grand)
    for t, labels in enumerate(columns):
        for j, label in enumerate(labels):
            programme.bound([var(t, i, j) for i in range(count)], label)
    return [programme.range_of([var(0, target[1], j) for j in range(widths[0])])
            if target[0] == "row" else programme.range_of([var(*target[1:])])
            for target in targets]


def attack_pipeline(rows, overall, *, threshold: int, order, parts):
    """Every count a reader can pin in a pipeline month as published: `rows` and `overall`,
    {column: cell} with "crossed" exact; a row whose every other cell is "x" is withheld
    (any count), otherwise "x" is `threshold` or more and "<t" 0..t-1. What the reader
    knows besides: `order`, pairs (a, b) with a ≤ b in every row; `parts`, {total: [its
    parts]} adding up; each column adds up to the overall row; no count above the row's
    crossings. An integer programme (HiGHS, one model a month) for the least and the most
    of every hidden cell and of every difference b - a of the order (transitively) and
    total - part.
    Returns the leaks: (row, what, least, most), row None for the overall row."""
    keys = [k for k in overall if k != "crossed"]
    width, count = len(keys), len(rows)
    position = {k: j for j, k in enumerate(keys)}
    lines, low, high = [], [], []

    def vector(row, terms):
        v = np.zeros(count * width)
        for sign, key in terms:
            for i in (range(count) if row is None else [row]):
                if key != "crossed":
                    v[i * width + position[key]] += sign
        return v

    def crossed(row):
        return sum(r["crossed"] for r in (rows if row is None else [rows[row]]))

    def withheld(cells):
        return all(cells[k] == "x" for k in keys)

    everyone = [*range(count), None]
    for row in everyone:
        cells = overall if row is None else rows[row]
        if withheld(cells):
            continue
        for key in keys:
            lo, hi = ((threshold, None) if cells[key] == "x"
                      else _bounds_of(str(cells[key])))
            lines.append(vector(row, [(1, key)]))
            low.append(lo)
            high.append(np.inf if hi is None else hi)
    for i in range(count):
        for a, b in order:
            if b != "crossed":
                lines.append(vector(i, [(1, b), (-1, a)]))
                low.append(0)
                high.append(np.inf)
        for total, members in parts.items():
            lines.append(vector(i, [(1, total)] + [(-1, m) for m in members]))
            low.append(0)
            high.append(0)
    if not lines:  # every row withheld: the crossings alone
        lines, low, high = [np.zeros(count * width)], [0], [0]
    programme = _IntegerProgramme(np.array(lines), np.array(low, dtype=float),
                                  np.array(high, dtype=float),
                                  np.repeat([float(r["crossed"]) for r in rows], width))

    def crossed_part(row, terms):
        return crossed(row) * sum(s for s, k in terms if k == "crossed")

    def end(row, terms, sign):
        return round(sign * programme.least(sign * vector(row, terms))) + crossed_part(row, terms)

    closure = set(order)
    while True:
        more = {(a, d) for a, b in closure for c, d in closure if b == c} - closure
        if not more:
            break
        closure |= more
    differences = sorted(closure) + [(m, t) for t, ms in parts.items() for m in ms]
    leaks = []
    for row in everyone:
        cells = overall if row is None else rows[row]
        out = withheld(cells)
        for key in keys:
            small = str(cells[key]).startswith("<") or (out and cells[key] == "x")
            if not small:
                continue
            if programme.shows_unpinned(vector(row, [(1, key)]), crossed_part(row, [(1, key)]),
                                        threshold, zero_pins=True):
                continue
            least = end(row, [(1, key)], 1)
            if least >= threshold:
                continue
            most = end(row, [(1, key)], -1)
            if most < threshold and (least == most or least >= 1):
                leaks.append((row, key, least, most))
        for a, b in differences:
            if all(k == "crossed" or isinstance(cells[k], int) for k in (a, b)):
                value = (cells[b] - cells[a])
                if 1 <= value < threshold:
                    leaks.append((row, f"{b}-{a}", value, value))
                continue
            terms = [(1, b), (-1, a)]
            if programme.shows_unpinned(vector(row, terms), crossed_part(row, terms), threshold,
                                        zero_pins=False):
                continue
            least = end(row, terms, 1)
            if not 1 <= least < threshold:
                continue
            most = end(row, terms, -1)
            if most < threshold:
                leaks.append((row, f"{b}-{a}", least, most))
    return leaks


class _IntegerProgramme:
    """Whole numbers x from 0 to `upper_of`, `lower` <= `rows` @ x <= `upper`: one HiGHS
    model (highspy), every variable an integer, solved to optimality for each objective (no
    linear relaxation: the app's audit starts from one, this attacker never does)."""

    def __init__(self, rows, lower, upper, upper_of):
        from highspy import Highs, HighsLp, HighsModelStatus, HighsVarType, MatrixFormat
        from scipy.sparse import csr_matrix

        size = rows.shape[1]
        self.size, self._optimal = size, HighsModelStatus.kOptimal
        lp = HighsLp()
        lp.num_col_, lp.num_row_ = size, rows.shape[0]
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.zeros(size), np.zeros(size), upper_of
        lp.row_lower_, lp.row_upper_ = lower, upper
        lp.integrality_ = [HighsVarType.kInteger] * size
        matrix = csr_matrix(rows)  # SciPy's compressed rows are HiGHS's row-wise matrix
        lp.a_matrix_.format_ = MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = size, rows.shape[0]
        lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
        lp.a_matrix_.value_ = matrix.data
        self._highs = Highs()
        self._highs.setOptionValue("output_flag", False)
        self._highs.setOptionValue("threads", 1)
        self._highs.passModel(lp)
        self._columns = np.arange(size, dtype=np.int32)
        # every table found so far: whole numbers that satisfy everything published (the
        # solver's answers, rounded off its tolerance), each a real table a reader cannot rule out
        self._found: list[np.ndarray] = []

    def least(self, objective) -> float:
        self._highs.changeColsCost(self.size, self._columns, objective.astype(np.float64))
        self._highs.run()
        status = self._highs.getModelStatus()
        assert status == self._optimal, status
        self._found.append(np.rint(self._highs.getSolution().col_value))
        return self._highs.getInfo().objective_function_value

    def shows_unpinned(self, vector, constant: int, threshold: int, *, zero_pins: bool) -> bool:
        """Whether two tables already found (or one) show that `vector` @ x + `constant` is not
        pinned: one where it is `threshold` or more, or, for a difference, one where it is 0
        or less; for a cell (`zero_pins`: a cell pinned to 0 gives it away too), one where it
        is 0 and one where it is more. Only a shortcut past solving: what it cannot show, the
        least and the most decide."""
        if not self._found:
            return False
        values = np.rint(np.stack(self._found) @ vector) + constant
        if values.max() >= threshold:
            return True
        if zero_pins:
            return values.min() <= 0 < values.max()
        return values.min() <= 0
