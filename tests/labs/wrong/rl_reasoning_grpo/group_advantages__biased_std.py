"""Bug: the population standard deviation (divide by G) instead of the sample one (G - 1)."""


def group_advantages(rewards, group_size, eps=1e-4):
    r = rewards.view(-1, group_size)
    std = r.std(dim=1, keepdim=True, unbiased=False)
    return ((r - r.mean(dim=1, keepdim=True)) / (std + eps)).view(-1)
