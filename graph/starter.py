"""Exercise mode: generate a learner's starter file from a lab's source.

A lab names the functions a learner writes in ``EXERCISES``. The starter opens with the
lesson (the lab's module docstring), keeps the lab's imports, imports the lab's helpers that
the exercises' docstrings or signatures mention (so a learner may call them), and keeps each
exercise's signature and docstring with a body that raises
``NotImplementedError("your code here")``. It is generated from the source with ``ast``, so
the lab is never imported (no torch import, no work done).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from graph.errors import LabError

__all__ = ["exercises_of", "helpers_mentioned", "lab_lesson", "make_starter"]


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


def lab_lesson(lab_path: Path) -> str:
    r'''Return the lesson of a lab: its module docstring, cleaned of indentation.

    The lab is parsed, never imported. A lab without a docstring has an empty lesson.

    Parameters
    ----------
    lab_path : Path
        The lab file.

    Returns
    -------
    str

    Raises
    ------
    LabError
        If the file cannot be read or parsed.

    Examples
    --------
    >>> import tempfile
    >>> lab = Path(tempfile.mkdtemp()) / "squares.py"
    >>> _ = lab.write_text('"""Squares: x * x.\n\n    $ python labs/squares.py\n"""\nX = 1\n')
    >>> print(lab_lesson(lab))
    Squares: x * x.
    <BLANKLINE>
    $ python labs/squares.py
    '''
    return ast.get_docstring(_parse(lab_path), clean=True) or ""


def make_starter(lab_path: Path, node_id: str) -> str:
    r'''Return the text of a starter file for the lab at ``lab_path``.

    Examples
    --------
    >>> import tempfile
    >>> lab = Path(tempfile.mkdtemp()) / "squares.py"
    >>> _ = lab.write_text(
    ...     '"""Squares: x * x."""\n'
    ...     'import math\n'
    ...     'EXERCISES = ("square",)\n'
    ...     'SCALE = 1\n'
    ...     'def square(x):\n'
    ...     '    """Return ``x * x`` times ``SCALE``."""\n'
    ...     '    return x * x * SCALE\n')
    >>> print(make_starter(lab, "squares"))
    """Squares: x * x."""
    <BLANKLINE>
    # Your solution for the lab "squares". Replace each `raise NotImplementedError` with your
    # code, then check it:
    #     roadmap lab run squares --quick --solution <this file>
    <BLANKLINE>
    import math
    <BLANKLINE>
    from squares import SCALE  # the lab's own helpers, yours to call
    <BLANKLINE>
    <BLANKLINE>
    def square(x):
        """Return ``x * x`` times ``SCALE``."""
        raise NotImplementedError("your code here")
    <BLANKLINE>
    '''
    source = lab_path.read_text(encoding="utf-8")
    tree = _parse(lab_path)
    names = exercises_of(lab_path)
    lines = source.splitlines()
    funcs = {
        s.name: s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name in names
    }
    missing = [n for n in names if n not in funcs]
    if missing:
        raise LabError(f"{lab_path}: EXERCISES names {missing} but the file defines no such "
                       "top-level function")
    doc = tree.body[0] if tree.body and _is_docstring(tree.body[0]) else None
    out = [ast.get_source_segment(source, doc) or "", ""] if doc is not None else []
    out += [
        f'# Your solution for the lab "{node_id}". Replace each `raise NotImplementedError` '
        "with your",
        "# code, then check it:",
        f"#     roadmap lab run {node_id} --quick --solution <this file>",
        "",
    ]
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if isinstance(stmt, ast.Import) and all(a.name == "kit" for a in stmt.names):
                continue
            out.append(ast.get_source_segment(source, stmt) or "")
    helpers = helpers_mentioned(tree, names)
    if helpers:
        out += ["", f"from {lab_path.stem} import {', '.join(helpers)}  "
                    "# the lab's own helpers, yours to call"]
    out.append("")
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


def helpers_mentioned(tree: ast.Module, exercises: tuple[str, ...]) -> list[str]:
    """Top-level names of a lab that its exercises' docstrings or signatures mention.

    Those are the helpers (functions, classes, constants) a learner may call or needs to
    read; the starter imports them from the lab. Names are returned in file order.
    """
    defined: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.append(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            defined += [t.id for t in targets if isinstance(t, ast.Name)]
    skip = {*exercises, "EXERCISES", "body", "main"}
    text = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name in exercises:
            text.append(ast.get_docstring(stmt) or "")
            text.append(ast.unparse(stmt.args))
            if stmt.returns is not None:
                text.append(ast.unparse(stmt.returns))
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", "\n".join(text)))
    seen: dict[str, None] = {}
    for name in defined:
        if name in words and name not in skip and not name.startswith("_"):
            seen.setdefault(name)
    return list(seen)


def _is_docstring(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _parse(lab_path: Path) -> ast.Module:
    try:
        return ast.parse(lab_path.read_text(encoding="utf-8"), filename=str(lab_path))
    except (OSError, SyntaxError) as exc:
        raise LabError(f"{lab_path}: cannot read the lab: {exc}") from None
