"""The layout's records: the options it is computed with, and what it computes."""

from __future__ import annotations

from dataclasses import dataclass

from graph.errors import LayoutError

__all__ = ["LayoutOptions", "NodeBox", "EdgeRoute", "Lane", "Group", "Layout"]


RANKINGS = ("simplex", "depth")


@dataclass(frozen=True)
class LayoutOptions:
    """Sizes (in px at zoom 1), choices and effort of the layout; part of the cache key."""

    font_px: float = 13.0      # title font size the renderer uses
    line_px: float = 16.0      # line height of a wrapped title
    wrap_px: float = 118.0     # width a title line may take before it wraps
    pad_x: float = 10.0        # box padding left and right of the text
    pad_y: float = 8.0         # box padding above and below the text
    col_gap: float = 52.0      # space between columns, where the edges curve
    row_gap: float = 16.0      # space between two boxes in a column
    virtual_px: float = 4.0    # height a long edge takes where it passes a column
    virtual_gap: float = 6.0   # space between a passing edge and its neighbours
    group_pad: float = 6.0     # margin of a section's group box around its boxes
    lane_header: float = 24.0  # room for the section title at the top of a lane
    lane_pad: float = 8.0      # space inside a lane above and below its boxes
    lane_gap: float = 6.0      # space between two lanes
    margin: float = 12.0       # space around the whole drawing
    ranking: str = "simplex"   # "simplex": shortest edges; "depth": column = depth
    lanes: bool = False        # one horizontal band per section (more crossings)
    sweeps: int = 24           # at most this many ordering sweeps per start
    patience: int = 8          # stop after this many sweeps without fewer crossings
    starts: int = 8            # initial orders tried (walks from both ends, then shuffles)
    lane_orders: int = 3       # lane orders tried with lanes (shortest edges first)
    rounds: int = 24           # coordinate rounds (pull towards neighbours, then fit)
    straight: float = 8.0      # how strongly virtual points keep to their edge's line
    small: int = 600           # nodes + virtual points up to which every candidate runs

    def __post_init__(self) -> None:
        if self.ranking not in RANKINGS:
            raise LayoutError(f"layout ranking must be one of {', '.join(RANKINGS)}, "
                              f"got {self.ranking!r}")


@dataclass(frozen=True)
class NodeBox:
    """A node's box: centre ``(x, y)``, size ``w`` x ``h``, column and wrapped title."""

    id: str
    x: float
    y: float
    w: float
    h: float
    layer: int
    section: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class EdgeRoute:
    """An edge from prerequisite ``source`` to dependent ``target``.

    ``points`` runs from the right side of the source box, through two points per column
    the edge passes (where it enters and leaves the column), to the left side of the
    target box; a renderer joins them with horizontal-tangent curves.
    """

    source: str
    target: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Lane:
    """The horizontal band of a section (lanes mode): ``y`` to ``y + h``, full width."""

    section: str
    y: float
    h: float


@dataclass(frozen=True)
class Group:
    """A run of one section's boxes in one column: the rectangle around them."""

    section: str
    layer: int
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Layout:
    """A computed layout: boxes by id, edge routes, section lanes or groups, size."""

    nodes: dict[str, NodeBox]
    edges: tuple[EdgeRoute, ...]
    lanes: tuple[Lane, ...]
    groups: tuple[Group, ...]
    width: float
    height: float
    layers: int
    key: str

    def centres(self) -> dict[str, tuple[float, float]]:
        """Node id to box centre."""
        return {i: (b.x, b.y) for i, b in self.nodes.items()}
