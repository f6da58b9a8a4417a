"""Another correct solution: a route table with HTTPStatus codes, HTTP/1.1 with explicit
Content-Length, email-style header parsing of the media type; a load test on http.client
with worker threads that pull indices from a queue and write into preallocated slots."""

import http.client
import json
import queue
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import numpy as np


def make_handler(predict):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status, payload):
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def ping(self):
            self.reply(HTTPStatus.OK, {})

        def invocations(self):
            n = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(n)
            if self.headers.get_content_type() != "application/json":
                return self.reply(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                                  {"error": "only application/json"})
            try:
                payload = json.loads(data.decode("utf-8"))
                x = np.array(payload["instances"], dtype=np.float32)
            except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
                return self.reply(HTTPStatus.BAD_REQUEST, {"error": "bad body"})
            if x.ndim != 2 or x.shape[-1] != 64:
                return self.reply(HTTPStatus.BAD_REQUEST, {"error": f"shape {x.shape}"})
            self.reply(HTTPStatus.OK, {"predictions": predict(x)})

        def route(self, method):
            action = {("GET", "/ping"): self.ping,
                      ("POST", "/invocations"): self.invocations}.get((method, self.path))
            if action is None:
                if method == "POST":  # drain the body so the connection stays usable
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                return self.reply(HTTPStatus.NOT_FOUND, {"error": "no such route"})
            action()

        def do_GET(self):
            self.route("GET")

        def do_POST(self):
            self.route("POST")

        def log_message(self, format, *args):
            return

    return Handler


def load_test(url, bodies, concurrency, timeout=10.0):
    parts = urlsplit(url)
    results = [None] * len(bodies)
    todo = queue.Queue()
    for i in range(len(bodies)):
        todo.put(i)

    def worker():
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
            start = time.monotonic_ns()
            conn.request("POST", parts.path, body=bodies[i],
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            elapsed = (time.monotonic_ns() - start) / 1e6
            conn.close()
            results[i] = {"status": resp.status, "body": data, "ms": elapsed}

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
