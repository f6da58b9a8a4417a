"""Who may do what, and when learner code may run: the app's rules in one place.

A **local** app (served on 127.0.0.1, no ``[auth]``) is one person's tool: any profile may
be picked, any team managed, and a learner's code runs in the sandbox when the machine has
it, else with resource limits only (a warning says so).

A **shared** app (served beyond 127.0.0.1, or with an ``[auth]`` login) serves people who
do not trust each other:

- with a login, the profile *is* the login: a user changes only their own statuses, notes
  and practice attempts (there is no profile picker, no "act as"), imports go into their
  own profile, and only a team's admins add or remove its members;
- learner code runs only in the full sandbox (bubblewrap); without it the Check buttons are
  disabled, with the reason and the fix.

Nobody can mark another user verified: a pass is recorded for the user who ran the check.
The CLI's ``--user`` against a shared database is the operator's tool (README, "Serving a
team").
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import graph
from graph import RoadmapError, Store
from ui import auth

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def server_address() -> str:
    """Streamlit's ``server.address`` (empty when unset: then it listens on every
    interface)."""
    try:
        return str(st.get_option("server.address") or "")
    except Exception:  # noqa: BLE001 - no such option in an unknown Streamlit: assume shared
        return ""


def served_locally(address: str | None = None) -> bool:
    """Whether the app listens on the loopback interface only.

    An empty address (Streamlit's default) listens on every interface, and a Unix socket
    may sit behind any proxy, so neither counts as local.
    """
    addr = server_address() if address is None else address
    return addr in LOCAL_HOSTS or addr.startswith("127.")


def team_mode() -> bool:
    """True with an ``[auth]`` login: the profile is the login."""
    return auth.configured()


@dataclass(frozen=True)
class CodePolicy:
    """Whether learner code may run here, and if not, why (catalogue keys and arguments)."""

    allowed: bool
    required: bool  # the full sandbox is required (a shared app)
    reason: tuple[str, dict[str, str]] | None = None  # why the full sandbox is required
    sandbox: graph.SandboxInfo | None = None


def code_policy() -> CodePolicy:
    """Whether learner code may run in this app now.

    A shared app requires the full sandbox; a local one runs learner code either way.
    """
    box = graph.sandbox_info()
    reason: tuple[str, dict[str, str]] | None = None
    if team_mode():
        reason = ("access.reason_login", {})
    elif not served_locally():
        reason = ("access.reason_address", {"address": server_address() or "0.0.0.0"})
    required = reason is not None
    return CodePolicy(box.active or not required, required, reason, box)


def may_manage_team(store: Store, team: str, user: str) -> bool:
    """Whether ``user`` may add or remove members of ``team``: anyone in a local app; with
    a login, the team's admins only."""
    if not team_mode():
        return True
    try:
        info = store.team(team)
    except RoadmapError:
        return False
    return any(m.name == user and m.role == "admin" for m in info.members)
