"""Bug: the venv is made with system_site_packages=True, so everything installed in the
base interpreter leaks into it (numpy imports inside)."""

import sys
import venv


def make_venv(path):
    venv.EnvBuilder(with_pip=False, system_site_packages=True, clear=True).create(path)
    return path / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
