"""Bug: saves only the model and hands back the in-memory tokenizer, so the deployed
directory has no tokenizer files and a pipeline cannot serve it."""

from transformers import AutoModelForSequenceClassification


def save_and_reload(model, tokenizer, directory):
    model.save_pretrained(directory)
    return tokenizer, AutoModelForSequenceClassification.from_pretrained(directory)
