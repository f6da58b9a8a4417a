"""Step 2, the order within each column: median sweeps, transpositions, section grouping;
and the crossing counts (between adjacent columns while ordering; of straight segments
between box centres for the finished drawing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graph.layout.records import Layout

__all__ = ["count_crossings", "crossings"]


class LayeredGraph:
    """The layered graph the sweeps work on: real nodes first, then virtual points."""

    def __init__(self, n_layers: int) -> None:
        self.layer: list[int] = []
        self.lane: list[int] = []          # block the element sorts in (0 without lanes)
        self.section: list[float] = []     # section rank (interpolated on long edges)
        self.pin: list[int | None] = []    # fixed row among the real boxes, or None
        self.real: list[bool] = []
        self.up: list[list[int]] = []      # neighbours in the column before
        self.down: list[list[int]] = []    # neighbours in the column after
        self.layers: list[list[int]] = [[] for _ in range(n_layers)]

    def add(self, layer: int, lane: int, section: float, real: bool,
            pin: int | None = None) -> int:
        e = len(self.layer)
        self.layer.append(layer)
        self.lane.append(lane)
        self.section.append(section)
        self.pin.append(pin)
        self.real.append(real)
        self.up.append([])
        self.down.append([])
        self.layers[layer].append(e)
        return e

    def link(self, a: int, b: int) -> None:
        self.down[a].append(b)
        self.up[b].append(a)


def _place(block: list[int], keys: dict[int, float], g: LayeredGraph) -> list[int]:
    """Reorder one lane block: elements with a key are sorted by it (stably) into the
    slots such elements held; the others keep their slots; pinned boxes then go back in
    at their row (counted among the real boxes)."""
    pin = g.pin
    free = [e for e in block if pin[e] is None]
    moving = sorted((e for e in free if e in keys), key=keys.__getitem__)
    it = iter(moving)
    out = [next(it) if e in keys else e for e in free]
    for e in sorted((e for e in block if pin[e] is not None), key=lambda e: (pin[e], e)):
        row, seen, at = pin[e] or 0, 0, len(out)
        for i, x in enumerate(out):
            if seen == row:
                at = i
                break
            seen += g.real[x]
        out.insert(at, e)
    return out


def lane_blocks(g: LayeredGraph, order: list[int]) -> list[list[int]]:
    """Split a column's order into its lane blocks (consecutive runs of one lane)."""
    out: list[list[int]] = []
    last = -1
    for e in order:
        if g.lane[e] != last:
            out.append([])
            last = g.lane[e]
        out[-1].append(e)
    return out


def _median(ps: list[int]) -> float:
    """Weighted median of sorted neighbour positions (Gansner et al.'s mincross)."""
    m = len(ps) // 2
    if len(ps) % 2 or len(ps) < 2:
        return float(ps[m])
    if len(ps) == 2:
        return (ps[0] + ps[1]) / 2
    left, right = ps[m - 1] - ps[0], ps[-1] - ps[m]
    if left + right == 0:
        return (ps[m - 1] + ps[m]) / 2
    return (ps[m - 1] * right + ps[m] * left) / (left + right)


def _sweep(g: LayeredGraph, orders: list[list[int]], pos: list[int], downward: bool) -> None:
    """One pass over every column, left to right or right to left: each element goes
    to the weighted median of its neighbours in the column before."""
    n = len(orders)
    nbrs = g.up if downward else g.down
    for k in (range(1, n) if downward else range(n - 2, -1, -1)):
        keys = {e: _median(sorted(pos[x] for x in nbrs[e])) for e in orders[k] if nbrs[e]}
        new: list[int] = []
        for block in lane_blocks(g, orders[k]):
            new.extend(_place(block, keys, g))
        orders[k] = new
        for i, e in enumerate(new):
            pos[e] = i


def _pair_crossings(g: LayeredGraph, pos: list[int], a: int, b: int) -> int:
    """Crossings among the edges of ``a`` and ``b`` when ``a`` is just above ``b``."""
    c = 0
    for na, nb in ((g.up[a], g.up[b]), (g.down[a], g.down[b])):
        for x in na:
            px = pos[x]
            for y in nb:
                if px > pos[y]:
                    c += 1
    return c


def _swappable(g: LayeredGraph, a: int, b: int) -> bool:
    return g.lane[a] == g.lane[b] and g.pin[a] is None and g.pin[b] is None


