"""Collects the answers with as_completed, in the order they arrive: a malformed body
(answered at once) overtakes the valid ones sent before it, so results no longer line up
with their bodies."""

import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed


def load_test(url, bodies, concurrency, timeout=10.0):
    def one(body):
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        return {"status": status, "body": data, "ms": (time.perf_counter() - t0) * 1e3}

    with ThreadPoolExecutor(concurrency) as pool:
        futures = [pool.submit(one, b) for b in bodies]
        return [f.result() for f in as_completed(futures)]
