"""Bug: drops the log sigma term (the normaliser of the density), so a wider Gaussian always
looks more likely."""

import math

import torch


def gaussian_nll(x, mu, log_sigma):
    z = (x - mu) / torch.exp(log_sigma)
    return (0.5 * math.log(2 * math.pi) + 0.5 * z**2).mean()
