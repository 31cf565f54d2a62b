"""Small-cell suppression of counts that form a flow network rather than one two-way table.

Outcome counts publish, per nationality, its cases by suggestion and its cases by
determination, and the cases themselves: two tables that share their row totals. As a
circulation: T_in → T_out (all cases) → S_s (each suggestion's total) → R_i_in (the cases of
nationality i with suggestion s) → R_i_out (nationality i's cases) → D_d (its cases with
determination d) → T_in (each determination's total). Every published number is the flow on
one edge, and the flow is conserved at every node: what a reader knows of the numbers is
exactly that, with the bounds of what was shown ("<t": 0 .. t-1, "x": t or more).

The rule and its proof are those of app.reports.suppression, on a general network: a hidden
edge's value is determined exactly when no cycle of hidden edges, each moved within its
bounds, passes through it. Cells from 1 to t-1 are protected, and so are zeros (shown as "<t"
too): no zero can be worked out to be 0. Secondary cells are hidden along the cheapest
cycle."""

import heapq
from collections import deque
from dataclasses import dataclass

from app.reports.suppression import Mark

Arc = tuple[int, float, int]  # (to node, cost, edge index)


@dataclass(frozen=True)
class NetworkTable:
    marks: tuple[Mark, ...]
    withheld: bool


class _Network:
    def __init__(self, edges, values, costs, threshold):
        self.edges = edges
        self.values = values
        self.costs = costs
        self.threshold = threshold
        self.marks = [Mark.PRIMARY if v < threshold else Mark.SHOWN for v in values]
        self._arcs: dict[bool, dict[int, list[Arc]]] = {}
        self._components: dict[int, int] | None = None
        self._components_stale = False

    def bounds(self, e: int, mark: Mark) -> tuple[float, float]:
        if mark is Mark.PRIMARY:
            return 0, self.threshold - 1
        if mark is Mark.SECONDARY:
            return self.threshold, float("inf")
        return self.values[e], self.values[e]

    def moves(self, e: int, mark: Mark) -> tuple[bool, bool]:
        low, high = self.bounds(e, mark)
        v = self.values[e]
        return low <= v + 1 <= high, low <= v - 1 <= high

    def _edge_arcs(self, e: int, candidates: bool):
        mark = self.marks[e]
        if mark is Mark.SHOWN:
            if not candidates or self.values[e] == 0:
                return
            up, down = self.moves(e, Mark.SECONDARY)
            cost = self.costs[e]
        else:
            up, down = self.moves(e, mark)
            cost = 0.0
        tail, head = self.edges[e]
        if up:
            yield tail, (head, cost, e)
        if down:
            yield head, (tail, cost, e)

    def adjacency(self, candidates: bool) -> dict[int, list[Arc]]:
        if candidates not in self._arcs:
            adjacency: dict[int, list[Arc]] = {}
            for e in range(len(self.edges)):
                for node, arc in self._edge_arcs(e, candidates):
                    adjacency.setdefault(node, []).append(arc)
            self._arcs[candidates] = adjacency
        return self._arcs[candidates]

    def hide(self, e: int) -> None:
        self.marks[e] = Mark.SECONDARY
        self._components_stale = True
        tail, head = self.edges[e]
        for candidates, adjacency in self._arcs.items():
            for node in (tail, head):
                if node in adjacency:
                    adjacency[node] = [a for a in adjacency[node] if a[2] != e]
            for node, arc in self._edge_arcs(e, candidates):
                adjacency.setdefault(node, []).append(arc)

    def path(self, start: int, goal: int, skip: int, candidates: bool) -> list[int] | None:
        adjacency = self.adjacency(candidates)
        came: dict[int, tuple[int, int]] = {start: (start, -1)}
        if not candidates:
            queue = deque([start])
            while queue:
                node = queue.popleft()
                for nxt, _, e in adjacency.get(node, ()):
                    if e == skip or nxt in came:
                        continue
                    came[nxt] = (node, e)
                    if nxt == goal:
                        return _walk(came, start, goal)
                    queue.append(nxt)
            return None
        best = {start: 0.0}
        heap = [(0.0, start)]
        while heap:
            dist, node = heapq.heappop(heap)
            if node == goal:
                return _walk(came, start, goal)
            if dist > best.get(node, float("inf")):
                continue
            for nxt, cost, e in adjacency.get(node, ()):
                if e == skip:
                    continue
                nd = dist + cost
                if nd < best.get(nxt, float("inf")):
                    best[nxt] = nd
                    came[nxt] = (node, e)
                    heapq.heappush(heap, (nd, nxt))
        return None

    def same_component(self, a: int, b: int) -> bool:
        """Whether nodes a and b are in one strong component of the arcs of hidden edges.
        Hiding an edge only adds arcs (a shown edge has none), so components only merge: an
        answer "yes" from before a hide still holds, and "no" is asked again after it."""
        if self._components is None or (self._components_stale and not self._same(a, b)):
            self._components = _strong_components(self.adjacency(False))
            self._components_stale = False
        return self._same(a, b)

    def _same(self, a: int, b: int) -> bool:
        components = self._components
        return components.get(a, -1 - a) == components.get(b, -1 - b)

    def is_protected(self, e: int) -> bool:
        """`protecting_cycle(e, candidates=False) is not None`, found faster. An edge that
        moves one way only, tail → head say, has that arc only, and a path back from head
        to tail never needs it: there is one exactly when both ends are in one strong
        component. An edge that moves both ways is searched for without its own arcs."""
        up, down = self.moves(e, self.marks[e])
        if up != down:
            tail, head = self.edges[e]
            return self.same_component(tail, head)
        return self.protecting_cycle(e, candidates=False) is not None

    def protecting_cycle(self, e: int, candidates: bool) -> list[int] | None:
        up, down = self.moves(e, self.marks[e])
        tail, head = self.edges[e]
        found = []
        if up:  # tail → head along e, back from head to tail
            found.append(self.path(head, tail, e, candidates))
        if down:
            found.append(self.path(tail, head, e, candidates))
        found = [p for p in found if p is not None]
        if not found:
            return None
        return min(found, key=lambda p: sum(self.costs[x] for x in p
                                            if self.marks[x] is Mark.SHOWN))


