"""Drive the app with AppTest: start it on a page, read what it shows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import ROOT


def _script(start: str, root: str) -> None:
    import sys

    sys.path.insert(0, root)
    import app

    app.main(start)


def make_app(start: str = "roadmap", **state: object) -> AppTest:
    at = AppTest.from_function(_script, kwargs={"start": start, "root": str(ROOT)},
                               default_timeout=30)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.title]
    parts += [e.value for e in at.caption] + [e.value for e in at.warning]
    parts += [e.value for e in at.error] + [e.value for e in at.info]
    parts += [e.value for e in at.success] + [e.value for e in at.code]
    parts += [e.label for e in at.status] + [e.value for e in at.subheader]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [p.proto.text for p in at.get("progress")]
    return "\n".join(str(p) for p in parts)


RUN_LABEL = re.compile(r"^:material/[a-z_]+: (PASS|FAIL|ERROR|TIMEOUT|CANCELLED)\b")


def finished(label: str) -> str | None:
    """The run status a finished run's status box shows (None while it runs)."""
    m = RUN_LABEL.match(label)
    return m.group(1).lower() if m else None


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


# --------------------------------------------------------------------------- visible text
SKIP_FIELDS = {"id", "form_id", "key", "fragment_id", "spec", "data", "icon", "type",
               "default", "theme", "selection_mode", "url", "language", "mime",
               "component_name", "js_content", "css_content", "json"}


def _proto_strings(msg: Any) -> Iterator[str]:
    """Every string field of a protobuf message, recursively (ids, keys, icons left out)."""
    for field, value in msg.ListFields():
        if field.name in SKIP_FIELDS:
            continue
        values = value if isinstance(value, (list, tuple)) or hasattr(value, "extend") else [value]
        for v in values:
            if isinstance(v, str):
                yield v
            elif hasattr(v, "ListFields"):
                yield from _proto_strings(v)


PLOTLY_TEXT = {"name", "text", "ticktext", "customdata", "hovertemplate", "title"}


def _plotly_text(doc: Any, shown: bool = False) -> Iterator[str]:
    """The strings of a Plotly figure people read: names, texts, tick and hover texts,
    titles (not enumerated settings such as ``hoverinfo: "skip"``)."""
    if isinstance(doc, str):
        if shown:
            yield re.sub(r"%\{[^}]*\}", "", doc)  # hover template fields are not text
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield from _plotly_text(v, shown or k in PLOTLY_TEXT)
    elif isinstance(doc, list):
        for v in doc:
            yield from _plotly_text(v, shown)


def visible_text(at: AppTest) -> list[str]:
    """Every string the page shows (but code blocks): element texts and labels, widget
    options and help, block labels (expanders, status boxes), dataframe columns and
    cells, chart texts."""
    out: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", "") == "code":
            continue  # code blocks show logs and commands verbatim
        out += _proto_strings(proto)
        if getattr(node, "type", "") == "plotly_chart":
            out += _plotly_text(json.loads(proto.spec))
    for df in at.dataframe:
        out += [str(c) for c in df.value.columns]
        out += [v for row in df.value.itertuples(index=False) for v in row
                if isinstance(v, str)]
    return out


def english_phrases() -> dict[str, str]:
    """Phrases of the catalogue's English texts that its Spanish texts never use, each with
    its key: finding one on a page in Spanish means a string was not translated."""
    import string

    from ui.i18n import CATALOGUE

    spanish = "\n".join(e["es"] for e in CATALOGUE.values())
    out: dict[str, str] = {}
    for key, entry in CATALOGUE.items():
        if entry["en"] == entry["es"]:
            continue
        for literal, *_ in string.Formatter().parse(entry["en"]):
            for phrase in re.split(r"[·:;,.()\n`*—…→?¿!¡\[\]{}+/]", literal):
                phrase = phrase.strip()
                if sum(c.isalpha() for c in phrase) >= 4 and phrase not in spanish:
                    out.setdefault(phrase, key)
    return out


def english_leaks(at: AppTest) -> list[str]:
    """The English catalogue phrases a page shows (it should show none in Spanish)."""
    shown = "\n".join(visible_text(at))
    return sorted(f"{phrase!r} ({key})" for phrase, key in english_phrases().items()
                  if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", shown))
