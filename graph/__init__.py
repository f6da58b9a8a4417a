"""Roadmap Lab engine: the roadmap as a validated prerequisite graph, its labs and progress.

This is the engine's public API: the app and the CLI import ``graph`` and nothing below
it. Never imports streamlit or torch. Importing it is fast: the progress store (and with
it SQLAlchemy) is imported on first use of one of its names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.config import (
    DEFAULT_USER,
    app_path,
    bundled_roadmap_dir,
    current_user,
    data_dir,
    default_db_url,
    gpu_lock_path,
    lab_history_path,
    labs_dir,
    now,
    resolve_db_url,
    resource_root,
    runs_dir,
)
from graph.errors import (
    ConfigError,
    CycleError,
    DanglingReferenceError,
    DuplicateIdError,
    ImportFileError,
    InvalidStatus,
    LabError,
    NodeNotFound,
    ProgressError,
    RoadmapError,
    RoadmapWarning,
    SchemaError,
    UnknownNodesError,
    ValidationFailed,
)
from graph.loader import (
    load_roadmap,
    load_yaml,
    read_roadmap,
)
from graph.model import (
    DEVICES,
    FINISHED,
    GPU_USES,
    ID_PATTERN,
    LEVELS,
    RESOURCE_TYPES,
    RUN_STATUSES,
    SOLUTIONS,
    STATUSES,
    VERIFIED_RUN,
    I18nText,
    LabSpec,
    Node,
    Resource,
    Roadmap,
    SchemaInvalid,
    Section,
    is_verified,
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
    topological_order,
    unlocks,
)
from graph.runner import (
    LabJob,
    LabRun,
    history_recorder,
    install_hint,
    missing_requirements,
    pip_name,
    read_history,
    run_lab,
    start_lab,
)
from graph.starter import (
    exercises_of,
    make_starter,
)
from graph.validate import (
    check_graph,
    format_cycle,
    missing_labs,
)

if TYPE_CHECKING:  # the store's names: imported on first use, see __getattr__
    from graph.store import (
        EVENT_KINDS,
        EXPORT_FORMAT,
        EXPORT_VERSION,
        NAME_PATTERN,
        ROLES,
        SCHEMA_VERSION,
        Cell,
        CompletionPoint,
        Event,
        Helper,
        HistoryImport,
        ImportReport,
        Member,
        NodeStatus,
        RunSummary,
        SectionProgress,
        SkillMatrix,
        StatusChange,
        Store,
        TeamInfo,
        UserInfo,
        completions_over_time,
        done_for,
        export_file,
        export_user,
        import_file,
        import_lab_history,
        import_user,
        open_store,
        section_progress,
        skill_matrix,
        store_recorder,
        uncovered_nodes,
        validate_export,
        who_can_help,
    )

__all__ = [
    # graph.errors
    "RoadmapError",
    "RoadmapWarning",
    "SchemaError",
    "DuplicateIdError",
    "DanglingReferenceError",
    "CycleError",
    "NodeNotFound",
    "LabError",
    "ProgressError",
    "InvalidStatus",
    "ImportFileError",
    "UnknownNodesError",
    "ConfigError",
    "ValidationFailed",
    # graph.config
    "DEFAULT_USER",
    "resource_root",
    "bundled_roadmap_dir",
    "labs_dir",
    "app_path",
    "data_dir",
    "runs_dir",
    "gpu_lock_path",
    "lab_history_path",
    "default_db_url",
    "resolve_db_url",
    "current_user",
    "now",
    # graph.model
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
    "Roadmap",
    # graph.loader
    "load_roadmap",
    "load_yaml",
    "read_roadmap",
    # graph.validate
    "check_graph",
    "format_cycle",
    "missing_labs",
    # graph.queries
    "LearningPath",
    "NextUp",
    "learning_path",
    "next_up",
    "levels",
    "depths",
    "topological_order",
    "unlocks",
    "descendant_counts",
    "stats",
    # graph.runner
    "LabRun",
    "LabJob",
    "missing_requirements",
    "pip_name",
    "install_hint",
    "run_lab",
    "start_lab",
    "read_history",
    "history_recorder",
    # graph.starter
    "exercises_of",
    "make_starter",
    # graph.store
    "ROLES",
    "EVENT_KINDS",
    "NAME_PATTERN",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "UserInfo",
    "Member",
    "TeamInfo",
    "NodeStatus",
    "StatusChange",
    "Event",
    "RunSummary",
    "ImportReport",
    "HistoryImport",
    "SectionProgress",
    "Cell",
    "SkillMatrix",
    "Helper",
    "CompletionPoint",
    "Store",
    "open_store",
    "store_recorder",
    "done_for",
    "export_user",
    "export_file",
    "import_user",
    "import_file",
    "import_lab_history",
    "validate_export",
    "section_progress",
    "skill_matrix",
    "uncovered_nodes",
    "who_can_help",
    "completions_over_time",
    "SCHEMA_VERSION",
]


def __getattr__(name: str) -> Any:
    """Import the progress store on first use of one of its names (SQLAlchemy is slow)."""
    if name in __all__:  # every other public name is imported above
        from graph import store

        value = getattr(store, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
