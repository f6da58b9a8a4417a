"""``python -m graph.cli``: the same as the ``roadmap`` command."""

from graph.cli import main

main()
