"""Transfer learning: reuse a pretrained feature extractor, frozen or fine-tuned.

A network trained on a big source task learns features (strokes, edges, shapes) that are
useful for related tasks. Transfer learning keeps that feature extractor (the backbone),
replaces the task-specific head, and trains on the small target set either with the
backbone frozen (reuse: only the new head learns) or with everything trainable
(fine-tuning, usually with a smaller learning rate for the pretrained layers).

No pretrained vision model can be downloaded here, so the lab pretrains its own: a small
CNN learns 8 synthetic shapes (disk, ring, square, frame, plus, x, horizontal and vertical
bar) at random positions and sizes in thousands of noisy 16 x 16 images. The target task
is 5 *new* shapes (triangle, diamond, L, T, half-disk) with a few labelled images per
class (3 in --quick). From scratch, frozen and fine-tuned models train on the same few
labels with the same budget. The few target images cannot teach noise-robust edge and
corner detectors; the source's many images did: transfer pays when the target data is
too scarce to learn the features that the source task teaches.

You write transfer_model (copy the backbone, new head, freeze or not) and param_groups
(the optimizer's parameter groups, one learning rate each). Checks: the head is new, the
copy starts equal to the source and shares no tensor with it, requires_grad says what was
frozen, every trainable parameter sits in one group at its learning rate, a frozen backbone
is bit-identical after training, the source model is never touched, and fine-tuning beats
training from scratch (mean over several draws of the labelled set).

$ python labs/transfer_learning.py --quick
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("transfer_model", "param_groups")


@dataclass
class Config:
    shots: tuple = (1, 3, 10, 30)  # labelled target images per class (the small target set)
    draws: int = 8  # random draws of the labelled set per shot count
    n_source: int = 4000  # generated source images
    noise: float = 0.3  # pixel noise std (shapes are 1 on a 0 background)
    pre_steps: int = 600  # Adam steps on the source task
    steps: int = 100  # Adam steps on the target task (same for every model)
    lr_head: float = 3e-3  # new head (and every layer of the from-scratch model)
    lr_backbone: float = 1e-3  # pretrained layers when fine-tuning
    gain_min: float = 0.05  # fine-tuned minus from-scratch accuracy (mean over draws)


SOURCE = ("disk", "ring", "square", "frame", "plus", "x", "hbar", "vbar")
TARGET = ("triangle", "diamond", "L", "T", "half-disk")


def shape_mask(kind: str, cx: float, cy: float, r: float, size: int = 16):
    """Boolean (size, size) mask of one shape with centre (cx, cy) and half-size r."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    dx, dy = xx - cx, yy - cy
    ax, ay, d, t, box = abs(dx), abs(dy), np.hypot(dx, dy), 0.35 * r, np.maximum(abs(dx), abs(dy))
    return {
        "disk": lambda: d <= r, "ring": lambda: (d <= r) & (d >= r - 1.5),
        "square": lambda: box <= r, "frame": lambda: (box <= r) & (box >= r - 1.5),
        "plus": lambda: ((ax <= t) & (ay <= r)) | ((ay <= t) & (ax <= r)),
        "x": lambda: (box <= r) & ((abs(dx - dy) <= 1.4 * t) | (abs(dx + dy) <= 1.4 * t)),
        "hbar": lambda: (ay <= t) & (ax <= r), "vbar": lambda: (ax <= t) & (ay <= r),
        "triangle": lambda: (ay <= r) & (ax <= (dy + r) / 2), "diamond": lambda: ax + ay <= r,
        "L": lambda: (box <= r) & ((dy >= r - 2 * t) | (dx <= -r + 2 * t)),
        "T": lambda: (box <= r) & ((dy <= -r + 2 * t) | (ax <= t)),
        "half-disk": lambda: (d <= r) & (dy >= 0),
    }[kind]()


def make_shapes(kinds, n: int, noise: float, rng):
    """n noisy images (n, 1, 16, 16) of shapes drawn from ``kinds``, and their labels."""
    y = rng.integers(0, len(kinds), n)
    x = noise * rng.normal(size=(n, 1, 16, 16))
    for i in range(n):
        r = rng.uniform(3, 6)
        x[i, 0] += shape_mask(kinds[y[i]], *rng.uniform(r, 16 - r, 2), r)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y)


