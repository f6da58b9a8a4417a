"""The progress store: users, teams, node statuses, their history and lab runs.

SQLAlchemy 2 Core over a SQLite file in the user's data folder (WAL mode) by default;
``ROADMAP_DB_URL`` (or an explicit URL) points a team at PostgreSQL (psycopg 3). One layer
a module, in the manner of datasette and sqlite-utils:

==============  ========================================================================
``records``     the dataclasses the store returns, and the words it uses
``schema``      the tables and their migrations
``engine``      URL -> engine, SQLite settings, the writer's turn, ``read()``/``write()``
``rows``        the row-level writes and lookups that operations are made of
``transfer``    export files, imports and their validator, the runner's history
``store``       :class:`Store`: users, teams, statuses, events, runs, renames
``team``        section progress, skill matrix, uncovered nodes, who can help, completions
==============  ========================================================================

Each module may import the ones above it, never one below (``transfer`` works on the
:class:`Store` it is given; it names the class for types only).

Examples
--------
>>> with Store("sqlite://") as store:
...     _ = store.add_user("ana")
...     store.set_status("ana", "calculus", "done").new
'done'
"""

from graph.store.records import (
    EVENT_KINDS,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    NAME_PATTERN,
    ROLES,
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
    TeamInfo,
    UserInfo,
)
from graph.store.schema import SCHEMA_VERSION
from graph.store.store import (
    Store,
    done_for,
    open_store,
    store_recorder,
)
from graph.store.team import (
    completions_over_time,
    section_progress,
    skill_matrix,
    uncovered_nodes,
    who_can_help,
)
from graph.store.transfer import (
    export_file,
    export_user,
    import_file,
    import_lab_history,
    import_user,
    validate_export,
)

__all__ = [
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
