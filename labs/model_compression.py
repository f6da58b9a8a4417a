"""Model compression: magnitude pruning, int8 weight quantization, knowledge distillation.

Three ways to make a trained network cheaper to serve without losing much accuracy:
pruning sets the smallest-magnitude weights to zero (``torch.nn.utils.prune`` keeps a mask
and re-applies it while fine-tuning recovers the loss); int8 quantization stores each
weight row as 8-bit integers q = round(w / s) with one fp32 scale s = max|w_row| / 127, so
w ~ q * s with an error of at most s / 2 and about 4x fewer bytes; knowledge distillation
trains a small student on the teacher's softened outputs, softmax(z / T), as well as on the
labels (Hinton et al. 2015), which carries what the teacher learnt from data the student
never saw.

On sklearn's digits this lab trains a teacher MLP, prunes it with the learner's magnitude
masks (checked against ``prune.l1_unstructured``) to a target sparsity and fine-tunes it at
a bounded accuracy loss, quantizes its weights to int8 in plain tensors (error <= scale/2,
SQNR > 20 dB, ~4x smaller, accuracy kept), and distils it into a tiny student that sees
only a few hundred labelled digits: over several seeds the distilled student must beat the
same student trained on the labels alone.

$ python labs/model_compression.py --quick
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.nn.utils import prune

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("magnitude_mask", "quantize_int8", "distillation_loss")


@dataclass
class Config:
    teacher_hidden: int = 512  # teacher MLP width (two hidden layers)
    teacher_steps: int = 400  # full-batch Adam steps for the teacher
    teacher_lr: float = 3e-3  # its learning rate
    sparsity: float = 0.8  # fraction of each hidden weight matrix pruned to zero
    finetune_steps: int = 100  # steps (lr 3e-3) to recover accuracy with the masks in place
    max_prune_drop: float = 0.02  # accuracy may fall at most 2 points after fine-tuning
    max_quant_drop: float = 0.01  # ... and 1 point after int8 quantization
    student_hidden: int = 16  # the student: 64 -> 16 -> 10
    student_labels: int = 100  # labelled digits the students may see
    student_steps: int = 300  # full-batch Adam steps per student
    seeds: int = 5  # students trained per method (different data subsets and inits)
    T: float = 4.0  # distillation temperature
    alpha: float = 0.9  # weight of the distillation term


def magnitude_mask(weight: torch.Tensor, sparsity: float) -> torch.Tensor:
    """0/1 mask (weight's dtype and shape) that zeroes the k smallest |w| of the whole tensor,
    k = round(sparsity * numel) with Python's round (round(3.5) = 4, round(2.5) = 2), as
    torch.nn.utils.prune does."""
    k = round(sparsity * weight.numel())
    mask = torch.ones_like(weight)
    if k > 0:
        idx = torch.topk(weight.abs().flatten(), k, largest=False).indices
        mask.view(-1)[idx] = 0
    return mask


def quantize_int8(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric per-row int8: q = round(w / s) in [-127, 127], s = max|w_row| / 127.

    One scale per row (output channel), so a row of small weights keeps its precision.
    Returns (q as torch.int8, shape of w; s as float32, shape (rows, 1)).
    """
    s = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / 127  # (rows, 1)
    q = torch.round(w / s).clamp(-127, 127).to(torch.int8)
    return q, s.float()


def distillation_loss(student_logits, teacher_logits, labels, T: float, alpha: float):
    """alpha * T^2 * KL(softmax(teacher/T) || softmax(student/T)) + (1 - alpha) * CE(labels).

    The KL is summed over the classes and averaged over the batch (what
    ``F.kl_div(..., reduction="batchmean")`` computes; "mean" would also divide by the
    number of classes); T^2 keeps its gradients on the scale of the CE term, which uses the
    unsoftened student logits.
    """
    log_p_s = F.log_softmax(student_logits / T, dim=-1)
    log_p_t = F.log_softmax(teacher_logits / T, dim=-1)
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(-1).mean()
    return alpha * T * T * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)


def mlp(hidden: list[int], seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    layers, width = [], 64
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, 10))


