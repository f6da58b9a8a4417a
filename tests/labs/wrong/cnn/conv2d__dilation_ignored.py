"""Bug: dilation only enters the output size; the taps stay next to each other."""

import torch
import torch.nn.functional as F


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    x = F.pad(x, (padding, padding, padding, padding))
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    h_out = (h - dilation * (kh - 1) - 1) // stride + 1
    w_out = (w - dilation * (kw - 1) - 1) // stride + 1
    taps = [x[:, :, u: u + stride * (h_out - 1) + 1: stride,
              v: v + stride * (w_out - 1) + 1: stride]
            for u in range(kh) for v in range(kw)]
    patches = torch.stack(taps, dim=2)
    out = torch.einsum("nckhw,ock->nohw", patches, weight.reshape(o, c, kh * kw))
    return out if bias is None else out + bias[None, :, None, None]
