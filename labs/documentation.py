"""Technical documentation: docstrings, Sphinx, Markdown and documentation review.

Good docs live next to the code: each public module, class and function has a docstring
(numpydoc or Google style) that says what it does, its parameters, returns and an example.
Sphinx turns them into an API reference (``autodoc`` + ``napoleon``) beside hand-written
pages in reStructuredText or Markdown (MyST), and ``sphinx-build -W`` makes every warning
(a broken cross-reference, a page missing from the toctree) an error, so CI keeps the docs
buildable. Code review catches what tools cannot: a parameter renamed in the code but not in
its docstring, a new argument nobody documented. Docstring coverage turns "is it documented?"
into a number a team can track.

The lab copies a small package and its docs (``labs/data/documentation/project``) to a temp
dir. The learner writes ``docstring_coverage`` (public objects with and without docstrings,
with ``ast``; checked against run-time introspection of the imported module and against the
objects Sphinx autodoc put on the API page) and ``param_mismatches`` (parameters in the
signature but not in the numpydoc Parameters section and vice versa; checked against
``inspect.signature`` plus Sphinx napoleon's own docstring parser). Sphinx builds the docs with
``-W``: no warnings; a copy with a planted broken toctree entry must fail.

$ python labs/documentation.py --quick
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("docstring_coverage", "param_mismatches")
DATA = Path(__file__).resolve().parent / "data" / "documentation" / "project"
MODULE = "shapes.geometry"


@dataclass
class Config:
    timeout_s: float = 180.0  # per sphinx-build
    broken_entry: str = "changelog"  # toctree entry planted in the broken copy (no such page)


# ----------------------------------------------------------------- exercises
def _public_defs(source: str):
    """Yield ``(qualname, node)`` for public classes, functions and methods (not __init__)."""
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and not node.name.startswith("_"):
            yield node.name, node
            if isinstance(node, ast.ClassDef):
                for sub in node.body:
                    if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                            and not sub.name.startswith("_"):
                        yield f"{node.name}.{sub.name}", sub


def docstring_coverage(source: str) -> tuple[int, int, list[str]]:
    """``(documented, total, missing)`` over the module itself (named ``"<module>"``) and its
    public top-level classes and functions and their public methods (names not starting with
    ``_``; ``__init__`` and other dunders excluded). ``missing`` is sorted qualnames
    (``"Class.method"``)."""
    items = [("<module>", ast.parse(source)), *_public_defs(source)]
    missing = sorted(n for n, node in items if not ast.get_docstring(node))
    return len(items) - len(missing), len(items), missing


def param_mismatches(source: str) -> dict[str, tuple[list[str], list[str]]]:
    """For each public function, method or class whose docstring has a numpydoc
    ``Parameters`` section: ``qualname -> (missing, extra)``, the sorted parameter names in the
    signature (a class: its ``__init__`` or dataclass fields; never ``self``) but not
    documented, and documented but not in the signature. Only entries with a mismatch."""
    out = {}
    for name, node in _public_defs(source):
        doc = ast.get_docstring(node) or ""
        m = re.search(r"^Parameters\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", doc, re.S | re.M)
        if not m:
            continue
        documented = set()
        for ln in m.group(1).splitlines():
            if ln and not ln[0].isspace():  # "name : type" or "a, b : type" at column 0
                documented |= {p.strip().lstrip("*") for p in ln.split(":")[0].split(",")}
        if isinstance(node, ast.ClassDef):
            init = [s for s in node.body if isinstance(s, ast.FunctionDef)
                    and s.name == "__init__"]
            params = ([a.arg for a in init[0].args.args + init[0].args.kwonlyargs] if init
                      else [s.target.id for s in node.body if isinstance(s, ast.AnnAssign)])
        else:
            params = [a.arg for a in node.args.posonlyargs + node.args.args
                      + node.args.kwonlyargs]
            params += [a.arg for a in (node.args.vararg, node.args.kwarg) if a]
        params = {p for p in params if p not in ("self", "cls")}
        if params != documented:
            out[name] = (sorted(params - documented), sorted(documented - params))
    return out


# ---------------------------------------------------------------------- oracles
def runtime_items(mod) -> dict[str, object]:
    """Public objects found by introspecting the imported module (independent of ast)."""
    items: dict[str, object] = {"<module>": mod}
    for name, obj in vars(mod).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            items[name] = obj
        if inspect.isclass(obj):
            for m, f in vars(obj).items():
                if inspect.isfunction(f) and not m.startswith("_"):
                    items[f"{name}.{m}"] = f
    return items


def napoleon_params(obj) -> set[str] | None:
    """Parameter names napoleon's NumpyDocstring parser finds (None: no Parameters section)."""
    from sphinx.ext.napoleon.docstring import NumpyDocstring

    rest = str(NumpyDocstring(inspect.cleandoc(obj.__doc__ or "")))
    names = re.findall(r"^:param ([^:]+):", rest, re.M)
    return {n.strip().lstrip("*") for n in names} if names else None


