"""Serve a model behind SageMaker's container contract, and load-test it from another process.

Serving means: a process loads the model once, listens on a port and answers prediction
requests over HTTP, with a health endpoint for the orchestrator. The managed services run
*your* container if it keeps their contract. AWS SageMaker's, for a real-time endpoint:
``GET /ping`` answers 200 when the container is healthy (within 2 s), and
``POST /invocations`` takes the request body with the caller's ``Content-Type`` and answers
within 60 s; the container listens on port 8080 and finds its model in ``/opt/ml/model``.
Clients' mistakes are 4xx answers (400 bad body, 415 a content type the server does not
take), never a 500 and never a crash; errors are JSON too, so callers can parse them.
Azure Machine Learning (managed online endpoints: a scoring script with ``init()``/``run()``
or your container) and Google Cloud Vertex AI (custom containers declare their health and
predict routes and receive ``{"instances": [...]}``, as here) work the same way; all three
add replicas, autoscaling and traffic splitting between versions (blue/green, canary).

You write the request handler of the server (the lab runs it with the standard library's
``ThreadingHTTPServer``, one thread per request, in a process of its own that loads the
model from a model folder, as a container would) and the load test, which runs in this
process: it sends valid and malformed bodies with a fixed number of requests in flight and
times each one. Latency is reported as percentiles (p50, p99), not a mean: the slow tail is
what users feel. The served MLP (trained on sklearn's digits) runs in numpy in the server,
plus a fixed 5 ms that stands in for a real model's compute; the answers must equal local
PyTorch inference.

$ python labs/model_serving_cloud.py --quick
"""

from __future__ import annotations

import json
import multiprocessing as mp
import runpy
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import kit
import numpy as np

EXERCISES = ("make_handler", "load_test")


@dataclass(frozen=True)  # hashable: kit.cached keys on it
class Config:
    epochs: int = 60  # full-batch Adam steps for the served MLP
    requests: int = 120  # requests in the load test
    concurrency: int = 4  # requests in flight at a time
    bad_every: int = 5  # every 5th body of the load test is malformed
    model_ms: float = 5.0  # the served model's compute time per request (a sleep)
    tol: float = 1e-4  # max abs error of a logit, served (numpy) vs local (torch), float32


def make_handler(predict):
    """The request-handler class (a ``BaseHTTPRequestHandler`` subclass) of a model server
    that keeps SageMaker's container contract:

    - ``GET /ping`` -> 200 (the health check; any body).
    - ``POST /invocations`` with Content-Type ``application/json`` (parameters such as
      ``; charset=utf-8`` allowed) and body ``{"instances": [[64 floats], ...]}`` -> 200,
      Content-Type ``application/json``, body ``{"predictions": predict(x)}`` where x is the
      instances as a float32 array of shape (N, 64); ``predict`` returns N lists of floats.
    - Any other Content-Type -> 415. A body that is not JSON, has no "instances", or whose
      instances are not (N, 64) -> 400. Every 4xx answer has Content-Type
      ``application/json`` and the body ``{"error": message}``.
    - Any other path -> 404.
    """

    class Handler(BaseHTTPRequestHandler):
        def _send(self, code: int, obj: dict) -> None:
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            if self.path == "/ping":
                self._send(200, {"status": "healthy"})
            else:
                self._send(404, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/invocations":
                return self._send(404, {"error": f"no route {self.path}"})
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                return self._send(415, {"error": f"Content-Type {ctype!r}: send JSON"})
            try:
                x = np.asarray(json.loads(raw)["instances"], dtype=np.float32)
                if x.ndim != 2 or x.shape[1] != 64:
                    raise ValueError(f"instances must be (N, 64), got {x.shape}")
            except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError is a ValueError
                return self._send(400, {"error": str(exc)})
            self._send(200, {"predictions": predict(x)})

        def log_message(self, *args) -> None:  # keep the lab's output quiet
            pass

    return Handler


def load_test(url: str, bodies: list[bytes], concurrency: int,
              timeout: float = 10.0) -> list[dict]:
    """POST every body of ``bodies`` to ``url`` (Content-Type ``application/json``) with
    ``concurrency`` requests in flight at a time (a pool of that many workers), and return
    one result per body, in the order of ``bodies``: ``{"status": int, "body": bytes,
    "ms": float}``. ``ms`` is the request's latency in milliseconds, from just before
    sending to the end of reading the response. A 4xx or 5xx answer is a result, not an
    exception.
    """
    def one(body: bytes) -> dict:
        req = urllib.request.Request(url, data=body,
                                     headers={"Content-Type": "application/json"})
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        return {"status": status, "body": data, "ms": (time.perf_counter() - t0) * 1e3}

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, bodies))


