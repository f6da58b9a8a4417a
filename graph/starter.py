"""Exercise mode: generate a learner's starter file from a lab's source.

A lab names the functions a learner writes in ``EXERCISES``. The starter keeps the lab's
imports and each of those functions' signatures and docstrings, with bodies that raise
``NotImplementedError("your code here")``. It is generated from the source with ``ast``,
so the lab is never imported (no torch import, no work done).
"""

from __future__ import annotations

import ast
from pathlib import Path

from graph.errors import LabError

__all__ = ["exercises_of", "make_starter"]


def exercises_of(lab_path: Path) -> tuple[str, ...]:
    """Return the names in a lab's ``EXERCISES`` tuple.

    Raises
    ------
    LabError
        If the file cannot be parsed or declares no literal ``EXERCISES``.
    """
    tree = _parse(lab_path)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "EXERCISES" for t in stmt.targets
        ):
            try:
                names = ast.literal_eval(stmt.value)
            except ValueError:
                break
            if isinstance(names, (tuple, list)) and all(isinstance(n, str) for n in names):
                return tuple(names)
    raise LabError(f"{lab_path}: no literal EXERCISES = (...) tuple of function names")


def make_starter(lab_path: Path, node_id: str) -> str:
    """Return the text of a starter file for the lab at ``lab_path``.

    Examples
    --------
    >>> text = make_starter(Path("labs/calculus.py"), "calculus")  # doctest: +SKIP
    >>> "def numerical_gradient" in text
    True
    """
    source = lab_path.read_text(encoding="utf-8")
    tree = _parse(lab_path)
    names = exercises_of(lab_path)
    lines = source.splitlines()
    imports: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if isinstance(stmt, ast.Import) and all(a.name == "kit" for a in stmt.names):
                continue
            imports.append(ast.get_source_segment(source, stmt) or "")
    funcs = {
        s.name: s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name in names
    }
    missing = [n for n in names if n not in funcs]
    if missing:
        raise LabError(f"{lab_path}: EXERCISES names {missing} but the file defines no such "
                       "top-level function")
    out = [
        f'"""Your solution for the lab "{node_id}".',
        "",
        "Replace each `raise NotImplementedError` with your code, then check it:",
        "",
        f"    roadmap lab run {node_id} --quick --solution {{this file}}",
        '"""',
        "",
        *[i for i in imports if i],
        "",
    ]
    for name in names:
        fn = funcs[name]
        first_body = fn.body[0]
        has_doc = ast.get_docstring(fn, clean=False) is not None
        start = (fn.decorator_list[0].lineno if fn.decorator_list else fn.lineno) - 1
        end = (first_body.end_lineno if has_doc else first_body.lineno - 1) or fn.lineno
        header = lines[start:end]
        indent = " " * (first_body.col_offset)
        out += ["", *header, f'{indent}raise NotImplementedError("your code here")', ""]
    return "\n".join(out).rstrip() + "\n"


def _parse(lab_path: Path) -> ast.Module:
    try:
        return ast.parse(lab_path.read_text(encoding="utf-8"), filename=str(lab_path))
    except (OSError, SyntaxError) as exc:
        raise LabError(f"{lab_path}: cannot read the lab: {exc}") from None
