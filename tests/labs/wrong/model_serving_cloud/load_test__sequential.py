"""A plain loop: one request at a time, whatever `concurrency` says, so the server never
sees the load the test claims to apply (and the latencies look better than they are)."""

import time
import urllib.error
import urllib.request


def load_test(url, bodies, concurrency, timeout=10.0):
    results = []
    for body in bodies:
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        results.append({"status": status, "body": data, "ms": (time.perf_counter() - t0) * 1e3})
    return results
