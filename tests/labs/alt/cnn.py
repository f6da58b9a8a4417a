"""Another idiom: convolution as a sum over the kernel taps of shifted, strided input slices
times each tap's (O, C) weight matrix (tensordot), zero padding by slice assignment into a
zeros tensor, and pooling with Tensor.unfold windows."""

import torch


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    N, C, H, W = x.shape
    F_out, _, KH, KW = weight.shape
    xp = x.new_zeros(N, C, H + 2 * padding, W + 2 * padding)
    xp[:, :, padding:padding + H, padding:padding + W] = x
    H_out = (H + 2 * padding - dilation * (KH - 1) - 1) // stride + 1
    W_out = (W + 2 * padding - dilation * (KW - 1) - 1) // stride + 1
    out = x.new_zeros(N, F_out, H_out, W_out)
    for u in range(KH):
        for v in range(KW):
            r0, c0 = u * dilation, v * dilation
            window = xp[:, :, r0:r0 + stride * H_out:stride, c0:c0 + stride * W_out:stride]
            window = window[:, :, :H_out, :W_out]  # (N, C, H_out, W_out)
            out = out + torch.tensordot(window, weight[:, :, u, v], dims=([1], [1])).permute(
                0, 3, 1, 2)
    if bias is not None:
        out = out + bias.view(1, F_out, 1, 1)
    return out


def max_pool2d(x, k=2):
    return x.unfold(2, k, k).unfold(3, k, k).amax(dim=(-2, -1))
