"""Plane geometry helpers: areas and perimeters of simple shapes.

Docstrings follow the numpydoc convention, which Sphinx reads through ``napoleon``.
"""

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


def scale(points: list, factor: float, origin: tuple = (0.0, 0.0)) -> list:
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


def centroid(points: list) -> tuple:
    n = len(points)
    return (sum(x for x, _ in points) / n, sum(y for _, y in points) / n)


def _check(points: list) -> None:
    if not points:
        raise ValueError("no points")


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

    def perimeter(self) -> float:
        return 2 * (self.width + self.height)

    def scaled(self, factor: float) -> Rectangle:
        """A copy with both sides multiplied by ``factor``."""
        return Rectangle(self.width * factor, self.height * factor)


class Triangle:
    def __init__(self, a: float, b: float, c: float) -> None:
        self.sides = (a, b, c)

    def area(self) -> float:
        """Area by Heron's formula."""
        a, b, c = self.sides
        s = (a + b + c) / 2
        return math.sqrt(s * (s - a) * (s - b) * (s - c))