# bodies a client gets wrong: each must get a 400 (the wrong shape is 2 rows of 10 pixels)
MALFORMED = {"not JSON": b'{"instances": [[0.5, 0.25', "no instances": b'{"rows": [[0.5]]}',
             "wrong shape": json.dumps({"instances": [[0.5] * 10] * 2}).encode()}


@kit.cached
def train_model(cfg: Config, seed: int) -> tuple:
    """Train the MLP to serve; returns (weights as float32 numpy arrays, test inputs,
    test labels, local PyTorch logits of the test inputs). No exercise touches this."""
    import torch
    from sklearn.datasets import load_digits
    from torch import nn

    X, Y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    idx = np.random.default_rng(seed).permutation(len(X))
    tr, te = idx[:1400], idx[1400:]
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])
    for _ in range(cfg.epochs):
        loss = nn.functional.cross_entropy(model(xtr), ytr)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        local = model(torch.from_numpy(X[te])).double().numpy()  # (397, 10): the oracle
    weights = {k.replace(".", "_"): v.detach().numpy().copy()
               for k, v in model.state_dict().items()}
    return weights, X[te], Y[te], local


def mlp_forward(w: dict, x: np.ndarray) -> np.ndarray:
    """The served model in numpy, float32: (N, 64) -> (N, 10) logits."""
    h = np.maximum(x @ w["0_weight"].T + w["0_bias"], 0)
    return h @ w["2_weight"].T + w["2_bias"]


class LabServer(ThreadingHTTPServer):
    """ThreadingHTTPServer (a thread per request) that logs a handler's error in one line."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        print(f"server: the handler raised {sys.exc_info()[1]!r}", flush=True)


def serve(model_dir: str, solution: str | None, names: tuple, conn, model_ms: float) -> None:
    """The server process: load the model from ``model_dir``, serve until told to stop.

    A fresh interpreter (spawn) that re-imported this file: it takes the learner's
    functions from ``solution``. Talks to the lab over ``conn``: sends its port (or an
    error), answers "stats" with the most predictions it ran at once, stops on "stop".
    """
    try:
        if solution:
            ns = runpy.run_path(solution, run_name="learner_solution")
            globals().update({name: ns[name] for name in names})
        w = dict(np.load(Path(model_dir) / "model.npz"))
        lock, running = threading.Lock(), [0, 0]  # predictions running now, most at once

        def predict(x: np.ndarray) -> list:
            with lock:
                running[0] += 1
                running[1] = max(running)
            time.sleep(model_ms / 1e3)  # stands in for a real model's compute
            out = mlp_forward(w, x).astype(np.float64).tolist()
            with lock:
                running[0] -= 1
            return out

        server = LabServer(("127.0.0.1", 0), make_handler(predict))  # port 0: any free port
    except Exception as exc:  # noqa: BLE001 - reported by the lab, without a traceback
        conn.send(("error", f"{type(exc).__name__}: {exc}", isinstance(exc, NotImplementedError)))
        return
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send(("port", server.server_address[1], False))
    while conn.recv() != "stop":  # "stats": the most predictions at once since the last ask
        with lock:
            conn.send(running[1])
            running[1] = 0
    server.shutdown()
    server.server_close()


def http_call(url: str, body: bytes | None = None, ctype: str = "application/json",
              timeout: float = 10.0) -> tuple[int, str, bytes]:
    """The lab's client: GET (no body) or POST; returns (status, content type, body)."""
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()
    except (urllib.error.URLError, ConnectionError, OSError) as e:
        return 0, "", str(e).encode()


