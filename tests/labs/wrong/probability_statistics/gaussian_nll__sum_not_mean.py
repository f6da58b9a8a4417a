"""Bug: returns the summed NLL where the mean over the points is asked for."""

import math

import torch


def gaussian_nll(x, mu, log_sigma):
    z = (x - mu) / torch.exp(log_sigma)
    return (0.5 * math.log(2 * math.pi) + log_sigma + 0.5 * z**2).sum()
