"""CI/CD pipelines as job graphs: ordering, cycle detection and a simulated run.

A CI/CD pipeline (GitHub Actions, Azure Pipelines, Jenkins, GitLab CI) runs automated
checks and deploys on every push: lint, type check, unit tests on a Python matrix,
integration tests, build, deploy to staging, smoke test, deploy to production. Its jobs form
a directed acyclic graph: in GitHub Actions jobs run in parallel unless ``needs:`` orders
them, in Azure Pipelines a stage ``dependsOn:`` others (or, when omitted, the stage before
it), a Jenkins declarative pipeline runs stages in order with ``parallel`` blocks. The CI
system must reject a cycle, start a job only when all it needs succeeded, skip everything
downstream of a failure (so a broken build never deploys), and a pipeline cannot finish
faster than its critical path, however many runners it gets.

The lab parses the workflows in ``labs/data/ci_cd/`` (matrix jobs expanded into one job per
leg). The learner writes ``job_order`` (Kahn's algorithm, ties alphabetical; checked against
``networkx.lexicographical_topological_sort`` and that every ``needs`` comes first; a cycle
must raise ValueError), ``find_cycle`` (checked against ``networkx.simple_cycles``) and
``simulate`` (a run on N runners: with unlimited runners it takes the critical path,
``networkx.dag_longest_path_length``; with one runner the sum of durations; with two it is
a valid schedule within Graham's bound; a failed job skips exactly its ``nx.descendants``).

$ python labs/ci_cd.py --quick
"""

from __future__ import annotations

import csv
import heapq
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import networkx as nx
import yaml

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("job_order", "find_cycle", "simulate")
DATA = Path(__file__).resolve().parent / "data" / "ci_cd"


@dataclass
class Config:
    runners: int = 2  # parallel runners (agents) for the simulated run
    failing_job: str = "unit-tests (3.12)"  # the job whose tests fail in the failure drill
    tol: float = 1e-12  # relative tolerance on simulated minutes


