"""Steps 3 and 4, the placement: lanes or one band, and the vertical centres.

:class:`Plan` holds the layered graph (real boxes and the virtual points of long edges)
for one lane order; its coordinates pull boxes towards their neighbours and virtual
points towards their edge's straight line, keeping each column's order and spacing.
"""

from __future__ import annotations

import random

from graph.layout.ordering import (
    LayeredGraph,
    group_sections,
    initial_orders,
    lane_blocks,
    mincross,
    order_positions,
)
from graph.layout.records import Lane, LayoutOptions
from graph.model import Roadmap

__all__: list[str] = []  # its names serve graph.layout.build only


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """Weighted least-squares non-decreasing fit (pool adjacent violators)."""
    means: list[float] = []
    wts: list[float] = []
    counts: list[int] = []
    for v, w in zip(values, weights, strict=True):
        means.append(v)
        wts.append(w)
        counts.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            m, wt, ct = means.pop(), wts.pop(), counts.pop()
            tot = wts[-1] + wt
            means[-1] = (means[-1] * wts[-1] + m * wt) / tot
            wts[-1] = tot
            counts[-1] += ct
    out: list[float] = []
    for m, ct in zip(means, counts, strict=True):
        out.extend([m] * ct)
    return out


def _coordinates(g: LayeredGraph, orders: list[list[int]], chains: list[list[int]],
                 heights: list[float], lane_tops: list[float], lane_inner: list[float],
                 opts: LayoutOptions, rounds: int) -> list[float]:
    """Vertical centres: order and lane bounds kept, edges short, long edges straight.

    The energy is a sum of squares: ``(y_u - y_v)^2`` for every edge, and for each
    virtual point ``straight * (y_d - ((1 - t) y_u + t y_v))^2``, its distance from the
    straight line between its edge's ends. Rounds of Gauss-Seidel: each column block
    moves to its elements' minimisers, then a bounded isotonic regression restores the
    order and the spacing.
    """
    real = g.real
    blocks: list[tuple[list[int], list[float], float, float]] = []
    y = [0.0] * len(g.layer)
    for order in orders:
        for block in lane_blocks(g, order):
            offs, acc = [], 0.0  # centre offsets when packed from the top
            for i, e in enumerate(block):
                if i:
                    acc += (opts.row_gap if real[e] and real[block[i - 1]]
                            else opts.virtual_gap)
                offs.append(acc + heights[e] / 2)
                acc += heights[e]
            lane = g.lane[block[0]]
            lo, room = lane_tops[lane], lane_inner[lane] - acc
            blocks.append((block, offs, lo, lo + room))
            for e, off in zip(block, offs, strict=True):
                y[e] = lo + room / 2 + off  # start centred
    pairs: list[list[int]] = [[] for _ in g.layer]   # the other end of each edge
    ends: list[list[tuple[int, float, int, float]]] = [[] for _ in g.layer]
    line: list[tuple[int, int, float]] = [(0, 0, 0.0)] * len(g.layer)
    w_line = opts.straight
    for chain in chains:
        u, v = chain[0], chain[-1]
        pairs[u].append(v)
        pairs[v].append(u)
        span = len(chain) - 1
        for k, d in enumerate(chain[1:-1], 1):
            t = k / span
            line[d] = (u, v, t)
            ends[u].append((d, 1 - t, v, t))   # residual y_d - (1-t) y_u - t y_v
            ends[v].append((d, t, u, 1 - t))
    backwards = blocks[::-1]
    for r in range(rounds):
        for block, offs, lo, hi in (blocks if r % 2 == 0 else backwards):
            want, wts = [], []
            for e, off in zip(block, offs, strict=True):
                if real[e]:
                    num = den = 0.0
                    for x in pairs[e]:
                        num += y[x]
                        den += 1.0
                    for d, a, o, b in ends[e]:
                        num += w_line * a * (y[d] - b * y[o])
                        den += w_line * a * a
                    want.append((num / den if den else y[e]) - off)
                    wts.append(den or 0.01)
                else:
                    u, v, t = line[e]
                    want.append((1 - t) * y[u] + t * y[v] - off)
                    wts.append(w_line)
            for e, z, off in zip(block, _isotonic(want, wts), offs, strict=True):
                y[e] = min(max(z, lo), hi) + off
    return y



