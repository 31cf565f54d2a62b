"""Small-cell and secondary suppression, as pure functions. No database.

The attacker here is written independently of the algorithm: it reads only the published
labels (numbers, "<5", "x") and searches every table consistent with them."""

import itertools
import random

import pytest

from app.reports.suppression import (
    SECONDARY_LABEL,
    Mark,
    SuppressedTable,
    is_protected,
    suppress,
    with_totals,
)

THRESHOLD = 5


# --- the attacker -------------------------------------------------------------------------

def _domains(labels: list[list[str]], threshold: int, cap: int):
    """For each hidden cell, the values a reader knows it may take."""
    domains = {}
    for i, row in enumerate(labels):
        for j, label in enumerate(row):
            if label == f"<{threshold}":
                domains[(i, j)] = range(1, threshold)
            elif label == SECONDARY_LABEL:
                # the publication promises an "x" is never a small count nor a zero
                domains[(i, j)] = range(threshold, cap + 1)
    return domains


def consistent_values(labels: list[list[str]], threshold: int, cap: int,
                      stop_when_ambiguous: bool = True) -> dict[tuple[int, int], set[int]]:
    """Every value each hidden cell takes in some table that matches the publication: the
    shown numbers, the bounds of "<5" and "x", and every row and column adding up to its
    total. Values above `cap` are not searched (a search that finds fewer values is only
    harder to pass)."""
    rows, cols = len(labels) - 1, len(labels[0]) - 1
    domains = _domains(labels, threshold, cap)
    unknown = sorted(domains, key=lambda c: len(domains[c]))
    lines = [[(i, j) for j in range(cols + 1)] for i in range(rows + 1)] + \
            [[(i, j) for i in range(rows + 1)] for j in range(cols + 1)]

    def sign(cell):
        i, j = cell
        return -1 if (i == rows) != (j == cols) else 1  # a line of counts minus its total

    lines_of = {c: [line for line in lines if c in line] for c in unknown}
    assigned: dict[tuple[int, int], int] = {}
    seen: dict[tuple[int, int], set[int]] = {c: set() for c in unknown}

    def value(cell):
        if cell in assigned:
            return assigned[cell]
        i, j = cell
        return int(labels[i][j])

    def line_ok(line):
        if any(c in domains and c not in assigned for c in line):
            return True
        return sum(sign(c) * value(c) for c in line) == 0

    def forced(cell):
        for line in lines_of[cell]:
            others = [c for c in line if c != cell]
            if all(c not in domains or c in assigned for c in others):
                rest = sum(sign(c) * value(c) for c in others)
                return -rest * sign(cell)
        return None

    def search(k):
        if stop_when_ambiguous and all(len(v) >= 2 for v in seen.values()):
            return True
        if k == len(unknown):
            for c, v in assigned.items():
                seen[c].add(v)
            return False
        cell = unknown[k]
        must = forced(cell)
        options = [must] if must is not None else domains[cell]
        for v in options:
            if v not in domains[cell]:
                continue
            assigned[cell] = v
            if all(line_ok(line) for line in lines_of[cell]) and search(k + 1):
                del assigned[cell]
                return True
            del assigned[cell]
        return False

    search(0)
    return seen


def recovered_cells(table: SuppressedTable) -> list[tuple[int, int]]:
    """The hidden cells whose value a reader can work out from the publication."""
    cap = table.values[-1][-1] + 2 * table.threshold
    seen = consistent_values(table.published(), table.threshold, cap)
    return [c for c, values in seen.items() if len(values) < 2]


def subtraction_attack(labels: list[list[str]], threshold: int) -> set[tuple[int, int]]:
    """The attack anyone tries first: a line with one hidden cell gives it away; repeat."""
    rows, cols = len(labels) - 1, len(labels[0]) - 1
    known = {(i, j): int(v) for i, r in enumerate(labels) for j, v in enumerate(r)
             if v not in (f"<{threshold}", SECONDARY_LABEL)}
    found: set[tuple[int, int]] = set()
    changed = True
    while changed:
        changed = False
        for line in ([[(i, j) for j in range(cols + 1)] for i in range(rows + 1)]
                     + [[(i, j) for i in range(rows + 1)] for j in range(cols + 1)]):
            missing = [c for c in line if c not in known]
            if len(missing) == 1:
                total_cell = line[-1]
                cell = missing[0]
                if cell == total_cell:
                    known[cell] = sum(known[c] for c in line[:-1])
                else:
                    known[cell] = known[total_cell] - sum(known[c] for c in line[:-1]
                                                          if c != cell)
                found.add(cell)
                changed = True
    return found


