"""The bundled roadmap: valid, complete against the catalogue, every seed topic covered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph import load_roadmap

SHARED = Path(__file__).resolve().parents[2] / "shared"

# Every topic of shared/seed/roadmap-source.es.md, named in English. A topic is covered when
# some node names it (case-insensitive) in its title, summary, objectives or tags.
SEED_TOPICS = """
supervised learning; classification; regression; labels; unsupervised learning; clustering;
dimensionality reduction; anomaly detection; reinforcement learning; agents; environments;
policies; linear algebra; vectors; matrices; decompositions; calculus; derivatives; gradients;
optimization; probability; statistics; distributions; inference; validation; loss functions;
MSE; cross entropy; Huber; SGD; Adam; RMSprop; momentum; backpropagation; regularization;
dropout; weight decay; early stopping; batch normalization; hyperparameter; grid search;
random search; bayesian optimization; perceptron; MLP; CNN; computer vision;
feature extraction; RNN; LSTM; GRU; sequences; transformers; self-attention;
multi-head attention; positional encoding; transfer learning; fine-tuning; interpretability;
LIME; SHAP; metrics; cross-validation; hold-out; YOLO; Llama; Claude; Mistral; Falcon;
tokenization; stemming; lemmatization; stopwords; lowercasing; punctuation; normalization;
TF-IDF; bag of words; Word2Vec; GloVe; FastText; ELMo; BERT; GPT; contextual embeddings;
pretrained; generation; translation; BLEU; ROUGE; METEOR; accuracy; F1; precision; recall;
bias; fairness; ethic; OOP; design patterns; functional programming; virtual environments;
virtualenv; conda; dependencies; Git; GitHub; GitLab; branch; collaborative workflows;
PyTorch; tensors; autograd; TorchScript; TensorFlow; Keras; Hugging Face; pipelines;
spaCy; NLTK; Gensim; MLflow; Weights & Biases; TensorBoard; ONNX; Docker; Kubernetes;
Azure; AWS; GCP; CI/CD; CUDA cores; VRAM; GPU vs CPU; parallelism; high-performance computing;
drivers; cuDNN; compatibility; .cuda(); device placement; batching; data loaders;
parallel data loading; mixed precision; FP16; multiple GPUs; data parallelism;
model parallelism; PyTorch Profiler; Nsight Systems; bottleneck; model compression; pruning;
quantization; knowledge distillation; SOLID; clean architecture; modular; unit tests;
integration tests; performance tests; static analysis; pylint; mypy; black; documentation;
Sphinx; Markdown; code review; Jenkins; GitHub Actions; Azure Pipelines; deployment automation;
Scrum; Kanban; Jira; Trello; communication; multidisciplinary teams
"""


SEED_CATALOGUE = Path(__file__).resolve().parent / "data" / "seed-catalogue.txt"


def catalogue_ids() -> dict[str, list[str]]:
    """The seed nodes' ids and prerequisites (tests/data/seed-catalogue.txt)."""
    out = {}
    for line in SEED_CATALOGUE.read_text().splitlines():
        if line and not line.startswith("#"):
            nid, _, pre = line.partition(":")
            out[nid] = [p.strip() for p in pre.split(",") if p.strip()]
    return out


def nodes_md_ids() -> dict[str, list[str]]:
    """The same, read from the tables of shared/NODES.md."""
    out = {}
    for line in (SHARED / "NODES.md").read_text().splitlines():
        m = re.match(r"^\| ([a-z0-9-]+) \| ([^|]*) \|", line)
        if m and m.group(1) != "id":
            pre = m.group(2).strip()
            out[m.group(1)] = [] if pre == "—" else [p.strip() for p in pre.split(",")]
    return out


@pytest.fixture(scope="module")
def roadmap():
    return load_roadmap()


def test_bundled_roadmap_is_valid(roadmap) -> None:
    assert [s.id for s in roadmap.sections] == [
        "foundations", "nlp-llms", "frameworks-tools", "gpu-performance", "engineering-practice",
        "llm-systems"]


def test_every_catalogue_node_exists_with_its_prerequisites(roadmap) -> None:
    cat = catalogue_ids()
    assert len(cat) == 56
    if (SHARED / "NODES.md").exists():  # beside a checkout: the copy is still the catalogue
        assert nodes_md_ids() == cat
    missing = sorted(set(cat) - set(roadmap.nodes))
    assert not missing, f"nodes of NODES.md missing from roadmap/: {missing}"
    for nid, pre in cat.items():
        assert sorted(roadmap.nodes[nid].prerequisites) == sorted(pre), nid


def test_every_node_is_complete(roadmap) -> None:
    for n in roadmap.nodes.values():
        where = roadmap.files[n.id]
        assert "es" in n.i18n and n.i18n["es"].title and n.i18n["es"].summary, where
        assert len(n.objectives) >= 2, where
        assert 2 <= len(n.resources) <= 8, where
        assert all(r.url.startswith("https://") for r in n.resources), where
        assert n.tags, where
        assert n.lab is not None and n.lab.script == f"labs/{n.id.replace('-', '_')}.py", where
        assert len(n.summary.split()) >= 20, f"{where}: summary is too short"


def test_every_seed_topic_is_covered(roadmap) -> None:
    corpus = "\n".join(
        " ".join([n.title, n.summary, *n.objectives, *n.tags]) for n in roadmap.nodes.values()
    ).lower()
    topics = [t.strip() for t in SEED_TOPICS.replace("\n", " ").split(";") if t.strip()]
    uncovered = [t for t in topics if t.lower() not in corpus]
    assert not uncovered, f"seed topics no node covers: {uncovered}"


def test_no_missing_labs_strict() -> None:
    load_roadmap(strict=True)
