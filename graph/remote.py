"""A lab run on a Ray worker: the job's entrypoint, ``python -m graph.remote SPEC``.

The Ray backend (:mod:`graph.backends.ray`) ships a working folder holding the engine
(``graph/``), the labs (``labs/``) and the learner's solution, and starts this module with a
JSON spec. It runs the lab with the local backend, so the command is built in the same
place as on one machine, sandbox included, in a fresh folder; the output goes to stdout
(Ray keeps it as the job's log and streams it to the client). At the end it prints marked
lines the client reads back: the result files (the result JSON and the plots, a base64
gzip tar in chunks) and the outcome. It exits 0 whenever it could report; the lab's own
status travels in the outcome.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import socket
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from graph.backends.base import LabCommand
from graph.backends.local import LocalBackend

__all__ = ["MARK", "main", "pack", "unpack"]

MARK = "@@roadmap-lab@@"  # starts every line the client reads back
CHUNK = 48_000  # base64 characters per line
MAX_FILES = 16 * 2**20  # bytes of result files sent back; bigger plots stay behind


def pack(run_dir: Path) -> tuple[list[str], str, list[str]]:
    """The run's result JSON and ``out/`` as base64 chunks, their sha256, and what was left.

    Artifact paths in the result JSON are made relative to the run folder first.
    """
    result = run_dir / "result.json"
    if result.is_file():
        data = json.loads(result.read_text(encoding="utf-8"))
        for art in data.get("artifacts", []):
            p = Path(art.get("path", ""))
            if p.is_absolute() and p.is_relative_to(run_dir):
                art["path"] = str(p.relative_to(run_dir))
        result.write_text(json.dumps(data, indent=1), encoding="utf-8")
    buf, left, size = io.BytesIO(), [], 0
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        files = [result] if result.is_file() else []
        files += sorted(p for p in (run_dir / "out").rglob("*") if p.is_file())
        for f in files:
            size += f.stat().st_size
            if size > MAX_FILES:
                left.append(str(f.relative_to(run_dir)))
                continue
            tar.add(f, arcname=str(f.relative_to(run_dir)))
    text = base64.b64encode(buf.getvalue()).decode("ascii")
    chunks = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)]
    return chunks, hashlib.sha256(text.encode("ascii")).hexdigest(), left


def unpack(chunks: list[str], sha256: str, run_dir: Path) -> None:
    """Extract what :func:`pack` sent into ``run_dir``; artifact paths become absolute.

    Raises
    ------
    ValueError
        When the chunks do not add up to what was sent.
    """
    text = "".join(chunks)
    if hashlib.sha256(text.encode("ascii")).hexdigest() != sha256:
        raise ValueError("the result files arrived incomplete (checksum mismatch)")
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(text)), mode="r:gz") as tar:
        tar.extractall(run_dir, filter="data")
    result = run_dir / "result.json"
    if result.is_file():
        data = json.loads(result.read_text(encoding="utf-8"))
        for art in data.get("artifacts", []):
            if not Path(art.get("path", "")).is_absolute():
                art["path"] = str(run_dir / art["path"])
        result.write_text(json.dumps(data, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    spec: dict[str, Any] = json.loads((argv if argv is not None else sys.argv[1:])[0])
    here = Path.cwd()  # Ray's copy of the working folder (shared by jobs: never write here)
    run_dir = Path(tempfile.mkdtemp(prefix="roadmap-lab-"))
    args = list(spec["lab_args"])
    solution = None
    if spec.get("solution"):
        solution = run_dir / "solution.py"
        shutil.copyfile(here / spec["solution"], solution)
        args[args.index("--solution") + 1] = str(solution)
    command = LabCommand(spec["node"], here / spec["script"], run_dir, args,
                         timeout=float(spec["timeout"]), solution=solution,
                         sandbox=bool(spec["sandbox"]),
                         require_sandbox=bool(spec["require_sandbox"]), gpu=bool(spec["gpu"]),
                         gpu_lock=False)  # Ray hands out the GPUs

    def out(line: str) -> None:
        print(line.replace(MARK, "@@ roadmap-lab @@"), flush=True)  # no forged markers

    outcome = LocalBackend().execute(command, out, None)
    chunks, sha, left = pack(run_dir)
    for chunk in chunks:
        print(f"{MARK} data {chunk}", flush=True)
    print(f"{MARK} outcome " + json.dumps({
        "status": outcome.status, "returncode": outcome.returncode,
        "message": outcome.message, "lab_sha256": outcome.lab_sha256,
        "sandbox": outcome.sandbox, "where": socket.gethostname(), "sha256": sha,
        "left_behind": left}), flush=True)
    shutil.rmtree(run_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
