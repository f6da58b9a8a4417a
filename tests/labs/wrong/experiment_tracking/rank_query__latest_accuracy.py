"""Ranks by metrics.`val/accuracy`, which is each run's latest value, not its best one."""


def rank_query(optimizer):
    return (f"params.optimizer = '{optimizer}' and attributes.status = 'FINISHED'",
            ["metrics.`val/accuracy` DESC", "metrics.`val/loss` ASC"])
