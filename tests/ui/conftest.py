"""A small roadmap in a temp folder, with a real quick lab and labs that fail, crash or hang.

Every app test points ROADMAP_DIR, ROADMAP_DATA_DIR and ROADMAP_DB_URL at a temp folder,
so no test reads or writes the user's progress.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SECTIONS = """\
sections:
  - {id: foundations, title: Foundations, i18n: {es: {title: Fundamentos}}, order: 1,
     colour: "#1f77b4"}
  - {id: practice, title: Practice, i18n: {es: {title: Práctica}}, order: 2, colour: "#2ca02c"}
"""

NODES = {
    # id: (section, title, spanish title, prerequisites, lab script, extra lab fields)
    "calculus": ("foundations", "Calculus", "Cálculo", [], "calculus", ""),
    "linear-algebra": ("foundations", "Linear algebra", "Álgebra lineal", [], None, ""),
    "backpropagation": ("foundations", "Backpropagation", "Retropropagación",
                        ["calculus", "linear-algebra"], None, ""),
    "crashing-lab": ("practice", "Crashing lab", "Laboratorio que falla", ["calculus"],
                     "crashing_lab", ""),
    "slow-lab": ("practice", "Slow lab", "Laboratorio lento", ["backpropagation"],
                 "slow_lab", 'gpu: optional, timeout_s: 2'),
}

CRASH = """\
import sys
print("about to crash", flush=True)
raise RuntimeError("boom")
"""
SLOW = """\
import time
print("sleeping", flush=True)
time.sleep(60)
"""


def node_yaml(nid: str) -> str:
    sec, title, es, pre, lab, extra = NODES[nid]
    text = textwrap.dedent(f"""\
        id: {nid}
        title: {title}
        summary: What {title.lower()} is about.
        i18n: {{es: {{title: {es}, summary: De qué trata {es.lower()}.}}}}
        level: beginner
        estimate_hours: 2
        prerequisites: {pre}
        objectives: [do a thing]
        tags: [{nid}-tag]
        resources:
          - {{type: official, title: Docs, url: "https://example.org/{nid}"}}
        """)
    if lab:
        extra = extra if "gpu" in extra else f'gpu: "no", {extra or "timeout_s: 120"}'
        text += f"lab: {{script: labs/{lab}.py, {extra}}}\n"
    return text


def write_roadmap(tmp: Path) -> Path:
    root = tmp / "roadmap"
    for nid, spec in NODES.items():
        (root / spec[0]).mkdir(parents=True, exist_ok=True)
        (root / spec[0] / f"{nid}.yaml").write_text(node_yaml(nid), encoding="utf-8")
    (root / "sections.yaml").write_text(SECTIONS, encoding="utf-8")
    labs = tmp / "labs"
    labs.mkdir()
    for name in ("calculus.py", "kit.py"):  # copies: a sandboxed run sees only this folder
        shutil.copyfile(ROOT / "labs" / name, labs / name)
    (labs / "crashing_lab.py").write_text(CRASH)
    (labs / "slow_lab.py").write_text(SLOW)
    return root


@pytest.fixture()
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temp roadmap, data folder and database; the app's caches emptied."""
    import streamlit as st

    root = write_roadmap(tmp_path)
    monkeypatch.setenv("ROADMAP_DIR", str(root))
    monkeypatch.setenv("ROADMAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ROADMAP_DB_URL", str(tmp_path / "data" / "progress.sqlite3"))
    monkeypatch.delenv("ROADMAP_USER", raising=False)
    monkeypatch.chdir(ROOT)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()



SQUARES = '''\
"""Squares: the square of a number, checked against multiplication.

A tiny lab for the Practice tab's tests: one exercise, two graded checks with hints, one
shown check, no torch.

$ python labs/squares.py --quick
"""

import kit

EXERCISES = ("square",)


def square(x):
    """Return ``x * x``."""
    return x * x


def body(lab):
    with lab.guard("square runs"):
        lab.check_equal("square(3) = 9", square(3), 9, hint="multiply x by itself")
        lab.check_equal("square(-2) = 4", square(-2), 4, hint="a square is never negative")
    with lab.shown():
        lab.check_equal("2 * 2 = 4", 2 * 2, 4)
    lab.conclude("Squaring is multiplying a number by itself.")


def main(argv=None):
    return kit.run("squares", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
'''


def add_squares_lab(tmp: Path, root: Path, timeout_s: int = 6) -> None:
    """Add the node ``squares`` (section practice) with the tiny lab :data:`SQUARES`, whose
    quick run takes well under a second: for the Practice tab's tests and benchmarks."""
    (tmp / "labs" / "squares.py").write_text(SQUARES, encoding="utf-8")
    (root / "practice" / "squares.yaml").write_text(
        "id: squares\ntitle: Squares\nsummary: Squaring numbers.\n"
        "i18n: {es: {title: Cuadrados, summary: Elevar al cuadrado.}}\nlevel: beginner\n"
        "estimate_hours: 1\nprerequisites: []\nobjectives: [square a number]\n"
        f'lab: {{script: labs/squares.py, gpu: "no", timeout_s: {timeout_s}}}\n',
        encoding="utf-8")


# the learner's calculus: a centered difference (right), or a forward one (wrong)
_GD = '''

def gradient_descent(grad_fn, x0, lr, steps):
    x = np.array(x0, dtype=np.float64)
    path = [x.copy()]
    for _ in range(steps):
        x = x - lr * grad_fn(x)
        path.append(x.copy())
    return x, path
'''
CALCULUS_RIGHT = '''import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(x.size):
        e = np.zeros_like(x, dtype=np.float64)
        e.flat[i] = h
        grad.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad
''' + _GD
CALCULUS_WRONG = CALCULUS_RIGHT.replace("(f(x + e) - f(x - e)) / (2 * h)", "(f(x + e) - f(x)) / h")
