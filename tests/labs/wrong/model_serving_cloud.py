"""A deliberately wrong solution: predictions rounded to 3 decimals "to save bandwidth",
every bad request answered 500 (and unknown paths 200), and a nearest-rank percentile."""

import json
from http.server import BaseHTTPRequestHandler

import numpy as np


def make_handler(predict):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self._send(200, {"status": "ok"})  # every path is "healthy"

        def do_POST(self):
            try:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                x = np.asarray(json.loads(raw)["instances"], dtype=np.float32)
                preds = [[round(v, 3) for v in row] for row in predict(x)]
            except Exception as exc:  # the client's mistake reported as a server error
                return self._send(500, {"error": str(exc)})
            self._send(200, {"predictions": preds})

        def log_message(self, *args):
            pass

    return Handler


def percentile(samples, q):
    s = sorted(samples)
    return s[min(int(len(s) * q / 100), len(s) - 1)]  # nearest rank, no interpolation
