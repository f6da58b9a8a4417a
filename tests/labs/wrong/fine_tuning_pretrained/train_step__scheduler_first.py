"""Bug: steps the scheduler before the optimizer, so every step uses the next
step's learning rate."""

import torch
import torch.nn.functional as F


def train_step(model, head, batch, labels, optimizer, scheduler, max_norm):
    optimizer.zero_grad()
    logits = head(model(**batch).last_hidden_state[:, 0])
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    params = [p for g in optimizer.param_groups for p in g["params"]]
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    scheduler.step()
    optimizer.step()
    return loss.item()