class Net(torch.nn.Module):
    """backbone: three conv layers + global max pool (64 features); head: a linear classifier."""

    def __init__(self, n_classes: int):
        super().__init__()
        nn = torch.nn
        self.backbone = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (16, 8, 8)
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (32, 4, 4)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.AdaptiveMaxPool2d(1), nn.Flatten())  # (64,): is each feature anywhere?
        self.head = torch.nn.Linear(64, n_classes)

    def forward(self, x):  # x (B, 1, 16, 16) -> logits (B, n_classes)
        return self.head(self.backbone(x))


# ------------------------------------------------------------------------- exercises
def transfer_model(source: Net, n_classes: int, freeze: bool) -> Net:
    """A new ``Net`` for the target task, built from the pretrained ``source`` Net.

    Its ``backbone`` is a *copy* of ``source.backbone`` (same values, its own tensors: the
    source must stay untouched whatever happens to the copy); its ``head`` is a fresh
    ``torch.nn.Linear(64, n_classes)``. With ``freeze`` every backbone parameter has
    requires_grad False (the head stays trainable); without it, every parameter trains.
    """
    model = Net(n_classes)
    model.backbone = copy.deepcopy(source.backbone)
    for p in model.backbone.parameters():
        p.requires_grad_(not freeze)
    return model


def param_groups(model: Net, lr_head: float, lr_backbone: float) -> list:
    """Optimizer parameter groups, as torch.optim takes them: a list of dicts
    ``{"params": [tensors], "lr": float}``. Every head parameter trains at ``lr_head``, every
    backbone parameter at ``lr_backbone``; each trainable parameter appears in exactly one
    group, and parameters with requires_grad False are left out of all of them."""
    head = [p for p in model.head.parameters() if p.requires_grad]
    backbone = [p for p in model.backbone.parameters() if p.requires_grad]
    groups = [{"params": head, "lr": lr_head}, {"params": backbone, "lr": lr_backbone}]
    return [g for g in groups if g["params"]]


# --------------------------------------------------------------------------- helpers
def train(model: Net, groups: list, x, y, steps: int, cfg: Config, gen: torch.Generator) -> None:
    """Adam on the given groups (the same update as torch.optim.Adam, which would import
    torch._dynamo: ~2.5 s), minibatches of up to 64 images."""
    state = [(p, g["lr"], torch.zeros_like(p), torch.zeros_like(p))
             for g in groups for p in g["params"]]
    model.train()
    for t in range(1, steps + 1):
        idx = torch.randint(0, len(x), (min(64, len(x)),), generator=gen)
        F.cross_entropy(model(x[idx]), y[idx]).backward()
        with torch.no_grad():
            for p, lr, m, v in state:
                if p.grad is None:
                    continue
                m.mul_(0.9).add_(p.grad, alpha=0.1)
                v.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
                p.addcdiv_(m, (v / (1 - 0.999**t)).sqrt_().add_(1e-8), value=-lr / (1 - 0.9**t))
        model.zero_grad(set_to_none=True)


def accuracy(model: Net, x, y) -> float:
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def snapshot(module) -> list:
    return [p.detach().clone() for p in module.parameters()]


def same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(torch.equal(p, q) for p, q in zip(a, b, strict=True))


def group_lrs(model: Net, groups: list) -> dict:
    """{parameter name: [lr of every group that holds it]} for the groups' parameters."""
    names = {id(p): n for n, p in model.named_parameters()}
    out: dict = {}
    for g in groups:
        for p in g["params"]:
            out.setdefault(names.get(id(p), "not a parameter of the model"), []).append(g["lr"])
    return out


def as_lists(groups) -> list:
    """The groups with their params as lists (torch.optim also accepts generators)."""
    return [{**g, "params": list(g["params"])} for g in groups]


