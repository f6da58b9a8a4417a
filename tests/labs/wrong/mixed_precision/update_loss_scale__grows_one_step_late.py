"""Bug: off by one, the scale grows after growth_interval + 1 clean steps."""


def update_loss_scale(scale, tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    if found_inf:
        return scale * backoff_factor, 0
    tracker += 1
    if tracker > growth_interval:
        return scale * growth_factor, 0
    return scale, tracker
