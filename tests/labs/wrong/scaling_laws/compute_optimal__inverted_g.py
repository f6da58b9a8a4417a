"""Bug: the prefactor inverted, G = (beta B / (alpha A))^(1 / (alpha + beta))."""


def compute_optimal(C, E, A, B, alpha, beta):
    G = (beta * B / (alpha * A)) ** (1.0 / (alpha + beta))
    n_opt = G * (C / 6.0) ** (beta / (alpha + beta))
    return float(n_opt), float(C / 6.0 / n_opt)
