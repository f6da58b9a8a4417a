"""Bug: an inf step divides the scale by the growth factor instead of using the back-off."""


def update_loss_scale(scale, tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    if found_inf:
        return scale / growth_factor, 0
    tracker += 1
    if tracker == growth_interval:
        return scale * growth_factor, 0
    return scale, tracker
