"""Bug: waits one epoch too many (> patience instead of >= patience)."""

def early_stopping(val_losses, patience):
    best = min(range(len(val_losses)), key=lambda i: val_losses[i])
    return best if len(val_losses) - 1 - best > patience else None
