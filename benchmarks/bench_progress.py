"""Progress-store benchmarks: a 1,000-member team's skill matrix, one status update, 8 writers.

$ python benchmarks/bench_progress.py            # prints the figures, writes results/progress.json
$ ROADMAP_TEST_PG_URL=$(scripts/pg-test-server.sh start) python benchmarks/bench_progress.py

Setup: the bundled roadmap's nodes (read even if it has validation problems) and a team of
1,000 users with half of all (user, node) statuses set, 10% of the done ones verified by a
lab run. Targets (issue 3): skill matrix <= 300 ms on SQLite; one status update <= 5 ms
median; the updates per second of 8 processes x 200 updates are reported for SQLite and,
when ROADMAP_TEST_PG_URL is set, PostgreSQL (each in a scratch schema, dropped after).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph import Store, read_roadmap, skill_matrix  # noqa: E402
from graph.store.schema import (  # noqa: E402 - the benchmark fills the tables directly
    members_t,
    progress_t,
    runs_t,
    teams_t,
    users_t,
)

HERE = Path(__file__).resolve().parent
USERS, WRITERS, PER_WRITER = 1000, 8, 200
CATALOGUE = 60  # nodes planned in NODES.md
FORK = multiprocessing.get_context("fork")


def populate(url: str, nodes: list[str], seed: int = 0) -> None:
    """1,000 users in team 'bench', half of users x nodes set, a tenth of 'done' verified."""
    rng = random.Random(seed)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    with Store(url) as s, s.engine.begin() as conn:
        conn.execute(users_t.insert(), [{"id": i + 1, "name": f"user{i:04d}",
                                         "created_at": t0} for i in range(USERS)])
        conn.execute(teams_t.insert(), [{"id": 1, "name": "bench", "created_at": t0}])
        conn.execute(members_t.insert(), [{"team_id": 1, "user_id": i + 1,
                                           "role": "admin" if i == 0 else "member",
                                           "joined_at": t0} for i in range(USERS)])
        pairs = [(u + 1, n) for u in range(USERS) for n in nodes]
        chosen = rng.sample(pairs, len(pairs) // 2)
        rows, runs = [], []
        for uid, node in chosen:
            status = rng.choice(("todo", "learning", "done", "skipped"))
            at = t0 + timedelta(minutes=rng.randrange(500_000))
            rows.append({"user_id": uid, "node_id": node, "status": status, "note": "",
                         "created_at": at, "updated_at": at})
            if status == "done" and rng.random() < 0.1:
                runs.append({"user_id": uid, "node_id": node, "status": "pass",
                             "started_at": at, "quick": True, "solution": "learner"})
        for i in range(0, len(rows), 5000):
            conn.execute(progress_t.insert(), rows[i:i + 5000])
        if runs:
            conn.execute(runs_t.insert(), runs)
    if url.startswith("postgresql"):  # fresh statistics; the bulk load written out
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
            conn.execute(sa.text("CHECKPOINT"))
        engine.dispose()


def time_matrix(url: str, roadmap, runs: int = 7  # type: ignore[no-untyped-def]
                ) -> tuple[float, int, float]:
    """Median wall ms, cells set, median CPU ms of this process (SQLite runs in it)."""
    with Store(url) as s:
        skill_matrix(roadmap, s, "bench")  # warm the connection and statement caches
        times, cpu, cells = [], [], 0
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            m = skill_matrix(roadmap, s, "bench")
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            cells = sum(len(c) for c in m.cells.values())
    return statistics.median(times) * 1000, cells, statistics.median(cpu) * 1000


def time_updates(url: str, nodes: list[str], n: int = 400) -> float:
    rng = random.Random(1)
    statuses = ("todo", "learning", "done", "skipped")
    with Store(url) as s:
        for i in range(50):  # warm-up: connection, statement caches
            s.set_status(f"user{i:04d}", nodes[0], ("learning", "done")[i % 2], note="warm")
        times = []
        for i in range(n):
            user, node = f"user{rng.randrange(USERS):04d}", rng.choice(nodes)
            t = time.perf_counter()
            s.set_status(user, node, statuses[i % 4], note=f"bench {i}")
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def _writer(url: str, wid: int, nodes: list[str], start, results) -> None:  # type: ignore[no-untyped-def]
    try:
        s = Store(url)
        start.wait()
        t0 = time.time()
        for j in range(PER_WRITER):
            user = f"user{wid:04d}" if j % 2 == 0 else "user0999"  # own user, one shared
            s.set_status(user, nodes[j % len(nodes)], ("learning", "done")[j % 2],
                         note=f"{wid}:{j}")
        results.put((t0, time.time(), None))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        results.put((0.0, 0.0, repr(exc)))


def writers_rate(url: str, nodes: list[str]) -> float:
    start, results = FORK.Barrier(WRITERS + 1), FORK.Queue()
    procs = [FORK.Process(target=_writer, args=(url, w, nodes, start, results))
             for w in range(WRITERS)]
    for p in procs:
        p.start()
    start.wait(timeout=120)
    got = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(30)
    errors = [e for _, _, e in got if e]
    if errors:
        raise SystemExit(f"a writer failed: {errors[0]}")
    return WRITERS * PER_WRITER / (max(b for _, b, _ in got) - min(a for a, _, _ in got))


def pg_scratch(base: str) -> tuple[str, callable]:  # type: ignore[valid-type]
    url = sa.engine.make_url(base)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = "bench_" + uuid.uuid4().hex[:10]
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))

    def drop() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))

    scratch = url.update_query_dict({"options": f"-csearch_path={name}"})
    return scratch.render_as_string(hide_password=False), drop


def run(url: str, roadmap, nodes: list[str], label: str) -> dict:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    populate(url, nodes)
    setup_s = time.perf_counter() - t
    matrix_ms, cells, matrix_cpu = time_matrix(url, roadmap)
    update_ms = time_updates(url, nodes)
    rate = writers_rate(url, nodes)
    out = {"setup_s": round(setup_s, 2), "skill_matrix_ms": round(matrix_ms, 1),
           "skill_matrix_client_cpu_ms": round(matrix_cpu, 1),
           "matrix_cells_set": cells, "status_update_median_ms": round(update_ms, 2),
           "writers_8x200_updates_per_s": round(rate)}
    print(f"{label:<10} matrix {matrix_ms:7.1f} ms ({matrix_cpu:.0f} ms CPU here)   "
          f"update median {update_ms:5.2f} ms   8 writers {rate:6.0f} updates/s   "
          f"(setup {setup_s:.1f} s)", flush=True)
    return out


def main() -> int:
    roadmap, problems = read_roadmap()
    assert roadmap is not None
    nodes = list(roadmap.nodes)
    print(f"bundled roadmap: {len(nodes)} nodes"
          + (f" ({len(problems)} validation problem(s) ignored)" if problems else "")
          + f"; team of {USERS}, half the statuses set; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    results: dict = {"nodes": len(nodes), "users": USERS,
                     "statuses_set": USERS * len(nodes) // 2,
                     "load_average": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(f"sqlite:///{tmp}/bench.sqlite3", roadmap, nodes, "SQLite")
        if len(nodes) < CATALOGUE:  # the roadmap grows to NODES.md's ~60 nodes: forecast
            padded = nodes + [f"planned-node-{i}" for i in range(CATALOGUE - len(nodes))]
            url = f"sqlite:///{tmp}/padded.sqlite3"
            populate(url, padded)
            ms, _, cpu = time_matrix(url, SimpleNamespace(nodes=dict.fromkeys(padded)))
            results["sqlite_at_60_nodes"] = {"skill_matrix_ms": round(ms, 1),
                                             "skill_matrix_client_cpu_ms": round(cpu, 1)}
            print(f"SQLite, {CATALOGUE} nodes: matrix {ms:7.1f} ms, {cpu:.1f} ms CPU (forecast "
                  "for the full catalogue)", flush=True)
    pg = os.environ.get("ROADMAP_TEST_PG_URL")
    if pg:
        url, drop = pg_scratch(pg)
        try:
            results["postgresql"] = run(url, roadmap, nodes, "PostgreSQL")
        finally:
            drop()
    else:
        print("PostgreSQL: skipped (set ROADMAP_TEST_PG_URL, e.g. from "
              "scripts/pg-test-server.sh start)")
    targets = {
        "sqlite.skill_matrix_ms": results["sqlite"]["skill_matrix_ms"] <= 300,
        "sqlite_at_60_nodes.skill_matrix_ms": results.get("sqlite_at_60_nodes", {}).get(
            "skill_matrix_ms", 0) <= 300,
        "sqlite.status_update_median_ms": results["sqlite"]["status_update_median_ms"] <= 5,
    }
    if "postgresql" in results:
        targets["postgresql.status_update_median_ms"] = (
            results["postgresql"]["status_update_median_ms"] <= 5)
    for k, met in targets.items():
        print(f"{k}: {'target met' if met else 'TARGET MISSED'}")
    out = HERE / "results" / "progress.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"results": results, "targets_met": targets}, indent=1) + "\n")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
