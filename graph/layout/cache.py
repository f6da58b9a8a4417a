"""Layouts kept by content hash (:class:`LayoutCache`), and the layout as JSON."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from graph.layout.build import content_hash, layered_layout
from graph.layout.ordering import crossings
from graph.layout.records import Layout, LayoutOptions
from graph.model import Roadmap

__all__ = ["LayoutCache", "LAYOUT_CACHE", "cached_layout", "layout_json"]


class LayoutCache:
    """Layouts kept by :func:`content_hash`, the least recently used dropped first.

    Nothing is stored on the roadmap: an edited roadmap has a new hash and gets a new
    layout; an unchanged one (a Streamlit rerun, a reloaded copy) reuses the old one.

    Examples
    --------
    >>> from graph import load_roadmap
    >>> cache = LayoutCache(maxsize=4)
    >>> rm = load_roadmap()
    >>> cache.get(rm) is cache.get(rm), cache.hits, cache.misses
    (True, 1, 1)
    """

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[str, Layout] = OrderedDict()

    def get(self, roadmap: Roadmap, lang: str = "en",
            options: LayoutOptions | None = None) -> Layout:
        """The layout of ``roadmap`` with titles in ``lang``: kept, or computed and kept."""
        key = content_hash(roadmap, lang, options)
        found = self._items.get(key)
        if found is not None:
            self.hits += 1
            self._items.move_to_end(key)
            return found
        self.misses += 1
        made = layered_layout(roadmap, lang=lang, options=options)
        self._items[key] = made
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)
        return made

    def clear(self) -> None:
        """Forget every layout (and the hit and miss counts)."""
        self._items.clear()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


LAYOUT_CACHE = LayoutCache()


def cached_layout(roadmap: Roadmap, lang: str = "en",
                  options: LayoutOptions | None = None) -> Layout:
    """:func:`layered_layout` through the process-wide :data:`LAYOUT_CACHE`."""
    return LAYOUT_CACHE.get(roadmap, lang, options)


def layout_json(roadmap: Roadmap, lang: str = "en",
                options: LayoutOptions | None = None) -> dict[str, Any]:
    """The layout as JSON-ready data (what ``roadmap layout --format json`` prints).

    Returns
    -------
    dict
        ``{"nodes": [{"id", "x", "y", "w", "h", "layer", "section", "lines"}, ...],
        "edges": [{"source", "target", "points": [[x, y], ...]}, ...],
        "lanes": [{"section", "y", "h"}, ...], "groups": [{"section", "layer", "x",
        "y", "w", "h"}, ...], "crossings": N, "width", "height", "layers", "key"}``.
        Node centres, routes, lanes and groups share one coordinate system (px at
        zoom 1, x to the right, y down).

    Examples
    --------
    >>> from graph import load_roadmap
    >>> rm = load_roadmap()
    >>> data = layout_json(rm)
    >>> len(data["nodes"]) == len(rm.nodes), sorted(data["nodes"][0])[:3]
    (True, ['h', 'id', 'layer'])
    """
    lay = cached_layout(roadmap, lang, options)
    return {
        "nodes": [{"id": b.id, "x": b.x, "y": b.y, "w": b.w, "h": b.h, "layer": b.layer,
                   "section": b.section, "lines": list(b.lines)} for b in lay.nodes.values()],
        "edges": [{"source": r.source, "target": r.target,
                   "points": [[x, y] for x, y in r.points]} for r in lay.edges],
        "lanes": [asdict(ln) for ln in lay.lanes],
        "groups": [asdict(gr) for gr in lay.groups],
        "crossings": crossings(lay),
        "width": lay.width,
        "height": lay.height,
        "layers": lay.layers,
        "key": lay.key,
    }
