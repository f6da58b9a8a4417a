"""LoRA: fine-tune a frozen model through a low-rank update, and merge it back.

Full fine-tuning updates every weight W (out x in) of a model. LoRA (Hu et al. 2021) freezes
W and learns a low-rank update instead: y = x W^T + b + s * (x A^T) B^T, with A (r x in),
B (out x r) and r much smaller than in and out. Only A and B train, r * (in + out)
numbers per layer instead of in * out; the optimizer state shrinks the same way. B starts
at zero, so the adapted model starts exactly equal to the base, and A like an nn.Linear
weight (kaiming-uniform: |A| <= 1/sqrt(in)). The scale is s = alpha / r; rank-stabilised
LoRA (rsLoRA) uses s = alpha / sqrt(r) so that larger ranks still learn. After training the
update folds into the weight, W' = W + s * B A: the merged model has the same outputs and
costs nothing extra at inference; or keep the adapters apart and swap them per task.

You write the scale, the LoRA layer's forward, the merge, and the injection that wraps a
model's target layers (by name, as peft's `target_modules`) and freezes everything else.
Oracles: Hugging Face peft's LoRA (`get_peft_model` with a LoraConfig) on a tiny Llama
built from a config: the same scales, the same outputs with the same adapter weights, the
same trainable parameters, peft's `merge_and_unload` weights, and the same training
trajectory step for step. Then a LoRA fine-tune moves a model pretrained in-lab on one
rule ("count up by 1") to another ("count up by 3") with a tenth of its weights trainable,
while the base weights stay bit-for-bit untouched.

$ python labs/lora_peft.py --quick
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass

import kit
import matplotlib
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("lora_scaling", "lora_forward", "merge_lora", "inject_lora")


@dataclass(frozen=True)
class Config:
    vocab, d, layers, seq, batch = 16, 32, 2, 12, 32  # a tiny Llama, counting sequences
    pre_steps: int = 100  # pretraining of the base (cached: once per process and seed)
    ft_steps: int = 30  # LoRA fine-tune steps
    r, alpha, lr = 4, 8.0, 1e-2
    targets: tuple[str, ...] = ("q_proj", "v_proj", "up_proj", "down_proj")
    tol: float = 1e-5  # float32 against peft


def lora_scaling(alpha: float, r: int, use_rslora: bool = False) -> float:
    """The factor s that multiplies the low-rank update B A.

    ``alpha / r`` (LoRA); with ``use_rslora`` it is ``alpha / sqrt(r)`` (rank-stabilised
    LoRA).
    """
    return alpha / math.sqrt(r) if use_rslora else alpha / r


def lora_forward(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None,
                 A: torch.Tensor, B: torch.Tensor, scaling: float) -> torch.Tensor:
    """The output of a LoRA-adapted linear layer, unmerged.

    ``x``: (..., in); ``weight``: (out, in) and ``bias``: (out,) or None, the frozen base
    layer; ``A``: (r, in); ``B``: (out, r). Returns ``x W^T + b + scaling * (x A^T) B^T``,
    shape (..., out), differentiable with respect to A and B.
    """
    return F.linear(x, weight, bias) + scaling * F.linear(F.linear(x, A), B)


def merge_lora(weight: torch.Tensor, A: torch.Tensor, B: torch.Tensor,
               scaling: float) -> torch.Tensor:
    """The merged weight ``W + scaling * B A`` (out, in), as a new tensor.

    ``weight`` (out, in) is left unchanged: the unmerged adapter must keep working.
    """
    with torch.no_grad():
        return weight + scaling * (B @ A)


class LoRALinear(nn.Module):
    """A frozen ``base`` nn.Linear plus trainable ``A`` (r, in) and ``B`` (out, r).

    Its forward is ``lora_forward(x, base.weight, base.bias, A, B, scaling)``.
    """

    def __init__(self, base: nn.Linear, A: nn.Parameter, B: nn.Parameter,
                 scaling: float) -> None:
        super().__init__()
        self.base, self.A, self.B, self.scaling = base, A, B, scaling

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return lora_forward(x, self.base.weight, self.base.bias, self.A, self.B, self.scaling)


def inject_lora(model: nn.Module, targets: tuple[str, ...], r: int, alpha: float,
                use_rslora: bool = False) -> dict[str, LoRALinear]:
    """Wrap a model's target layers in LoRA, in place, and freeze everything else.

    Every ``nn.Linear`` whose qualified name (as in ``model.named_modules()``) is one of
    ``targets`` or ends with ``"." + target`` (peft's ``target_modules``) is replaced in its
    parent module by ``LoRALinear(base, A, B, lora_scaling(alpha, r, use_rslora))``, where
    A is an ``nn.Parameter`` of shape (r, in) initialised with
    ``nn.init.kaiming_uniform_(A, a=math.sqrt(5))`` (as nn.Linear does) and B an
    ``nn.Parameter`` of zeros (out, r), so the wrapped model starts equal to the base. Then
    the A and B of the new layers are the model's only parameters with ``requires_grad``.
    Returns ``{qualified name: the LoRALinear now there}``.
    """
    found = [(name, mod) for name, mod in model.named_modules() if isinstance(mod, nn.Linear)
             and any(name == t or name.endswith("." + t) for t in targets)]
    for p in model.parameters():
        p.requires_grad_(False)
    wrapped = {}
    for name, base in found:
        A = nn.Parameter(torch.empty(r, base.in_features))
        nn.init.kaiming_uniform_(A, a=math.sqrt(5))
        B = nn.Parameter(torch.zeros(base.out_features, r))
        layer = LoRALinear(base, A, B, lora_scaling(alpha, r, use_rslora))
        parent, _, attr = name.rpartition(".")
        setattr(model.get_submodule(parent), attr, layer)
        wrapped[name] = layer
    return wrapped


# ------------------------------------------------------------------- the lab's own code
def count_batch(cfg: Config, step: int, n: int, seed: int | torch.Generator) -> torch.Tensor:
    """n sequences that count up by ``step`` mod vocab from a random start."""
    g = seed if isinstance(seed, torch.Generator) else torch.Generator().manual_seed(seed)
    start = torch.randint(0, cfg.vocab, (n, 1), generator=g)
    return (start + step * torch.arange(cfg.seq)) % cfg.vocab


def lm_loss(model: nn.Module, ids: torch.Tensor) -> torch.Tensor:
    """Next-token cross-entropy of a causal LM on ``ids`` (every position after the first)."""
    logits = model(input_ids=ids).logits[:, :-1]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))


@kit.cached
def pretrained_base(cfg: Config, seed: int) -> nn.Module:
    """A tiny LlamaForCausalLM from a config, pretrained in-lab on "count up by 1"."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(
        vocab_size=cfg.vocab, hidden_size=cfg.d, intermediate_size=2 * cfg.d,
        num_hidden_layers=cfg.layers, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=cfg.seq))
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(cfg.pre_steps):
        opt.zero_grad()
        lm_loss(model, count_batch(cfg, 1, cfg.batch, g)).backward()
        opt.step()
    return model.eval()


