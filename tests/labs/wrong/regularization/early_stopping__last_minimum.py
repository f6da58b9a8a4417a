"""Bug: an equal loss counts as an improvement, so it rolls back to the last minimum."""

def early_stopping(val_losses, patience):
    best = min(range(len(val_losses)), key=lambda i: (val_losses[i], -i))
    return best if len(val_losses) - 1 - best >= patience else None
