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


def attack(publications, blocks: int, cells: int, target: list[tuple[int, int]]):
    """(min, max) of the sum of `target` (block, variable) over every set of tables consistent
    with `publications`: each a (published grid with its totals, the blocks it adds up)."""
    width = 4
    rows_a, cols_a, vals_a, lower, upper = [], [], [], [], []
    line = 0

    def constrain(variables: list[int], label: str, of_blocks: list[int]):
        nonlocal line
        low, high = _bounds_of(label)
        for b in of_blocks:
            for v in variables:
                rows_a.append(line)
                cols_a.append(b * cells + v)
                vals_a.append(1.0)
        lower.append(low)
        upper.append(np.inf if high is None else high)
        line += 1

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
    matrix = coo_matrix((vals_a, (rows_a, cols_a)), shape=(line, blocks * cells)).tocsr()
    lower_arr, upper_arr = np.array(lower, dtype=float), np.array(upper, dtype=float)
    finite = np.isfinite(upper_arr)
    a_ub = vstack([matrix[finite], -matrix])
    b_ub = np.concatenate([upper_arr[finite], -lower_arr])
    objective = np.zeros(blocks * cells)
    for b, v in target:
        objective[b * cells + v] = 1.0
    found = []
    for sign in (1, -1):
        result = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, bounds=(0, None),
                         method="highs")
        assert result.status == 0, result.message
        found.append(round(sign * result.fun))
    return found[0], found[1]


def attack_outcomes(body: dict, code: str, suggestion: str, determination: str):
    """((min, max) of the nationality's cases with the suggestion, (min, max) with the
    determination) over every set of counts consistent with an outcome-counts answer: each
    row's suggestions and its determinations add up to its cases, which may be hidden."""
    rows = body["rows"]
    s_keys, d_keys = list(body["suggestions"]), list(body["determinations"])
    width = len(s_keys) + len(d_keys)
    count = len(rows)
    a_ub_rows, cols, vals, lower, upper = [], [], [], [], []
    eq_rows, eq_cols, eq_vals = [], [], []
    line = 0

    def var(i: int, k: int) -> int:
        return i * width + k

    def constrain(variables: list[int], label):
        nonlocal line
        low, high = _bounds_of(str(label))
        for v in variables:
            a_ub_rows.append(line)
            cols.append(v)
            vals.append(1.0)
        lower.append(low)
        upper.append(np.inf if high is None else high)
        line += 1

    for i, row in enumerate(rows):
        s_vars = [var(i, k) for k in range(len(s_keys))]
        d_vars = [var(i, len(s_keys) + k) for k in range(len(d_keys))]
        for k, key in enumerate(s_keys):
            constrain([s_vars[k]], row["suggestions"][key])
        for k, key in enumerate(d_keys):
            constrain([d_vars[k]], row["determinations"][key])
        constrain(s_vars, row["cases"])
        for v in s_vars:
            eq_rows.append(i)
            eq_cols.append(v)
            eq_vals.append(1.0)
        for v in d_vars:
            eq_rows.append(i)
            eq_cols.append(v)
            eq_vals.append(-1.0)
    for k, key in enumerate(s_keys):
        constrain([var(i, k) for i in range(count)], body["suggestions"][key])
    for k, key in enumerate(d_keys):
        constrain([var(i, len(s_keys) + k) for i in range(count)],
                  body["determinations"][key])
    constrain([var(i, k) for i in range(count) for k in range(len(s_keys))], body["cases"])
    size = count * width
    matrix = coo_matrix((vals, (a_ub_rows, cols)), shape=(line, size)).tocsr()
    lower_arr, upper_arr = np.array(lower, dtype=float), np.array(upper, dtype=float)
    finite = np.isfinite(upper_arr)
    a_ub = vstack([matrix[finite], -matrix])
    b_ub = np.concatenate([upper_arr[finite], -lower_arr])
    a_eq = coo_matrix((eq_vals, (eq_rows, eq_cols)), shape=(count, size)).tocsr()
    index = next(i for i, r in enumerate(rows) if r["code"] == code)
    found = []
    for target in (var(index, s_keys.index(suggestion)),
                   var(index, len(s_keys) + d_keys.index(determination))):
        objective = np.zeros(size)
        objective[target] = 1.0
        ends = []
        for sign in (1, -1):
            result = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq,
                             b_eq=np.zeros(count), bounds=(0, None), method="highs")
            assert result.status == 0, result.message
            ends.append(round(sign * result.fun))
        found.append(tuple(ends))
    return found[0], found[1]


