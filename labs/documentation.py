"""Technical documentation: numpydoc docstrings and a guide that Sphinx builds without a warning.

Good docs live next to the code. Each public function and class has a docstring in a
convention tools can read (numpydoc here: a one-line summary, then ``Parameters``,
``Returns`` and ``Examples`` sections with underlined headings) that says what every
parameter means and shows a call with its output. The examples are *doctests*: ``>>>`` lines
whose printed result must match, so a stale example fails instead of misleading. Sphinx
turns the docstrings into an API reference (``autodoc`` + ``napoleon``) beside hand-written
pages in reStructuredText or Markdown (MyST), where roles such as
``{py:func}`shapes.geometry.area``` link to the reference. ``sphinx-build -W -n`` makes every
warning an error and every cross-reference that does not resolve a warning, so CI keeps the
docs buildable and their links true. Code review then catches what tools cannot.

You document ``ORIGINAL`` (``shapes/geometry.py``: a parameter renamed in the code but not in
its docstring, an undocumented argument, missing sections and docstrings) without changing
its code, and rewrite the user guide ``DRAFT_GUIDE`` (a MyST Markdown page). The real tools
judge: ``numpydoc lint`` with ``NUMPYDOC_CHECKS``, ``doctest`` on the module and on the
guide's ``pycon`` blocks, and ``sphinx-build -W -n`` on the whole site (``DOCS``).

$ python labs/documentation.py --quick
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit

EXERCISES = ("documented_module", "guide_page")
PROJECT = Path(__file__).resolve().parent / "data" / "documentation" / "project"
ORIGINAL = PROJECT / "shapes" / "geometry.py"  # the module you document
DRAFT_GUIDE = PROJECT / "docs" / "guide.md"  # the page you rewrite
DOCS = PROJECT / "docs"  # conf.py (autodoc, napoleon, MyST), index.rst, api.rst
NUMPYDOC_CHECKS = ["all", "ES01", "SA01"]  # every numpydoc check except these two
PUBLIC = ("area", "perimeter", "scale", "centroid", "Rectangle")  # what the guide links
# Runs doctest on the module and on the guide's ```pycon blocks; prints JSON results.
DOCTESTS = r"""
import doctest, json, re, sys
import shapes.geometry as g
page = open("docs/guide.md", encoding="utf-8").read()
blocks = re.findall(r"^```pycon[^\n]*\n(.*?)^```", page, re.M | re.S)
open("guide_examples.txt", "w").write("\n".join(blocks))
m = doctest.testmod(g)
p = doctest.testfile("guide_examples.txt", module_relative=False)
print(json.dumps({"module": [m.failed, m.attempted], "guide": [p.failed, p.attempted]}))
"""


@dataclass
class Config:
    timeout_s: float = 180.0  # per tool


# ----------------------------------------------------------------- exercises
def documented_module() -> str:
    """The source of ``ORIGINAL`` with every public function, class and method documented.

    numpydoc conventions: ``numpydoc lint`` with ``NUMPYDOC_CHECKS`` reports nothing (a
    summary line ending in a period, every parameter under ``Parameters`` with its type
    and description, ``Returns``, ``Examples``; a dataclass documents its fields under
    ``Attributes``). Every example passes ``doctest``; Sphinx renders every docstring
    without a warning (``-W -n``). Change docstrings only: the code, parameter names
    included, stays exactly as it is.
    """
    return ORIGINAL.read_text().replace('''    Parameters
    ----------
    radius : float
        Circle radius.
    """
    return 2''', '''    Parameters
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
    return 2''').replace('''    points : list of (x, y)
        The points.
    factor : float
        Scale factor.
    """''', '''    points : list of tuple of float
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
    """''').replace('''tuple[float, float]:
    n = len''', '''tuple[float, float]:
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
    n = len''').replace('''    Parameters
    ----------
    width, height : float
        Side lengths.
    """''', '''    Attributes
    ----------
    width : float
        Side length along x.
    height : float
        Side length along y.

    Examples
    --------
    >>> Rectangle(2.0, 3.0)
    Rectangle(width=2.0, height=3.0)
    """''').replace(
        '''        """Area ``width * height``."""''', '''        """Area of the rectangle.

        Returns
        -------
        float
            ``width * height``.

        Examples
        --------
        >>> Rectangle(2.0, 3.0).area()
        6.0
        """''')


def guide_page() -> str:
    """The user guide, ``docs/guide.md`` (MyST Markdown), replacing ``DRAFT_GUIDE``.

    It has a title, links every public name of the module (``area``, ``perimeter``,
    ``scale``, ``centroid``, ``Rectangle``) with MyST roles such as
    ``{py:func}`shapes.geometry.area``` that resolve (``sphinx-build -W -n``), and shows at
    least one example in a fenced ``pycon`` block (``>>>`` lines and their output) that
    passes ``doctest``.
    """
    return """\
# User guide

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


# ------------------------------------------------------------------------- tools
def _code_only(source: str) -> str:
    """The module's AST with every docstring removed, as text (what docs may not change)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value,
                                                                           str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def run_tools(module: str, guide: str, cfg: Config) -> dict:
    """numpydoc lint, doctest and sphinx-build -W -n on a copy of the project, in parallel."""
    tmp = Path(tempfile.mkdtemp(prefix="docs-lab-"))
    try:
        shutil.copytree(PROJECT, tmp / "p")
        (tmp / "p" / "shapes" / "geometry.py").write_text(module)
        (tmp / "p" / "docs" / "guide.md").write_text(guide)
        (tmp / "p" / "pyproject.toml").write_text(
            f"[tool.numpydoc_validation]\nchecks = {json.dumps(NUMPYDOC_CHECKS)}\n"
            "exclude = ['\\._\\w+$']  # private names\n")
        py = sys.executable
        cmds = {"numpydoc": [py, "-m", "numpydoc", "lint", "--config", ".",
                             "shapes/geometry.py"],
                "doctest": [py, "-c", DOCTESTS],
                "sphinx": [py, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
                           "docs", "_build"]}
        procs = {k: subprocess.Popen(c, cwd=tmp / "p", stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True) for k, c in cmds.items()}
        res: dict = {}
        for k, proc in procs.items():
            out, err = proc.communicate(timeout=cfg.timeout_s)
            res[k] = (proc.returncode, out, err)
        html = tmp / "p" / "_build" / "guide.html"
        res["links"] = sorted(set(re.findall(r'href="api\.html#shapes\.geometry\.(\w+)"',
                                             html.read_text()))) if html.exists() else []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


# ------------------------------------------------------------------------- lab
def body(lab: kit.Lab) -> None:
    cfg = Config()
    original, draft = ORIGINAL.read_text(), DRAFT_GUIDE.read_text()
    module = guide = None
    with lab.guard("documented_module runs"):
        module = documented_module()
    with lab.guard("guide_page runs"):
        guide = guide_page()
    with lab.timer() as t:
        res = run_tools(module or original, guide or draft, cfg)
    start = res if module is None and guide is None else None
    lab.metric("tools_seconds", t.seconds, "s")
    lint = [ln.split(":", 1)[-1].strip() for ln in res["numpydoc"][2].splitlines()  # stderr
            if re.match(r"^\S+:\d+: [A-Z]{2}\d\d ", ln)]
    if res["numpydoc"][0] != 0 and not lint:  # it failed without a finding: report why
        lint = [f"numpydoc exit {res['numpydoc'][0]}: {res['numpydoc'][2][-300:]}"]
    sphinx = [ln.split("/p/", 1)[-1] for ln in res["sphinx"][2].splitlines() if "WARNING" in ln]
    if res["sphinx"][0] != 0 and not sphinx:  # it failed without a warning: report why
        sphinx = [f"sphinx-build exit {res['sphinx'][0]}: {res['sphinx'][2][-300:]}"]
    out = res["doctest"][1].strip().splitlines() or ["{}"]
    doctests = json.loads(out[-1]) if out[-1].startswith("{") else {}  # after any failure report
    report = re.sub(r'File "[^"]*/p/', 'File "', " | ".join(  # doctest's failure report
        ln.strip() for ln in out[:-1] if ln.strip() and "*****" not in ln))[:300]
    if start is not None:  # show what the unfinished parts still look like to the tools
        with lab.shown():
            lab.check("the tools reject ORIGINAL and DRAFT_GUIDE", start["numpydoc"][0] != 0
                      and start["sphinx"][0] != 0, "numpydoc and sphinx fail",
                      f"numpydoc exit {start['numpydoc'][0]}, sphinx exit {start['sphinx'][0]}")

    lab.section("your docstrings: numpydoc lint, doctest, the code untouched")
    if module is not None:
        lab.check_equal("the code is unchanged (same AST once docstrings are removed)",
                        _code_only(module) == _code_only(original), True,
                        hint="document the parameter the code has; never rename it")
        lab.check_equal(f"numpydoc lint (all checks but {', '.join(NUMPYDOC_CHECKS[1:])}): "
                        "no findings", lint, [],
                        hint="PR01/PR02: the Parameters section and the signature disagree")
        failed, attempted = doctests.get("module", [None, 0])
        lab.check("doctest: every example in the module passes", failed == 0 and attempted > 0,
                  "0 failed", f"{failed} of {attempted} failed", message=report,
                  hint="run the example and paste its real output")

    lab.section("your guide, and the whole site under sphinx-build -W -n")
    if module is not None or guide is not None:
        lab.check_equal("sphinx-build -W -n: no warnings", sphinx, [],
                        hint="-n: every role must name an object that exists")
    if guide is not None:
        lab.check_equal("the guide links every public name to the API page", res["links"],
                        sorted(PUBLIC), hint="use {py:func}`shapes.geometry.NAME`, not `NAME`")
        failed, attempted = doctests.get("guide", [None, 0])
        lab.check("doctest: the guide's pycon examples pass (at least one)",
                  failed == 0 and attempted > 0, "0 failed of >= 1", f"{failed} of {attempted}",
                  message=report, hint="a fenced ```pycon block holds >>> lines and their output")
    lab.table("docs", ["tool", "findings / failures"],
              [["numpydoc lint", len(lint)], ["sphinx-build -W -n", len(sphinx)],
               ["doctest (module)", doctests.get("module", ["-"])[0]],
               ["doctest (guide)", doctests.get("guide", ["-"])[0]]],
              title="what the tools report on your docs")
    if module is not None and guide is not None:
        lab.conclude(f"numpydoc lint and sphinx-build -W -n accept your docs, "
                     f"{doctests['module'][1] + doctests['guide'][1]} doctest examples pass, "
                     f"and the guide links all {len(PUBLIC)} public names to the API page.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("documentation", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
