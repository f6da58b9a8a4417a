"""The data model: Section, Node, Resource, LabSpec, I18nText and the Roadmap they form.

The records are frozen dataclasses checked by a small declarative schema in this module
(types, ranges, choices, unknown keys forbidden, custom rules) instead of pydantic: the
same rules at a fraction of the start-up cost, so `roadmap validate` answers in well under
half a second. :meth:`_Record.from_dict` raises :class:`SchemaInvalid`, whose ``errors``
carry the location (keys and list indexes) of each problem for the loader to report.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from graph.errors import NodeNotFound

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ID_PATTERN",
    "LEVELS",
    "RESOURCE_TYPES",
    "GPU_USES",
    "STATUSES",
    "FINISHED",
    "RUN_STATUSES",
    "SOLUTIONS",
    "DEVICES",
    "VERIFIED_RUN",
    "is_verified",
    "SchemaInvalid",
    "I18nText",
    "LabSpec",
    "Resource",
    "Node",
    "Section",
    "Role",
    "ROLES_DIR",
    "DEFAULT_CREDIT",
    "Roadmap",
]

# --------------------------------------------------------------------------- vocabulary
# Each word of the domain is defined here once; the store, the runner, the CLI and the app
# read it from here.
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # a node id: kebab-case
LEVELS = ("beginner", "intermediate", "advanced")  # how hard a node is
RESOURCE_TYPES = ("article", "course", "video", "official", "paper", "book", "tutorial")
GPU_USES = ("no", "optional", "required")  # what a lab does with a GPU
STATUSES = ("todo", "learning", "done", "skipped")  # a learner's status of a node
FINISHED = frozenset({"done", "skipped"})  # the statuses that count towards progress
# how a lab run ended; "skipped": an optional framework the lab needs is missing (never a pass)
RUN_STATUSES = ("pass", "fail", "error", "timeout", "cancelled", "skipped")
# whose code a lab run checked; "partial": some exercises the learner's, the rest the lab's
# (`--only`), so it is checked but never verified
SOLUTIONS = ("reference", "learner", "partial")
DEVICES = ("auto", "cpu", "cuda")  # where a lab may be asked to run
VERIFIED_RUN = {"status": "pass", "solution": "learner"}  # the run that proves a skill
ROLES_DIR = "roles"  # the folder of role profiles inside a roadmap folder (not a section)
DEFAULT_CREDIT = 0.5  # a pass's implicit credit to a prerequisite, per edge (`encompasses`)


def is_verified(status: str | None, solution: str | None) -> bool:
    """Whether a lab run proves the skill: a pass with the learner's own solution.

    Examples
    --------
    >>> is_verified("pass", "learner"), is_verified("pass", "reference")
    (True, False)
    """
    return status == VERIFIED_RUN["status"] and solution == VERIFIED_RUN["solution"]


URL_PATTERN = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{3,8}$")

Loc = tuple[str | int, ...]
#: A check takes a value, its location and the error list; it returns the clean value
#: (or appends to the list and returns None).
Check = Callable[[Any, Loc, list[dict[str, Any]]], Any]
R = TypeVar("R", bound="_Record")
T = TypeVar("T")


class SchemaInvalid(ValueError):
    """A mapping does not match a record's schema; ``errors`` lists every problem.

    Each error is a dict with ``loc`` (tuple of keys and indexes), ``type`` (``missing``,
    ``extra_forbidden``, ``type_error``, ``value_error``), ``msg`` and ``input``; an
    ``extra_forbidden`` error also names the keys its record ``allowed``.
    """

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                   for e in errors))


def _fail(errs: list[dict[str, Any]], loc: Loc, msg: str, value: Any,
          kind: str = "type_error") -> Any:
    """Record a problem; returns None so that a check can ``return _fail(...)``."""
    errs.append({"loc": loc, "type": kind, "msg": msg, "input": value})
    return None


def _text(min_length: int = 0) -> Check:
    def check(v: Any, loc: Loc, errs: list[dict[str, Any]]) -> Any:
        if not isinstance(v, str):
            return _fail(errs, loc, "should be a string", v)
        if min_length and len(v.strip()) < min_length:
            return _fail(errs, loc, "should not be empty", v)
        return v
    return check


_TEXT = _text(1)


def _choice(*allowed: str) -> Check:
    names = ", ".join(map(repr, allowed[:-1])) + f" or {allowed[-1]!r}"

    def check(v: Any, loc: Loc, errs: list[dict[str, Any]]) -> Any:
        if v not in allowed:
            return _fail(errs, loc, f"should be {names}", v)
        return v
    return check


def _number(gt: float, le: float, integer: bool = False) -> Check:
    kind = "an integer" if integer else "a number"

    def check(v: Any, loc: Loc, errs: list[dict[str, Any]]) -> Any:
        if isinstance(v, bool) or not isinstance(v, int if integer else (int, float)):
            return _fail(errs, loc, f"should be {kind}", v)
        if not gt < v <= le:
            return _fail(errs, loc, f"should be greater than {gt:g} and at most {le:g}", v)
        return v
    return check


def _weight(v: Any, loc: Loc, errs: list[dict[str, Any]]) -> Any:
    """A weight from 0 to 1 (both included)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return _fail(errs, loc, "should be a number from 0 to 1", v)
    if not 0 <= v <= 1:
        return _fail(errs, loc, f"should be a weight from 0 to 1, got {v:g}", None)
    return float(v)


