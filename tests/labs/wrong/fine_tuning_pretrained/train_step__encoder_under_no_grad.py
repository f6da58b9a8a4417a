"""Bug: runs the encoder under torch.no_grad() 'to save memory': only the head
learns, the top layers never get a gradient."""

import torch
import torch.nn.functional as F


def train_step(model, head, batch, labels, optimizer, scheduler, max_norm):
    optimizer.zero_grad()
    with torch.no_grad():
        cls = model(**batch).last_hidden_state[:, 0]
    logits = head(cls)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    params = [p for g in optimizer.param_groups for p in g["params"]]
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    optimizer.step()
    scheduler.step()
    return loss.item()
