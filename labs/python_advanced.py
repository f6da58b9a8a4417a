"""Advanced Python for ML code: class hierarchies and the MRO, registries, decorators, observers.

Deep-learning libraries are built from a handful of Python ideas.

Classes and the MRO. A class with several bases (a mixin stack such as
``class Trainer(LoggingMixin, CheckpointMixin, BaseTrainer)``) looks every method up along
one list, its method resolution order ``C.__mro__``. Python builds it by C3 linearisation:
L(C) = C + merge(L(B1), ..., L(Bn), [B1, ..., Bn]) for the bases B1..Bn in declared order.
merge repeatedly takes the first *head* (first element) of a list, scanning the lists in
order, that appears in no list's *tail* (everything after its head), removes it from every
list, and starts again; when no head qualifies, the hierarchy is inconsistent and Python
refuses the class with a TypeError. C3 keeps every class before its bases and the bases in
their declared order, which is why cooperative ``super()`` calls in a diamond visit every
class exactly once. (Depth-first search, Python 2's rule, visits a shared base too early.)

Patterns. A registry/factory builds objects from a config string (``"sgd"`` -> an optimizer
class); a strategy swaps the update rule behind one interface (an abstract base class); an
observer (callbacks, hooks) lets code react to a training loop without editing it (the
Keras lab has you write one); a decorator wraps a function (caching, timing). Functional
programming: closures hold private state (a registry, a cache), higher-order functions take
and return functions, and pure functions can be cached.

You write ``c3_linearize`` (the MRO by hand, checked against Python's own ``__mro__`` on
textbook and random hierarchies, inconsistent ones included), ``make_registry`` (a registry
and factory made of closures; the lab builds its optimizer strategies through yours),
and ``memoize`` (a caching decorator, checked against math.comb and the exact number of
calls a memoised recursion makes).

$ python labs/python_advanced.py --quick
"""

from __future__ import annotations

import functools
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import kit
import numpy as np

EXERCISES = ("c3_linearize", "make_registry", "memoize")


@dataclass
class Config:
    hierarchies: int = 300  # random class hierarchies whose MRO is predicted
    classes: int = 9  # classes per random hierarchy (each with 0-3 bases)
    fib_n: int = 25  # largest Fibonacci index for the call-count experiment
    comb_n: int = 30  # binomial coefficients C(n, k) for n up to this


# ----------------------------------------------------------------- exercises
def c3_linearize(bases: dict, name: str) -> list:
    """The method resolution order of class ``name`` by C3 linearisation, by hand.

    ``bases`` maps every class name to the list of its direct bases' names in declared
    order (``[]`` for a root class; ``object`` is implicit and never listed). Returns the
    MRO as a list of names, ``name`` first and without ``object``: what
    ``[k.__name__ for k in C.__mro__][:-1]`` gives for the real classes. Raises
    ``TypeError`` when no consistent order exists, as Python does for such a class.
    """
    seqs = [c3_linearize(bases, b) for b in bases[name]] + [list(bases[name])]
    out = [name]
    while any(seqs):
        seqs = [s for s in seqs if s]
        head = next((s[0] for s in seqs if not any(s[0] in t[1:] for t in seqs)), None)
        if head is None:
            raise TypeError(f"no consistent MRO for {name} (bases {bases[name]})")
        out.append(head)
        seqs = [s[1:] if s[0] == head else s for s in seqs]
    return out


def make_registry():
    """A registry/factory made of two closures over one private dict: returns
    ``(register, create)``; every call makes a new, empty registry.

    ``register(name)`` is a class decorator: it records the class under ``name`` and
    returns the class itself, unchanged; registering a name that is taken raises
    ``ValueError`` naming it (the first class stays). ``create(config)`` builds an object
    from a config such as ``{"name": "momentum", "lr": 0.1, "beta": 0.5}``: the class
    registered as ``config["name"]``, called with every other key as a keyword argument;
    ``config`` is left unchanged. An unknown name raises ``KeyError`` whose message lists
    the registered names in sorted order.
    """
    classes: dict = {}

    def register(name):
        def deco(cls):
            if name in classes:
                raise ValueError(f"{name!r} is already registered ({classes[name].__name__})")
            classes[name] = cls
            return cls
        return deco

    def create(config):
        name = config["name"]
        if name not in classes:
            raise KeyError(f"unknown name {name!r}; registered: {', '.join(sorted(classes))}")
        return classes[name](**{k: v for k, v in config.items() if k != "name"})

    return register, create


def memoize(fn):
    """Decorator caching ``fn``'s result per tuple of positional arguments, so each distinct
    call runs ``fn`` once (whatever the result, 0 included); the wrapper keeps
    ``fn``'s name and docstring."""
    cache: dict = {}

    @functools.wraps(fn)
    def wrapper(*args):
        if args not in cache:
            cache[args] = fn(*args)
        return cache[args]

    return wrapper