# ------------------------------------------------------------------------- lab
def body(lab: kit.Lab) -> None:
    cfg = Config()
    tmp = Path(tempfile.mkdtemp(prefix="docs-lab-"))
    try:
        shutil.copytree(DATA, tmp / "ok")
        shutil.copytree(DATA, tmp / "broken")
        index = tmp / "broken" / "docs" / "index.rst"
        index.write_text(index.read_text() + f"   {cfg.broken_entry}\n")
        env_py = [sys.executable, "-m", "sphinx", "-W", "-q"]
        with lab.timer() as t:  # both builds at once; the broken one reads only (dummy)
            procs = [subprocess.Popen([*env_py, "-b", b, str(d / "docs"), str(d / "_out")],
                                      cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for b, d in (("html", tmp / "ok"),
                                                              ("dummy", tmp / "broken"))]
            (_, err_ok), (_, err_bad) = (p.communicate(timeout=cfg.timeout_s) for p in procs)
        lab.metric("sphinx_seconds", t.seconds, "s")
        source = (tmp / "ok" / "shapes" / "geometry.py").read_text()
        sys.path.insert(0, str(tmp / "ok"))
        try:
            mod = importlib.import_module(MODULE)
        finally:
            sys.path.remove(str(tmp / "ok"))
        api = (tmp / "ok" / "_out" / "api.html").read_text() if procs[0].returncode == 0 \
            else ""
        guide = (tmp / "ok" / "_out" / "guide.html").read_text() if api else ""

        lab.section("sphinx-build -W (warnings are errors)")
        lab.check_equal("docs build: exit 0 and no warnings", (procs[0].returncode,
                        err_ok.strip()), (0, ""))
        lab.check("Markdown page rendered by MyST (guide.html has its heading)",
                  "<h1>User guide" in guide, "<h1>User guide", "found" if guide else "missing")
        lab.check("planted broken toctree entry fails the -W build",
                  procs[1].returncode != 0 and cfg.broken_entry in err_bad,
                  f"exit != 0, warning names {cfg.broken_entry!r}",
                  f"exit {procs[1].returncode}: {err_bad.strip()[-160:]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for m in [m for m in sys.modules if m == "shapes" or m.startswith("shapes.")]:
            del sys.modules[m]

    items = runtime_items(mod)
    want_missing = sorted(n for n, o in items.items() if not (o.__doc__ or "").strip()
                          or (inspect.isclass(o) and o.__doc__.startswith(o.__name__ + "(")))
    lab.section("docstring coverage")
    with lab.guard("docstring_coverage runs"):
        doc, total, missing = docstring_coverage(source)
        lab.check_equal("coverage (documented, total, missing) = run-time introspection",
                        (doc, total, list(missing)),
                        (len(items) - len(want_missing), len(items), want_missing))
        lab.metric("docstring_coverage", 100 * doc / max(total, 1), "%")
        documented = {n for n in items if n not in missing and n != "<module>"}
        shown = {n for n in documented if "." not in n or n.split(".")[0] in documented}
        api_ids = set(re.findall(r'id="shapes\.geometry\.([\w.]+)"', api))
        lab.check_equal("objects on the autodoc API page = documented ones (under a "
                        "documented class)", sorted(shown), sorted(api_ids))
        _plot(lab, items, set(missing))

    lab.section("parameters documented vs signature (code review)")
    oracle = {}
    for name, obj in items.items():
        documented_p = napoleon_params(obj) if name != "<module>" else None
        if documented_p is None:
            continue
        sig = {p for p in inspect.signature(obj).parameters if p not in ("self", "cls")}
        if sig != documented_p:
            oracle[name] = (sorted(sig - documented_p), sorted(documented_p - sig))
    with lab.guard("param_mismatches runs"):
        got = {k: (list(a), list(b)) for k, (a, b) in param_mismatches(source).items()}
        lab.check_equal("param_mismatches = inspect.signature vs napoleon's parse", got,
                        oracle)


def _plot(lab: kit.Lab, items: dict, missing: set) -> None:
    names = list(items)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.barh(range(len(names)), [1] * len(names),
            color=["tab:red" if n in missing else "tab:green" for n in names])
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xticks([])
    cov = 100 * (len(names) - len(missing)) / len(names)
    ax.set_title(f"docstring coverage {cov:.0f}% (red: missing)")
    lab.savefig(fig, "docstring_coverage.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("documentation", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
