"""Bug: returns the epoch where it stopped instead of the best one to roll back to."""

def early_stopping(val_losses, patience):
    best = min(range(len(val_losses)), key=lambda i: val_losses[i])
    return len(val_losses) - 1 if len(val_losses) - 1 - best >= patience else None
