"""Serve a model over HTTP, measure its latency, and what the clouds offer for the same job.

Serving means: a process loads the model once, listens on a port, and answers requests
(JSON in, JSON out) with a health endpoint for the orchestrator. This lab writes the
request handler for Python's standard ``ThreadingHTTPServer`` (one thread per request),
serves a small MLP trained on sklearn's digits on 127.0.0.1 at a free port, and checks that
the HTTP answers equal local inference, that bad input gets a 400 (and the server survives),
and measures p50/p99 latency under a bounded concurrent load (4 client threads). The
request/response shape is the one TF Serving and Vertex AI use:
``POST /v1/predict {"instances": [[...64 pixels...]]} -> {"predictions": [[...10 logits...]]}``.

The managed versions of the same job (you bring a container like the one from the
containers-kubernetes lab, or a model file plus a prebuilt container; they run replicas,
autoscale, split traffic between versions for blue/green or canary rollouts, and log):
- Azure Machine Learning: managed online endpoints with one or more deployments (a scoring
  script with ``init()``/``run()`` or your own container), traffic split by percentage.
- AWS SageMaker: real-time endpoints (also serverless and async); a custom container must
  answer ``GET /ping`` and ``POST /invocations`` on port 8080.
- Google Cloud Vertex AI: models deployed to endpoints; custom containers declare their
  health and predict routes and receive ``{"instances": [...]}`` as here.
Batch jobs (offline scoring), GPU instance types and scale-to-zero differ per provider.

$ python labs/model_serving_cloud.py --quick
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import kit
import matplotlib
import numpy as np
import torch
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("make_handler", "percentile")


@dataclass
class Config:
    epochs: int = 60  # full-batch training steps for the served MLP
    clients: int = 4  # concurrent client threads in the load test
    requests_per_client: int = 50  # requests each client sends (one instance each)
    max_seconds: float = 60.0  # time bound for the whole load test
    tol: float = 1e-6  # max error, HTTP predictions vs local inference (JSON float64)


def make_handler(predict):
    """A request-handler class for ``ThreadingHTTPServer``:
    GET /healthz -> 200 {"status": "ok"};
    POST /v1/predict with {"instances": [[floats]...]} -> 200 {"predictions": predict(array)}
    where ``predict`` maps a float32 array (N, 64) to a list of lists; malformed JSON or
    instances of the wrong shape -> 400 {"error": ...}; any other path -> 404."""

    class Handler(BaseHTTPRequestHandler):
        def _send(self, code: int, obj: dict) -> None:
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            if self.path == "/healthz":
                self._send(200, {"status": "ok"})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/v1/predict":
                return self._send(404, {"error": "not found"})
            try:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                x = np.asarray(json.loads(raw)["instances"], dtype=np.float32)
                if x.ndim != 2 or x.shape[1] != 64:
                    raise ValueError(f"instances must be (N, 64), got {x.shape}")
            except (ValueError, KeyError, TypeError) as exc:
                return self._send(400, {"error": str(exc)})
            self._send(200, {"predictions": predict(x)})

        def log_message(self, *args) -> None:  # keep the lab's output quiet
            pass

    return Handler


def percentile(samples, q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between order statistics
    (numpy's default): position (n - 1) * q / 100 in the sorted samples."""
    s = sorted(samples)
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def http(url: str, payload: dict | None = None, timeout: float = 10.0) -> tuple[int, dict]:
    """GET (payload None) or POST JSON; returns (status code, decoded JSON body)."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def body(lab: kit.Lab) -> None:
    from sklearn.datasets import load_digits

    cfg = Config(epochs=lab.pick(60, 300), requests_per_client=lab.pick(50, 500),
                 max_seconds=lab.pick(60.0, 300.0))
    rng = np.random.default_rng(lab.seed)
    X, Y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    idx = rng.permutation(len(X))
    tr, te = idx[:1400], idx[1400:]
    dev = lab.torch_device

    lab.section("train the model to serve")
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    xtr, ytr = torch.from_numpy(X[tr]).to(dev), torch.from_numpy(Y[tr]).to(dev)
    for _ in range(cfg.epochs):
        loss = nn.functional.cross_entropy(model(xtr), ytr)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()

    def predict(x: np.ndarray) -> list:  # what the server runs; float64 lists for JSON
        with torch.no_grad():
            return model(torch.from_numpy(x).to(dev)).double().cpu().tolist()

    with torch.no_grad():
        local = model(torch.from_numpy(X[te]).to(dev)).double().cpu().numpy()  # (397, 10)
    lab.metric("local_test_accuracy", float((local.argmax(1) == Y[te]).mean()))

    lab.section("serve on 127.0.0.1 (free port) in a thread")
    server = thread = None
    lat: list[float] = []  # per-request latencies (ms) under load
    with lab.guard("make_handler serves"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(predict))  # port 0: any free
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        lab.log(f"  serving at {base}")
        lab.check_equal("GET /healthz", http(base + "/healthz"), (200, {"status": "ok"}))
        code, out = http(base + "/v1/predict", {"instances": X[te[:32]].tolist()})
        lab.check_equal("POST /v1/predict status", code, 200)
        lab.check_close("HTTP predictions = local inference (32 rows)",
                        np.asarray(out.get("predictions", [])), local[:32], rtol=cfg.tol,
                        atol=cfg.tol)
        bad = [http(base + "/v1/predict", {"instances": [[1.0, 2.0]]})[0],
               http(base + "/v1/predict", {"rows": []})[0], http(base + "/nope")[0]]
        lab.check_equal("bad shape, missing key, unknown path -> 400, 400, 404", bad,
                        [400, 400, 404])

        lab.section(f"load: {cfg.clients} clients x {cfg.requests_per_client} requests")
        deadline = time.perf_counter() + cfg.max_seconds

        def client(k: int) -> list[tuple[float, bool]]:
            res = []
            for j in range(cfg.requests_per_client):
                if time.perf_counter() > deadline:
                    break
                i = (k * cfg.requests_per_client + j) % len(te)
                t0 = time.perf_counter()
                code, out = http(base + "/v1/predict", {"instances": [X[te[i]].tolist()]})
                ms = (time.perf_counter() - t0) * 1e3
                ok = code == 200 and np.allclose(out["predictions"][0], local[i], rtol=1e-5,
                                                 atol=1e-5)
                res.append((ms, ok))
            return res

        t0 = time.perf_counter()
        with ThreadPoolExecutor(cfg.clients) as pool:
            results = [r for rs in pool.map(client, range(cfg.clients)) for r in rs]
        wall = time.perf_counter() - t0
        lat = [ms for ms, _ in results]
        n_total = cfg.clients * cfg.requests_per_client
        lab.check_equal("requests answered within the time bound", len(results), n_total)
        lab.check_equal("answers equal local inference under load", sum(ok for _, ok in results),
                        len(results))
        lab.metric("throughput", len(results) / wall, "req/s")

    with lab.guard("percentile runs"):
        synth = rng.lognormal(1.0, 0.5, size=201).tolist()  # skewed, like latencies
        lab.check_close("percentile(q) = numpy.percentile on 201 samples",
                        [percentile(synth, q) for q in (1, 50, 90, 99, 100)],
                        np.percentile(synth, [1, 50, 90, 99, 100]), rtol=1e-12)
        if lat:
            p50, p99 = percentile(lat, 50), percentile(lat, 99)
            lab.check_close("p50, p99 = numpy.percentile", [p50, p99],
                            np.percentile(lat, [50, 99]), rtol=1e-12)
            lab.metric("latency_p50", p50, "ms")
            lab.metric("latency_p99", p99, "ms")
            fig, ax = plt.subplots(figsize=(5, 3.2))
            ax.hist(lat, bins=40, color="0.6")
            for v, name in ((p50, "p50"), (p99, "p99")):
                ax.axvline(v, ls="--", color="C3" if name == "p99" else "C0",
                           label=f"{name} {v:.2f} ms")
            ax.set(xlabel="latency (ms)", ylabel="requests",
                   title=f"{cfg.clients} concurrent clients, localhost")
            ax.legend()
            lab.savefig(fig, "latency_hist.png")

    lab.section("stop the server")
    if server is not None:
        server.shutdown()  # stops serve_forever
        server.server_close()  # closes the listening socket
        thread.join(timeout=5)
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            refused = False
        except (urllib.error.URLError, ConnectionError):
            refused = True
        lab.check("server stopped (thread ended, port closed)", not thread.is_alive() and refused,
                  "stopped", "stopped" if refused and not thread.is_alive() else "still up")


def main(argv: list[str] | None = None) -> int:
    return kit.run("model-serving-cloud", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
