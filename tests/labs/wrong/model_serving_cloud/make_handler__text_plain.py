"""Sends every answer as text/plain (the body is still JSON text): clients that check the
Content-Type, as SageMaker's callers do, cannot parse it."""

import json
from http.server import BaseHTTPRequestHandler

import numpy as np


def make_handler(predict):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/ping":
                self._send(200, {"status": "healthy"})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self):
            if self.path != "/invocations":
                return self._send(404, {"error": "not found"})
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
            if ctype != "application/json":
                return self._send(415, {"error": "send JSON"})
            try:
                x = np.asarray(json.loads(raw)["instances"], dtype=np.float32)
                if x.ndim != 2 or x.shape[1] != 64:
                    raise ValueError(f"instances must be (N, 64), got {x.shape}")
            except (ValueError, KeyError, TypeError) as exc:
                return self._send(400, {"error": str(exc)})
            self._send(200, {"predictions": predict(x)})

        def log_message(self, *args):
            pass

    return Handler
