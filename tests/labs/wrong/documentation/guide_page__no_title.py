"""Bug: the page starts at a level-2 heading: no document title."""


def guide_page():
    return """\
`shapes` computes areas and perimeters of plane shapes and moves points around. The
{doc}`api` lists everything; this page shows the common calls.

## Circles

{py:func}`shapes.geometry.area` and {py:func}`shapes.geometry.perimeter` take a radius:

```pycon
>>> from shapes.geometry import area, perimeter
>>> round(area(2.0), 3), round(perimeter(2.0), 3)
(12.566, 12.566)
```

## Points and rectangles

{py:func}`shapes.geometry.scale` stretches points about an origin and
{py:func}`shapes.geometry.centroid` averages them; {py:class}`shapes.geometry.Rectangle`
holds a width and a height.

```pycon
>>> from shapes.geometry import Rectangle, centroid, scale
>>> centroid(scale([(0.0, 0.0), (2.0, 2.0)], 3.0))
(3.0, 3.0)
>>> Rectangle(2.0, 3.0).area()
6.0
```
"""
