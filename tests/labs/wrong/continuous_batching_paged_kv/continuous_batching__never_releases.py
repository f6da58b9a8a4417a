"""Bug: drops finished requests from the batch but never releases their KV blocks (a leak)."""

from collections import deque


def continuous_batching(engine, requests, max_batch):
    waiting, running = deque(requests), []
    while waiting or running:
        while waiting and len(running) < max_batch:
            running.append(waiting.popleft())
        for r, tok in zip(running, engine.step(running), strict=True):
            r.output.append(tok)
        running = [r for r in running if len(r.output) < r.max_new]
    return {r.rid: r.output for r in requests}
