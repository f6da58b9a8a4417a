"""Bug: examples in ```python fences: shown, but never run as doctests."""


def guide_page():
    return """\
# User guide

`shapes` computes areas and perimeters of plane shapes and moves points around. The
{doc}`api` lists everything; this page shows the common calls.

## Circles

{py:func}`shapes.geometry.area` and {py:func}`shapes.geometry.perimeter` take a radius:

```python
>>> from shapes.geometry import area, perimeter
>>> round(area(2.0), 3), round(perimeter(2.0), 3)
(12.566, 12.566)
```

## Points and rectangles

{py:func}`shapes.geometry.scale` stretches points about an origin and
{py:func}`shapes.geometry.centroid` averages them; {py:class}`shapes.geometry.Rectangle`
holds a width and a height.

```python
>>> from shapes.geometry import Rectangle, centroid, scale
>>> centroid(scale([(0.0, 0.0), (2.0, 2.0)], 3.0))
(3.0, 3.0)
>>> Rectangle(2.0, 3.0).area()
6.0
```
"""
