"""``graph.loader.load_yaml`` builds exactly what ``yaml.load(text, SafeLoader)`` builds."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from graph import read_roadmap
from graph.loader import SafeLoader, bundled_roadmap_dir, load_yaml

from .factory import make, node_yaml

DOCUMENTS = {
    "plain node": "id: a\ntitle: A\nprerequisites: [b, c]\nlab: {script: labs/a.py, gpu: no}\n",
    "yaml 1.1 booleans": "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: 'yes'\n",
    "numbers": "a: 0x1F\nb: 0o17\nc: 1_000\nd: 1:30\ne: -2.5e3\nf: .inf\ng: -.INF\nh: 017\n",
    "nan": "a: .nan\nb: [.NaN]\n",
    "nulls": "a: ~\nb: null\nc:\nd: [~, '']\n",
    "timestamps and dates": "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\n",
    "explicit tags": "a: !!str 123\nb: !!int '7'\nc: !!float 1\nd: !!binary aGVsbG8=\n",
    "non-string keys": "1: one\ntrue: yes\n~: nothing\n2.5: x\n",
    "duplicate keys keep the last": "a: 1\na: 2\n",
    "alias to a scalar": "a: &x hello\nb: *x\n",
    "alias to a list": "a: &x [1, 2]\nb: *x\n",
    "merge keys": "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
    "value key": "a: {=: 5, b: 6}\n",
    "set and omap": "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\np: !!pairs [{a: 1}]\n",
    "nested": "a:\n  - {b: [1, {c: [x, y]}]}\n  - - deep\n",
    "multiline strings": "a: |\n  line one\n  line two\nb: >\n  folded\n  text\n",
    "unicode": "título: 'Retropropagación'\nemoji: \"\\u2713\"\n",
    "top-level list": "- 1\n- two\n",
    "top-level scalar": "just text\n",
}


def same(a, b) -> bool:
    """Equal, with NaN equal to NaN and types compared too (True is not 1 here)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_same_data_as_yaml_load(text: str) -> None:
    data, tree = load_yaml(text)
    expected = yaml.load(text, Loader=SafeLoader)  # noqa: S506
    assert same(data, expected), (data, expected)
    assert tree is not None and tree.start_mark.line == 0


def test_every_bundled_node_file_loads_the_same() -> None:
    files = sorted(bundled_roadmap_dir().glob("*/*.yaml"))
    assert len(files) > 40
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert same(load_yaml(text)[0], yaml.load(text, Loader=SafeLoader)), f  # noqa: S506


def test_aliases_share_one_object_as_in_yaml_load() -> None:
    data, _ = load_yaml("a: &x [1]\nb: *x\n")
    assert data["a"] is data["b"]


def test_recursive_alias_is_built_as_yaml_load_builds_it() -> None:
    data, _ = load_yaml("a: &x [1, *x]\n")
    assert data["a"][1] is data["a"]


def test_empty_document() -> None:
    assert load_yaml("") == (None, None)
    assert load_yaml("# only a comment\n") == (None, None)


@pytest.mark.parametrize("text", [
    "a: [1\n",  # syntax
    "? [1, 2]\n: x\n",  # unhashable key
    "a: !!python/object/apply:os.system ['true']\n",  # unsafe tag
    "a: !custom 1\n",  # unknown tag
    "a: 1\n---\nb: 2\n",  # two documents
])
def test_errors_are_the_errors_of_yaml_load(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as ours:
        load_yaml(text)
    with pytest.raises(yaml.YAMLError) as theirs:
        yaml.load(text, Loader=SafeLoader)  # noqa: S506
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(("key", "hint"), [
    ("prerequisite", "; did you mean 'prerequisites'?"),
    # a section's field, not a node's: no hint that repeats the key
    ("colour", "; remove it or add it to the schema"),
])
def test_unknown_key_line_and_hint_from_the_same_parse(tmp_path: Path, key: str,
                                                       hint: str) -> None:
    root = make(tmp_path, {"basics/a.yaml": node_yaml("a") + f"{key}: x\n"})
    _, probs = read_roadmap(root)
    line = node_yaml("a").count("\n") + 1
    assert [str(p) for p in probs] == [
        f"{root / 'basics' / 'a.yaml'}:{line}: field '{key}': unknown key '{key}'{hint}"]
