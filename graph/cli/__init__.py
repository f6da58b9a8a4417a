"""The ``roadmap`` command: validate, browse and query the roadmap, run labs, track progress.

One module per command group over :mod:`graph.cli.common` (the consoles, the shared
options and the one error handler):

============  =========================================================
``browse``    ``validate``, ``list``, ``show``, ``path``, ``next``, ``export``, ``layout``
``labs``      ``lab list``, ``lab run``, ``lab start``
``serve``     ``app``
``users``     ``user add``, ``user list``, ``user rename``
``teams``     ``team add|join|leave|show|who``
``progress``  ``progress set|show|history|export|import``
``review``    ``review``: what is due for review, with the command to run
============  =========================================================

Bad input ends in one clear line per problem and exit code 1 (2 for usage errors), never
a traceback. Nothing here imports torch or streamlit.
"""

from __future__ import annotations

import sys

import typer

from graph.cli import browse, labs, progress, review, serve, teams, users
from graph.cli.common import RoadmapGroup, err

__all__ = ["app", "main"]

app = typer.Typer(cls=RoadmapGroup, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_enable=False,
                  help="Roadmap Lab: the LLMs & Deep Learning roadmap as a prerequisite graph "
                       "with a self-checking lab for every node.")
app.add_typer(browse.commands)
app.add_typer(serve.commands)
app.add_typer(labs.commands, name="lab")
app.add_typer(users.commands, name="user")
app.add_typer(teams.commands, name="team")
app.add_typer(progress.commands, name="progress")
app.add_typer(review.commands)


def main() -> None:
    """Entry point of the ``roadmap`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
