"""A deliberately wrong solution: no [CLS]/[SEP] tokens, padding averaged in, and a summed
(not averaged) cross-entropy, which moves the regularised optimum."""

import torch
from torch import nn


def token_embeddings(tokenizer, model, text):
    enc = tokenizer(text, return_tensors="pt", add_special_tokens=False)  # drops [CLS]/[SEP]
    with torch.no_grad():
        return model(**enc).last_hidden_state[0]


def mean_pool(hidden, attention_mask):
    return hidden.mean(dim=1)  # padding positions are averaged in


def train_head(features, labels, n_classes, weight_decay):
    head = nn.Linear(features.shape[1], n_classes).double()
    x, y = features.double(), labels.long()
    opt = torch.optim.LBFGS(head.parameters(), max_iter=500, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(head(x), y, reduction="sum")  # sum, not mean
        loss = loss + weight_decay / 2 * head.weight.pow(2).sum()
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    return head
