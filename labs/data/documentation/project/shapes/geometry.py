"""Plane geometry helpers: areas and perimeters of simple shapes."""

from __future__ import annotations

import math
from dataclasses import dataclass


def area(radius: float) -> float:
    """Area of a circle.

    Parameters
    ----------
    radius : float
        Circle radius, >= 0.

    Returns
    -------
    float
        ``pi * radius ** 2``.

    Examples
    --------
    >>> round(area(1.0), 4)
    3.1416
    """
    return math.pi * radius**2


def perimeter(r: float) -> float:
    """Perimeter of a circle.

    Parameters
    ----------
    radius : float
        Circle radius.
    """
    return 2 * math.pi * r


def scale(points: list[tuple[float, float]], factor: float,
          origin: tuple[float, float] = (0.0, 0.0)) -> list[tuple[float, float]]:
    """Scale points about an origin.

    Parameters
    ----------
    points : list of (x, y)
        The points.
    factor : float
        Scale factor.
    """
    ox, oy = origin
    return [(ox + factor * (x - ox), oy + factor * (y - oy)) for x, y in points]


def centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    n = len(points)
    return (sum(x for x, _ in points) / n, sum(y for _, y in points) / n)


@dataclass
class Rectangle:
    """An axis-aligned rectangle.

    Parameters
    ----------
    width, height : float
        Side lengths.
    """

    width: float
    height: float

    def area(self) -> float:
        """Area ``width * height``."""
        return self.width * self.height
