"""Where a lab runs: the local machine (default) or a Ray cluster, behind one interface.

:func:`graph.runner.run_lab` decides *what* runs (the node, its lab, the flags, the
learner's solution copied into the run folder) and records *how it ended*; a backend only
executes one :class:`LabCommand` and reports an :class:`Outcome`, streaming output lines to
a callback as they arrive.

================  =========================================================================
``local``         a subprocess on this machine: the sandbox around learner code, one GPU
                  lab at a time (a file lock), the timeout and cancel kill its process group
``ray://H:P``     a Ray job on a cluster (the Jobs API at the dashboard's address): the same
                  command runs on a worker, sandbox included; Ray's scheduler hands out GPUs
================  =========================================================================

``ROADMAP_RUNNER`` (or ``--runner``) picks one; :func:`backend_for` builds it.
"""

from __future__ import annotations

from graph.backends.base import RAY_URL, Backend, BackendStatus, LabCommand, Outcome
from graph.errors import ConfigError

__all__ = ["LabCommand", "Outcome", "BackendStatus", "Backend", "backend_for", "RAY_URL"]


def backend_for(url: str | None = None) -> Backend:
    """The backend for ``url``: ``local`` (also None or empty) or ``ray://HOST:PORT``.

    Raises
    ------
    ConfigError
        For any other value, saying what is accepted.

    Examples
    --------
    >>> backend_for("local").url
    'local'
    >>> backend_for("ray://head.internal:8265").url
    'ray://head.internal:8265'
    """
    url = (url or "local").strip()
    if url == "local":
        from graph.backends.local import LocalBackend

        return LocalBackend()
    if RAY_URL.match(url):
        from graph.backends.ray import RayBackend

        return RayBackend(url)
    raise ConfigError(f"ROADMAP_RUNNER / --runner {url!r}: use 'local' or 'ray://HOST:PORT' "
                      "(the Ray dashboard's address, e.g. ray://127.0.0.1:8265)")
