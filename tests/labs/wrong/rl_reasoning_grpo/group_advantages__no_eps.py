"""Bug: divides by the group std without eps: an all-equal group gives 0/0 = NaN."""


def group_advantages(rewards, group_size, eps=1e-4):
    r = rewards.view(-1, group_size)
    return ((r - r.mean(dim=1, keepdim=True)) / r.std(dim=1, keepdim=True)).view(-1)
