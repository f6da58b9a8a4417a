"""A deliberately wrong solution: steps logged from 1, the reader left at TensorBoard's
default reservoir (10,000 points per tag), and an EMA that is not debiased."""

import numpy as np


def log_history(log_dir, history):
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(log_dir=str(log_dir)) as writer:
        for tag, values in history.items():
            for step, value in enumerate(values, start=1):  # off by one
                writer.add_scalar(tag, value, global_step=step)


def read_scalars(log_dir):
    from tensorboard.backend.event_processing import event_accumulator as ea

    acc = ea.EventAccumulator(str(log_dir))  # default: at most 10,000 points per tag
    acc.Reload()
    return {tag: ([e.step for e in acc.Scalars(tag)], [e.value for e in acc.Scalars(tag)])
            for tag in acc.Tags()["scalars"]}


def tb_smooth(values, weight):
    last, out = 0.0, []
    for y in values:
        last = weight * last + (1 - weight) * y  # starts at 0: biased low at first
        out.append(last)
    return np.asarray(out)
