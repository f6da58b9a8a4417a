"""Another idiom: an explicit config, the PyTorch-tutorial training loop (zero_grad first,
cross-entropy by hand from the logits), explicit tensors, and the concrete BERT classes."""

import os

import torch
import torch.nn.functional as F
from transformers import (
    AutoConfig,
    AutoModelForSequenceClassification,
    BertForSequenceClassification,
    BertTokenizerFast,
)


def load_classifier(path, labels):
    config = AutoConfig.from_pretrained(path)
    config.num_labels = len(labels)
    config.id2label = {i: name for i, name in enumerate(labels)}
    config.label2id = {name: i for i, name in config.id2label.items()}
    model = AutoModelForSequenceClassification.from_pretrained(path, config=config)
    return BertTokenizerFast.from_pretrained(path), model


def fine_tune_step(model, tokenizer, texts, labels, optimizer):
    model.train()
    optimizer.zero_grad(set_to_none=True)
    batch = tokenizer(texts, padding="longest", return_tensors="pt")
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                   token_type_ids=batch["token_type_ids"]).logits
    loss = F.nll_loss(F.log_softmax(logits.float(), dim=1), labels)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return float(loss.detach())


@torch.inference_mode()
def classify(tokenizer, model, texts):
    batch = tokenizer(texts, padding="longest", truncation=True, return_tensors="pt")
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    return F.softmax(out.logits, dim=1).cpu().numpy()


def save_and_reload(model, tokenizer, directory):
    os.makedirs(directory, exist_ok=True)
    for thing in (tokenizer, model):
        thing.save_pretrained(directory, safe_serialization=True)
    return (BertTokenizerFast.from_pretrained(directory),
            BertForSequenceClassification.from_pretrained(directory, dtype=torch.float32))