def _list(item: Check, max_length: int | None = None) -> Check:
    texts = item is _TEXT  # lists of non-empty strings: the common case, checked in one pass

    def check(v: Any, loc: Loc, errs: list[dict[str, Any]]) -> Any:
        if texts and type(v) is list and all(type(x) is str and x.strip() for x in v):
            return v
        if not isinstance(v, list):
            return _fail(errs, loc, "should be a list", v)
        if max_length is not None and len(v) > max_length:
            return _fail(errs, loc, f"should have at most {max_length} items, not {len(v)}",
                         None)
        before = len(errs)
        out = [item(x, (*loc, i), errs) for i, x in enumerate(v)]
        return out if len(errs) == before else None
    return check


def _mapping(value: Check) -> Check:
    def check(v: Any, loc: Loc, errs: list[dict[str, Any]]) -> Any:
        if not isinstance(v, dict):
            return _fail(errs, loc, "should be a mapping", v)
        before = len(errs)
        out = {str(k): value(x, (*loc, str(k)), errs) for k, x in v.items()}
        return out if len(errs) == before else None
    return check


def _record(cls: type[_Record]) -> Check:
    return cls._check


def _optional(inner: Check) -> Check:
    return lambda v, loc, errs: None if v is None else inner(v, loc, errs)


def _rule(inner: Check, rule: Callable[[Any], str | None]) -> Check:
    """``inner``, then ``rule(value)``: a message when the value breaks the rule."""
    def check(v: Any, loc: Loc, errs: list[dict[str, Any]]) -> Any:
        before = len(errs)
        v = inner(v, loc, errs)
        if len(errs) == before and (msg := rule(v)):
            return _fail(errs, loc, msg, v, "value_error")
        return v
    return check


