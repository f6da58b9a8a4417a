"""Another correct answer: other wording and examples, keyword-style returns, a guide that
links through {py:obj} roles and a definition list."""


def documented_module():
    return '''\
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
    """Return the circumference of a circle of radius ``r``.

    Parameters
    ----------
    r : float
        The radius; a negative radius gives a negative length.

    Returns
    -------
    float
        The circumference, ``2 * pi * r``.

    Examples
    --------
    >>> perimeter(0.0)
    0.0
    >>> perimeter(1.0) == 2 * math.pi
    True
    """
    return 2 * math.pi * r


def scale(points: list[tuple[float, float]], factor: float,
          origin: tuple[float, float] = (0.0, 0.0)) -> list[tuple[float, float]]:
    """Scale points about an origin.

    Each point moves along the line through ``origin`` so that its distance from the
    origin is multiplied by ``factor``.

    Parameters
    ----------
    points : list of tuple of float
        ``(x, y)`` coordinates.
    factor : float
        Multiplier of the distance to ``origin``.
    origin : tuple of float, optional
        The fixed point of the transformation, by default the origin ``(0.0, 0.0)``.

    Returns
    -------
    list of tuple of float
        One point per input point, in order.

    See Also
    --------
    centroid : The mean of the points, which scaling about it leaves in place.

    Examples
    --------
    >>> scale([(2.0, 4.0)], 0.5)
    [(1.0, 2.0)]
    """
    ox, oy = origin
    return [(ox + factor * (x - ox), oy + factor * (y - oy)) for x, y in points]


def centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Return the mean point of ``points``.

    Parameters
    ----------
    points : list of tuple of float
        A non-empty list of ``(x, y)`` coordinates.

    Returns
    -------
    tuple of float
        The coordinates ``(x, y)`` of the centroid.

    Raises
    ------
    ZeroDivisionError
        When ``points`` is empty.

    Examples
    --------
    >>> centroid([(1.0, 2.0), (3.0, 4.0)])
    (2.0, 3.0)
    """
    n = len(points)
    return (sum(x for x, _ in points) / n, sum(y for _, y in points) / n)


@dataclass
class Rectangle:
    """An axis-aligned rectangle given by its two side lengths.

    Attributes
    ----------
    width : float
        Extent along the x axis.
    height : float
        Extent along the y axis.

    Examples
    --------
    >>> r = Rectangle(width=1.5, height=2.0)
    >>> r.width * r.height
    3.0
    """

    width: float
    height: float

    def area(self) -> float:
        """Return the area.

        Returns
        -------
        float
            The product of the two sides.

        Examples
        --------
        >>> Rectangle(4.0, 0.25).area()
        1.0
        """
        return self.width * self.height
'''


def guide_page():
    return """\
# Getting started with shapes

All functions live in one module; see {doc}`the API reference <api>` for every detail.

Circle
: {py:obj}`shapes.geometry.area` and {py:obj}`shapes.geometry.perimeter`.

Points
: {py:obj}`shapes.geometry.scale` and {py:obj}`shapes.geometry.centroid`.

Rectangle
: {py:obj}`shapes.geometry.Rectangle` with its `area()` method.

```pycon
>>> import shapes.geometry as g
>>> g.scale([(1.0, 0.0)], 2.0, origin=(1.0, 1.0))
[(1.0, -1.0)]
>>> g.Rectangle(3.0, 2.0).area() == 6.0
True
```
"""
