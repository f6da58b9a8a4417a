"""Bug: area's docstring in Google style (Args:, Returns:): numpydoc reads no section."""


def documented_module():
    return '''\
"""Plane geometry helpers: areas and perimeters of simple shapes."""

from __future__ import annotations

import math
from dataclasses import dataclass


def area(radius: float) -> float:
    """Area of a circle.

    Args:
        radius (float): Circle radius, >= 0.

    Returns:
        float: ``pi * radius ** 2``.

    Examples:
    >>> round(area(1.0), 4)
    3.1416
    """
    return math.pi * radius**2


def perimeter(r: float) -> float:
    """Perimeter of a circle.

    Parameters
    ----------
    r : float
        Circle radius, >= 0.

    Returns
    -------
    float
        ``2 * pi * r``.

    Examples
    --------
    >>> round(perimeter(0.5), 4)
    3.1416
    """
    return 2 * math.pi * r


def scale(points: list[tuple[float, float]], factor: float,
          origin: tuple[float, float] = (0.0, 0.0)) -> list[tuple[float, float]]:
    """Scale points about an origin.

    Parameters
    ----------
    points : list of tuple of float
        The points, as ``(x, y)`` pairs.
    factor : float
        Scale factor; 1 leaves the points where they are.
    origin : tuple of float, optional
        The point that stays fixed; ``(0.0, 0.0)`` when not given.

    Returns
    -------
    list of tuple of float
        The scaled points, in the same order.

    Examples
    --------
    >>> scale([(1.0, 1.0), (2.0, 0.0)], 2.0, origin=(1.0, 0.0))
    [(1.0, 2.0), (3.0, 0.0)]
    """
    ox, oy = origin
    return [(ox + factor * (x - ox), oy + factor * (y - oy)) for x, y in points]


def centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Centroid (mean point) of a non-empty list of points.

    Parameters
    ----------
    points : list of tuple of float
        The points, as ``(x, y)`` pairs; at least one.

    Returns
    -------
    tuple of float
        The mean ``x`` and the mean ``y``.

    Examples
    --------
    >>> centroid([(0.0, 0.0), (2.0, 0.0), (1.0, 3.0)])
    (1.0, 1.0)
    """
    n = len(points)
    return (sum(x for x, _ in points) / n, sum(y for _, y in points) / n)


@dataclass
class Rectangle:
    """An axis-aligned rectangle.

    Attributes
    ----------
    width : float
        Side length along x.
    height : float
        Side length along y.

    Examples
    --------
    >>> Rectangle(2.0, 3.0)
    Rectangle(width=2.0, height=3.0)
    """

    width: float
    height: float

    def area(self) -> float:
        """Area of the rectangle.

        Returns
        -------
        float
            ``width * height``.

        Examples
        --------
        >>> Rectangle(2.0, 3.0).area()
        6.0
        """
        return self.width * self.height
'''
