"""torch.log(torch.sigmoid(z)): the same formula, but -inf once sigmoid underflows."""

import torch


def dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta=0.1,
             label_smoothing=0.0):
    z = beta * ((policy_chosen - ref_chosen) - (policy_rejected - ref_rejected))
    return (-(1 - label_smoothing) * torch.log(torch.sigmoid(z))
            - label_smoothing * torch.log(torch.sigmoid(-z))).mean()
