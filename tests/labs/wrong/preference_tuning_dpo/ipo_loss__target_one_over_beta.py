"""Uses 1 / beta as the target margin instead of 1 / (2 beta)."""


def ipo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta=0.1):
    h = (policy_chosen - ref_chosen) - (policy_rejected - ref_rejected)
    return ((h - 1 / beta) ** 2).mean()