def check_pieces(lab: kit.Lab, source: Net, cfg: Config) -> None:
    """transfer_model and param_groups on their own, before any training."""
    with lab.guard("transfer_model runs"):
        frozen, tuned = (transfer_model(source, len(TARGET), f) for f in (True, False))
        lab.check_equal("fresh head for the 5 target shapes: weight (5, 64), bias (5,)",
                        [tuple(m.head.weight.shape) + tuple(m.head.bias.shape)
                         for m in (frozen, tuned)], [(len(TARGET), 64, len(TARGET))] * 2,
                        hint="replace the head with torch.nn.Linear(64, n_classes)")
        lab.check_equal("the copied backbone starts equal to the source's",
                        [same(snapshot(m.backbone), snapshot(source.backbone))
                         for m in (frozen, tuned)], [True, True],
                        hint="copy the pretrained backbone, do not start from a new Net's")
        ptrs = {p.data_ptr() for p in source.parameters()}
        shared = sum(p.data_ptr() in ptrs for m in (frozen, tuned) for p in m.parameters())
        lab.check_equal("the copy has its own tensors (none shared with the source)", shared, 0,
                        hint="copy.deepcopy(source.backbone): assigning it shares the tensors")
        flags = [(sorted({p.requires_grad for p in m.backbone.parameters()}),
                  sorted({p.requires_grad for p in m.head.parameters()})) for m in (frozen, tuned)]
        lab.check_equal("requires_grad (backbone, head): frozen (F, T), fine-tuned (T, T)", flags,
                        [([False], [True]), ([True], [True])],
                        hint="model.eval() freezes nothing: set requires_grad_(False)")
    with lab.guard("param_groups runs"):
        torch.manual_seed(0)
        models = {"frozen": Net(len(TARGET)), "fine-tuned": Net(len(TARGET))}
        models["frozen"].backbone.requires_grad_(False)
        counts, lrs, want_counts, want_lrs = {}, {}, {}, {}
        for kind, m in models.items():
            got = group_lrs(m, as_lists(param_groups(m, cfg.lr_head, cfg.lr_backbone)))
            counts[kind] = {n: len(v) for n, v in got.items()}
            lrs[kind] = {n: v[0] for n, v in got.items()}
            want_counts[kind] = {n: 1 for n, p in m.named_parameters() if p.requires_grad}
            want_lrs[kind] = {n: cfg.lr_head if n.startswith("head") else cfg.lr_backbone
                              for n in want_counts[kind]}
        for name, got, want, hint in (
                ("each trainable parameter in exactly one group, frozen ones in none", counts,
                 want_counts, "filter on p.requires_grad; no parameter in two groups"),
                (f"learning rates: head {cfg.lr_head:g}, backbone {cfg.lr_backbone:g}", lrs,
                 want_lrs, "lr_head for model.head, lr_backbone for model.backbone")):
            wrong = [f"{kind} {n}: {got[kind].get(n, 'none')}" for kind in want
                     for n in sorted(set(want[kind]) | set(got[kind]), key=str)
                     if got[kind].get(n) != want[kind].get(n)]
            lab.check(name, not wrong, "every parameter as stated",
                      "; ".join(wrong) or "every parameter as stated", hint=hint)


