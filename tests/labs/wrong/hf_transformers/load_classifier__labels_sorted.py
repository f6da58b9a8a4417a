"""Bug: builds the label maps from the sorted label names, so id 0 is "cooking", not "sports"."""

from transformers import AutoModelForSequenceClassification, AutoTokenizer


def load_classifier(path, labels):
    names = sorted(labels)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=len(names), id2label=dict(enumerate(names)),
        label2id={n: i for i, n in enumerate(names)})
    return tokenizer, model
