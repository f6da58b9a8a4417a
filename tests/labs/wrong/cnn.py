"""A deliberately wrong solution: conv2d flips the filter (a textbook convolution, not the
cross-correlation that F.conv2d computes), and max_pool2d reshapes (H, W) into windows in the
wrong order, so each "window" mixes pixels from different places."""

import torch
import torch.nn.functional as F


def conv2d(x, weight, bias=None, stride=1, padding=0):
    x = F.pad(x, (padding, padding, padding, padding))
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    h_out, w_out = (h - kh) // stride + 1, (w - kw) // stride + 1
    taps = [x[:, :, u:u + stride * (h_out - 1) + 1:stride, v:v + stride * (w_out - 1) + 1:stride]
            for u in range(kh) for v in range(kw)]
    patches = torch.stack(taps, dim=2)
    flipped = weight.flip(2, 3)  # bug: deep-learning conv does not flip the kernel
    out = torch.einsum("nckhw,ock->nohw", patches, flipped.reshape(o, c, kh * kw))
    return out if bias is None else out + bias[None, :, None, None]


def max_pool2d(x, k=2):
    n, c, h, w = x.shape
    x = x[:, :, : h // k * k, : w // k * k]
    return x.reshape(n, c, h // k, w // k, k, k).amax(dim=(4, 5))  # bug: axes interleave wrongly
