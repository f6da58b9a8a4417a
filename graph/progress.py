"""Deprecated: the old import path of the progress store; remove it together with ``pages/``.

The store is :mod:`graph.store`, paths and environment are :mod:`graph.config`, and both
are re-exported by ``graph``. ``pages/`` still imports from here until the app imports
``graph`` alone; its two learning-path helpers were removed from the engine and are
``learning_path(rm, target, done_for(store, user))`` and ``next_up(rm, done_for(store,
user))``.
"""

from __future__ import annotations

from typing import Any

from graph.config import DEFAULT_USER, current_user, resolve_db_url  # noqa: F401
from graph.queries import LearningPath, NextUp, learning_path, next_up
from graph.store import *  # noqa: F403
from graph.store import Store, done_for


def user_learning_path(roadmap: Any, store: Store, user: str, target: str) -> LearningPath:
    """Deprecated: ``learning_path(roadmap, target, done_for(store, user))``."""
    return learning_path(roadmap, target, done_for(store, user))


def user_next_up(roadmap: Any, store: Store, user: str) -> list[NextUp]:
    """Deprecated: ``next_up(roadmap, done_for(store, user))``."""
    return next_up(roadmap, done_for(store, user))