def parse_predictions(data: bytes, n: int) -> np.ndarray:
    """The (n, 10) predictions of a JSON answer, or NaNs of that shape."""
    try:
        p = np.asarray(json.loads(data)["predictions"], dtype=np.float64)
        return p if p.shape == (n, 10) else np.full((n, 10), np.nan)
    except (ValueError, KeyError, TypeError):
        return np.full((n, 10), np.nan)


def is_json_error(answer: tuple[int, str, bytes]) -> bool:
    """A 4xx answer as the contract wants it: application/json, {"error": ...}."""
    try:
        return (answer[1].split(";")[0].strip().lower() == "application/json"
                and "error" in json.loads(answer[2]))
    except (ValueError, TypeError):
        return False


def check_contract(lab: kit.Lab, cfg: Config, base: str, X: np.ndarray,
                   local: np.ndarray) -> None:
    """SageMaker's contract, one request at a time, with the lab's own client."""
    lab.section("the contract: /ping, /invocations, 4xx for the client's mistakes")
    ping = http_call(base + "/ping")
    lab.check_equal("GET /ping -> 200", ping[0], 200, hint="SageMaker's health check is /ping")
    ok = http_call(base + "/invocations", json.dumps({"instances": X[:32].tolist()}).encode(),
                   "application/json; charset=utf-8")
    lab.check_equal("POST /invocations (JSON; charset=utf-8) -> 200, application/json",
                    (ok[0], ok[1].split(";")[0].strip().lower()), (200, "application/json"),
                    hint="compare the media type before ';', and answer application/json")
    lab.check_close("predictions = local PyTorch inference (32 rows)",
                    parse_predictions(ok[2], 32), local[:32], rtol=0, atol=cfg.tol,
                    hint="send the floats unrounded")
    answers = {k: http_call(base + "/invocations", v) for k, v in MALFORMED.items()}
    lab.check_equal("malformed bodies -> 400 each", {k: a[0] for k, a in answers.items()},
                    dict.fromkeys(MALFORMED, 400), hint="a client's mistake is a 4xx, not a 500")
    csv = http_call(base + "/invocations", b"0.5,0.25,0.0", "text/csv")
    lab.check_equal("text/csv body -> 415 Unsupported Media Type", csv[0], 415)
    errors = [*answers.values(), csv]
    lab.check_equal("4xx answers are JSON {'error': ...} (application/json)",
                    [is_json_error(a) for a in errors], [True] * len(errors),
                    hint="not send_error: its page is HTML")
    lab.check_equal("unknown paths (GET /, POST /predict) -> 404",
                    [http_call(base + "/")[0], http_call(base + "/predict", b"{}")[0]], [404, 404])


def run_load_test(lab: kit.Lab, cfg: Config, base: str, X: np.ndarray, local: np.ndarray,
                  conn) -> list:
    """Your load test, from this process against the server process; graded on what the
    server saw (requests in flight) and on every answer."""
    lab.section(f"load test: {cfg.requests} requests, {cfg.concurrency} in flight, "
                f"every {cfg.bad_every}th malformed")
    malformed = list(MALFORMED.values())
    rows, bodies, want = [], [], []
    for i in range(cfg.requests):
        if i % cfg.bad_every == cfg.bad_every - 1:
            bodies.append(malformed[i % len(malformed)])
            want.append(400)
        else:
            rows.append(i % len(X))
            bodies.append(json.dumps({"instances": [X[rows[-1]].tolist()]}).encode())
            want.append(200)
    conn.send("stats")  # resets the server's count of predictions at once
    conn.recv()
    with lab.timer() as t:
        results = load_test(base + "/invocations", bodies, cfg.concurrency)
    conn.send("stats")
    max_inflight = conn.recv()
    got = [r.get("status") for r in results] if isinstance(results, list) else []
    lab.check_equal("one result per body, in order (status 200 or 400)", got, want,
                    hint="keep the order of the bodies, not the order answers arrive in")
    preds = [parse_predictions(r.get("body", b""), 1)[0]
             for r, w in zip(results, want, strict=False) if w == 200]
    lab.check_close("the 200s' predictions = local inference, row by row",
                    np.asarray(preds) if len(preds) == len(rows) else np.nan,
                    local[rows], rtol=0, atol=cfg.tol)
    lab.check("predictions running at once at the server: 2 to concurrency",
              1 < max_inflight <= cfg.concurrency, f"2..{cfg.concurrency}", max_inflight,
              hint="a pool of `concurrency` workers, not a loop, not a thread per body")
    ms = np.asarray([r.get("ms", np.nan) for r in results], dtype=np.float64)
    ok_ms = ms[np.asarray(want) == 200] if len(ms) == len(want) else ms
    lab.check_equal(f"latencies in ms: each 200 >= the model's {cfg.model_ms:g} ms, none > "
                    "the whole test",
                    bool(len(ms) and np.all(ok_ms >= cfg.model_ms)
                         and np.all(ms <= t.seconds * 1e3)), True,
                    hint="time each request alone, in milliseconds")
    lab.metric("throughput", len(results) / t.seconds, "req/s")
    return results if got == want else []