def fine_tune(model: nn.Module, cfg: Config, seed: int) -> list[float]:
    """AdamW on the model's trainable parameters, on "count up by 3"; the loss per step."""
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        return []
    opt = torch.optim.AdamW(params, lr=cfg.lr)
    g, losses = torch.Generator().manual_seed(seed + 1), []
    model.train()
    for _ in range(cfg.ft_steps):
        opt.zero_grad()
        loss = lm_loss(model, count_batch(cfg, 3, cfg.batch, g))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def peft_twin(model: nn.Module, cfg: Config, use_rslora: bool) -> nn.Module:
    """peft's LoRA on a copy of ``model`` with the same targets, r and alpha."""
    from peft import LoraConfig, get_peft_model

    lcfg = LoraConfig(r=cfg.r, lora_alpha=cfg.alpha, target_modules=list(cfg.targets),
                      lora_dropout=0.0, use_rslora=use_rslora)
    with warnings.catch_warnings():  # transformers' deprecation notice, raised inside peft
        warnings.simplefilter("ignore", FutureWarning)
        return get_peft_model(copy.deepcopy(model), lcfg)


def start_adapter(model: nn.Module, cfg: Config, seed: int) -> dict[str, torch.Tensor]:
    """The lab's own kaiming-uniform A for each target layer, so two LoRAs start alike."""
    g = torch.Generator().manual_seed(seed + 2)
    return {n: (torch.rand(cfg.r, m.in_features, generator=g) * 2 - 1) / math.sqrt(m.in_features)
            for n, m in sorted(model.named_modules()) if isinstance(m, nn.Linear)
            and n.rpartition(".")[2] in cfg.targets}


@kit.cached
def peft_run(cfg: Config, seed: int) -> tuple[list[float], float, int]:
    """peft's LoRA fine-tune from ``start_adapter`` (the oracle; once per process and seed):
    its loss per step, its held-out loss and its number of trainable parameters."""
    base = pretrained_base(cfg, seed)
    twin = peft_twin(base, cfg, use_rslora=False)
    with torch.no_grad():
        for name, A in start_adapter(base, cfg, seed).items():
            twin.base_model.model.get_submodule(name).lora_A["default"].weight.copy_(A)
    losses = fine_tune(twin, cfg, seed)
    with torch.no_grad():
        held = lm_loss(twin.eval(), count_batch(cfg, 3, 64, 10_000 + seed)).item()
    return losses, held, twin.get_nb_trainable_parameters()[0]