class _Record:
    """Base of the schema records: ``from_dict`` checks a mapping against ``_SCHEMA``."""

    __slots__ = ()
    _SCHEMA: ClassVar[dict[str, Check]]
    _REQUIRED: ClassVar[frozenset[str]]

    @classmethod
    def _check(cls: type[R], data: Any, loc: Loc, errs: list[dict[str, Any]]) -> R | None:
        if not isinstance(data, dict):
            return _fail(errs, loc, "should be a mapping of fields", data)
        before = len(errs)
        values: dict[str, Any] = {}
        for key, value in data.items():
            check = cls._SCHEMA.get(key)
            if check is None:
                _fail(errs, (*loc, str(key)), "unknown key", value, "extra_forbidden")
                errs[-1]["allowed"] = tuple(cls._SCHEMA)
            else:
                values[key] = check(value, (*loc, key), errs)
        if not cls._REQUIRED.issubset(data):
            for key in sorted(cls._REQUIRED - data.keys()):
                _fail(errs, (*loc, key), "required field is missing", None, "missing")
        return cls(**values) if len(errs) == before else None

    @classmethod
    def from_dict(cls: type[R], data: Any) -> R:
        """Check ``data`` against the schema and build the record.

        Raises
        ------
        SchemaInvalid
            Listing every problem, each with its location.
        """
        errs: list[dict[str, Any]] = []
        rec = cls._check(data, (), errs)
        if rec is None:
            raise SchemaInvalid(errs)
        return rec

    def to_dict(self) -> dict[str, Any]:
        """The record as plain dicts and lists (JSON-ready)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


def _schema(cls: type[R], **checks: Check) -> type[R]:
    """Attach the field checks to a record class; fields without a default are required."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    assert {f.name for f in fields} == set(checks), (cls.__name__, set(checks))
    cls._SCHEMA = checks
    cls._REQUIRED = frozenset(
        f.name for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
    return cls


def _url_rule(v: str) -> str | None:
    return None if URL_PATTERN.match(v) else f"resource url must be an http(s) URL, got {v!r}"


def _lab_script_rule(v: str) -> str | None:
    parts = v.split("/")
    if parts[0] != "labs" or len(parts) < 2 or not v.endswith(".py") or "\\" in v or any(
            p in ("", ".", "..") for p in parts):
        return f"lab script must be a .py file inside labs/, got {v!r}"
    return None


def _colour_rule(v: str) -> str | None:
    return None if COLOUR_PATTERN.match(v) else f"colour must be a #rrggbb hex colour, got {v!r}"


def _position_rule(v: list[int]) -> str | None:
    if len(v) == 2:
        return None
    return (f"position must be [column, row] (two whole numbers, e.g. [3, 0]), "
            f"got {len(v)} number(s)")


def _kebab_rule(v: str) -> str | None:
    if ID_PATTERN.match(v):
        return None
    return f"id {v!r} is not kebab-case (lowercase words joined by '-')"


_GPU_USE = _choice(*GPU_USES)


def _gpu(v: Any, loc: Loc, errs: list[dict[str, Any]]) -> Any:
    return _GPU_USE("no" if v is False else v, loc, errs)  # YAML 1.1 reads `no` as false


@dataclass(frozen=True, slots=True)
class I18nText(_Record):
    """A translated title and summary."""

    title: str
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Resource(_Record):
    """A typed link: an article, course, video, official page, paper, book or tutorial."""

    type: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class LabSpec(_Record):
    """How to run a node's lab: the script under labs/, GPU use, timeout, importable needs."""

    script: str
    gpu: str = "no"  # "no", "optional" or "required"
    timeout_s: int = 120
    requires: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Node(_Record):
    """One skill of the roadmap; the section comes from the folder its file lives in."""

    id: str
    title: str
    summary: str
    level: str  # one of LEVELS
    estimate_hours: float
    i18n: dict[str, I18nText] = field(default_factory=dict)
    prerequisites: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    lab: LabSpec | None = None
    section: str = ""
    position: list[int] | None = None  # [column, row] pin for the layout (graph/layout/)
    # how much a pass of this node reviews each prerequisite (0-1; default DEFAULT_CREDIT)
    encompasses: dict[str, float] = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (falls back to English)."""
        t = self.i18n.get(lang)
        return t.title if t else self.title

    def summary_in(self, lang: str) -> str:
        """The summary in ``lang`` (falls back to English)."""
        t = self.i18n.get(lang)
        return t.summary if t and t.summary else self.summary


@dataclass(frozen=True, slots=True)
class Section(_Record):
    """One of the roadmap's sections (a folder of nodes)."""

    id: str
    title: str
    i18n: dict[str, I18nText] = field(default_factory=dict)
    order: int = 0
    colour: str = "#888888"

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (falls back to English)."""
        t = self.i18n.get(lang)
        return t.title if t else self.title


@dataclass(frozen=True, slots=True)
class Role(_Record):
    """A role profile: the nodes someone in that role should know (``roles/<id>.yaml``)."""

    id: str
    title: str
    targets: list[str]
    summary: str = ""
    i18n: dict[str, I18nText] = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (falls back to English)."""
        t = self.i18n.get(lang)
        return t.title if t else self.title


def _non_empty_rule(v: list[str]) -> str | None:
    return None if v else "should name at least one node"


_ID, _IDS = _rule(_TEXT, _kebab_rule), _list(_TEXT)
_I18N = _mapping(_record(I18nText))
_schema(I18nText, title=_TEXT, summary=_text())
_schema(Resource, type=_choice(*RESOURCE_TYPES), title=_TEXT, url=_rule(_TEXT, _url_rule))
_schema(LabSpec, script=_rule(_TEXT, _lab_script_rule), gpu=_gpu,
        timeout_s=_number(0, 24 * 3600, integer=True), requires=_IDS)
_schema(Node, id=_ID, title=_TEXT, summary=_TEXT, level=_choice(*LEVELS),
        estimate_hours=_number(0, 1000), i18n=_I18N, prerequisites=_IDS, related=_IDS,
        objectives=_list(_TEXT), resources=_list(_record(Resource), max_length=8),
        tags=_list(_TEXT), aliases=_IDS, lab=_optional(_record(LabSpec)), section=_text(),
        position=_optional(_rule(_list(_number(-1, 10_000, integer=True)), _position_rule)),
        encompasses=_mapping(_weight))
_schema(Role, id=_ID, title=_TEXT, targets=_rule(_IDS, _non_empty_rule), summary=_text(),
        i18n=_I18N)
_schema(Section, id=_ID, title=_TEXT, i18n=_I18N, order=_number(-10**6, 10**6, integer=True),
        colour=_rule(_TEXT, _colour_rule))


@dataclass
class Roadmap:
    """A loaded, validated roadmap: nodes in file order, sections, and the prerequisite DAG.

    Edges point from prerequisite to dependent. ``pred``/``succ`` are plain adjacency
    dicts (fast, no import); ``graph`` is the same DAG as a networkx DiGraph, built on
    first use so that loading and validating never import networkx. The loader builds
    the edges and ``alias_map`` (old id -> current id); validation only reads them.
    """

    nodes: dict[str, Node]
    sections: list[Section]
    pred: dict[str, list[str]] = field(default_factory=dict)
    succ: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    roots: dict[str, Path] = field(default_factory=dict)
    alias_map: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    roles: dict[str, Role] = field(default_factory=dict)
    role_files: dict[str, Path] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def graph(self) -> nx.DiGraph:
        """The prerequisite DAG as a networkx DiGraph (built on first use, then cached)."""
        return self.cached("graph", self._digraph)

    def _digraph(self) -> nx.DiGraph:
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from(self.edges())
        return g

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """The value stored under ``key``, computed by ``compute()`` on first use.

        The roadmap's one cache: what queries derive from its nodes and edges (the
        networkx graph, a topological order, descendant counts) is kept here, in the
        open, and :meth:`add_edge` empties it. Nothing else of the roadmap changes after
        loading.
        """
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]  # type: ignore[no-any-return]

    def add_edge(self, prerequisite: str, dependent: str) -> None:
        """Add a prerequisite edge (the loader builds the graph with it)."""
        self.succ[prerequisite].append(dependent)
        self.pred[dependent].append(prerequisite)
        self._cache.clear()

    def edges(self) -> list[tuple[str, str]]:
        """Every (prerequisite, dependent) pair, in file order."""
        return [(u, v) for u, vs in self.succ.items() for v in vs]

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.nodes

    def __len__(self) -> int:
        return len(self.nodes)

    def get(self, node_id: str) -> Node:
        """Return the node ``node_id`` (an alias works too).

        Raises
        ------
        NodeNotFound
            With close matches as suggestions.
        """
        node_id = self.alias_map.get(node_id, node_id)
        try:
            return self.nodes[node_id]
        except KeyError:
            raise NodeNotFound(node_id, self.suggest(node_id)) from None

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Ids close to ``text`` (by spelling, then by substring of id or title)."""
        close = difflib.get_close_matches(text, list(self.nodes), n=n, cutoff=0.6)
        if len(close) < n:
            low = text.lower()
            close += [i for i, nd in self.nodes.items()
                      if (low in i or low in nd.title.lower()) and i not in close][: n - len(close)]
        return close

    def role(self, role_id: str) -> Role:
        """Return the role profile ``role_id``.

        Raises
        ------
        NodeNotFound
            ``unknown role id ...; did you mean ...`` (with close role ids).
        """
        try:
            return self.roles[role_id]
        except KeyError:
            raise NodeNotFound(role_id, difflib.get_close_matches(
                role_id, list(self.roles), n=3, cutoff=0.6), what="role") from None

    def credit_weight(self, prerequisite: str, dependent: str) -> float:
        """How much a pass of ``dependent`` reviews its prerequisite ``prerequisite``:
        the node's ``encompasses`` weight, else :data:`DEFAULT_CREDIT`."""
        return self.nodes[dependent].encompasses.get(prerequisite, DEFAULT_CREDIT)

    def section(self, section_id: str) -> Section:
        """Return the section ``section_id``."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise NodeNotFound(section_id, difflib.get_close_matches(
            section_id, [s.id for s in self.sections], n=3), what="section")

    def section_of(self, node_id: str) -> str:
        """The section id of ``node_id``."""
        return self.get(node_id).section

    def in_section(self, section_id: str) -> list[Node]:
        """The nodes of a section, in file order."""
        return [n for n in self.nodes.values() if n.section == section_id]

    def lab_path(self, node_id: str) -> Path | None:
        """Absolute path of the node's lab script, or None when it has no lab."""
        node = self.get(node_id)
        if node.lab is None:
            return None
        # roots are resolved and the schema keeps scripts inside labs/ (no "..", relative)
        return self.roots[node.id] / node.lab.script

    def has_lab(self, node_id: str) -> bool:
        """Whether the node names a lab and its script exists."""
        path = self.lab_path(node_id)
        return path is not None and path.is_file()
