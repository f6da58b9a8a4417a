"""Roadmap Lab engine: the roadmap as a validated prerequisite graph.

Never imports streamlit or torch; importing it is fast: the progress store's names (and
SQLAlchemy under them) are imported on first use.
"""

from typing import TYPE_CHECKING, Any

from graph.errors import (
    CycleError,
    DanglingReferenceError,
    DuplicateIdError,
    LabError,
    NodeNotFound,
    ProgressError,
    RoadmapError,
    RoadmapWarning,
    SchemaError,
    ValidationFailed,
)
from graph.loader import bundled_roadmap_dir, load_roadmap, load_yaml, read_roadmap
from graph.model import (
    LEVELS,
    RESOURCE_TYPES,
    I18nText,
    LabSpec,
    Node,
    Resource,
    Roadmap,
    SchemaInvalid,
    Section,
)
from graph.queries import (
    LearningPath,
    NextUp,
    depths,
    descendant_counts,
    learning_path,
    levels,
    next_up,
    stats,
    unlocks,
)
from graph.runner import (
    LabJob,
    LabRun,
    data_dir,
    missing_requirements,
    pip_name,
    run_lab,
    start_lab,
)
from graph.validate import check_graph, format_cycle, topological_order

if TYPE_CHECKING:
    from graph.progress import (
        DEFAULT_USER,
        SkillMatrix,
        Store,
        completions_over_time,
        current_user,
        done_for,
        open_store,
        resolve_db_url,
        section_progress,
        skill_matrix,
        store_recorder,
        uncovered_nodes,
        who_can_help,
    )

# the progress store's public names, imported from graph.progress on first use
_LAZY = ("DEFAULT_USER", "SkillMatrix", "Store", "completions_over_time", "current_user",
         "done_for", "open_store", "resolve_db_url", "section_progress", "skill_matrix",
         "store_recorder", "uncovered_nodes", "who_can_help")


def __getattr__(name: str) -> Any:
    """``graph.Store`` and the other store names, without importing SQLAlchemy up front."""
    if name in _LAZY:
        from graph import progress

        return getattr(progress, name)
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


__all__ = [
    "CycleError",
    "DanglingReferenceError",
    "DuplicateIdError",
    "LabError",
    "NodeNotFound",
    "ProgressError",
    "RoadmapError",
    "RoadmapWarning",
    "SchemaError",
    "ValidationFailed",
    "bundled_roadmap_dir",
    "load_roadmap",
    "load_yaml",
    "read_roadmap",
    "LEVELS",
    "RESOURCE_TYPES",
    "SchemaInvalid",
    "I18nText",
    "LabSpec",
    "Node",
    "Resource",
    "Roadmap",
    "Section",
    "LearningPath",
    "NextUp",
    "depths",
    "descendant_counts",
    "learning_path",
    "levels",
    "next_up",
    "stats",
    "unlocks",
    "check_graph",
    "format_cycle",
    "topological_order",
    "LabJob",
    "LabRun",
    "data_dir",
    "missing_requirements",
    "pip_name",
    "run_lab",
    "start_lab",
    "DEFAULT_USER",
    "SkillMatrix",
    "Store",
    "completions_over_time",
    "current_user",
    "done_for",
    "open_store",
    "resolve_db_url",
    "section_progress",
    "skill_matrix",
    "store_recorder",
    "uncovered_nodes",
    "who_can_help",
]
