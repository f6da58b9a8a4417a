"""Bug: admits new requests only when the whole batch has finished: static batching again."""

from collections import deque


def continuous_batching(engine, requests, max_batch):
    waiting, running = deque(requests), []
    while waiting or running:
        if not running:
            while waiting and len(running) < max_batch:
                running.append(waiting.popleft())
        for r, tok in zip(running, engine.step(running), strict=True):
            r.output.append(tok)
        for r in [r for r in running if len(r.output) == r.max_new]:
            engine.release(r)
            running.remove(r)
    return {r.rid: r.output for r in requests}
