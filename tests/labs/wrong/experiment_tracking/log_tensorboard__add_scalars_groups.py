"""Groups the validation curves with ``add_scalars("val", {...})`` so they share one chart:
TensorBoard writes each of them to a sub-run folder (log_dir/val_accuracy, ...), so this
run has no val/ tags of its own."""

from torch.utils.tensorboard import SummaryWriter


def log_tensorboard(log_dir, history, steps_per_epoch):
    with SummaryWriter(log_dir=str(log_dir)) as writer:
        for i, value in enumerate(history["train/loss"]):
            writer.add_scalar("train/loss", value, i)
        val = {k.split("/", 1)[1]: v for k, v in history.items() if k.startswith("val/")}
        for e in range(len(history["val/loss"])):
            writer.add_scalars("val", {k: v[e] for k, v in val.items()},
                               (e + 1) * steps_per_epoch)
