"""Subtracts the chosen log-ratio from the rejected one: trains towards the rejected answer."""

import torch.nn.functional as F


def dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta=0.1,
             label_smoothing=0.0):
    h = (policy_rejected - ref_rejected) - (policy_chosen - ref_chosen)
    z = beta * h
    return ((1 - label_smoothing) * -F.logsigmoid(z) - label_smoothing * F.logsigmoid(-z)).mean()
