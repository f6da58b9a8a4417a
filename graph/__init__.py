"""Roadmap Lab engine: the roadmap as a validated prerequisite graph.

Never imports streamlit or torch; importing it is fast.
"""

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
from graph.validate import check_graph, format_cycle, topological_order

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
]
