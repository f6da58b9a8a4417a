"""Bug: uses C = N D (forgets the 6 FLOPs per parameter per token)."""


def compute_optimal(C, E, A, B, alpha, beta):
    G = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
    n_opt = G * C ** (beta / (alpha + beta))
    return float(n_opt), float(C / n_opt)