def withheld_only_when_necessary(table: SuppressedTable) -> bool:
    """A withheld table is one where even hiding every non-zero cell leaves a cell that the
    attacker recovers (e.g. a grand total of 4 in four cells: each must be 1)."""
    labels = [[(f"<{table.threshold}" if 1 <= v < table.threshold else SECONDARY_LABEL)
               if v else "0" for v in row] for row in table.values]
    cap = table.values[-1][-1] + 2 * table.threshold
    seen = consistent_values(labels, table.threshold, cap)
    return any(len(values) < 2 for values in seen.values())


def random_table(rng: random.Random, rows: int, cols: int, high: int = 14,
                 zero_share: float = 0.25) -> list[list[int]]:
    return [[0 if rng.random() < zero_share else rng.randint(1, high) for _ in range(cols)]
            for _ in range(rows)]


# --- the rules of publication -------------------------------------------------------------

def test_with_totals_adds_row_and_column_totals():
    assert with_totals([[1, 2], [3, 4]]) == [[1, 2, 3], [3, 4, 7], [4, 6, 10]]


@pytest.mark.parametrize("bad", [[], [[]], [[1, 2], [3]], [[-1]]])
def test_with_totals_refuses_malformed_tables(bad):
    with pytest.raises(ValueError):
        with_totals(bad)


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_suppress_shows_small_counts_as_less_than_threshold(threshold):
    table = suppress([[threshold - 1, 50, 60], [40, 1, 70], [30, 20, 90]], threshold)
    published = table.published()
    assert published[0][0] == f"<{threshold}"
    assert published[1][1] == f"<{threshold}"


def test_suppress_leaves_table_without_small_counts_untouched():
    table = suppress([[0, 50, 60], [40, 5, 70]], THRESHOLD)
    assert table.hidden_cells() == []
    assert table.published() == [["0", "50", "60", "110"], ["40", "5", "70", "115"],
                                 ["40", "55", "130", "225"]]


def test_suppress_hides_small_totals_too():
    table = suppress([[2, 0, 1], [30, 40, 50]], THRESHOLD)
    published = table.published()
    assert published[0][3] == "<5"  # the row total, 3
    assert not table.withheld


def test_suppress_never_hides_zeros_and_hides_only_large_cells_as_secondary():
    rng = random.Random(7)
    for _ in range(200):
        table = suppress(random_table(rng, rng.randint(1, 5), rng.randint(1, 4)), THRESHOLD)
        for i, j in table.hidden_cells():
            value = table.values[i][j]
            assert value != 0
            if table.marks[i][j] is Mark.SECONDARY:
                assert value >= THRESHOLD
            else:
                assert 1 <= value < THRESHOLD


def test_suppress_publishes_no_value_between_one_and_threshold():
    rng = random.Random(11)
    for _ in range(300):
        table = suppress(random_table(rng, rng.randint(1, 6), rng.randint(1, 4)), THRESHOLD)
        for row in table.published():
            for label in row:
                if label not in ("<5", SECONDARY_LABEL):
                    assert not 1 <= int(label) < THRESHOLD


def test_suppress_shown_values_are_the_true_counts():
    counts = [[3, 12, 0], [25, 7, 1]]
    table = suppress(counts, THRESHOLD)
    full = with_totals(counts)
    for i, row in enumerate(table.published()):
        for j, label in enumerate(row):
            if label.isdigit():
                assert int(label) == full[i][j]


def test_suppress_with_threshold_two_withholds_what_cannot_be_protected():
    # "<2" can only mean 1: no choice of hidden cells protects it
    assert suppress([[1, 9], [9, 9]], 2).withheld


def test_suppress_with_threshold_one_hides_nothing():
    table = suppress([[0, 1], [2, 3]], 1)
    assert table.hidden_cells() == [] and not table.withheld


# --- the adversary ------------------------------------------------------------------------