Network = _Network  # for app.reports.publication: tables that share their row totals


def _walk(came, start: int, goal: int) -> list[int]:
    path = []
    node = goal
    while node != start:
        node, e = came[node]
        path.append(e)
    return path[::-1]


def suppress_network(edges: list[tuple[int, int]], values: list[int], costs: list[float],
                     threshold: int) -> NetworkTable:
    """Marks for the edges of a circulation (`values` conserved at every node): counts from 0
    to threshold - 1 PRIMARY ("<threshold"), and SECONDARY ("x") edges hidden so that no count
    from 1 to threshold - 1 can be worked out. `costs`: what hiding each edge costs."""
    if threshold < 2:
        raise ValueError("the threshold must be at least 2")
    network = _Network(edges, list(values), costs, threshold)
    # the counts from 1 to threshold - 1, then the zeros that totals would pin to 0 (a "<t"
    # known to be 0 would tell "no one" apart from "one or two")
    small = [e for e, value in enumerate(values) if 0 < value < threshold]
    for e in small + _pinned_zeros(network):
        if network.is_protected(e):
            continue
        cycle = network.protecting_cycle(e, candidates=True)
        if cycle is None:
            return NetworkTable(marks=tuple(Mark.SECONDARY for _ in values), withheld=True)
        for x in cycle:
            if network.marks[x] is Mark.SHOWN:
                network.hide(x)
    return NetworkTable(marks=tuple(network.marks), withheld=False)


def _pinned_zeros(network: _Network) -> list[int]:
    """The zero edges that no cycle of hidden edges can raise, as things stand. A zero can
    only rise: along its edge (its one arc, tail → head), back from its head to its tail;
    it is pinned exactly when its two ends are in different strong components."""
    return [e for e, value in enumerate(network.values)
            if value == 0 and not network.same_component(*network.edges[e])]


def _strong_components(adjacency: dict[int, list[Arc]]) -> dict[int, int]:
    """Tarjan's strongly connected components, without recursion: node -> component."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    component: dict[int, int] = {}
    for root in adjacency:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(adjacency.get(root, ())))]
        while work:
            node, arcs = work[-1]
            for nxt, _, _ in arcs:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(adjacency.get(nxt, ()))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component[member] = index[node]
                        if member == node:
                            break
    return component


def is_protected(edges, values, marks, threshold: int, e: int) -> bool:
    """Whether the publication is consistent with another value of hidden edge `e`."""
    network = _Network(edges, list(values), [0.0] * len(values), threshold)
    network.marks = list(marks)
    return network.is_protected(e)
