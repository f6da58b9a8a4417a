"""Run one lab several times in one process: the reference, its starter, mutants, alternatives.

    python tests/labs/driver.py LAB.py PLAN.json

PLAN.json is a list of runs, each ``{"id": ..., "args": [...], "json": PATH, "log": PATH}``.
The lab file is imported once as a module; before each run its exercise functions are put
back to the lab's own (a run with ``--solution`` rebinds them), then its
``main(args + ["--json", PATH])`` runs with stdout and stderr (file descriptors 1 and 2, so
child processes' output too) sent to the run's log file, and its exit code is recorded. The
exit codes go to PLAN.json's sibling ``codes.json``. Paying for the imports once per lab, and
for the setup a lab keeps in ``kit.cached`` functions (data, pretrained encoders, reference
models), instead of once per run is what keeps the lab suite under CI's budget.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path


def load_lab(path: Path):
    """Import the lab file as a fresh module named after it (spawned ranks re-import it)."""
    sys.modules.pop(path.stem, None)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def redirected(log: Path):
    """Send file descriptors 1 and 2 (and sys.stdout/err) to ``log`` for the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "wb") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def main() -> int:
    lab, plan_path = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    sys.path.insert(0, str(lab.parent))  # `import kit`, and the lab by name for spawned ranks
    plan = json.loads(plan_path.read_text())
    codes: dict[str, int | str] = {}
    out = plan_path.with_name("codes.json")
    module = load_lab(lab)
    own = {name: getattr(module, name) for name in getattr(module, "EXERCISES", ())}
    for run in plan:
        for name, fn in own.items():  # the lab's own functions, whatever the last run bound
            setattr(module, name, fn)
        with redirected(Path(run["log"])):
            try:
                code: int | str = module.main([*run["args"], "--json", run["json"]])
            except SystemExit as exc:  # argparse exits 2 on bad flags
                code = exc.code if isinstance(exc.code, int) else 2
            except BaseException:  # noqa: BLE001 - recorded, the next run still happens
                traceback.print_exc()
                code = "driver: the lab raised out of kit.run"
        codes[run["id"]] = code
        out.write_text(json.dumps(codes))  # after each run: a crash keeps what finished
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