class Plan:
    """The layered graph for one lane order, and its placement for one set of orders."""

    def __init__(self, roadmap: Roadmap, col: dict[str, int], n_layers: int,
                 lane_ids: list[str], section_rank: dict[str, int],
                 box_h: dict[str, float], opts: LayoutOptions) -> None:
        self.opts, self.lane_ids = opts, lane_ids
        lane_of = {s: i for i, s in enumerate(lane_ids)}
        g = self.g = LayeredGraph(n_layers)
        self.index: dict[str, int] = {}
        for nid, node in roadmap.nodes.items():
            pin = node.position
            self.index[nid] = g.add(col[nid], lane_of.get(node.section, 0),
                                    section_rank[node.section], True,
                                    None if pin is None else pin[1])
        self.ident = ident = list(roadmap.nodes)
        self.chains: list[tuple[str, str, list[int]]] = []
        for u, v in roadmap.edges():
            a, b = self.index[u], self.index[v]
            la, lb = g.lane[a], g.lane[b]
            sa, sb = g.section[a], g.section[b]
            span = col[v] - col[u]
            chain = [a]
            for k in range(1, span):  # where a straight line from u to v passes
                t = k / span
                chain.append(g.add(col[u] + k, round(la + (lb - la) * t),
                                   sa + (sb - sa) * t, False))
                ident.append(f"~{u}>{v}#{k}")
            chain.append(b)
            for x, y in zip(chain, chain[1:], strict=False):
                g.link(x, y)
            self.chains.append((u, v, chain))
        for members in g.layers:
            members.sort(key=ident.__getitem__)
        self.heights = [opts.virtual_px] * len(g.layer)
        for nid, e in self.index.items():
            self.heights[e] = box_h[nid]
        self.ys: list[float] = []
        self.lanes: tuple[Lane, ...] = ()
        self.height = 0.0
        self.final: list[list[int]] = []

    def orders(self, starts: int, sweeps: int, passes: int, both: bool
               ) -> list[tuple[int, list[list[int]]]]:
        """Crossing-reduced orders from up to ``starts`` initial orders (distinct ones);
        without lanes, with neighbours bubbled into the sections' order (and, with
        ``both``, as they were too)."""
        g = self.g
        out: list[tuple[int, list[list[int]]]] = []
        by_id = sorted(range(len(g.layer)), key=self.ident.__getitem__)
        sources = [e for e in by_id if g.real[e] and not g.up[e]]
        sinks = [e for e in by_id if g.real[e] and not g.down[e]]
        starts_from = [sources, sources[::-1], sinks, sinks[::-1]]
        for k in range(len(starts_from), starts):  # then seeded shuffles: deterministic
            shuffled = list(sources if k % 2 else sinks)
            random.Random(k).shuffle(shuffled)
            starts_from.append(shuffled)
        for roots in starts_from[:starts]:
            c, orders = mincross(g, initial_orders(g, self.ident, roots + by_id), sweeps,
                                  self.opts.patience, passes)
            found = [(c, orders)]
            if not self.opts.lanes:
                grouped = [list(o) for o in orders]
                group_sections(g, grouped, order_positions(g, grouped))
                found = [(c, grouped)] + (found if both else [])
            out += [f for f in found if all(f[1] != o for _, o in out)]
        return out

    def place(self, orders: list[list[int]], rounds: int) -> None:
        """Lanes (or the one band) as tall as their fullest column, then the centres."""
        g, opts, heights = self.g, self.opts, self.heights
        need = [0.0] * max(len(self.lane_ids), 1)
        for order in orders:
            for block in lane_blocks(g, order):
                h = sum(heights[e] for e in block) + sum(
                    opts.row_gap if g.real[a] and g.real[b] else opts.virtual_gap
                    for a, b in zip(block, block[1:], strict=False))
                lane = g.lane[block[0]]
                need[lane] = max(need[lane], h)
        if not opts.lanes:
            self.lanes = ()
            top = opts.margin + opts.group_pad
            self.height = top + need[0] + opts.group_pad + opts.margin
            self.ys = _coordinates(g, orders, [c for _, _, c in self.chains], heights,
                                   [top], need, opts, rounds)
            return
        lanes, tops, y0 = [], [], opts.margin
        for lane, sid in enumerate(self.lane_ids):
            h = opts.lane_header + 2 * opts.lane_pad + need[lane]
            lanes.append(Lane(sid, y0, h))
            tops.append(y0 + opts.lane_header + opts.lane_pad)
            y0 += h + opts.lane_gap
        self.lanes = tuple(lanes)
        self.height = y0 - opts.lane_gap + opts.margin
        self.ys = _coordinates(g, orders, [c for _, _, c in self.chains], heights, tops,
                               need, opts, rounds)

    def snapshot(self, orders: list[list[int]]) -> Plan:
        """A shallow copy that keeps the current placement (and its orders)."""
        copy = object.__new__(Plan)
        copy.__dict__.update(self.__dict__)
        copy.final = orders
        return copy
