"""Leaves out DESC: order_by sorts ascending by default, so the worst run comes first."""


def rank_query(optimizer):
    return (f"params.optimizer = '{optimizer}' and attributes.status = 'FINISHED'",
            ["metrics.best_val_accuracy", "metrics.`val/loss`"])
