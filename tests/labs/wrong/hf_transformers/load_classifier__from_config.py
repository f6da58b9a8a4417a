"""Bug: builds the model from the config alone, so the encoder is randomly initialised."""

from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer


def load_classifier(path, labels):
    config = AutoConfig.from_pretrained(path, num_labels=len(labels),
                                        id2label=dict(enumerate(labels)),
                                        label2id={n: i for i, n in enumerate(labels)})
    model = AutoModelForSequenceClassification.from_config(config)
    return AutoTokenizer.from_pretrained(path), model
