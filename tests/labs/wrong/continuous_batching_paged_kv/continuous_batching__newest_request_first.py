"""Bug: takes waiting requests from the back of the queue (a stack): the newest goes first."""


def continuous_batching(engine, requests, max_batch):
    waiting, running = list(requests), []
    while waiting or running:
        while waiting and len(running) < max_batch:
            running.append(waiting.pop())
        for r, tok in zip(running, engine.step(running), strict=True):
            r.output.append(tok)
        for r in [r for r in running if len(r.output) == r.max_new]:
            engine.release(r)
            running.remove(r)
    return {r.rid: r.output for r in requests}
