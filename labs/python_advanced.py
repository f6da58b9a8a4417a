"""Advanced Python for ML code: OOP, design patterns and functional programming.

Deep-learning libraries are built from a handful of Python ideas. OOP: an abstract base
class fixes an interface (``nn.Module.forward``), subclasses fill it in, and Python's C3
linearisation decides which parent's method wins. Design patterns: a *registry/factory*
builds objects from a config string (``"sgd"`` -> an optimizer), a *strategy* swaps the
update rule behind one interface, an *observer* (callbacks, hooks) lets code react to a
training loop without editing it, a *decorator* wraps a function (caching, timing).
Functional programming: pure functions, composition, higher-order functions, immutable
values and lazy generators.

The learner writes ``compose`` (function composition), ``memoize`` (a caching decorator)
and ``train_loop`` (a loop that notifies observers and honours early stopping). The lab
checks each against an independent oracle: the nested call, ``math.comb`` and the exact
number of calls a memoised recursion makes, and the stopping step computed from the loss
list. It also checks the OOP and pattern code the lab itself shows.

$ python labs/python_advanced.py --quick
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from abc import ABC, abstractmethod
from dataclasses import FrozenInstanceError, dataclass

import kit
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("compose", "memoize", "train_loop")


@dataclass
class Config:
    fib_n: int = 25  # largest Fibonacci index for the call-count experiment
    comb_n: int = 30  # binomial coefficients C(n, k) for n up to this
    steps: int = 200  # steps of the toy training loop
    patience: int = 10  # early stopping: steps without improvement before stopping


# ----------------------------------------------------------------- exercises
def compose(*fns):
    """Return ``h`` with ``h(x) == fns[0](fns[1](...fns[-1](x)))``; ``compose()`` is identity."""
    return functools.reduce(lambda f, g: lambda x: f(g(x)), fns, lambda x: x)


def memoize(fn):
    """Decorator caching ``fn``'s result per tuple of positional args; keeps name and doc."""
    cache: dict = {}

    @functools.wraps(fn)
    def wrapper(*args):
        if args not in cache:
            cache[args] = fn(*args)
        return cache[args]

    wrapper.cache = cache
    return wrapper


def train_loop(step_fn, n_steps, callbacks):
    """Observer pattern: run ``loss = step_fn(step)`` for up to ``n_steps`` steps.

    After each step call ``cb.on_step(step, loss)`` on every callback in order; stop after
    that step if any callback's ``should_stop`` is true. At the end call
    ``cb.on_end(history)`` once on every callback. Returns ``history``, the list of losses.
    """
    history = []
    for step in range(n_steps):
        loss = step_fn(step)
        history.append(loss)
        for cb in callbacks:
            cb.on_step(step, loss)
        if any(cb.should_stop for cb in callbacks):
            break
    for cb in callbacks:
        cb.on_end(history)
    return history


# ------------------------------------------------------------ OOP and patterns
class Callback:
    """Observer base class: default hooks do nothing."""

    should_stop = False

    def on_step(self, step, loss):
        pass

    def on_end(self, history):
        pass


class Recorder(Callback):
    def __init__(self):
        self.events = []

    def on_step(self, step, loss):
        self.events.append(("step", step))

    def on_end(self, history):
        self.events.append(("end", len(history)))


class EarlyStopping(Callback):
    """Stop when the best loss has not improved for ``patience`` steps."""

    def __init__(self, patience):
        self.patience, self.best, self.since = patience, math.inf, 0

    def on_step(self, step, loss):
        self.best, self.since = (loss, 0) if loss < self.best else (self.best, self.since + 1)
        self.should_stop = self.since >= self.patience


OPTIMIZERS: dict[str, type] = {}  # registry: config string -> class


def register(name):
    """Class decorator that puts a class in the OPTIMIZERS registry (factory pattern)."""
    def deco(cls):
        OPTIMIZERS[name] = cls
        return cls
    return deco


