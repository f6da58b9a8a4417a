"""The data model: Section, Node, Resource, LabSpec (pydantic, unknown keys forbidden), Roadmap."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph.errors import NodeNotFound

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ID_PATTERN",
    "I18nText",
    "LabSpec",
    "Resource",
    "Node",
    "Section",
    "Roadmap",
]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
Level = Literal["beginner", "intermediate", "advanced"]
ResourceType = Literal["article", "course", "video", "official", "paper", "book", "tutorial"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class I18nText(_Strict):
    """A translated title and summary."""

    title: str = Field(min_length=1)
    summary: str = ""


class Resource(_Strict):
    """A typed link: an article, course, video, official page, paper, book or tutorial."""

    type: ResourceType
    title: str = Field(min_length=1)
    url: str

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/]+\.[^\s]+$", v):
            raise ValueError(f"resource url must be an http(s) URL, got {v!r}")
        return v


class LabSpec(_Strict):
    """How to run a node's lab: the script under labs/, GPU use, timeout, importable needs."""

    script: str
    gpu: Literal["no", "optional", "required"] = "no"
    timeout_s: int = Field(default=120, gt=0, le=24 * 3600)
    requires: list[str] = Field(default_factory=list)

    @field_validator("gpu", mode="before")
    @classmethod
    def _yaml_no(cls, v: Any) -> Any:
        return "no" if v is False else v  # YAML 1.1 reads a bare `no` as false

    @field_validator("script")
    @classmethod
    def _inside_labs(cls, v: str) -> str:
        p = Path(v)
        if p.is_absolute() or ".." in p.parts or p.parts[:1] != ("labs",) or p.suffix != ".py":
            raise ValueError(f"lab script must be a .py file inside labs/, got {v!r}")
        return v


class Node(_Strict):
    """One skill of the roadmap; the section comes from the folder its file lives in."""

    id: str
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    i18n: dict[str, I18nText] = Field(default_factory=dict)
    level: Level
    estimate_hours: float = Field(gt=0, le=1000)
    prerequisites: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    objectives: list[str] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list, max_length=8)
    tags: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    lab: LabSpec | None = None
    section: str = ""

    @field_validator("id")
    @classmethod
    def _kebab(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError(f"id {v!r} is not kebab-case (lowercase words joined by '-')")
        return v

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (falls back to English)."""
        t = self.i18n.get(lang)
        return t.title if t else self.title

    def summary_in(self, lang: str) -> str:
        """The summary in ``lang`` (falls back to English)."""
        t = self.i18n.get(lang)
        return t.summary if t and t.summary else self.summary


class Section(_Strict):
    """One of the roadmap's sections (a folder of nodes)."""

    id: str
    title: str
    i18n: dict[str, I18nText] = Field(default_factory=dict)
    order: int = 0
    colour: str = "#888888"

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (falls back to English)."""
        t = self.i18n.get(lang)
        return t.title if t else self.title


@dataclass
class Roadmap:
    """A loaded, validated roadmap: nodes in file order, sections, and the prerequisite DAG.

    Edges point from prerequisite to dependent. ``pred``/``succ`` are plain adjacency
    dicts (fast, no import); ``graph`` is the same DAG as a networkx DiGraph, built on
    first use so that loading and validating never import networkx.
    """

    nodes: dict[str, Node]
    sections: list[Section]
    pred: dict[str, list[str]] = field(default_factory=dict)
    succ: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    roots: dict[str, Path] = field(default_factory=dict)
    alias_map: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def graph(self) -> nx.DiGraph:
        """The prerequisite DAG as a networkx DiGraph (built once, then cached)."""
        g = self._cache.get("graph")
        if g is None:
            import networkx as nx

            g = nx.DiGraph()
            g.add_nodes_from(self.nodes)
            g.add_edges_from(self.edges())
            self._cache["graph"] = g
        return g

    def add_edge(self, prerequisite: str, dependent: str) -> None:
        """Add a prerequisite edge (used while loading)."""
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
        return (self.roots[node.id] / node.lab.script).resolve()