# ------------------------------------------------------------ the lab's classes
class UpdateRule(ABC):
    """Strategy interface: one parameter update from a gradient."""

    def __init__(self, lr):
        self.lr = lr

    @abstractmethod
    def step(self, x, grad): ...


class SGD(UpdateRule):
    def step(self, x, grad):
        return x - self.lr * grad


class Momentum(UpdateRule):
    def __init__(self, lr, beta=0.9):
        super().__init__(lr)
        self.beta, self.v = beta, 0.0

    def step(self, x, grad):
        self.v = self.beta * self.v + grad
        return x - self.lr * self.v


def python_mro(bases: dict, name: str) -> list | None:
    """Oracle: build the real classes with ``type`` and read ``__mro__``; None if refused."""
    made: dict = {}

    def make(n):
        if n not in made:
            made[n] = type(n, tuple(make(b) for b in bases[n]) or (object,), {})
        return made[n]
    try:
        return [k.__name__ for k in make(name).__mro__][:-1]
    except TypeError:  # Python: "Cannot create a consistent method resolution order"
        return None


TEXTBOOK = {  # name -> (bases, class whose MRO is asked)
    "diamond": ({"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"]}, "D"),
    "python 2.3 MRO essay": ({"O": [], "F": ["O"], "E": ["O"], "D": ["O"], "C": ["D", "F"],
                              "B": ["D", "E"], "A": ["B", "C"]}, "A"),
    "mixins": ({"Module": [], "Logging": ["Module"], "Ckpt": ["Module"], "Base": ["Module"],
                "Trainer": ["Logging", "Ckpt", "Base"]}, "Trainer"),
    "base before subclass": ({"X": [], "Y": ["X"], "Z": ["X", "Y"]}, "Z"),
    "crossed orders": ({"X": [], "Y": [], "A": ["X", "Y"], "B": ["Y", "X"], "Z": ["A", "B"]},
                       "Z"),
}


def random_hierarchy(rng: np.random.Generator, n: int) -> dict:
    """n classes K0..K{n-1}; each takes 0-3 distinct earlier classes as bases, in random order."""
    out: dict = {}
    for i in range(n):
        k = min(i, int(rng.integers(0, 4)))
        out[f"K{i}"] = [f"K{j}" for j in rng.choice(i, size=k, replace=False)] if k else []
    return out