def _transpose(g: LayeredGraph, orders: list[list[int]], pos: list[int], ties: bool,
               passes: int) -> None:
    """Swap neighbours while that removes crossings (up to ``passes`` passes); with
    ``ties``, swaps that keep the count are made too (to leave a plateau)."""
    for _ in range(passes):
        gain = 0
        for order in orders:
            for i in range(len(order) - 1):
                a, b = order[i], order[i + 1]
                if not _swappable(g, a, b):
                    continue
                now, swapped = _pair_crossings(g, pos, a, b), _pair_crossings(g, pos, b, a)
                if swapped < now or (ties and swapped == now and now > 0):
                    order[i], order[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    gain += now - swapped
        if gain <= 0:
            return


def group_sections(g: LayeredGraph, orders: list[list[int]], pos: list[int]) -> None:
    """Bubble neighbours into the sections' order wherever that adds no crossing."""
    for order in orders:
        for _ in range(len(order)):
            moved = False
            for i in range(len(order) - 1):
                a, b = order[i], order[i + 1]
                if (g.section[a] > g.section[b] and _swappable(g, a, b)
                        and _pair_crossings(g, pos, b, a) <= _pair_crossings(g, pos, a, b)):
                    order[i], order[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    moved = True
            if not moved:
                break


def _layer_crossings(g: LayeredGraph, upper: list[int], pos: list[int], width: int) -> int:
    """Crossings between a column and the next (Fenwick-tree inversion count)."""
    ends = sorted((pos[a], pos[b]) for a in upper for b in g.down[a])
    tree = [0] * (width + 1)
    seen = c = 0
    for _, p in ends:
        i, at_or_above = p + 1, 0
        while i > 0:
            at_or_above += tree[i]
            i -= i & -i
        c += seen - at_or_above
        i = p + 1
        while i <= width:
            tree[i] += 1
            i += i & -i
        seen += 1
    return c


def _total_crossings(g: LayeredGraph, orders: list[list[int]], pos: list[int]) -> int:
    return sum(_layer_crossings(g, orders[k], pos, len(orders[k + 1]))
               for k in range(len(orders) - 1))


def order_positions(g: LayeredGraph, orders: list[list[int]]) -> list[int]:
    pos = [0] * len(g.layer)
    for order in orders:
        for i, e in enumerate(order):
            pos[e] = i
    return pos


def initial_orders(g: LayeredGraph, ident: list[str], roots: list[int]) -> list[list[int]]:
    """Columns in the order a depth-first walk from ``roots`` meets their elements."""
    seen = [False] * len(g.layer)
    met: list[int] = []
    for r in roots:
        if seen[r]:
            continue
        stack = [r]
        seen[r] = True
        while stack:
            e = stack.pop()
            met.append(e)
            for x in sorted(g.down[e] + g.up[e], key=ident.__getitem__, reverse=True):
                if not seen[x]:
                    seen[x] = True
                    stack.append(x)
    rank = {e: i for i, e in enumerate(met)}
    orders = []
    for members in g.layers:
        order = sorted(members, key=lambda e: (g.lane[e], rank[e]))
        orders.append([e for block in lane_blocks(g, order) for e in _place(block, {}, g)])
    return orders


def mincross(g: LayeredGraph, orders: list[list[int]], sweeps: int, patience: int,
              passes: int) -> tuple[int, list[list[int]]]:
    """Median sweeps with transpositions from ``orders``; the best orders seen."""
    pos = order_positions(g, orders)
    best = [list(o) for o in orders]
    best_c = _total_crossings(g, orders, pos)
    stale = 0
    for i in range(sweeps):
        if best_c == 0:
            break
        _sweep(g, orders, pos, downward=(i % 2 == 0))
        _transpose(g, orders, pos, ties=(i % 4 >= 2), passes=passes)
        c = _total_crossings(g, orders, pos)
        if c < best_c:
            best, best_c, stale = [list(o) for o in orders], c, 0
        else:
            stale += 1
            if stale >= patience:
                break
    return best_c, best



# ---------------------------------------------------------------------------- crossings


def count_crossings(centres: Mapping[str, tuple[float, float]],
                    edges: Iterable[tuple[str, str]]) -> int:
    """Pairs of straight segments between node centres that cross.

    Segments that share an end node never count; segments that only touch, or overlap
    on one line, do not count either (only proper crossings do). The same count applies
    to any drawing, ours or Graphviz's.

    Examples
    --------
    >>> count_crossings({"a": (0, 0), "b": (1, 1), "c": (0, 1), "d": (1, 0)},
    ...                 [("a", "b"), ("c", "d")])
    1
    """
    segs = []
    for u, v in edges:
        (x1, y1), (x2, y2) = centres[u], centres[v]
        if (x2, y2) < (x1, y1):
            x1, y1, x2, y2 = x2, y2, x1, y1
        segs.append((x1, y1, x2, y2, u, v))
    segs.sort()
    total = 0
    for i, (ax, ay, bx, by, u1, v1) in enumerate(segs):
        dx, dy = bx - ax, by - ay
        for cx, cy, ex, ey, u2, v2 in segs[i + 1:]:
            if cx > bx:
                break  # sorted by left end: nothing further overlaps in x
            if u2 in (u1, v1) or v2 in (u1, v1):
                continue
            d1 = dx * (cy - ay) - dy * (cx - ax)
            d2 = dx * (ey - ay) - dy * (ex - ax)
            if d1 * d2 >= 0:
                continue
            fx, fy = ex - cx, ey - cy
            d3 = fx * (ay - cy) - fy * (ax - cx)
            d4 = fx * (by - cy) - fy * (bx - cx)
            if d3 * d4 < 0:
                total += 1
    return total


def crossings(layout: Layout) -> int:
    """Crossings of the layout's edges drawn as straight segments between box centres.

    Examples
    --------
    >>> from graph import layered_layout, load_roadmap
    >>> lay = layered_layout(load_roadmap())
    >>> crossings(lay) == count_crossings(lay.centres(), [(r.source, r.target)
    ...                                                   for r in lay.edges])
    True
    """
    return count_crossings(layout.centres(), ((r.source, r.target) for r in layout.edges))