def report(lab: kit.Lab, cfg: Config, results: list) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.4))
    ms = {code: [r["ms"] for r in results if r["status"] == code] for code in (200, 400)}
    p50 = p99 = float("nan")
    if ms[200]:
        p50, p99 = np.percentile(ms[200], [50, 99])
        lab.metric("latency_p50", p50, "ms")
        lab.metric("latency_p99", p99, "ms")
        ax.hist([ms[200], ms[400]], bins=40, stacked=True, color=["0.6", "C1"],
                label=["200 (model ran)", "400 (malformed)"])
        for v, name, c in ((p50, "p50", "C0"), (p99, "p99", "C3")):
            ax.axvline(v, ls="--", color=c, label=f"{name} of the 200s: {v:.1f} ms")
    ax.set(xlabel="latency (ms)", ylabel="requests",
           title=f"{cfg.concurrency} in flight, server in another process")
    ax.legend(fontsize=8)
    lab.savefig(fig, "latency_hist.png")
    if ms[200]:
        lab.conclude(f"Your server kept SageMaker's /ping and /invocations contract (400, 415 "
                     f"and 404 as JSON) and answered like local inference to {cfg.tol:.0e}; "
                     f"your load test, {cfg.concurrency} in flight from another process, "
                     f"measured p50 {p50:.1f} ms and p99 {p99:.1f} ms over "
                     f"{len(ms[200])} predictions, and all {len(ms[400])} malformed bodies "
                     f"got a 400.")


def body(lab: kit.Lab) -> None:
    cfg = Config(epochs=lab.pick(60, 300), requests=lab.pick(120, 2000))
    weights, X, Y, local = train_model(cfg, lab.seed)
    lab.metric("local_test_accuracy", float((local.argmax(1) == Y).mean()))
    model_dir = lab.out / "model"  # the container's model folder (SageMaker: /opt/ml/model)
    model_dir.mkdir(parents=True, exist_ok=True)
    np.savez(model_dir / "model.npz", **weights)

    lab.section("start the server process (spawn) on 127.0.0.1, a free port")
    solution = str(lab.solution_path) if lab.solution_path else None
    parent, child = mp.get_context("spawn").Pipe()
    proc = mp.get_context("spawn").Process(target=serve, daemon=True, args=(
        str(model_dir), solution, lab.only or EXERCISES, child, cfg.model_ms))
    proc.start()
    results: list = []
    base = ""
    try:
        with lab.guard("the server starts (make_handler)"):
            if not parent.poll(60):
                raise RuntimeError("the server process sent no port within 60 s")
            kind, value, not_implemented = parent.recv()
            if kind == "error":
                raise (NotImplementedError if not_implemented else RuntimeError)(value)
            base = f"http://127.0.0.1:{value}"
            lab.log(f"  serving at {base} (pid {proc.pid})")
            check_contract(lab, cfg, base, X, local)
        if base:
            with lab.guard("load_test runs"):
                results = run_load_test(lab, cfg, base, X, local, parent)
    finally:
        if proc.is_alive():
            parent.send("stop")
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join()
    report(lab, cfg, results)


def main(argv: list[str] | None = None) -> int:
    return kit.run("model-serving-cloud", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
