"""The catalogue is complete, and the UI's code shows no text that bypasses it.

Static checks (no app run): every key has every language with the same placeholders;
every key the code asks for exists and every key is used; every Material icon exists;
no Streamlit call in ``ui/`` or ``app.py`` shows a string literal with words in it; the
UI reaches the engine only through ``graph``'s public API.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

import graph
from tests.ui.conftest import ROOT
from ui import state
from ui.i18n import CATALOGUE, LANGUAGES, t

UI_FILES = sorted((ROOT / "ui").rglob("*.py")) + [ROOT / "app.py"]  # components too

# Streamlit calls that show their first argument (and these keyword arguments) to people
VISIBLE_CALLS = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info",
    "warning", "error", "success", "exception", "toast", "button", "form_submit_button",
    "download_button", "link_button", "page_link", "selectbox", "multiselect", "radio",
    "select_slider", "slider", "pills", "segmented_control", "text_input", "text_area",
    "number_input", "checkbox", "toggle", "file_uploader", "date_input", "time_input",
    "color_picker", "chat_input", "metric", "progress", "expander", "status", "popover",
    "tabs", "spinner", "set_page_config", "Page",
}
VISIBLE_KWARGS = {"label", "body", "text", "placeholder", "help", "caption", "title",
                  "page_title", "value"}
# names of software shown as metric labels: the same words in every language
PROPER_NAMES = {"Python", "torch", "CUDA"}
MATERIAL = re.compile(r":material/([a-z0-9_]+):")
WORD = re.compile(r"[^\W\d_]")  # a letter, in any script


def _trees() -> Iterator[tuple[Path, ast.Module]]:
    for f in UI_FILES:
        yield f, ast.parse(f.read_text(encoding="utf-8"), filename=str(f))


def _call_name(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _literals(expr: ast.AST) -> Iterator[ast.Constant]:
    """String constants of an expression that reach the screen: not inside ``t(...)`` (its
    key), subscripts (``ICON["lab"]``), conditions (``x if d.get("k") else y``),
    comparisons or format specs."""
    if isinstance(expr, ast.Call) and _call_name(expr) == "t" or isinstance(expr, ast.Compare):
        return
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        yield expr
        return
    for name, child in ast.iter_fields(expr):
        if isinstance(expr, ast.Subscript) and name == "slice":
            continue
        if isinstance(expr, ast.FormattedValue) and name == "format_spec":
            continue
        if isinstance(expr, ast.IfExp) and name == "test":
            continue
        if isinstance(expr, ast.Call) and name == "func":
            continue
        for node in child if isinstance(child, list) else [child]:
            if isinstance(node, ast.AST):
                yield from _literals(node)


def _shows_words(text: str) -> bool:
    text = MATERIAL.sub("", text)
    return bool(WORD.search(text)) and text.strip() not in PROPER_NAMES


def _t_calls() -> Iterator[tuple[Path, ast.Call]]:
    for f, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) == "t" and node.args:
                yield f, node


# --------------------------------------------------------------------------- catalogue
def test_every_key_has_every_language() -> None:
    assert set(LANGUAGES) == set(state.LANGS)
    missing = {key: sorted(set(state.LANGS) - set(entry)) for key, entry in CATALOGUE.items()
               if set(entry) != set(state.LANGS)}
    assert not missing, f"keys lacking a language (or with an unknown one): {missing}"
    empty = [f"{k}.{code}" for k, e in CATALOGUE.items() for code, v in e.items()
             if not isinstance(v, str) or not v.strip()]
    assert not empty, f"empty texts: {empty}"


def test_a_key_without_spanish_is_caught() -> None:
    """The completeness check itself fails on an entry that lacks a language."""
    broken = {**CATALOGUE, "demo.only_english": {"en": "Only English"}}
    lacking = [k for k, e in broken.items() if set(e) != set(state.LANGS)]
    assert lacking == ["demo.only_english"]


def _fields(text: str) -> list[tuple[str, str]]:
    return sorted((name, spec or "") for _lit, name, spec, _conv
                  in string.Formatter().parse(text) if name is not None)


def test_placeholders_are_the_same_in_every_language() -> None:
    wrong = {key: {code: _fields(v) for code, v in e.items()} for key, e in CATALOGUE.items()
             if len({tuple(_fields(v)) for v in e.values()}) > 1}
    assert not wrong, f"placeholders differ between languages: {wrong}"


def test_every_key_the_code_asks_for_exists() -> None:
    unknown, prefixes = [], []
    for f, call in _t_calls():
        arg = call.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if arg.value not in CATALOGUE:
                unknown.append(f"{f.name}:{call.lineno} {arg.value}")
        elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
            prefix = str(arg.values[0].value)
            if not any(k.startswith(prefix) for k in CATALOGUE):
                prefixes.append(f"{f.name}:{call.lineno} {prefix}*")
    assert not unknown and not prefixes, unknown + prefixes


def test_every_key_is_used() -> None:
    """A key is used when the code names it, or asks for it by prefix (``t(f"run.{s}")``)."""
    named: set[str] = set()
    prefixes: set[str] = set()
    for _f, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and _call_name(node) == "t" and node.args
                    and isinstance(node.args[0], ast.JoinedStr)
                    and isinstance(node.args[0].values[0], ast.Constant)):
                prefixes.add(str(node.args[0].values[0].value))
    unused = [k for k in CATALOGUE if k not in named
              and not any(k.startswith(p) for p in prefixes)]
    assert not unused, f"catalogue keys nothing uses: {unused}"


@pytest.mark.parametrize(("prefix", "values"), [
    ("status.", ("todo", "learning", "done", "skipped", "verified")),  # DESIGN.md's statuses
    ("run.", ("pass", "fail", "error", "timeout", "cancelled", "skipped")),
    ("level.", graph.LEVELS),
    ("resource.", graph.RESOURCE_TYPES),
    ("lab.gpu_", ("no", "optional", "required")),
    ("solution.", ("reference", "learner")),
    ("evidence.", graph.EVIDENCE),
])
def test_vocabularies_shown_by_value_are_all_translated(prefix: str, values: tuple[str, ...]
                                                       ) -> None:
    assert [v for v in values if prefix + v not in CATALOGUE] == []


def test_t_formats_and_falls_back() -> None:
    assert t("path.more", n=3) == "… and 3 more"
    assert t("no.such.key") == "no.such.key"


# --------------------------------------------------------------------------- the code
def test_no_visible_streamlit_call_shows_a_literal() -> None:
    """A string literal with a letter in it, given to a Streamlit call that shows it, is
    text that bypasses the catalogue (Material icon codes and software names aside)."""
    found = []
    for f, tree in _trees():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _call_name(node) in VISIBLE_CALLS
                    and isinstance(node.func, ast.Attribute)):
                continue
            shown = [*node.args[:1], *(k.value for k in node.keywords
                                       if k.arg in VISIBLE_KWARGS)]
            if _call_name(node) == "tabs" and node.args and isinstance(node.args[0], ast.List):
                shown += node.args[0].elts
            for expr in shown:
                for lit in _literals(expr):
                    if _shows_words(lit.value):
                        found.append(f"{f.relative_to(ROOT)}:{lit.lineno} {lit.value!r}")
    assert not found, "text that bypasses the i18n catalogue:\n" + "\n".join(found)


def test_the_literal_check_catches_literals() -> None:
    """The scan above flags the shapes of text it is meant to catch, and passes the rest."""
    def flagged(src: str) -> list[str]:
        call = ast.parse(src).body[0].value  # type: ignore[attr-defined]
        shown = [*call.args[:1], *(k.value for k in call.keywords if k.arg in VISIBLE_KWARGS)]
        return [lit.value for e in shown for lit in _literals(e) if _shows_words(lit.value)]

    assert flagged('st.title("Hello")') == ["Hello"]
    assert flagged('c1.button(f"{n} nodes", key="b")') == [" nodes"]
    assert flagged('st.caption("⭐ " + t("x"))') == []  # no letter
    assert flagged('st.warning(("Sí" if es else "Yes") + t("x"))') == ["Sí", "Yes"]
    assert flagged('st.text_input(t("k"), placeholder="ana")') == ["ana"]
    assert flagged('st.title(f"{ICON[\'lab\']} {t(\'lab.title\')}")') == []
    assert flagged('st.caption(f"{d:%Y-%m-%d}")') == []
    assert flagged('st.subheader(":material/science: Labs")') == [":material/science: Labs"]
    assert flagged('st.metric("Python", v)') == []
    assert flagged('st.info(t("a") + (t("b") if d.get("driver") else "none"))') == ["none"]


def test_material_icons_exist() -> None:
    from streamlit.string_util import is_material_icon

    used = {m for f in UI_FILES for m in MATERIAL.findall(f.read_text(encoding="utf-8"))}
    assert used, "no Material icon found: the pattern is wrong"
    assert sorted(i for i in used if not is_material_icon(i)) == []


def test_no_emoji_in_the_ui() -> None:
    """Icons are Material Symbols: an emoji shows as an empty box without an emoji font."""
    emoji = re.compile("[\U0001F000-\U0001FAFF\u2600-\u26FF\u2700-\u27BF\u2B00-\u2BFF]"
                       "|\uFE0F")
    allowed = {"★", "✓"}  # plain dingbats every text font has (the graph's verified mark)
    found = [f"{f.relative_to(ROOT)}:{n}: {line.strip()}" for f in UI_FILES
             for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
             if set(emoji.findall(line)) - allowed]
    assert not found, "\n".join(found)


def test_ui_uses_only_the_engines_public_api() -> None:
    public = set(graph.__all__)
    bad = []
    for f, tree in _trees():
        where = f.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                bad += [f"{where}:{node.lineno} import {a.name}" for a in node.names
                        if a.name.startswith("graph.")]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("graph"):
                if node.module != "graph":
                    bad.append(f"{where}:{node.lineno} from {node.module} import ...")
                bad += [f"{where}:{node.lineno} from graph import {a.name}"
                        for a in node.names if a.name not in public]
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id == "graph" and node.attr not in public):
                bad.append(f"{where}:{node.lineno} graph.{node.attr}")
    assert not bad, "\n".join(bad)
