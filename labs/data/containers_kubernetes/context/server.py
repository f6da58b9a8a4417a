"""A tiny model server: logistic regression weights from model.json, served over HTTP.

GET /healthz answers 200 "ok"; POST /predict with {"features": [...]} answers
{"probability": p}. Start it with: python server.py --port PORT
"""

import argparse
import json
import math
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODEL = json.loads((Path(__file__).parent / "model.json").read_text())


def predict(features: list[float]) -> float:
    z = MODEL["bias"] + sum(w * x for w, x in zip(MODEL["weights"], features, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


class Handler(BaseHTTPRequestHandler):
    def _send(self, code: int, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/healthz":
            self._send(200, b"ok", "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        if self.path != "/predict":
            self._send(404, b"not found", "text/plain")
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        out = json.dumps({"probability": predict(body["features"])}).encode()
        self._send(200, out, "application/json")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="server.py")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="0.0.0.0")
    return p


def main() -> None:
    args = build_parser().parse_args()
    ThreadingHTTPServer((args.host, args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
