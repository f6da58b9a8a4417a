"""Bug: clips the gradients after optimizer.step(), when the update is already made."""

import torch
import torch.nn.functional as F


def train_step(model, head, batch, labels, optimizer, scheduler, max_norm):
    optimizer.zero_grad()
    logits = head(model(**batch).last_hidden_state[:, 0])
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    params = [p for g in optimizer.param_groups for p in g["params"]]
    optimizer.step()
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    scheduler.step()
    return loss.item()
