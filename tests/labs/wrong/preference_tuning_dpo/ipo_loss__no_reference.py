"""Forgets the reference model: h = policy_chosen - policy_rejected."""


def ipo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta=0.1):
    h = policy_chosen - policy_rejected
    return ((h - 1 / (2 * beta)) ** 2).mean()
