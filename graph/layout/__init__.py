"""Layered drawing of the prerequisite DAG: positions, box sizes, edge routes, crossings.

A Sugiyama-style layout in plain Python, drawn left to right:

1. **Columns.** Every node sits right of all its prerequisites. Columns start at the
   prerequisite depth and are then shifted to make the edges as short as possible in
   total (network simplex, as Graphviz ``dot`` ranks); an edge that still skips columns
   runs through one virtual point per column it passes.
2. **Order** within each column by weighted-median sweeps, left to right and back, each
   followed by adjacent transpositions, from several initial orders; the orders with
   fewest crossings (between adjacent columns, virtual points included) are kept.
3. **Sections.** By default sections are *colour groups that do not interleave
   needlessly*: a last pass swaps neighbours into the sections' order wherever that adds
   no crossing, and each run of one section's boxes in a column gets a group box. With
   ``LayoutOptions(lanes=True)`` every section gets a horizontal band instead (a lane
   that holds all of its nodes), at the price of more crossings.
4. **Coordinates.** Boxes are pulled towards their neighbours and every virtual point
   towards the straight line between its edge's ends (so curves through the virtual
   points cross what the straight segments cross); a bounded isotonic regression keeps
   each column's order and spacing.

Among the candidates (initial orders, lane orders) the drawing whose straight edges
cross least wins. Boxes fit the full title, wrapped (text widths are estimated per
character), in every language the node has, so switching language moves nothing. The
result is deterministic; :class:`LayoutCache` keeps layouts by a hash of exactly what
they depend on. :func:`crossings` counts crossings of straight segments between box
centres, the measure used to compare with ``dot``.

Authors may pin a node with ``position: [column, row]`` in its YAML: the column (0 is
the leftmost), which must come after every prerequisite's column, and the row, its
0-based place from the top among the boxes of that column (of its section, with lanes).
With pins, columns start at depth and move right only where no pin stops them.

The package, one step a module: :mod:`~graph.layout.records` (options and results),
:mod:`~graph.layout.text` (title widths and wrapping), :mod:`~graph.layout.ranking`
(columns, pins), :mod:`~graph.layout.ordering` (order within columns, crossing counts),
:mod:`~graph.layout.placement` (lanes or groups, vertical centres),
:mod:`~graph.layout.build` (:func:`layered_layout`, the content hash) and
:mod:`~graph.layout.cache` (:class:`LayoutCache`, :func:`layout_json`). Callers use the
names listed here, through ``from graph import ...``.
"""

from __future__ import annotations

from graph.layout import build, cache, ordering, ranking, records, text
from graph.layout.build import *  # noqa: F403 - each module's __all__, listed below
from graph.layout.cache import *  # noqa: F403
from graph.layout.ordering import *  # noqa: F403
from graph.layout.ranking import *  # noqa: F403
from graph.layout.records import *  # noqa: F403
from graph.layout.text import *  # noqa: F403

__all__ = [*records.__all__, *text.__all__, *ranking.__all__, *ordering.__all__,
           *build.__all__, *cache.__all__]