# ----------------------------------------------------------------- exercises
def job_order(needs: dict[str, list[str]]) -> list[str]:
    """A run order where every job comes after all jobs it needs (Kahn's algorithm; among
    ready jobs take the alphabetically first). Raise ``ValueError`` if there is a cycle."""
    indeg = {j: len(set(n)) for j, n in needs.items()}
    users: dict[str, list[str]] = {j: [] for j in needs}
    for j, ns in needs.items():
        for n in set(ns):
            users[n].append(j)
    ready = [j for j, d in indeg.items() if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        j = heapq.heappop(ready)
        order.append(j)
        for u in users[j]:
            indeg[u] -= 1
            if indeg[u] == 0:
                heapq.heappush(ready, u)
    if len(order) != len(needs):
        raise ValueError(f"dependency cycle among {sorted(set(needs) - set(order))}")
    return order


def find_cycle(needs: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle ``[a, b, ..., z]`` where a needs b, b needs ..., z needs a; or None."""
    state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = finished
    stack: list[str] = []

    def visit(j: str) -> list[str] | None:
        state[j] = 1
        stack.append(j)
        for n in needs[j]:
            if state.get(n) == 1:
                return stack[stack.index(n):]
            if n not in state and (c := visit(n)) is not None:
                return c
        state[j] = 2
        stack.pop()
        return None

    for j in sorted(needs):
        if j not in state and (c := visit(j)) is not None:
            return c
    return None


def simulate(needs: dict[str, list[str]], minutes: dict[str, float], runners: int,
             fails: tuple = ()) -> dict[str, tuple]:
    """Run the pipeline on ``runners`` parallel runners; returns ``job -> (start, end, status)``.

    Whenever runners are free, start ready jobs (all needs succeeded) alphabetically. A job in
    ``fails`` ends with status "failure"; a job with a failed or skipped need is "skipped"
    (``start = end = None``) and takes no runner; the others end "success".
    """
    res: dict[str, tuple] = {}
    pending, running, t = set(needs), [], 0.0  # running: heap of (end, job)
    while pending or running:
        changed = True
        while changed:  # skip everything downstream of a failure
            changed = False
            for j in sorted(pending):
                if any(res.get(n, (0, 0, ""))[2] in ("failure", "skipped") for n in needs[j]):
                    res[j] = (None, None, "skipped")
                    pending.discard(j)
                    changed = True
        ready = sorted(j for j in pending
                       if all(res.get(n, (0, 0, ""))[2] == "success" for n in needs[j]))
        for j in ready[:runners - len(running)]:
            heapq.heappush(running, (t + minutes[j], j))
            res[j] = (t, t + minutes[j], "running")
            pending.discard(j)
        if not running:
            if pending:
                raise ValueError(f"jobs can never start: {sorted(pending)}")
            break
        t = running[0][0]
        while running and running[0][0] == t:  # finish every job that ends now
            _, j = heapq.heappop(running)
            res[j] = (res[j][0], t, "failure" if j in fails else "success")
    return res


# --------------------------------------------------------------------- parsing
def github_needs(path: Path) -> dict[str, list[str]]:
    """``needs`` per job of a GitHub Actions workflow, one job per matrix leg."""
    jobs = yaml.safe_load(path.read_text())["jobs"]
    legs = {}
    for name, job in jobs.items():
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        values = next(iter(matrix.values()), None)  # one matrix axis is enough here
        legs[name] = [f"{name} ({v})" for v in values] if values else [name]
    out = {}
    for name, job in jobs.items():
        need = job.get("needs", [])
        need = [need] if isinstance(need, str) else need
        for leg in legs[name]:
            out[leg] = [x for n in need for x in legs[n]]
    return out


def azure_needs(path: Path) -> dict[str, list[str]]:
    """``dependsOn`` per stage; a stage without it depends on the stage before it."""
    stages = yaml.safe_load(path.read_text())["stages"]
    out, prev = {}, None
    for s in stages:
        dep = s.get("dependsOn", [prev] if prev else [])
        out[s["stage"]] = [dep] if isinstance(dep, str) else list(dep)
        prev = s["stage"]
    return out


def dag(needs: dict[str, list[str]]) -> nx.DiGraph:
    g = nx.DiGraph()  # edge need -> job
    g.add_nodes_from(needs)
    g.add_edges_from((n, j) for j, ns in needs.items() for n in ns)
    return g


# --------------------------------------------------------------------------- lab
def body(lab: kit.Lab) -> None:
    cfg = Config()
    ci, broken = github_needs(DATA / "ci.yml"), github_needs(DATA / "broken.yml")
    azure = azure_needs(DATA / "azure-pipelines.yml")
    with open(DATA / "run_times.csv", newline="") as f:
        minutes = {r["job"]: float(r["minutes"]) for r in csv.DictReader(f)}
    lab.log(f"  ci.yml: {len(ci)} jobs (matrix expanded); azure: {len(azure)} stages")

    lab.section("job order and cycle detection")
    for name, needs in (("ci.yml", ci), ("azure-pipelines.yml", azure)):
        with lab.guard(f"job_order runs ({name})"):
            order = list(job_order(needs))
            pos = {j: i for i, j in enumerate(order)}
            ok = sorted(order) == sorted(needs) and all(
                pos[n] < pos[j] for j, ns in needs.items() for n in ns)
            lab.check(f"{name}: every job after all it needs", ok, "needs respected", order)
            lab.check_equal(f"{name}: order = nx.lexicographical_topological_sort", order,
                            list(nx.lexicographical_topological_sort(dag(needs))))
    lab.check("oracle: nx says broken.yml has a cycle",
              not nx.is_directed_acyclic_graph(dag(broken)), "not a DAG", "checked")
    with lab.guard("job_order rejects a cycle"):
        try:
            got = f"returned {job_order(broken)}"
        except ValueError as exc:
            got = f"ValueError: {exc}"
        lab.check("broken.yml: job_order raises ValueError (cycle rejected)",
                  got.startswith("ValueError"), "ValueError", got)
    cycles = [set(c) for c in nx.simple_cycles(dag(broken))]
    with lab.guard("find_cycle runs"):
        cyc = find_cycle(broken)
        edges_ok = bool(cyc) and all(cyc[(i + 1) % len(cyc)] in broken[c]
                                     for i, c in enumerate(cyc))
        lab.check("find_cycle(broken.yml) is a real cycle, one of nx.simple_cycles",
                  edges_ok and set(cyc) in cycles, cycles, cyc)
        lab.check_equal("find_cycle(ci.yml) is None (nx: a DAG)", find_cycle(ci),
                        None if nx.is_directed_acyclic_graph(dag(ci)) else "a cycle")

    lab.section("simulated run: runners, critical path, failures")
    g = dag(ci)
    for n in list(g):
        g.add_edge("push", n)  # a start node; edge weight = the minutes of the job it enters
    for u, v in list(g.edges):  # a snapshot: some networkx versions refuse edits mid-iteration
        g[u][v]["w"] = minutes[v]
    cp = nx.dag_longest_path_length(g, weight="w")
    total = sum(minutes.values())
    lab.metric("critical_path", cp, "min")
    spans = {}
    with lab.guard("simulate runs"):
        for k in sorted({1, cfg.runners, 3, len(ci)}):
            sched = simulate(ci, minutes, k)
            spans[k] = max(e for _, e, _ in sched.values())
            lab.metric(f"makespan_{k}_runners", spans[k], "min")
        lab.check_close("unlimited runners: makespan = critical path (nx)", spans[len(ci)],
                        cp, rtol=cfg.tol)
        lab.check_close("one runner: makespan = sum of job minutes", spans[1], total,
                        rtol=cfg.tol)
        m = cfg.runners
        sched = simulate(ci, minutes, m)
        valid = all(s is not None and s >= max([sched[n][1] for n in ci[j]], default=0.0)
                    - 1e-9 and st == "success" for j, (s, e, st) in sched.items())
        busy = max(sum(s <= t < e for s, e, _ in sched.values()) for t, _, _ in sched.values())
        lab.check(f"{m} runners: each job starts after its needs end, <= {m} at once",
                  valid and busy <= m and set(sched) == set(ci), f"valid, <= {m} busy",
                  f"valid={valid}, max busy {busy}")
        lo, hi = max(cp, total / m), total / m + (1 - 1 / m) * cp
        lab.check(f"{m} runners: max(CP, W/m) <= makespan <= W/m + (1-1/m) CP (Graham)",
                  lo - 1e-9 <= spans[m] <= hi + 1e-9, f"[{lo:g}, {hi:g}]", spans[m])
        run = simulate(ci, minutes, m, fails=(cfg.failing_job,))
        skipped = {j for j, (_, _, st) in run.items() if st == "skipped"}
        lab.check_equal(f"{cfg.failing_job} fails: skipped jobs = nx.descendants",
                        sorted(skipped), sorted(nx.descendants(dag(ci), cfg.failing_job)))
        others = {j for j, (_, _, st) in run.items() if st == "success"}
        lab.check_equal("every other job still succeeds", sorted(others),
                        sorted(set(ci) - skipped - {cfg.failing_job}))
        _plot(lab, sched, spans, cp, m)


def _plot(lab: kit.Lab, sched: dict, spans: dict, cp: float, m: int) -> None:
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.8), width_ratios=(2, 1))
    jobs = sorted(sched, key=lambda j: sched[j][0])
    for i, j in enumerate(jobs):
        s, e, _ = sched[j]
        a.barh(i, e - s, left=s, color="tab:blue" if "deploy" not in j else "tab:orange")
    a.set_yticks(range(len(jobs)), jobs, fontsize=7)
    a.invert_yaxis()
    a.set(xlabel="minutes", title=f"simulated run of ci.yml on {m} runners")
    ks = sorted(spans)
    b.plot(ks, [spans[k] for k in ks], "o-", label="makespan")
    b.axhline(cp, color="grey", ls="--", label="critical path")
    b.set(xlabel="runners", ylabel="minutes", title="more runners, down to the critical path")
    b.legend()
    lab.savefig(fig, "pipeline_gantt.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("ci-cd", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
