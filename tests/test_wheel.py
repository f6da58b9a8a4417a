"""Installable as a package, not only as a checkout.

The wheel is built from a copy of the project's files, installed with ``--no-deps`` into a
folder of its own (``pip install --target``, next to the test environment's packages), and
the ``roadmap`` it installs is run from an empty temporary folder: it must find the
bundled roadmap, labs and app inside the installed package, not in this checkout.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "app.py", "graph", "labs", "roadmap", "ui")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]  # one build per run


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build the wheel and install it with --no-deps into ``site``; return the folders."""
    tmp = tmp_path_factory.mktemp("wheel")
    src, dist, site = tmp / "src", tmp / "dist", tmp / "site"
    src.mkdir()
    for name in SOURCES:  # a copy: the build writes build/ and *.egg-info beside the sources
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc",
                                                                      "node_modules"))
        elif p.is_file():
            shutil.copy2(p, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist),
                    str(src)], check=True, capture_output=True, text=True, timeout=300)
    wheels = list(dist.glob("roadmap_lab-*.whl"))
    assert len(wheels) == 1, wheels
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheels[0])],
                   check=True, capture_output=True, text=True, timeout=300)
    work, data = tmp / "work", tmp / "data"
    work.mkdir()
    return {"site": site, "work": work, "data": data, "wheel": wheels[0]}


def environ(installed: dict[str, Path]) -> dict[str, str]:
    """This test environment, with the installed wheel first and no checkout on the path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ROADMAP_") and k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PYTHONPATH=str(installed["site"]), ROADMAP_DATA_DIR=str(installed["data"]),
               PYTHONDONTWRITEBYTECODE="1")
    return env


def roadmap(installed: dict[str, Path], *args: str, timeout: float = 300
            ) -> subprocess.CompletedProcess[str]:
    """Run the installed ``roadmap`` console script from the empty work folder."""
    exe = installed["site"] / "bin" / "roadmap"
    return subprocess.run([str(exe), *args], cwd=installed["work"], env=environ(installed),
                          capture_output=True, text=True, timeout=timeout)


def test_wheel_ships_the_engine_the_app_and_the_bundled_files(installed: dict[str, Path]
                                                              ) -> None:
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for name in ("graph/__init__.py", "graph/cli/__init__.py", "graph/store/store.py",
                 "graph/py.typed", "graph/_bundle/app.py", "graph/_bundle/labs/kit.py",
                 "graph/_bundle/labs/calculus.py", "graph/_bundle/roadmap/sections.yaml",
                 "graph/_bundle/roadmap/foundations/calculus.yaml"):
        assert name in names, name
    data = {n for n in names if n.startswith("graph/_bundle/labs/data/")}
    tracked = {str(p.relative_to(ROOT)) for p in (ROOT / "labs" / "data").rglob("*")
               if p.is_file() and not {"__pycache__", "node_modules", ".ruff_cache",
                                        ".mypy_cache", ".pytest_cache"} & set(p.parts)}
    assert {n.removeprefix("graph/_bundle/") for n in data} == tracked
    assert not [n for n in names if "__pycache__" in n or "node_modules" in n
                or n.endswith((".pyc", "setup.py"))]
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "docs/"))]


def test_installed_package_finds_its_files_inside_itself(installed: dict[str, Path]) -> None:
    code = ("import json, graph; from graph import config; print(json.dumps([graph.__file__, "
            "str(config.resource_root()), str(config.bundled_roadmap_dir())]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=installed["work"],
                         env=environ(installed), capture_output=True, text=True, check=True)
    module, root, roadmap_dir = map(Path, json.loads(out.stdout))
    bundle = installed["site"] / "graph" / "_bundle"
    assert module == installed["site"] / "graph" / "__init__.py"
    assert root == bundle and roadmap_dir == bundle / "roadmap"


def test_validate_and_lab_list_from_another_folder(installed: dict[str, Path]) -> None:
    r = roadmap(installed, "validate", "--strict")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("valid: ") and "warning" not in r.stdout + r.stderr
    r = roadmap(installed, "lab", "list")
    assert r.returncode == 0, r.stderr
    assert "calculus" in r.stdout and "labs/calculus.py" in r.stdout
    assert "(missing)" not in r.stdout


def test_lab_start_and_run_from_another_folder(installed: dict[str, Path]) -> None:
    r = roadmap(installed, "lab", "start", "calculus")
    assert r.returncode == 0, r.stderr
    starter = installed["data"] / "solutions" / "local" / "calculus_solution.py"
    assert 'raise NotImplementedError("your code here")' in starter.read_text()
    assert str(starter) in r.stdout
    r = roadmap(installed, "lab", "run", "calculus", "--quick", "--device", "cpu")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    assert "PASS calculus" in r.stdout
    log = Path(r.stdout.rsplit("log: ", 1)[1].split()[0])
    assert log.is_relative_to(installed["data"]) and log.is_file()
    assert str(installed["site"] / "graph" / "_bundle" / "labs" / "calculus.py") in (
        log.read_text().splitlines()[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_app_serves_from_another_folder(installed: dict[str, Path]) -> None:
    """``roadmap app`` starts Streamlit on the bundled app.py; its health endpoint answers."""
    port = free_port()
    exe = installed["site"] / "bin" / "roadmap"
    proc = subprocess.Popen([str(exe), "app", "--port", str(port)], cwd=installed["work"],
                            env=environ(installed), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline, health = time.monotonic() + 60, ""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as resp:
                    health = resp.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert health == "ok", proc.stdout.read() if proc.poll() is not None else health
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=30)
        finally:  # nothing of the app may outlive the test
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)


def test_installed_app_renders_its_first_page(installed: dict[str, Path]) -> None:
    """The bundled app.py runs headless (Streamlit's AppTest) with the installed packages."""
    code = ("from streamlit.testing.v1 import AppTest; from graph.config import app_path; "
            "at = AppTest.from_file(str(app_path()), default_timeout=120).run(); "
            "print('EXCEPTIONS', [e.value for e in at.exception]); "
            "print('TITLES', [t.value for t in at.title])")
    out = subprocess.run([sys.executable, "-c", code], cwd=installed["work"],
                         env=environ(installed), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "EXCEPTIONS []" in out.stdout, out.stdout
    assert "Roadmap" in out.stdout.split("TITLES", 1)[1], out.stdout