def body(lab: kit.Lab) -> None:
    from peft import LoraConfig
    from peft.tuners.lora.layer import Linear as PeftLinear

    cfg = Config() if lab.quick else Config(pre_steps=400, ft_steps=200)
    g = torch.Generator().manual_seed(lab.seed)
    base = pretrained_base(cfg, lab.seed)
    held_out = count_batch(cfg, 3, 64, 10_000 + lab.seed)

    lab.section("the scale s vs peft's lora.Linear")
    with lab.guard("lora_scaling runs"):
        for r, alpha, rs in [(4, 8, False), (3, 8, False), (8, 16, True), (3, 5, True)]:
            layer = PeftLinear(nn.Linear(6, 6), "default", LoraConfig(use_rslora=rs), r=r,
                               lora_alpha=alpha)
            lab.check_close(f"r={r}, alpha={alpha}, rslora={rs}: s = peft's scaling",
                            float(lora_scaling(alpha, r, rs)), layer.scaling["default"],
                            rtol=1e-12, hint="alpha / r, or alpha / sqrt(r) for rsLoRA; "
                            "true division")

    lab.section("one LoRA layer (with bias) vs peft's lora.Linear")
    with lab.guard("lora_forward runs"):
        lin = nn.Linear(24, 10)
        layer = PeftLinear(lin, "default", LoraConfig(), r=3, lora_alpha=7)
        A, B = torch.randn(3, 24, generator=g), torch.randn(10, 3, generator=g)
        with torch.no_grad():
            layer.lora_A["default"].weight.copy_(A)
            layer.lora_B["default"].weight.copy_(B)
            x = torch.randn(5, 4, 24, generator=g)
            ref = layer(x)
        out = lora_forward(x, lin.weight.detach(), lin.bias.detach(), A, B, 7 / 3)
        lab.check_close("output = peft's lora.Linear (random A, B)", out, ref, rtol=cfg.tol,
                        atol=1e-6, hint="x W^T + b + s (x A^T) B^T: the bias and the scale")

    twin = peft_twin(base, cfg, use_rslora=True)
    peft_layers = {n: twin.base_model.model.get_submodule(n)
                   for n in sorted(twin.targeted_module_names)}
    with torch.no_grad():  # random A and B in peft's layers: a trained adapter
        for lay in peft_layers.values():
            for lin in (lay.lora_A["default"], lay.lora_B["default"]):
                lin.weight.copy_(torch.randn(lin.weight.shape, generator=g) * 0.3)
        ref = twin(input_ids=held_out).logits

    lab.section("inject LoRA into a tiny Llama vs peft's get_peft_model")
    with lab.guard("inject_lora runs"):
        model = copy.deepcopy(base)
        wrapped = inject_lora(model, cfg.targets, cfg.r, cfg.alpha, use_rslora=True)
        trainable = {n: p.numel() for n, p in model.named_parameters() if p.requires_grad}
        lab.check_equal("wrapped layers, trainable parameters (A and B only) and their count "
                        "= peft's", (sorted(wrapped), sorted(trainable),
                                     sum(trainable.values())),
                        (sorted(peft_layers), sorted(f"{n}.{ab}" for n in peft_layers
                                                     for ab in "AB"),
                         twin.get_nb_trainable_parameters()[0]),
                        hint="freeze the model first, then create A and B (trainable)")
        with torch.no_grad():
            lab.check_close("at init (B = 0) the wrapped model = the base",
                            model(input_ids=held_out).logits, base(input_ids=held_out).logits,
                            rtol=0, atol=0, hint="B starts at zeros")
        bound = max(float(w.A.detach().abs().max()) * math.sqrt(w.A.shape[1])
                    for w in wrapped.values())
        lab.check_le("A initialised like nn.Linear: max |A| * sqrt(in)", bound, 1.0,
                     hint="nn.init.kaiming_uniform_(A, a=math.sqrt(5))")
        with torch.no_grad():
            for name, layer in wrapped.items():
                if name in peft_layers:
                    layer.A.copy_(peft_layers[name].lora_A["default"].weight)
                    layer.B.copy_(peft_layers[name].lora_B["default"].weight)
            out = model(input_ids=held_out).logits
        lab.check_close("rsLoRA, random A and B: logits = peft's model with the same A, B",
                        out, ref, rtol=1e-4, atol=1e-5,
                        hint="the scale of each layer: lora_scaling")

    lab.section("merge: W + s B A vs peft's merge_and_unload")
    with lab.guard("merge_lora runs"):
        before = {n: lay.base_layer.weight.clone() for n, lay in peft_layers.items()}
        merged = copy.deepcopy(base)
        for name, lay in peft_layers.items():
            w = merge_lora(lay.base_layer.weight, lay.lora_A["default"].weight,
                           lay.lora_B["default"].weight, lay.scaling["default"])
            merged.get_submodule(name).weight = nn.Parameter(torch.as_tensor(w).detach().clone())
        unchanged = all(torch.equal(before[n], lay.base_layer.weight)
                        for n, lay in peft_layers.items())
        lab.check("base weights unchanged by merge_lora (bit for bit)", unchanged, True,
                  unchanged, hint="return weight + s * B @ A; do not add in place")
        with torch.no_grad():
            lab.check_close("merged model's logits = peft's unmerged LoRA model",
                            merged(input_ids=held_out).logits, ref, rtol=1e-4, atol=1e-5,
                            hint="W + s * B @ A with the same s as the forward")
        got = dict(merged.named_parameters())
        ref_merged = dict(twin.merge_and_unload().named_parameters())
        lab.check_close("merged weights = peft's merge_and_unload",
                        torch.cat([got[f"{n}.weight"].flatten() for n in peft_layers]),
                        torch.cat([ref_merged[f"{n}.weight"].flatten() for n in peft_layers]),
                        rtol=cfg.tol, atol=1e-6)

    finetune(lab, cfg, base, held_out)


