"""Bug: moves only Adam's moments by name, so any other optimizer's state (SGD's momentum
buffer) is left behind."""


def move_optimizer_state(opt, device):
    for state in opt.state.values():
        for key in ("exp_avg", "exp_avg_sq"):
            if key in state:
                state[key] = state[key].to(device)
