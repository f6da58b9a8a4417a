"""Bug: written as a loop over input channels that adds the bias inside the loop, so the
bias is counted C times."""

import torch
import torch.nn.functional as F


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    x = F.pad(x, (padding, padding, padding, padding))
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    h_out = (h - dilation * (kh - 1) - 1) // stride + 1
    w_out = (w - dilation * (kw - 1) - 1) // stride + 1
    out = 0
    for ci in range(c):
        taps = [x[:, ci, u * dilation: u * dilation + stride * (h_out - 1) + 1: stride,
                  v * dilation: v * dilation + stride * (w_out - 1) + 1: stride]
                for u in range(kh) for v in range(kw)]
        patches = torch.stack(taps, dim=1)  # (N, kh*kw, H_out, W_out)
        out = out + torch.einsum("nkhw,ok->nohw", patches, weight[:, ci].reshape(o, kh * kw))
        if bias is not None:
            out = out + bias[None, :, None, None]
    return out
