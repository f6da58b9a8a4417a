"""``roadmap app``: start the Streamlit app (the bundled ``app.py``)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from graph.config import app_path

__all__ = ["commands"]

commands = typer.Typer()


@commands.command("app")
def app_(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
         port: Annotated[int, typer.Option()] = 8501) -> None:
    """Start the Streamlit app (listens on 127.0.0.1 unless --host says otherwise).

    The command becomes the Streamlit server (``exec``), so a signal to it reaches the
    server and nothing is left behind.
    """
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path()), "--server.address", host,
           "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    sys.stdout.flush()
    os.execv(sys.executable, cmd)
