"""A Python code editor as a light Streamlit component: a textarea over highlighted text.

No editor library and nothing from a CDN: a few KB of JavaScript colour Python (keywords,
builtins, strings, comments, numbers, decorators, the names ``def`` and ``class`` define)
in a copy of the text drawn under a transparent textarea, so typing, selection, undo,
copy and paste are the browser's own. Tab and Shift+Tab indent and dedent by four spaces
(Escape, then Tab, moves the focus on); Enter keeps the indentation and adds a level after
a colon; Backspace in the indentation removes a level; lines are numbered.

The text reaches Python when the editor loses the focus (as ``st.text_area`` does) and on
Ctrl/Cmd+Enter, which also reports a ``submit``. Python owns the text: the page keeps it in
the session state and passes it back each run with a revision number, and the editor takes
the text from Python only when the revision changes (a start, a reset, a restore), so a
rerun never overwrites what is being typed.

Usage from a page::

    from ui.components.code_editor import code_editor

    code_editor(code, rev=3, key="editor_calculus", labels={"aria": "Your solution"},
                on_change=keep_typed_text, on_submit=check)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["EditorResult", "DEFAULT_LABELS", "code_editor", "editor_value"]

HERE = Path(__file__).resolve().parent

#: The component's words; a page passes its own (translated) ones.
DEFAULT_LABELS: dict[str, str] = {
    "aria": "Python code",
    "hint": "Tab indents · Esc then Tab leaves · Ctrl+Enter checks",
    "position": "Ln {line}, Col {col}",
}


@dataclass(frozen=True)
class EditorResult:
    """What the editor reported in this run: its latest text (None before the first
    edit reached Python) and whether Ctrl/Cmd+Enter asked for a check."""

    value: str | None
    submitted: bool


@cache
def _component() -> Any:
    import streamlit as st

    return st.components.v2.component(
        "roadmap_lab.code_editor",
        css=(HERE / "code_editor.css").read_text(encoding="utf-8"),
        js=(HERE / "code_editor.js").read_text(encoding="utf-8"),
    )


def editor_value(key: str) -> str | None:
    """The text the editor ``key`` last sent (for an ``on_change`` callback), if any."""
    import streamlit as st

    state: Any = st.session_state.get(key)
    value = state.get("value") if hasattr(state, "get") else None
    return value if isinstance(value, str) else None


def code_editor(value: str, *, rev: int, key: str, labels: Mapping[str, str] | None = None,
                readonly: bool = False, min_lines: int = 12,
                on_change: Callable[[], None] | None = None,
                on_submit: Callable[[], None] | None = None) -> EditorResult:
    """Draw the editor holding ``value``; return what it reported in this run.

    Parameters
    ----------
    value : str
        The text the page holds. The editor shows it when it first appears and whenever
        ``rev`` changes.
    rev : int
        The revision of ``value``: bump it to replace what the editor shows.
    key : str
        The component's key (one per user and node, so each keeps its own text).
    labels : mapping, optional
        Translated words (``aria``, ``hint``, ``position``), overriding
        :data:`DEFAULT_LABELS` key by key.
    readonly : bool
        Show the text without letting it change (while a check runs).
    min_lines : int
        The height of an empty editor, in lines.
    on_change : callable, optional
        Called before the run when new text arrives (read it with :func:`editor_value`).
    on_submit : callable, optional
        Called before the run on Ctrl/Cmd+Enter (after ``on_change`` when both happen).

    Returns
    -------
    EditorResult
    """
    data = {"value": value, "rev": rev, "readonly": readonly, "min_lines": min_lines,
            "labels": {**DEFAULT_LABELS, **(labels or {})}}
    result = _component()(key=key, data=data, default={"value": None},
                          on_value_change=on_change or (lambda: None),
                          on_submit_change=on_submit or (lambda: None))
    got = result.get("value") if hasattr(result, "get") else None
    submitted = result.get("submit") if hasattr(result, "get") else None
    return EditorResult(got if isinstance(got, str) else None, bool(submitted))
