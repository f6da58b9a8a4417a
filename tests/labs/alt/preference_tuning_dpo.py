"""Another idiom: labels with -100 and cross_entropy for the answer log-probs (the HF
trainers' way), softplus for DPO written as the Bradley-Terry likelihood, float32-agnostic."""

import torch
import torch.nn.functional as F


def sequence_logprob(logits, ids, mask):
    labels = ids.clone()
    labels[mask == 0] = -100
    shift_logits, shift_labels = logits[:, :-1, :].contiguous(), labels[:, 1:].contiguous()
    nll = F.cross_entropy(shift_logits.transpose(1, 2), shift_labels, ignore_index=-100,
                          reduction="none")
    return -nll.sum(dim=-1)


def dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta=0.1,
             label_smoothing=0.0):
    chosen_rewards = beta * (policy_chosen - ref_chosen)
    rejected_rewards = beta * (policy_rejected - ref_rejected)
    logits = chosen_rewards - rejected_rewards
    losses = (1.0 - label_smoothing) * F.softplus(-logits) + label_smoothing * F.softplus(logits)
    return torch.mean(losses)


def ipo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta=0.1):
    pi_logratios = policy_chosen - policy_rejected
    ref_logratios = ref_chosen - ref_rejected
    logits = pi_logratios - ref_logratios
    return torch.mean(torch.square(logits - 0.5 / beta))
