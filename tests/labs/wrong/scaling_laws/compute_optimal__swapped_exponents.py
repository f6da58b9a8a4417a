"""Bug: N_opt grows like C^(alpha / (alpha + beta)): the exponents of N and D swapped."""


def compute_optimal(C, E, A, B, alpha, beta):
    G = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
    n_opt = G * (C / 6.0) ** (alpha / (alpha + beta))
    return float(n_opt), float(C / 6.0 / n_opt)