def body(lab: kit.Lab) -> None:
    cfg = Config(hierarchies=lab.pick(300, 2000))
    rng = np.random.default_rng(lab.seed)

    lab.section("OOP: C3 linearisation vs Python's __mro__")
    rows, agree, refused, n_bad = [], 0, 0, []
    with lab.guard("c3_linearize runs"):
        def mine(bases, name):
            try:
                return c3_linearize(bases, name)
            except TypeError:
                return None
        for title, (bases, name) in TEXTBOOK.items():
            want, got = python_mro(bases, name), mine(bases, name)
            rows.append([title, " ".join(got) if got else "TypeError",
                         " ".join(want) if want else "TypeError"])
            lab.check_equal(f"MRO of the {title} example ({name})", got, want,
                            hint="merge: take the first head found in no tail, then rescan")
        for _ in range(cfg.hierarchies):
            bases = random_hierarchy(rng, cfg.classes)
            name = f"K{cfg.classes - 1}"
            want = python_mro(bases, name)
            refused += want is None
            if mine(bases, name) == want:
                agree += 1
            else:
                n_bad.append(bases)
        lab.check_equal("random hierarchies: your MRO = __mro__ (or TypeError)", agree,
                        cfg.hierarchies, f"{refused} of them refused by Python; first "
                        f"mismatch: {n_bad[0] if n_bad else None}",
                        hint="depth-first orders visit a shared base too early")

        class Base:  # cooperative super(): each setup() calls the next one in the MRO
            def setup(self, log):
                log.append("Base")

        class Logging(Base):
            def setup(self, log):
                log.append("Logging")
                super().setup(log)

        class Ckpt(Base):
            def setup(self, log):
                log.append("Ckpt")
                super().setup(log)

        class Trainer(Logging, Ckpt):
            def setup(self, log):
                log.append("Trainer")
                super().setup(log)

        calls: list = []
        Trainer().setup(calls)
        lab.check_equal("cooperative super() calls run in your predicted order", calls,
                        mine({"Base": [], "Logging": ["Base"], "Ckpt": ["Base"],
                              "Trainer": ["Logging", "Ckpt"]}, "Trainer"))
    lab.table("mro", ["hierarchy", "your MRO", "Python's __mro__"], rows,
              title="C3 linearisation on textbook hierarchies")
    lab.section("patterns: registry/factory building strategies")
    with lab.guard("make_registry runs"):
        register, create = make_registry()
        lab.check("register(name) returns the class unchanged",
                  register("sgd")(SGD) is SGD and register("momentum")(Momentum) is Momentum,
                  True, False, hint="a class decorator must `return cls`")
        config = {"name": "momentum", "lr": 0.1, "beta": 0.5}
        opt = create(config)
        lab.check_equal("create(config) passes every other key as a keyword",
                        (type(opt).__name__, opt.lr, opt.beta), ("Momentum", 0.1, 0.5))
        lab.check_equal("create leaves config unchanged", config,
                        {"name": "momentum", "lr": 0.1, "beta": 0.5},
                        hint="config.pop('name') changes the caller's dict")
        try:
            register("sgd")(Momentum)
            dup = "no error"
        except ValueError as exc:
            dup = "ValueError naming it" if "sgd" in str(exc) else f"ValueError: {exc}"
        lab.check_equal("a taken name raises ValueError; the first class stays",
                        (dup, type(create({"name": "sgd", "lr": 1.0})).__name__),
                        ("ValueError naming it", "SGD"))
        try:
            create({"name": "adamw", "lr": 0.1})
            where = None
        except KeyError as exc:
            where = [str(exc).find(n) for n in ("momentum", "sgd")]
        lab.check("unknown name: KeyError listing the registered names, sorted",
                  where is not None and -1 < where[0] < where[1], "KeyError, sorted names",
                  where)
        register2, create2 = make_registry()
        register2("sgd")(Momentum)
        lab.check_equal("each make_registry() call makes its own registry",
                        (type(create2({"name": "sgd", "lr": 0.1})).__name__,
                         type(create({"name": "sgd", "lr": 0.1})).__name__),
                        ("Momentum", "SGD"), hint="a dict shared by every registry leaks")
        a, x0, lr = 2.0, 5.0, 0.1  # minimise f(x) = a/2 x^2 (grad a x) with each strategy
        runs = {}
        for cfg_opt in ({"name": "sgd", "lr": lr}, {"name": "momentum", "lr": lr, "beta": 0.5}):
            opt, x = create(cfg_opt), x0
            for _ in range(50):
                x = opt.step(x, a * x)
            runs[cfg_opt["name"]] = x
        lab.check_close("SGD built by your factory = x0 (1 - lr a)^50", runs["sgd"],
                        x0 * (1 - lr * a) ** 50, rtol=1e-12)
        M = np.array([[1 + 0.5 - lr * a, -0.5], [1.0, 0.0]])  # heavy ball as a matrix
        lab.check_close("momentum(beta=0.5) built by your factory = its recurrence",
                        runs["momentum"], (np.linalg.matrix_power(M, 50) @ [x0, x0])[0],
                        rtol=1e-9)

    lab.section("decorator: memoize")
    ref = [0, 1]
    while len(ref) <= cfg.fib_n + 1:
        ref.append(ref[-1] + ref[-2])  # oracle: iterative Fibonacci
    with lab.guard("memoize runs"):
        calls_n = {"n": 0}

        @memoize
        def fib(n):
            """n-th Fibonacci number."""
            calls_n["n"] += 1
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        values = [fib(n) for n in range(cfg.fib_n + 1)]
        lab.check_equal("memoized fib = iterative fib, each fib(n) computed exactly once",
                        (values, calls_n["n"]), (ref[: cfg.fib_n + 1], cfg.fib_n + 1),
                        hint="fib(0) = 0 is falsy: test `args in cache`, not the value")
        lab.check_equal("functools.wraps keeps name and doc", (fib.__name__, fib.__doc__),
                        ("fib", "n-th Fibonacci number."))

        @memoize
        def comb(n, k):
            return 1 if k in (0, n) else comb(n - 1, k - 1) + comb(n - 1, k)

        wrong = [(n, k, comb(n, k), math.comb(n, k)) for n in range(cfg.comb_n + 1)
                 for k in range(n + 1) if comb(n, k) != math.comb(n, k)]
        lab.check_equal("memoized C(n, k) = math.comb (the key is every argument)", wrong[:3],
                        [], f"{len(wrong)} (n, k, got, expected) mismatches")
    naive_calls = [2 * ref[n + 1] - 1 for n in range(cfg.fib_n + 1)]  # calls of naive fib(n)
    lab.metric("naive_fib_calls", naive_calls[-1])

    lab.conclude(f"Your C3 matched Python's __mro__ on {agree} of {cfg.hierarchies} random "
                 f"hierarchies ({refused} refused as inconsistent), your registry built both "
                 f"strategies, and memoize cut fib({cfg.fib_n}) from {naive_calls[-1]} calls "
                 f"to {cfg.fib_n + 1}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("python-advanced", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
