"""Bug: retires finished requests after admitting new ones, so a freed slot is refilled only
one step later (a wasted slot every time a request finishes)."""

from collections import deque


def continuous_batching(engine, requests, max_batch):
    waiting, running = deque(requests), []
    while waiting or running:
        while waiting and len(running) < max_batch:
            running.append(waiting.popleft())
        done = [r for r in running if len(r.output) == r.max_new]
        for r in done:
            engine.release(r)
            running.remove(r)
        if not running:
            continue
        for r, tok in zip(running, engine.step(running), strict=True):
            r.output.append(tok)
    return {r.rid: r.output for r in requests}