def test_subtraction_attack_recovers_a_lone_hidden_cell():
    # the attack works on a table with primary suppression only: the test would catch it
    labels = [["<5", "12", "15"], ["9", "9", "18"], ["12", "21", "33"]]
    assert (0, 0) in subtraction_attack(labels, THRESHOLD)


def test_exhaustive_attacker_recovers_cells_of_a_naively_suppressed_table():
    # two small cells in one row and nothing else hidden: the column totals give both away
    labels = [["<5", "<5", "7"], ["10", "10", "20"], ["13", "14", "27"]]
    seen = consistent_values(labels, THRESHOLD, cap=40, stop_when_ambiguous=False)
    assert seen[(0, 0)] == {3} and seen[(0, 1)] == {4}


@pytest.mark.parametrize("seed", range(8))
def test_subtraction_attack_recovers_nothing_from_suppressed_tables(seed):
    rng = random.Random(seed)
    for _ in range(40):
        table = suppress(random_table(rng, rng.randint(1, 6), rng.randint(1, 5)), THRESHOLD)
        if table.withheld:
            continue
        assert subtraction_attack(table.published(), THRESHOLD) == set()


@pytest.mark.parametrize("seed", range(6))
def test_exhaustive_attacker_recovers_no_hidden_cell_from_random_tables(seed):
    rng = random.Random(100 + seed)
    for _ in range(25):
        counts = random_table(rng, rng.randint(1, 3), rng.randint(1, 3), high=12)
        table = suppress(counts, THRESHOLD)
        if table.withheld:
            assert withheld_only_when_necessary(table), counts
            continue
        assert recovered_cells(table) == [], (counts, table.published())


def test_exhaustive_attacker_recovers_no_hidden_cell_from_any_small_two_by_two_table():
    with_secondary = 0
    for counts in itertools.product(range(0, 7), repeat=4):
        table = suppress([list(counts[:2]), list(counts[2:])], THRESHOLD)
        with_secondary += any(m is Mark.SECONDARY for row in table.marks for m in row)
        if table.withheld:
            assert withheld_only_when_necessary(table), counts
            continue
        assert recovered_cells(table) == [], (counts, table.published())
    assert with_secondary > 1000  # the search really met secondary suppression


def test_exhaustive_attacker_recovers_no_hidden_cell_from_single_row_tables():
    for counts in itertools.product((0, 1, 2, 4, 5, 9), repeat=3):
        table = suppress([list(counts)], THRESHOLD)
        if table.withheld:
            assert withheld_only_when_necessary(table), counts
            continue
        assert recovered_cells(table) == [], (counts, table.published())


@pytest.mark.parametrize("seed", range(4))
def test_is_protected_agrees_with_exhaustive_search(seed):
    """The exactness claim of is_protected: on arbitrary markings (not only the algorithm's),
    a hidden cell is protected exactly when the exhaustive attacker finds two values."""
    rng = random.Random(500 + seed)
    checked = 0
    while checked < 40:
        counts = random_table(rng, rng.randint(1, 3), rng.randint(1, 3), high=10)
        values = with_totals(counts)
        marks = []
        for row in values:
            marks.append(tuple(
                Mark.PRIMARY if 1 <= v < THRESHOLD
                else Mark.SECONDARY if v >= THRESHOLD and rng.random() < 0.4
                else Mark.SHOWN for v in row))
        table = SuppressedTable(values=tuple(tuple(r) for r in values), marks=tuple(marks),
                                threshold=THRESHOLD)
        if not table.hidden_cells():
            continue
        checked += 1
        cap = values[-1][-1] + 2 * THRESHOLD
        seen = consistent_values(table.published(), THRESHOLD, cap,
                                 stop_when_ambiguous=False)
        for cell in table.hidden_cells():
            assert is_protected(table, *cell) == (len(seen[cell]) >= 2), (
                counts, table.published(), cell)


def test_zeros_shown_small_widen_what_a_small_cell_may_be():
    # four ones in a row of four: known exactly when "<5" means 1..4, not when it means 0..4
    counts = [[1, 1, 1, 1], [6, 7, 8, 9]]
    assert suppress(counts, 5).withheld is True
    table = suppress(counts, 5, zeros_small=True)
    assert table.withheld is False
    assert all(is_protected(table, i, j) for i, j in table.hidden_cells()
               if 0 < table.values[i][j] < 5)
