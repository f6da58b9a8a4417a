"""Bug: creates the venv but returns sys.executable, so everything afterwards runs in the
base interpreter, not in the new environment."""

import subprocess
import sys
from pathlib import Path


def make_venv(path):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return Path(sys.executable)
