"""Knowledge-ledger benchmarks: a 1,000-member team's evidence and one user's review queue.

$ python benchmarks/bench_ledger.py          # prints the figures, writes results/ledger.json
$ ROADMAP_TEST_PG_URL=... python benchmarks/bench_ledger.py     # PostgreSQL too

Setup: the bundled roadmap (56 nodes), a team of 1,000 users and 50,000 lab runs over the
200 days before "now". Each user works through a prefix of the roadmap in topological order:
a node gets a failed try or two, a pass with their own solution, then reviews at fresh
seeds (some failing) spaced by the review intervals; reference runs and partial runs are
mixed in (a tenth of the runs), and a tenth of the passes were made against an older lab
(invalidated). Statuses: done for every node passed, plus claims.

Targets (issue 16), on SQLite: the team view (every member's evidence of every node, the
coverage of each node) <= 500 ms; one user's review queue <= 50 ms. Medians; the machine
is shared, so the load average before and after is recorded with the figures.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph import (  # noqa: E402
    INTERVALS_DAYS,
    Store,
    lab_files,
    load_roadmap,
    reviews_due,
    team_ledger,
    topological_order,
)
from graph.store.schema import (  # noqa: E402 - the benchmark fills the tables directly
    members_t,
    progress_t,
    runs_t,
    teams_t,
    users_t,
)

HERE = Path(__file__).resolve().parent
USERS, RUNS = 1000, 50_000
NOW = datetime(2025, 7, 1, tzinfo=UTC)
SPAN_DAYS = 200


def make_runs(nodes: list[str], hashes: dict[str, str], rng: random.Random
              ) -> tuple[list[dict], list[dict]]:
    """Exactly RUNS runs over USERS users, and the statuses they imply."""
    runs: list[dict] = []
    statuses: dict[tuple[int, str], str] = {}
    per_user = RUNS // USERS
    for uid in range(1, USERS + 1):
        mine: list[dict] = []
        t = NOW - timedelta(days=rng.uniform(SPAN_DAYS * 0.6, SPAN_DAYS))
        for node in nodes:
            if len(mine) >= per_user:
                break
            sha = hashes.get(node)
            if rng.random() < 0.1:
                sha = "0" * 64  # passed against an older lab
            for _ in range(rng.choice((0, 0, 1, 2))):  # tries before the pass
                mine.append(_run(uid, node, t, "fail", "learner", rng.randrange(5), sha))
                t += timedelta(hours=rng.uniform(1, 30))
            mine.append(_run(uid, node, t, "pass", "learner", 0, sha))
            statuses[uid, node] = "done"
            seed, level, at = 1, 0, t
            while len(mine) < per_user and rng.random() < 0.6:  # reviews
                at += timedelta(days=INTERVALS_DAYS[level] * rng.uniform(0.6, 1.4))
                if at > NOW:
                    break
                ok = rng.random() < 0.8
                mine.append(_run(uid, node, at, "pass" if ok else "fail", "learner",
                                 seed, sha))
                seed += 1
                level = min(level + 1, 4) if ok else max(level - 1, 0)
            t += timedelta(days=rng.uniform(0.5, 3))
            if t > NOW:
                break
        while len(mine) < per_user:  # reference and partial runs: seen, proving nothing
            mine.append(_run(uid, rng.choice(nodes), NOW - timedelta(days=rng.uniform(0, 90)),
                             "pass", rng.choice(("reference", "partial")), rng.randrange(9),
                             hashes.get(nodes[0])))
        for node in rng.sample(nodes, 3):  # claims without a pass
            statuses.setdefault((uid, node), "done")
        runs += mine[:per_user]
    rows = [{"user_id": u, "node_id": n, "status": s, "note": "", "created_at": NOW,
             "updated_at": NOW} for (u, n), s in statuses.items()]
    return runs, rows


def _run(uid: int, node: str, at: datetime, status: str, solution: str, seed: int,
         sha: str | None) -> dict:
    return {"user_id": uid, "node_id": node, "status": status, "started_at": at,
            "finished_at": at + timedelta(seconds=5), "quick": True, "solution": solution,
            "seed": seed, "lab_sha256": sha, "device": "cpu"}


def populate(url: str, nodes: list[str], hashes: dict[str, str]) -> int:
    rng = random.Random(0)
    runs, rows = make_runs(nodes, hashes, rng)
    with Store(url) as s, s.engine.begin() as conn:
        conn.execute(users_t.insert(), [{"id": i, "name": f"user{i:04d}", "created_at": NOW}
                                        for i in range(1, USERS + 1)])
        conn.execute(teams_t.insert(), [{"id": 1, "name": "bench", "created_at": NOW}])
        conn.execute(members_t.insert(), [{"team_id": 1, "user_id": i, "role": "member",
                                           "joined_at": NOW} for i in range(1, USERS + 1)])
        for i in range(0, len(rows), 5000):
            conn.execute(progress_t.insert(), rows[i:i + 5000])
        for i in range(0, len(runs), 5000):
            conn.execute(runs_t.insert(), runs[i:i + 5000])
    if url.startswith("postgresql"):
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        engine.dispose()
    return len(runs)


def timed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall ms and median CPU ms of this process."""
    fn()  # warm: connections, statement caches, lab hashes
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def run(url: str, label: str, rm) -> dict:  # type: ignore[no-untyped-def]
    nodes = topological_order(rm) or list(rm.nodes)
    hashes = {n: f.sha256 for n, f in lab_files(rm).items()}
    t = time.perf_counter()
    count = populate(url, nodes, hashes)
    setup = time.perf_counter() - t
    with Store(url, roadmap=rm) as store:
        ledger = team_ledger(rm, store, "bench", now=NOW)
        team_ms, team_cpu = timed(lambda: team_ledger(rm, store, "bench", now=NOW), 7)
        users = [f"user{i:04d}" for i in range(1, USERS + 1, USERS // 50)]
        sizes = [len(reviews_due(rm, store, u, now=NOW)) for u in users]
        walls, cpus = [], []
        for u in users:
            w, c = timed(lambda u=u: reviews_due(rm, store, u, now=NOW), 3)
            walls.append(w)
            cpus.append(c)
    counts: dict[str, int] = {}
    for c in ledger.coverage:
        for w, n in c.counts.items():
            counts[w] = counts.get(w, 0) + n
    out = {"runs": count, "setup_s": round(setup, 1), "team_view_ms": round(team_ms, 1),
           "team_view_client_cpu_ms": round(team_cpu, 1),
           "review_queue_ms": round(statistics.median(walls), 2),
           "review_queue_p90_ms": round(sorted(walls)[int(len(walls) * 0.9)], 2),
           "review_queue_client_cpu_ms": round(statistics.median(cpus), 2),
           "review_queue_median_items": statistics.median(sizes),
           "cells_by_evidence": counts}
    print(f"{label:<10} team view {team_ms:6.1f} ms ({team_cpu:.0f} ms CPU here)   "
          f"review queue {out['review_queue_ms']:5.2f} ms median, "
          f"{out['review_queue_p90_ms']:5.2f} ms p90   (setup {setup:.1f} s; cells "
          f"{counts})", flush=True)
    return out


def main() -> int:
    rm = load_roadmap()
    before = os.getloadavg()
    print(f"bundled roadmap: {len(rm)} nodes; team of {USERS}, {RUNS} runs; load average "
          f"{before[0]:.1f} {before[1]:.1f} {before[2]:.1f} on {os.cpu_count()} CPUs",
          flush=True)
    results: dict = {"nodes": len(rm), "users": USERS, "runs": RUNS, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{tmp}/ledger.sqlite3", "SQLite", rm)
    pg = os.environ.get("ROADMAP_TEST_PG_URL")
    if pg:
        base = sa.engine.make_url(pg)
        if base.drivername == "postgresql":
            base = base.set(drivername="postgresql+psycopg")
        name = "bench_" + uuid.uuid4().hex[:10]
        engine = sa.create_engine(base, poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        try:
            url = base.update_query_dict({"options": f"-csearch_path={name}"})
            results["postgresql"] = run(url.render_as_string(hide_password=False),
                                        "PostgreSQL", rm)
        finally:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    else:
        print("PostgreSQL: skipped (set ROADMAP_TEST_PG_URL)")
    after = os.getloadavg()
    results["load_average_before"] = [round(x, 1) for x in before]
    results["load_average_after"] = [round(x, 1) for x in after]
    print(f"load average after: {after[0]:.1f} {after[1]:.1f} {after[2]:.1f}")
    targets = {"sqlite.team_view_ms": results["sqlite"]["team_view_ms"] <= 500,
               "sqlite.review_queue_ms": results["sqlite"]["review_queue_ms"] <= 50}
    for k, met in targets.items():
        print(f"{k}: {'target met' if met else 'TARGET MISSED'}")
    out = HERE / "results" / "ledger.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"results": results, "targets_met": targets}, indent=1) + "\n")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
