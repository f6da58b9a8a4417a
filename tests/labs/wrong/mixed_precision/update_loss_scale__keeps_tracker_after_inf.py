"""Bug: an inf step backs off the scale but does not reset the clean-step count."""


def update_loss_scale(scale, tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    if found_inf:
        return scale * backoff_factor, tracker
    tracker += 1
    if tracker >= growth_interval:
        return scale * growth_factor, 0
    return scale, tracker
