"""Bug: divides the squared error by 2 sigma instead of 2 sigma^2."""

import math

import torch


def gaussian_nll(x, mu, log_sigma):
    sigma = torch.exp(log_sigma)
    return (0.5 * math.log(2 * math.pi) + log_sigma + (x - mu) ** 2 / (2 * sigma)).mean()