def attack_tables(publications, blocks: int, count: int, target: list[tuple[int, int, int]]):
    """(min, max) of the sum of `target` (block, row, column) over every pair of tables
    consistent with the statistics export: each publication (its rows as published, the
    Total row last; each row's cells by determination, their total, then by sex) is one block
    of `count` nationalities. A row's determinations and its sexes add up to the same total
    (the Total column the two tables share); each column to its total; a column < 4 is a
    determination, 4 + k the k-th sex. What the LP cannot pin, no reader of both tables can."""
    dets, sexes = 4, 4
    width = dets + sexes
    size = blocks * count * width
    a_rows, a_cols, a_vals, lower, upper = [], [], [], [], []
    eq_rows, eq_cols, eq_vals = [], [], []
    line = eq_line = 0

    def var(block: int, i: int, k: int) -> int:
        return (block * count + i) * width + k

    def constrain(variables: list[int], label):
        nonlocal line
        low, high = _bounds_of(str(label))
        for v in variables:
            a_rows.append(line)
            a_cols.append(v)
            a_vals.append(1.0)
        lower.append(low)
        upper.append(np.inf if high is None else high)
        line += 1

    for published, block in publications:
        body, totals = published[:-1], published[-1]
        assert len(body) == count
        for i, row in enumerate(body):
            for k in range(dets):
                constrain([var(block, i, k)], row[k])
            constrain([var(block, i, k) for k in range(dets)], row[dets])
            for k in range(sexes):
                constrain([var(block, i, dets + k)], row[dets + 1 + k])
            for k in range(width):  # the determinations and the sexes: one total
                eq_rows.append(eq_line)
                eq_cols.append(var(block, i, k))
                eq_vals.append(1.0 if k < dets else -1.0)
            eq_line += 1
        for k in range(dets):
            constrain([var(block, i, k) for i in range(count)], totals[k])
        constrain([var(block, i, k) for i in range(count) for k in range(dets)], totals[dets])
        for k in range(sexes):
            constrain([var(block, i, dets + k) for i in range(count)], totals[dets + 1 + k])
    matrix = coo_matrix((a_vals, (a_rows, a_cols)), shape=(line, size)).tocsr()
    lower_arr, upper_arr = np.array(lower, dtype=float), np.array(upper, dtype=float)
    finite = np.isfinite(upper_arr)
    a_ub = vstack([matrix[finite], -matrix])
    b_ub = np.concatenate([upper_arr[finite], -lower_arr])
    a_eq = coo_matrix((eq_vals, (eq_rows, eq_cols)), shape=(eq_line, size)).tocsr()
    objective = np.zeros(size)
    for block, i, k in target:
        objective[var(block, i, k)] = 1.0
    found = []
    for sign in (1, -1):
        result = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq,
                         b_eq=np.zeros(eq_line), bounds=(0, None), method="highs")
        assert result.status == 0, result.message
        found.append(round(sign * result.fun))
    return found[0], found[1]


def attack_month(rows, totals, widths, targets):
    """(min, max) of each target over every set of counts consistent with a month as
    published in all its answers together: `rows`, one per nationality, each (its cases,
    [its cells of each table]) as published; `totals`, (the grand total, [each table's
    column totals]). Every table's rows add up to the nationality's cases and its columns to
    their totals. A target: ("row", i), the cases of row i, or ("cell", table, i, j)."""
    count, width = len(rows), sum(widths)
    offset = [sum(widths[:t]) for t in range(len(widths))]

    def var(t: int, i: int, j: int) -> int:
        return i * width + offset[t] + j

    size = count * width
    a_rows, a_cols, a_vals, lower, upper = [], [], [], [], []
    eq_rows, eq_cols, eq_vals = [], [], []
    line = eq_line = 0

    def constrain(variables: list[int], label):
        nonlocal line
        low, high = _bounds_of(str(label))
        for v in variables:
            a_rows.append(line)
            a_cols.append(v)
            a_vals.append(1.0)
        lower.append(low)
        upper.append(np.inf if high is None else high)
        line += 1

    for i, (cases, tables) in enumerate(rows):
        constrain([var(0, i, j) for j in range(widths[0])], cases)
        for t, labels in enumerate(tables):
            for j, label in enumerate(labels):
                constrain([var(t, i, j)], label)
            if t:  # every table's row adds up to the same cases
                for j in range(widths[0]):
                    eq_rows.append(eq_line)
                    eq_cols.append(var(0, i, j))
                    eq_vals.append(1.0)
                for j in range(widths[t]):
                    eq_rows.append(eq_line)
                    eq_cols.append(var(t, i, j))
                    eq_vals.append(-1.0)
                eq_line += 1
    grand, columns = totals
    constrain([var(0, i, j) for i in range(count) for j in range(widths[0])], grand)
    for t, labels in enumerate(columns):
        for j, label in enumerate(labels):
            constrain([var(t, i, j) for i in range(count)], label)
    matrix = coo_matrix((a_vals, (a_rows, a_cols)), shape=(line, size)).tocsr()
    lower_arr, upper_arr = np.array(lower, dtype=float), np.array(upper, dtype=float)
    finite = np.isfinite(upper_arr)
    a_ub = vstack([matrix[finite], -matrix])
    b_ub = np.concatenate([upper_arr[finite], -lower_arr])
    a_eq = coo_matrix((eq_vals, (eq_rows, eq_cols)), shape=(max(eq_line, 1), size)).tocsr()
    found = []
    for target in targets:
        objective = np.zeros(size)
        if target[0] == "row":
            for j in range(widths[0]):
                objective[var(0, target[1], j)] = 1.0
        else:
            objective[var(*target[1:])] = 1.0
        ends = []
        for sign in (1, -1):
            result = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq,
                             b_eq=np.zeros(max(eq_line, 1)), bounds=(0, None), method="highs")
            assert result.status == 0, result.message
            ends.append(sign * result.fun)
        found.append((ends[0], ends[1]))
    return found