def finetune(lab: kit.Lab, cfg: Config, base: nn.Module, held_out: torch.Tensor) -> None:
    """LoRA fine-tune from "count by 1" to "count by 3", step for step against peft."""
    lab.section("LoRA fine-tune: count by 1 -> count by 3")
    ours: list[float] = []
    done = False
    with lab.guard("fine-tune runs"):
        model = copy.deepcopy(base)
        wrapped = inject_lora(model, cfg.targets, cfg.r, cfg.alpha)
        with torch.no_grad():  # peft's run starts from these A (and B = 0) too
            for name, A in start_adapter(base, cfg, lab.seed).items():
                if name in wrapped:
                    wrapped[name].A.copy_(A)
        frozen_before = {n: p.clone() for n, p in base.named_parameters()}
        ours = fine_tune(model, cfg, lab.seed)
        theirs, peft_held, peft_trainable = peft_run(cfg, lab.seed)
        lab.check_close(f"loss at each of {cfg.ft_steps} steps = peft's LoRA trained alike",
                        torch.tensor(ours or [math.nan]), torch.tensor(theirs), rtol=1e-3,
                        atol=1e-4, hint="only A and B may train, with peft's scale")
        model.eval()
        with torch.no_grad():
            losses = {"frozen base": lm_loss(base, held_out).item(),
                      "LoRA (yours)": lm_loss(model, held_out).item(), "LoRA (peft)": peft_held}
            acc = (model(input_ids=held_out).logits[:, :-1].argmax(-1)
                   == held_out[:, 1:]).float().mean().item()
        touched = [n for n, p in model.named_parameters()
                   if not n.endswith((".A", ".B")) and not torch.equal(
                       p, frozen_before.get(n.replace(".base.", "."), p.new_zeros(0)))]
        lab.check_equal("base weights untouched by training (changed tensors)", touched, [],
                        hint="freeze every parameter that is not an A or a B")
        lab.check_le("held-out loss: LoRA / frozen base", losses["LoRA (yours)"]
                     / losses["frozen base"], 0.1, hint="B = 0 and A trainable, both")
        lab.metric("heldout_accuracy_lora", acc)
        n_all = sum(p.numel() for p in model.parameters())
        n_lora = sum(p.numel() for p in model.parameters() if p.requires_grad)
        lab.table("lora_vs_frozen", ["model", "trainable params", "held-out loss"],
                  [["frozen base", 0, losses["frozen base"]],
                   ["LoRA (yours)", n_lora, losses["LoRA (yours)"]],
                   ["LoRA (peft)", peft_trainable, losses["LoRA (peft)"]]],
                  title=f"count by 3, after {cfg.ft_steps} steps")
        done = True
    fig, ax = plt.subplots(figsize=(6, 3.4))
    if done:
        ax.plot(ours, label=f"your LoRA (r={cfg.r}, {n_lora / n_all:.1%} trainable)")
        ax.plot(theirs, "--", label="peft LoRA, same start")
        ax.axhline(losses["frozen base"], color="k", lw=0.8, ls=":", label="frozen base")
        ax.set(xlabel="step", ylabel="loss (count by 3)", yscale="log",
               title="LoRA fine-tune of a model pretrained to count by 1")
        ax.legend()
        lab.conclude(f"Your LoRA matched peft's outputs, merge and {cfg.ft_steps}-step training "
                     f"trajectory; training {n_lora / n_all:.1%} of the weights cut the held-out"
                     f" loss on the new rule from {losses['frozen base']:.2f} to "
                     f"{losses['LoRA (yours)']:.3f} ({acc:.0%} next tokens right) with the base"
                     f" weights untouched.")
    lab.savefig(fig, "lora_peft.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("lora-peft", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