class UpdateRule(ABC):
    """Strategy interface: one parameter update from a gradient."""

    def __init__(self, lr):
        self.lr = lr

    @abstractmethod
    def step(self, x, grad): ...


@register("sgd")
class SGD(UpdateRule):
    def step(self, x, grad):
        return x - self.lr * grad


@register("momentum")
class Momentum(UpdateRule):
    def __init__(self, lr, beta=0.9):
        super().__init__(lr)
        self.beta, self.v = beta, 0.0

    def step(self, x, grad):
        self.v = self.beta * self.v + grad
        return x - self.lr * self.v


def build(config):
    """Factory: ``{"name": "sgd", "lr": 0.1}`` -> an UpdateRule."""
    kwargs = {k: v for k, v in config.items() if k != "name"}
    return OPTIMIZERS[config["name"]](**kwargs)


@dataclass(frozen=True)
class HParams:
    lr: float = 0.1  # immutable value object: change it by making a new one
    batch: int = 32


def body(lab: kit.Lab) -> None:
    cfg = Config(fib_n=lab.pick(20, 25), comb_n=lab.pick(20, 30), steps=lab.pick(200, 2000))
    rng = np.random.default_rng(lab.seed)

    lab.section("functional: compose")
    fs = [lambda x: 2 * x + 1, lambda x: x * x, lambda x: x - 3, math.sin]
    xs = rng.normal(size=5).tolist()
    with lab.guard("compose runs"):
        h = compose(*fs)
        lab.check_close("compose(f,g,h,k)(x) = f(g(h(k(x))))", [h(x) for x in xs],
                        [fs[0](fs[1](fs[2](fs[3](x)))) for x in xs], rtol=1e-12)
        lab.check_close("compose() is the identity", [compose()(x) for x in xs], xs, rtol=0)
        pipeline = compose(sum, functools.partial(map, lambda v: v * v))  # sum of squares
        lab.check_close("compose(sum, map(square)) = ||x||^2", pipeline(xs),
                        float(np.dot(xs, xs)), rtol=1e-12)

    lab.section("decorator: memoize")
    ref = [0, 1]
    while len(ref) <= cfg.fib_n + 1:
        ref.append(ref[-1] + ref[-2])  # oracle: iterative Fibonacci
    with lab.guard("memoize runs"):
        calls = {"n": 0}

        @memoize
        def fib(n):
            """n-th Fibonacci number."""
            calls["n"] += 1
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        values = [fib(n) for n in range(cfg.fib_n + 1)]
        lab.check_equal("memoized fib = iterative fib", values, ref[: cfg.fib_n + 1])
        lab.check_equal("each fib(n) computed exactly once", calls["n"], cfg.fib_n + 1)
        lab.check_equal("functools.wraps keeps name and doc", (fib.__name__, fib.__doc__),
                        ("fib", "n-th Fibonacci number."))

        @memoize
        def comb(n, k):
            return 1 if k in (0, n) else comb(n - 1, k - 1) + comb(n - 1, k)

        wrong = [(n, k, comb(n, k), math.comb(n, k)) for n in range(cfg.comb_n + 1)
                 for k in range(n + 1) if comb(n, k) != math.comb(n, k)]
        lab.check_equal("memoized C(n, k) = math.comb (two-argument key)", wrong[:3], [],
                        f"{len(wrong)} (n, k, got, expected) mismatches")
    naive_calls = [2 * ref[n + 1] - 1 for n in range(cfg.fib_n + 1)]  # calls of naive fib(n)
    lab.metric("naive_fib_calls", naive_calls[-1])
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.semilogy(naive_calls, label="naive recursion")
    ax.semilogy(np.arange(cfg.fib_n + 1) + 1, label="memoized (one call per n)")
    ax.set(xlabel="n", ylabel="calls to compute fib(n)", title="a cache turns O(phi^n) into O(n)")
    ax.legend()
    lab.savefig(fig, "memoize_calls.png")

    lab.section("observer: callbacks in a training loop")
    t_ = np.arange(cfg.steps)  # a noisy loss that improves, then flattens: stop early
    losses = (1.0 / (1 + 0.1 * t_) + rng.normal(scale=0.05, size=cfg.steps)).tolist()
    best, since, stop_at = math.inf, 0, cfg.steps - 1  # oracle for the early-stopping step
    for t, v in enumerate(losses):
        best, since = (v, 0) if v < best else (best, since + 1)
        if since >= cfg.patience:
            stop_at = t
            break
    with lab.guard("train_loop runs"):
        rec, es = Recorder(), EarlyStopping(cfg.patience)
        history = train_loop(lambda t: losses[t], cfg.steps, [rec, es])
        lab.check_equal("stops at the early-stopping step", len(history) - 1, stop_at)
        lab.check_close("history = losses up to the stop", history, losses[: stop_at + 1],
                        rtol=0)
        lab.check_equal("observer saw every step, then one end event", rec.events,
                        [("step", t) for t in range(stop_at + 1)] + [("end", stop_at + 1)])
        rec2 = Recorder()
        lab.check_equal("no early stop without the callback",
                        len(train_loop(lambda t: losses[t], cfg.steps, [rec2])), cfg.steps)

    lab.section("OOP: abstract base class, C3 MRO, strategy/factory, immutability")
    try:
        UpdateRule(0.1)
        abstract_ok = False
    except TypeError:
        abstract_ok = True
    lab.check("an ABC with an abstract method cannot be instantiated", abstract_ok,
              "TypeError", "TypeError" if abstract_ok else "instance created")

    class A:
        def who(self):
            return "A"

    class B(A):
        def who(self):
            return "B"

    class C(A):
        def who(self):
            return "C"

    class D(B, C):
        pass

    lab.check_equal("diamond MRO is D, B, C, A, object (C3)", [k.__name__ for k in D.__mro__],
                    ["D", "B", "C", "A", "object"])
    lab.check_equal("method lookup follows the MRO", D().who(), "B")

    a, x0 = 2.0, 5.0  # minimise f(x) = a/2 x^2, grad = a x
    runs = {}
    for name in ("sgd", "momentum"):
        opt, x = build({"name": name, "lr": 0.1}), x0
        for _ in range(50):
            x = opt.step(x, a * x)
        runs[name] = x
    lab.check_equal("factory builds the registered classes",
                    sorted(type(build({"name": n, "lr": 0.1})).__name__ for n in OPTIMIZERS),
                    ["Momentum", "SGD"])
    lab.check_close("SGD strategy = closed form x0 (1 - lr a)^50", runs["sgd"],
                    x0 * (1 - 0.1 * a) ** 50, rtol=1e-12)
    M = np.array([[1 + 0.9 - 0.1 * a, -0.9], [1.0, 0.0]])  # heavy-ball recurrence as a matrix
    lab.check_close("momentum strategy = matrix power of its recurrence", runs["momentum"],
                    (np.linalg.matrix_power(M, 50) @ np.array([x0, x0]))[0], rtol=1e-9)

    hp = HParams()
    try:
        hp.lr = 1.0  # type: ignore[misc]
        frozen = False
    except FrozenInstanceError:
        frozen = True
    lab.check("frozen dataclass rejects mutation", frozen, "FrozenInstanceError",
              "FrozenInstanceError" if frozen else "mutated")
    hp2 = dataclasses.replace(hp, lr=0.5)  # a new value; hp is untouched
    lab.check_equal("dataclasses.replace makes a new value", (hp2.lr, hp2.batch, hp.lr),
                    (0.5, 32, 0.1))

    pulled = []

    def naturals():  # infinite, lazy generator
        n = 0
        while True:
            pulled.append(n)
            yield n
            n += 1

    firsts = list(itertools.islice((n * n for n in naturals() if n % 2), 5))
    lab.check_equal("lazy pipeline: first five odd squares", firsts, [1, 9, 25, 49, 81])
    lab.check_equal("generator pulled only what was needed", len(pulled), 10)


def main(argv: list[str] | None = None) -> int:
    return kit.run("python-advanced", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
