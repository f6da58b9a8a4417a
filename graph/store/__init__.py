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
``practice``    practice attempts: the code a learner checked and how the check ended
``ledger``      evidence, review queues, team coverage and role gaps (arithmetic in
                :mod:`graph.evidence`)
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

from graph.store import ledger, practice, records, store, team, transfer
from graph.store.ledger import *  # noqa: F403 - each module's __all__, listed below
from graph.store.practice import *  # noqa: F403
from graph.store.records import *  # noqa: F403
from graph.store.schema import SCHEMA_VERSION
from graph.store.store import *  # noqa: F403
from graph.store.team import *  # noqa: F403
from graph.store.transfer import *  # noqa: F403

__all__ = [*records.__all__, "SCHEMA_VERSION", *store.__all__, *transfer.__all__, *team.__all__,
           *practice.__all__, *ledger.__all__]
