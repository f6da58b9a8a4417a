"""The layout of a roadmap: the candidates placed and scored, the winner assembled; and
the hash of exactly what a layout depends on (its cache key)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from graph.layout.ordering import count_crossings
from graph.layout.placement import Plan
from graph.layout.ranking import columns, lane_orders
from graph.layout.records import EdgeRoute, Group, Layout, LayoutOptions, NodeBox
from graph.layout.text import text_width, wrap_title
from graph.model import Roadmap

__all__ = ["layered_layout", "content_hash"]


def content_hash(roadmap: Roadmap, lang: str = "en",
                 options: LayoutOptions | None = None) -> str:
    """A hash of exactly what the layout depends on.

    Sections (id, order), nodes (id, section, prerequisites, titles in every language,
    pin), the language of the lines and the options: editing a summary, a resource or a
    lab keeps the hash, and so the cached layout.
    """
    opts = options or LayoutOptions()
    doc = {
        "v": 1,
        "lang": lang,
        "options": asdict(opts),
        "sections": [(s.id, s.order) for s in roadmap.sections],
        "nodes": [(n.id, n.section, roadmap.pred[n.id], n.title,
                   sorted((k, t.title) for k, t in n.i18n.items()), n.position)
                  for n in roadmap.nodes.values()],
    }
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()[:24]



def layered_layout(roadmap: Roadmap, lang: str = "en",
                   options: LayoutOptions | None = None) -> Layout:
    """Compute the layered layout of ``roadmap`` (uncached; see :func:`cached_layout`).

    Parameters
    ----------
    roadmap : Roadmap
    lang : str
        Language of the wrapped title lines (``en``, ``es``); the geometry is the same
        in every language.
    options : LayoutOptions, optional
        Sizes, choices and effort; the defaults suit the app's renderer.

    Returns
    -------
    Layout
        Boxes, edge routes, lanes or groups in one coordinate system (px at zoom 1,
        x to the right, y down).

    Raises
    ------
    LayoutError
        If a ``position`` pin puts a node in a column not after its prerequisites'.

    Examples
    --------
    >>> from graph import load_roadmap
    >>> rm = load_roadmap()
    >>> lay = layered_layout(rm)
    >>> lay.nodes["calculus"].layer < lay.nodes["backpropagation"].layer
    True
    """
    opts = options or LayoutOptions()
    col = columns(roadmap, opts)
    n_layers = max(col.values(), default=-1) + 1
    nodes = roadmap.nodes
    ids = list(nodes)

    # -- box sizes: the full title, wrapped, in the tallest of the node's languages
    def wrap(text: str) -> list[str]:
        return wrap_title(text, opts.wrap_px, opts.font_px)

    texts = {nid: [n.title] + [t.title for _, t in sorted(n.i18n.items())]
             for nid, n in nodes.items()}
    wrapped_all = {nid: [wrap(t) for t in ts] for nid, ts in texts.items()}
    text_w = max((text_width(line, opts.font_px) for ws in wrapped_all.values()
                  for w in ws for line in w), default=0.0)
    box_w = round(max(opts.wrap_px, text_w) + 2 * opts.pad_x)
    box_h = {nid: max(len(w) for w in ws) * opts.line_px + 2 * opts.pad_y
             for nid, ws in wrapped_all.items()}

    def x_of(layer: int) -> float:
        return opts.margin + layer * (box_w + opts.col_gap) + box_w / 2

    sections = sorted(roadmap.sections, key=lambda s: (s.order, s.id))
    used = {n.section for n in nodes.values()}
    present = [s.id for s in sections if s.id in used] + sorted(
        used - {s.id for s in sections})  # sections.yaml may not name them all
    section_rank = {s: i for i, s in enumerate(present)}
    edges = roadmap.edges()

    # -- effort: every candidate on small roadmaps; one, more lightly, on big ones
    small = len(ids) + sum(col[v] - col[u] - 1 for u, v in edges) <= opts.small
    starts = opts.starts if small else 1
    sweeps = opts.sweeps if small else min(opts.sweeps, 6)
    passes = 8 if small else 1
    rounds = opts.rounds if small else min(opts.rounds, 6)
    lane_sets = (lane_orders(roadmap, present, opts.lane_orders if small else 1)
                 if opts.lanes else [[]])
    best: tuple[tuple[int, int, int], Plan] | None = None
    rank = 0
    for lane_ids in lane_sets:
        plan = Plan(roadmap, col, n_layers, lane_ids, section_rank, box_h, opts)
        for layered, orders in plan.orders(starts, sweeps, passes, both=small):
            plan.place(orders, rounds)
            score = (0, layered, rank)
            if small:
                ys = plan.ys
                centres = {nid: (x_of(col[nid]), ys[plan.index[nid]]) for nid in ids}
                score = (count_crossings(centres, edges), layered, rank)
            rank += 1
            if best is None or score < best[0]:
                best = (score, plan.snapshot(orders))
    assert best is not None
    plan = best[1]
    return _assemble(roadmap, lang, opts, plan, col, n_layers, box_w, box_h, x_of)


def _assemble(roadmap: Roadmap, lang: str, opts: LayoutOptions, plan: Plan,
              col: dict[str, int], n_layers: int, box_w: float,
              box_h: dict[str, float], x_of: Any) -> Layout:
    """The public :class:`Layout` of a placed plan."""
    nodes, ys, g = roadmap.nodes, plan.ys, plan.g
    boxes = {}
    for nid, node in nodes.items():
        lines = wrap_title(node.title_in(lang), opts.wrap_px, opts.font_px)
        boxes[nid] = NodeBox(nid, x_of(col[nid]), round(ys[plan.index[nid]], 1), box_w,
                             box_h[nid], col[nid], node.section, tuple(lines))
    half = box_w / 2
    routes = []
    for u, v, chain in plan.chains:
        pts = [(boxes[u].x + half, boxes[u].y)]
        for e in chain[1:-1]:
            x, y = x_of(g.layer[e]), round(ys[e], 1)
            pts += [(x - half, y), (x + half, y)]
        pts.append((boxes[v].x - half, boxes[v].y))
        routes.append(EdgeRoute(u, v, tuple(pts)))
    groups = []
    if not opts.lanes:
        by_id = {e: nid for nid, e in plan.index.items()}
        pad = opts.group_pad
        for k, order in enumerate(plan.final):
            run: list[NodeBox] = []
            for e in [e for e in order if g.real[e]] + [-1]:
                box = boxes[by_id[e]] if e >= 0 else None
                if run and (box is None or box.section != run[0].section
                            or box.y - box.h / 2 - (run[-1].y + run[-1].h / 2) > 3 * opts.row_gap):
                    top = run[0].y - run[0].h / 2 - pad
                    bottom = run[-1].y + run[-1].h / 2 + pad
                    groups.append(Group(run[0].section, k, x_of(k) - half - pad, round(top, 1),
                                        box_w + 2 * pad, round(bottom - top, 1)))
                    run = []
                if box is not None:
                    run.append(box)
    width = 2 * opts.margin + n_layers * box_w + max(n_layers - 1, 0) * opts.col_gap
    return Layout(boxes, tuple(routes), plan.lanes, tuple(groups), width,
                  round(plan.height, 1), n_layers, content_hash(roadmap, lang, opts))
