"""Load roadmap YAML (one file per node, a folder per section) into a validated Roadmap.

Every problem is collected, not only the first: a file with a bad field does not stop the
others from being read, and :class:`~graph.errors.ValidationFailed` lists them all. Files
are parsed with the safe loader only (libyaml's ``CSafeLoader`` where present).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from graph.config import bundled_roadmap_dir
from graph.errors import DuplicateIdError, RoadmapError, SchemaError, ValidationFailed
from graph.model import ROLES_DIR, Node, Roadmap, Role, SchemaInvalid, Section

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - libyaml is in the wheels we use
    from yaml import SafeLoader  # type: ignore[assignment]

__all__ = ["load_roadmap", "load_yaml", "read_roadmap"]


def load_roadmap(*dirs: str | Path, strict: bool = False) -> Roadmap:
    """Load and validate one or more roadmap directories, merged in order.

    Parameters
    ----------
    *dirs
        Roadmap directories; none means the bundled one. A later directory extends the
        earlier ones (a team's own nodes beside the bundled roadmap).
    strict
        Treat a missing lab script as an error instead of a warning.

    Returns
    -------
    Roadmap

    Raises
    ------
    ValidationFailed
        Listing every problem found.

    Examples
    --------
    >>> rm = load_roadmap()
    >>> "backpropagation" in rm.nodes
    True
    """
    roadmap, problems = read_roadmap(*dirs, strict=strict)
    if problems:
        raise ValidationFailed(problems)
    assert roadmap is not None
    return roadmap


def read_roadmap(*dirs: str | Path, strict: bool = False
                 ) -> tuple[Roadmap | None, list[RoadmapError]]:
    """Like :func:`load_roadmap` but return ``(roadmap, problems)`` instead of raising."""
    from graph.validate import check_graph, missing_labs

    paths = [Path(d) for d in dirs] or [bundled_roadmap_dir()]
    problems: list[RoadmapError] = []
    sections: dict[str, Section] = {}
    nodes: dict[str, Node] = {}
    files: dict[str, Path] = {}
    roots: dict[str, Path] = {}
    roles: dict[str, Role] = {}
    role_files: dict[str, Path] = {}
    found = 0
    for d in paths:
        if not d.is_dir():
            problems.append(SchemaError(f"{d}: roadmap directory does not exist"))
            continue
        for s in _read_sections(d, problems):
            sections[s.id] = s
        root = d.resolve().parent
        for f in _node_files(d):
            found += 1
            node = _read_node(f, problems)
            if node is None:
                continue
            if node.id in nodes:
                problems.append(DuplicateIdError(
                    f"{f}: field 'id': duplicate id {node.id!r}, "
                    f"also declared in {files[node.id]}"))
                continue
            nodes[node.id] = node
            files[node.id], roots[node.id] = f, root
        for f in _role_files(d):
            role = _read_role(f, problems)
            if role is None:
                continue
            if role.id in roles:
                problems.append(DuplicateIdError(
                    f"{f}: field 'id': duplicate role id {role.id!r}, "
                    f"also declared in {role_files[role.id]}"))
                continue
            roles[role.id], role_files[role.id] = role, f
    ordered = sorted(sections.values(), key=lambda s: (s.order, s.id))
    roadmap = Roadmap(nodes=nodes, sections=ordered, pred={n: [] for n in nodes},
                      succ={n: [] for n in nodes}, files=files, roots=roots, roles=roles,
                      role_files=role_files)
    _link(roadmap)
    if not found and not problems:
        problems.append(SchemaError(
            f"the roadmap is empty: no node files in {', '.join(map(str, paths))} "
            "(expected <section>/<id>.yaml)"))
    elif nodes:
        problems += check_graph(roadmap, strict=strict)
        if not strict:
            roadmap.warnings += missing_labs(roadmap)
    return roadmap, problems


def _link(roadmap: Roadmap) -> None:
    """Add the prerequisite edges and the alias map (an alias's first claim wins).

    Only what names existing nodes is linked; what is wrong with the rest (unknown ids,
    self-references, clashing aliases) is for :func:`~graph.validate.check_graph` to say.
    """
    nodes = roadmap.nodes
    for nid, node in nodes.items():
        for ref in dict.fromkeys(node.prerequisites):
            if ref in nodes and ref != nid:
                roadmap.add_edge(ref, nid)
        for alias in node.aliases:
            if alias not in nodes:
                roadmap.alias_map.setdefault(alias, nid)


def _node_files(d: Path) -> list[Path]:
    """``<section>/<id>.yaml`` files under ``d`` (then ``.yml``), sorted by folder and name;
    the roles folder (:data:`~graph.model.ROLES_DIR`) holds roles, not nodes."""
    found: list[tuple[str, str]] = []
    with os.scandir(d) as top:
        for sub in top:
            if sub.is_dir() and not sub.name.startswith(".") and sub.name != ROLES_DIR:
                with os.scandir(sub.path) as entries:
                    found += [(sub.name, e.name) for e in entries
                              if e.name.endswith((".yaml", ".yml")) and e.is_file()]
    found.sort(key=lambda p: (p[1].endswith(".yml"), p))
    return [d / folder / name for folder, name in found]


def _role_files(d: Path) -> list[Path]:
    """``roles/<id>.yaml`` (then ``.yml``) under ``d``, sorted by name."""
    folder = d / ROLES_DIR
    if not folder.is_dir():
        return []
    files = [f for f in folder.iterdir() if f.suffix in (".yaml", ".yml") and f.is_file()]
    return sorted(files, key=lambda f: (f.suffix == ".yml", f.name))


def _read_role(f: Path, problems: list[RoadmapError]) -> Role | None:
    data, tree = _parse_mapping(f, "role", problems)
    if data is None:
        return None
    try:
        role = Role.from_dict(data)
    except SchemaInvalid as exc:
        problems += _schema_errors(f, exc, (), tree)
        return None
    return role if _id_is_file_name(f, role.id, problems) else None


def _read_sections(d: Path, problems: list[RoadmapError]) -> list[Section]:
    f = d / "sections.yaml"
    if not f.exists():
        return []
    data, tree = _parse(f, problems)
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) != {"sections"} or not isinstance(
            data["sections"], list):
        problems.append(SchemaError(f"{f}: expected a mapping with one key 'sections' "
                                    "holding a list of sections"))
        return []
    out = []
    for i, item in enumerate(data["sections"]):
        try:
            out.append(Section.from_dict(item))
        except SchemaInvalid as exc:
            problems += _schema_errors(f, exc, ("sections", i), tree)
    return out


def _read_node(f: Path, problems: list[RoadmapError]) -> Node | None:
    data, tree = _parse_mapping(f, "node", problems)
    if data is None:
        return None
    section = f.parent.name
    given = data.get("section")
    if given is not None and given != section:
        problems.append(SchemaError(f"{f}: field 'section': {given!r} differs from the folder "
                                    f"{section!r} (the folder decides; remove the field)"))
        return None
    try:
        node = Node.from_dict({**data, "section": section})
    except SchemaInvalid as exc:
        problems += _schema_errors(f, exc, (), tree)
        return None
    return node if _id_is_file_name(f, node.id, problems) else None


def _parse_mapping(f: Path, kind: str, problems: list[RoadmapError]
                   ) -> tuple[dict[str, Any] | None, yaml.Node | None]:
    """A node or role file's data, which must be a mapping (None after a problem)."""
    data, tree = _parse(f, problems)
    if data is not None and not isinstance(data, dict):
        problems.append(SchemaError(f"{f}: a {kind} file must be a YAML mapping, "
                                    f"got {type(data).__name__}"))
        return None, None
    return data, tree


def _id_is_file_name(f: Path, id_: str, problems: list[RoadmapError]) -> bool:
    if id_ == f.stem:
        return True
    problems.append(SchemaError(f"{f}: field 'id': {id_!r} differs from the file name "
                                f"{f.stem!r}"))
    return False


def _parse(f: Path, problems: list[RoadmapError]) -> tuple[Any, yaml.Node | None]:
    """The file's data (None after a problem) and its composed YAML, for error lines."""
    try:
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(SchemaError(f"{f}: cannot read: {exc}"))
        return None, None
    try:
        data, tree = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(SchemaError(f"{f}{where}: YAML syntax error: {what}"))
        return None, None
    if data is None:
        problems.append(SchemaError(f"{f}: the file is empty"))
    return data, tree


_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_T + t for t in ("null", "bool", "int", "float", "timestamp"))
_STR, _SEQ, _MAP = _T + "str", _T + "seq", _T + "map"
_KEY_TAGS = _SCALAR_TAGS | {_STR}


class _Unusual(Exception):
    """A document the short construction leaves to PyYAML's full constructor."""


def load_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """``yaml.load(text, SafeLoader)``, and the composed document it was built from.

    Plain documents (mappings, lists and scalars, no aliases to collections, no merge
    keys, no explicit collection tags) are built by a short walk over the composed nodes
    with the safe loader's own scalar constructors; anything else goes through
    ``construct_document`` as ``yaml.load`` would. Same results, a third of the time.

    Raises
    ------
    yaml.YAMLError
        As ``yaml.load`` does.
    """
    loader = SafeLoader(text)
    try:
        tree = loader.get_single_node()
        if tree is None:
            return None, None
        try:
            return _build(tree, loader, set()), tree
        except _Unusual:
            return loader.construct_document(tree), tree
    finally:
        loader.dispose()


def _build(node: yaml.Node, loader: Any, seen: set[int]) -> Any:
    tag, kind = node.tag, type(node)
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag in _SCALAR_TAGS:
            return loader.yaml_constructors[tag](loader, node)
        raise _Unusual
    if id(node) in seen:  # an alias: yaml.load shares one object (and allows recursion)
        raise _Unusual
    seen.add(id(node))
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_build(item, loader, seen) for item in node.value]
    if kind is yaml.MappingNode and tag == _MAP:
        out = {}
        for key, value in node.value:
            if type(key) is not yaml.ScalarNode or key.tag not in _KEY_TAGS:
                raise _Unusual  # merge (<<) and value (=) keys, collections as keys
            out[_build(key, loader, seen)] = _build(value, loader, seen)
        return out
    raise _Unusual


def _schema_errors(f: Path, exc: SchemaInvalid, prefix: tuple[Any, ...],
                   tree: yaml.Node | None) -> list[RoadmapError]:
    out: list[RoadmapError] = []
    for err in exc.errors:
        loc = tuple(prefix) + tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(document)"
        line = _line_of(tree, loc)
        where = f"{f}:{line}" if line else str(f)
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            hint = difflib.get_close_matches(key, err.get("allowed", ()), n=1)
            msg = f"unknown key {key!r}" + (f"; did you mean {hint[0]!r}?" if hint else
                                            "; remove it or add it to the schema")
        elif kind == "missing":
            msg = "required field is missing"
        else:
            msg = err["msg"]
            if err["input"] is not None and kind != "value_error":
                msg += f" (got {err['input']!r})"[:120]
        out.append(SchemaError(f"{where}: field '{field}': {msg}"))
    return out


def _line_of(node: yaml.Node | None, loc: Iterable[Any]) -> int | None:
    """1-based line of the YAML node at ``loc`` (keys and list indexes) under the composed
    document ``node``, best effort."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(part):
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(
                node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
