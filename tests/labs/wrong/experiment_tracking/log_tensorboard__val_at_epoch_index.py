"""Logs the validation metrics at the epoch number (0, 1, 2, ...) instead of the global
step: the val curves are squeezed into the first few batches of the train curve."""

from torch.utils.tensorboard import SummaryWriter


def log_tensorboard(log_dir, history, steps_per_epoch):
    with SummaryWriter(log_dir=str(log_dir)) as writer:
        for tag, values in history.items():
            for step, value in enumerate(values):
                writer.add_scalar(tag, value, step)