# ------------------------------------------------------------------------------ body
def body(lab: kit.Lab) -> None:
    cfg = Config(shots=lab.pick((3,), Config.shots), draws=lab.pick(3, Config.draws),
                 n_source=lab.pick(2000, Config.n_source),
                 pre_steps=lab.pick(120, Config.pre_steps), steps=lab.pick(60, Config.steps))
    dev = lab.torch_device
    gen = torch.Generator().manual_seed(lab.seed)
    rng = np.random.default_rng(lab.seed)
    xs, ys = make_shapes(SOURCE, cfg.n_source, cfg.noise, rng)
    xs_test, ys_test = make_shapes(SOURCE, 400, cfg.noise, rng)
    xt_test, yt_test = make_shapes(TARGET, 500, cfg.noise, rng)
    xs, ys, xs_test, ys_test, xt_test, yt_test = (
        a.to(dev) for a in (xs, ys, xs_test, ys_test, xt_test, yt_test))

    lab.section(f"pretrain on the source task: {len(SOURCE)} shapes, {cfg.n_source} images")
    source = Net(len(SOURCE)).to(dev)
    with lab.timer() as t:
        train(source, [{"params": list(source.parameters()), "lr": cfg.lr_head}], xs, ys,
              cfg.pre_steps, cfg, gen)
    lab.metric("pretrain_seconds", t.seconds, "s")
    with lab.shown():
        lab.check_ge("the pretrained model tells the source shapes apart (held out)",
                     accuracy(source, xs_test, ys_test), 0.7)
    source_before = snapshot(source)

    lab.section("your transfer_model and param_groups")
    check_pieces(lab, source, cfg)

    lab.section(f"transfer to {len(TARGET)} new shapes with a few labels per class")
    results = {k: {"scratch": [], "frozen": [], "fine-tuned": []} for k in cfg.shots}
    means: dict = {}
    with lab.guard("training with transfer_model / param_groups runs"):
        for k in cfg.shots:
            for d in range(cfg.draws):
                x_tr, y_tr = make_shapes(TARGET, k * len(TARGET), cfg.noise,
                                         np.random.default_rng(100 + d))
                x_tr, y_tr, seed = x_tr.to(dev), y_tr.to(dev), torch.Generator().manual_seed(d)
                for mode in results[k]:
                    torch.manual_seed(lab.seed * 1000 + d)  # same head init for every mode
                    model = (Net(len(TARGET)) if mode == "scratch"
                             else transfer_model(source, len(TARGET), mode == "frozen")).to(dev)
                    before = snapshot(model.backbone)
                    lr_bb = cfg.lr_head if mode == "scratch" else cfg.lr_backbone
                    groups = as_lists(param_groups(model, cfg.lr_head, lr_bb))
                    train(model, groups, x_tr, y_tr, cfg.steps, cfg, seed)
                    results[k][mode].append(accuracy(model, xt_test, yt_test))
                    if mode == "frozen" and d == 0:
                        kept = same(snapshot(model.backbone), before)
                        lab.check("frozen backbone is bit-identical after training", kept,
                                  "unchanged", "unchanged" if kept else "changed",
                                  hint="requires_grad False keeps gradients (and Adam) away")
            lab.log(f"  {k:2d} labels/class: " + ", ".join(
                f"{mode} {np.mean(a):.3f}" for mode, a in results[k].items()))
        untouched = same(snapshot(source), source_before)
        lab.check("fine-tuning the copies leaves the source model untouched", untouched,
                  "unchanged", "unchanged" if untouched else "changed",
                  hint="a shared backbone trains the source model too")
        k = 3 if 3 in cfg.shots else cfg.shots[0]
        means = {mode: float(np.mean(a)) for mode, a in results[k].items()}
        for mode, v in means.items():
            lab.metric(f"acc_{mode}_{k}shot", v)
        lab.check_ge(f"fine-tuned beats from-scratch with {k} labels/class (accuracy gain, "
                     f"mean of {cfg.draws} draws)", means["fine-tuned"] - means["scratch"],
                     cfg.gain_min, hint="the fine-tuned model must start from the source's "
                     "weights")
    if means:
        plot(lab, cfg, results, means, k, xt_test, yt_test)
        lab.table("transfer_accuracy", ["labels per class", *results[k]],
                  [[s, *(float(np.mean(results[s][m])) for m in results[s])] for s in cfg.shots],
                  title="accuracy on the new shapes (mean over draws)")
        lab.conclude(f"With {k} labels per new shape, fine-tuning your transferred backbone "
                     f"reached {means['fine-tuned']:.2f} accuracy against {means['scratch']:.2f} "
                     f"from scratch (frozen: {means['frozen']:.2f}); chance is "
                     f"{1 / len(TARGET):.2f}.")


def plot(lab: kit.Lab, cfg: Config, results: dict, means: dict, k: int, xt_test, yt_test) -> None:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [3, 2]})
    for i, mode in enumerate(results[k]):  # every draw at k labels per class, and the mean
        ax1.plot([i] * cfg.draws, results[k][mode], "o", alpha=0.6, label=mode)
        ax1.plot([i - 0.2, i + 0.2], [means[mode]] * 2, "k-")
    ax1.set(xticks=range(3), xticklabels=list(results[k]), xlabel=f"{k} labels per class")
    ax1.axhline(1 / len(TARGET), color="gray", ls=":", lw=1)
    ax1.set(ylabel="accuracy on the new shapes", title="transfer from 8 source shapes",
            ylim=(0, 1))
    ax1.legend(fontsize=8)
    first = [(yt_test == c).nonzero()[:2, 0] for c in range(5)]  # two test images per class
    grid = torch.cat([torch.cat([xt_test[first[c][j], 0].cpu() for c in range(5)], 1)
                      for j in range(2)], 0)
    ax2.imshow(grid, cmap="gray_r")
    ax2.set(xticks=[8 + 16 * c for c in range(5)], xticklabels=TARGET, yticks=[],
            title="target shapes (test images)")
    ax2.tick_params(axis="x", labelsize=7)
    lab.savefig(fig, "transfer_learning.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("transfer-learning", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