def fit(model, X, y, steps, lr=3e-3, loss_fn=None) -> nn.Module:
    """Full-batch Adam; ``loss_fn(logits)`` replaces plain cross-entropy when given."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        out = model(X)
        loss = loss_fn(out) if loss_fn else F.cross_entropy(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


@torch.no_grad()
def accuracy(model, X, y) -> float:
    return float((model(X).argmax(1) == y).float().mean())


def body(lab: kit.Lab) -> None:
    cfg = Config() if not lab.quick else Config(teacher_hidden=128, teacher_steps=100,
                                                teacher_lr=1e-2, finetune_steps=100,
                                                student_steps=150, seeds=3)
    dev = lab.torch_device
    X, y = load_digits(return_X_y=True)  # (1797, 64) pixel values 0..16, labels 0..9
    X = torch.tensor(X / 16.0, dtype=torch.float32, device=dev)
    y = torch.tensor(y, device=dev)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(lab.seed)).to(dev)
    cut = int(0.7 * len(y))  # 70% train, 30% test
    Xtr, ytr, Xte, yte = X[order[:cut]], y[order[:cut]], X[order[cut:]], y[order[cut:]]

    sweep, acc_p, acc_q, plain, distilled = {}, None, None, [], []  # what was computed
    lab.section("teacher")
    teacher = fit(mlp([cfg.teacher_hidden] * 2, lab.seed).to(dev), Xtr, ytr, cfg.teacher_steps,
                  lr=cfg.teacher_lr)
    acc_t = accuracy(teacher, Xte, yte)
    lab.metric("teacher_test_accuracy", acc_t)
    lab.check_ge("teacher test accuracy", acc_t, 0.93, graded=False)
    linears = lambda m: [mod for mod in m if isinstance(mod, nn.Linear)]  # noqa: E731
    hidden = lambda m: linears(m)[:-1]  # noqa: E731 - the output layer stays dense

    lab.section(f"magnitude pruning to {cfg.sparsity:.0%} per hidden weight matrix")
    with lab.guard("magnitude_mask runs"):
        cases = [(linears(teacher)[1].weight.detach(), cfg.sparsity),
                 (torch.randn(7, generator=torch.Generator().manual_seed(lab.seed)), 0.5)]
        bad = 0
        for w, amount in cases:  # the second: round(3.5) = 4 weights pruned
            ref = nn.Module()
            ref.register_parameter("weight", nn.Parameter(w.clone()))
            prune.l1_unstructured(ref, "weight", amount=amount)  # oracle mask
            bad += int((magnitude_mask(w, amount) != ref.weight_mask).sum())
        lab.check_equal("masks = prune.l1_unstructured's (mismatched entries, 2 tensors)", bad, 0,
                        hint="k = round(sparsity * numel) smallest |w| of the whole tensor")
        for s in (0.0, 0.5, 0.7, 0.8, 0.9, 0.95):  # accuracy vs sparsity, no fine-tuning
            m = copy.deepcopy(teacher)
            for lin in hidden(m):
                prune.custom_from_mask(lin, "weight", magnitude_mask(lin.weight.detach(), s))
            sweep[s] = accuracy(m, Xte, yte)
        lab.log("  accuracy right after pruning (no fine-tuning): "
                + ", ".join(f"{s:.0%}: {a:.3f}" for s, a in sweep.items()))
        lab.check_le("accuracy drop at 50% sparsity, before any fine-tuning", acc_t - sweep[0.5],
                     0.05, hint="prune the smallest magnitudes, not the largest")
        pruned = copy.deepcopy(teacher)
        for lin in hidden(pruned):
            prune.custom_from_mask(lin, "weight", magnitude_mask(lin.weight.detach(),
                                                                 cfg.sparsity))
        fit(pruned, Xtr, ytr, cfg.finetune_steps, lr=3e-3)  # the masks stay applied
        for lin in hidden(pruned):
            prune.remove(lin, "weight")  # make it permanent: plain zeros in .weight
        zeros = sum(int((lin.weight == 0).sum()) for lin in hidden(pruned))
        total = sum(lin.weight.numel() for lin in hidden(pruned))
        acc_p = accuracy(pruned, Xte, yte)
        lab.metric("pruned_sparsity", zeros / total)
        lab.metric("pruned_test_accuracy", acc_p)
        lab.check_ge("sparsity reached (zero weights / all)", zeros / total,
                     cfg.sparsity - 0.005, hint="sparsity is the share pruned, not kept")
        lab.check_le("accuracy drop after pruning + fine-tuning", acc_t - acc_p,
                     cfg.max_prune_drop, "fine-tuning with the mask in place recovers even a "
                     "poor mask: the check at 50% judges the mask", graded=False)

    lab.section("int8 weight quantization (per row, symmetric)")
    with lab.guard("quantize_int8 runs"):
        quant = copy.deepcopy(teacher)
        fp32_bytes = int8_bytes = torch_diff = 0
        worst, sqnr, shapes_ok = -math.inf, math.inf, True
        g = torch.Generator().manual_seed(lab.seed)  # rows of very different magnitude:
        outliers = torch.randn(64, 64, generator=g) * torch.logspace(-2, 0, 64)[:, None]
        for w in [lin.weight.detach() for lin in linears(quant)] + [outliers.to(dev)]:
            q, s = quantize_int8(w)
            deq = q.float() * s  # back to fp32 for the matmul
            worst = max(worst, float(((w - deq).abs() / s).max()))  # in units of the scale
            rows = 10 * torch.log10(w.square().sum(1) / (w - deq).square().sum(1).clamp_min(
                1e-30))  # SQNR of each row
            sqnr = min(sqnr, float(rows.min()))
            fp32_bytes += w.numel() * 4
            int8_bytes += q.numel() * q.element_size() + s.numel() * s.element_size()
            shapes_ok &= (q.dtype == torch.int8 and q.shape == w.shape and s.dtype == torch.float32
                          and tuple(s.shape) == (w.shape[0], 1) and int(q.abs().max()) <= 127)
            with warnings.catch_warnings():  # oracle: torch's own per-channel quantizer
                warnings.simplefilter("ignore")
                tq = torch.quantize_per_channel(w.cpu(), s.flatten().double().cpu(),
                                                torch.zeros(len(s), dtype=torch.long), 0,
                                                torch.qint8)
            torch_diff += int((tq.int_repr() != q.cpu()).sum())
        for lin in linears(quant):
            q, s = quantize_int8(lin.weight.detach())
            lin.weight.data = q.float() * s
        acc_q = accuracy(quant, Xte, yte)
        lab.metric("int8_worst_error_in_scales", worst)
        lab.metric("int8_min_row_sqnr_db", sqnr, "dB")
        lab.metric("int8_size_ratio", fp32_bytes / int8_bytes, "x")
        lab.metric("int8_test_accuracy", acc_q)
        lab.check("q int8 in [-127, 127] shaped like w, s float32 of shape (rows, 1)",
                  shapes_ok, True, shapes_ok)
        lab.check_equal("q = torch.quantize_per_channel(w, s) (mismatched entries)", torch_diff,
                        0, hint="round to nearest (torch.round), do not truncate")
        lab.check_le("|w - q*s| / s (worst weight)", worst, 0.5 + 1e-4)
        lab.check_ge("SQNR of every row, rows 100x apart in magnitude included (dB)", sqnr,
                     20.0, hint="one scale per row: a row of small weights needs its own")
        lab.check_ge("fp32 bytes / (int8 + scales) bytes (about 4x)", fp32_bytes / int8_bytes,
                     3.5)
        lab.check_le("accuracy drop after int8", acc_t - acc_q, cfg.max_quant_drop)

    lab.section("knowledge distillation into a tiny student")
    with lab.guard("distillation_loss runs"):
        g = torch.Generator().manual_seed(lab.seed)
        s_logits, t_logits = torch.randn(6, 10, generator=g), torch.randn(6, 10, generator=g)
        labels = torch.randint(0, 10, (6,), generator=g)

        def log_softmax(z):  # oracle in float64 numpy
            return z - np.log(np.exp(z).sum(1, keepdims=True))

        got, want = [], []
        for T, alpha in [(cfg.T, cfg.alpha), (2.0, 0.5)]:
            sn, tn = s_logits.double().numpy(), t_logits.double().numpy()
            log_ps, log_pt = log_softmax(sn / T), log_softmax(tn / T)
            kl = np.mean((np.exp(log_pt) * (log_pt - log_ps)).sum(1))
            ce = -np.mean(log_softmax(sn)[np.arange(6), labels.numpy()])
            got.append(float(distillation_loss(s_logits, t_logits, labels, T, alpha)))
            want.append(alpha * T**2 * kl + (1 - alpha) * ce)
        lab.check_close("distillation_loss = float64 formula (T=4, alpha=0.9; T=2, alpha=0.5)",
                        got, want, rtol=1e-5, hint="alpha * T^2 * KL(batchmean) + (1 - alpha) "
                                                   "* CE on the unsoftened logits")
        with torch.no_grad():
            t_train = teacher(Xtr)  # the teacher's logits, computed once
        plain, distilled = [], []
        for k in range(cfg.seeds):
            idx = torch.randperm(len(Xtr), generator=torch.Generator().manual_seed(lab.seed + k))
            idx = idx[:cfg.student_labels].to(dev)
            xs, ys, ts = Xtr[idx], ytr[idx], t_train[idx]
            st = fit(mlp([cfg.student_hidden], 100 + k).to(dev), xs, ys, cfg.student_steps,
                     lr=1e-2)
            sd = fit(mlp([cfg.student_hidden], 100 + k).to(dev), xs, ys, cfg.student_steps,
                     lr=1e-2, loss_fn=lambda o, ys=ys, ts=ts: distillation_loss(
                         o, ts, ys, cfg.T, cfg.alpha))
            plain.append(accuracy(st, Xte, yte))
            distilled.append(accuracy(sd, Xte, yte))
        gain = np.array(distilled) - np.array(plain)
        lab.log(f"  plain {np.round(plain, 3)}\n  distilled {np.round(distilled, 3)}")
        lab.metric("student_plain_accuracy", float(np.mean(plain)))
        lab.metric("student_distilled_accuracy", float(np.mean(distilled)))
        lab.check_ge("distilled - plain student accuracy (mean over seeds)", float(gain.mean()),
                     0.01)
        lab.check_ge("seeds where the distilled student wins", int((gain > 0).sum()),
                     math.ceil(0.6 * cfg.seeds))

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    if sweep:
        a1.plot([100 * s for s in sweep], list(sweep.values()), "o-", label="pruned, no fine-tune")
        if acc_p is not None:
            a1.plot([100 * cfg.sparsity], [acc_p], "r*", ms=12, label="after fine-tuning")
        a1.axhline(acc_t, color="k", ls=":", label="dense teacher")
        a1.set(xlabel="sparsity (%)", ylabel="test accuracy", title="magnitude pruning")
        a1.legend(fontsize=8)
    if len(distilled) == cfg.seeds:
        ks = np.arange(cfg.seeds)
        a2.bar(ks - 0.2, plain, 0.4, label="labels only")
        a2.bar(ks + 0.2, distilled, 0.4, label="distilled")
        a2.set(xlabel="seed", ylabel="test accuracy", ylim=(min(plain) - 0.05, 1.0),
               title=f"student on {cfg.student_labels} labelled digits")
        a2.legend(fontsize=8)
    lab.savefig(fig, "compression.png")
    if acc_p is not None and acc_q is not None and len(distilled) == cfg.seeds:
        lab.conclude(f"Your masks pruned {cfg.sparsity:.0%} of the hidden weights ("
                     f"{acc_p:.1%} accuracy after fine-tuning, teacher {acc_t:.1%}); your int8 "
                     f"weights stayed within {worst:.2f} scale of the originals, every row at "
                     f">= {sqnr:.0f} dB, {fp32_bytes / int8_bytes:.1f}x smaller; distillation "
                     f"lifted the tiny student from {np.mean(plain):.1%} to "
                     f"{np.mean(distilled):.1%}.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("model-compression", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
