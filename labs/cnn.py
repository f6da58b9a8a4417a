"""Convolutional neural networks: convolution by hand, a small CNN, and its feature maps.

A convolutional layer slides a small learned filter over the image and takes a dot product
at every position, so the same few weights detect a pattern (an edge, a stroke end)
wherever it appears; stacking convolutions and pooling builds features that cover larger
and larger parts of the image. That is why CNNs are the classic model for computer vision
and feature extraction. Stride s moves the filter s pixels at a time (downsampling),
padding adds zeros around the border so edge pixels count as much as central ones, and
dilation d spreads the taps d pixels apart (a wider view for the same weights).
Deep-learning "convolution" (torch.nn.functional.conv2d) is strictly a cross-correlation:
the filter is not flipped.

You write conv2d (stride, padding, dilation, bias, several channels) and k x k max pooling
with plain tensor operations; the lab checks both, and the conv gradients, against
torch.nn.functional.conv2d / max_pool2d in float64, then builds a small CNN from them,
trains it on sklearn's 8x8 handwritten digits (test accuracy >= 0.95) and plots the
learned first-layer filters and the feature maps they extract from one digit. Accuracy
alone would not catch a flipped kernel (a CNN learns flipped filters just as well), which
is why the layer itself is checked against F.conv2d.

$ python labs/cnn.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("conv2d", "max_pool2d")


@dataclass
class Config:
    channels: tuple = (16, 32)  # filters in the two convolutional layers
    epochs: int = 30  # passes over the training digits
    batch: int = 64  # mini-batch size
    lr: float = 0.05  # SGD learning rate
    momentum: float = 0.9  # SGD momentum
    test_fraction: float = 0.25  # share of the 1797 digits held out for the test accuracy
    min_accuracy: float = 0.95  # required test accuracy


def conv2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
           stride: int = 1, padding: int = 0, dilation: int = 1) -> torch.Tensor:
    """2-D cross-correlation, as torch.nn.functional.conv2d computes it (the filter is not
    flipped).

    x (N, C, H, W), weight (O, C, kh, kw), bias (O,) or None; ``padding`` zeros on all four
    sides; ``dilation`` spaces the filter taps d pixels apart. Output (N, O, H_out, W_out)
    with H_out = (H + 2*padding - dilation*(kh - 1) - 1) // stride + 1 (same for W), and
    ``out[n, o, i, j] = bias[o] + sum_{c,u,v} x_pad[n, c, i*s + u*d, j*s + v*d] * w[o, c, u, v]``
    with w = weight, s = stride, d = dilation. Use tensor operations (no F.conv2d, no
    unfold) so autograd gives the gradients for x and weight; checked in float64 to 1e-10.
    """
    x = F.pad(x, (padding, padding, padding, padding))  # (N, C, H + 2p, W + 2p)
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    h_out = (h - dilation * (kh - 1) - 1) // stride + 1
    w_out = (w - dilation * (kw - 1) - 1) // stride + 1
    taps = [x[:, :, u * dilation: u * dilation + stride * (h_out - 1) + 1: stride,
              v * dilation: v * dilation + stride * (w_out - 1) + 1: stride]
            for u in range(kh) for v in range(kw)]  # kh*kw shifted views, each (N, C, H_out, W_out)
    patches = torch.stack(taps, dim=2)  # (N, C, kh*kw, H_out, W_out)
    out = torch.einsum("nckhw,ock->nohw", patches, weight.reshape(o, c, kh * kw))
    return out if bias is None else out + bias[None, :, None, None]


def max_pool2d(x: torch.Tensor, k: int = 2) -> torch.Tensor:
    """Max over non-overlapping k x k windows (stride k), as torch.nn.functional.max_pool2d(x, k)
    computes it: window (i, j) covers rows i*k .. i*k + k - 1 and columns j*k .. j*k + k - 1;
    leftover rows/columns that do not fill a window are dropped. x (N, C, H, W) ->
    (N, C, H // k, W // k)."""
    n, c, h, w = x.shape
    x = x[:, :, : h // k * k, : w // k * k]
    return x.reshape(n, c, h // k, k, w // k, k).amax(dim=(3, 5))


class SmallCNN(torch.nn.Module):
    """8x8 digit -> conv3x3 -> ReLU -> pool2 -> conv3x3 -> ReLU -> pool2 -> linear -> 10 logits,
    with the convolutions and pooling done by ``conv2d`` and ``max_pool2d``."""

    def __init__(self, c1: int, c2: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = torch.nn.Conv2d(1, c1, 3), torch.nn.Conv2d(c1, c2, 3)  # params
        self.fc = torch.nn.Linear(c2 * 2 * 2, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """First-layer feature maps (N, c1, 8, 8) after ReLU."""
        return F.relu(conv2d(x, self.conv1.weight, self.conv1.bias, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = max_pool2d(self.features(x))  # (N, c1, 4, 4)
        h = F.relu(conv2d(h, self.conv2.weight, self.conv2.bias, padding=1))  # (N, c2, 4, 4)
        h = max_pool2d(h)  # (N, c2, 2, 2)
        return self.fc(h.flatten(1))  # (N, 10)


def tile(images: torch.Tensor, cols: int = 4) -> torch.Tensor:
    """(K, h, w) images -> one (rows*(h+1), cols*(w+1)) mosaic, NaN gaps between them."""
    k, h, w = images.shape
    rows = -(-k // cols)
    out = torch.full((rows * (h + 1), cols * (w + 1)), float("nan"))
    for i in range(k):
        r, c = divmod(i, cols)
        out[r * (h + 1): r * (h + 1) + h, c * (w + 1): c * (w + 1) + w] = images[i]
    return out


def check_ops(lab: kit.Lab) -> None:
    """conv2d and max_pool2d against torch.nn.functional in float64, values and gradients."""
    gen = torch.Generator().manual_seed(lab.seed)

    def rnd(*shape):
        return torch.randn(*shape, generator=gen, dtype=torch.float64)

    with lab.guard("conv2d runs"):
        cases = [  # (x shape, weight shape, stride, padding, dilation, bias): what each tests
            ((2, 1, 8, 8), (4, 1, 3, 3), 1, 0, 1, False),  # plain, one input channel
            ((3, 4, 6, 6), (2, 4, 1, 1), 1, 0, 1, True),  # 1x1: a per-pixel channel mix
            ((2, 3, 9, 7), (5, 3, 3, 3), 1, 1, 1, True),  # "same" padding
            ((2, 2, 10, 11), (3, 2, 5, 3), 2, 2, 1, True),  # stride 2, non-square kernel
            ((1, 3, 12, 13), (4, 3, 3, 2), 1, 1, 2, True),  # dilation 2
            ((2, 2, 15, 14), (3, 2, 3, 3), 3, 2, 2, True)]  # all at once, leftovers dropped
        for xs, ws, stride, pad, dil, has_bias in cases:
            x, w = rnd(*xs).requires_grad_(True), rnd(*ws).requires_grad_(True)
            b = rnd(ws[0]) if has_bias else None
            mine, ref = conv2d(x, w, b, stride, pad, dil), F.conv2d(x, w, b, stride, pad, dil)
            lab.check_close(f"conv2d = F.conv2d (x {xs}, w {ws}, stride {stride}, pad {pad}, "
                            f"dilation {dil})", mine, ref, rtol=1e-10, atol=1e-12,
                            hint=HINTS.get((stride, pad, dil), "cross-correlation: no flip"))
        up = rnd(*ref.shape)  # upstream gradient for the last case
        g_mine = torch.autograd.grad((mine * up).sum(), [x, w], allow_unused=True)
        g_ref = torch.autograd.grad((ref * up).sum(), [x, w])
        lab.check_close("conv2d gradients for x and weight = F.conv2d's (autograd)",
                        torch.cat([(torch.zeros_like(r) if m is None else m).reshape(-1)
                                   for m, r in zip(g_mine, g_ref, strict=True)]),
                        torch.cat([r.reshape(-1) for r in g_ref]), rtol=1e-10, atol=1e-12,
                        hint="keep x and weight in the graph: no .data, .detach() or numpy")
    with lab.guard("max_pool2d runs"):
        for shape, k in (((2, 3, 8, 8), 2), ((1, 2, 7, 5), 2), ((2, 2, 9, 11), 3)):
            x = rnd(*shape)
            lab.check_close(f"max_pool2d = F.max_pool2d(x, {k}) on {shape}", max_pool2d(x, k),
                            F.max_pool2d(x, k), rtol=0, atol=0,
                            hint="windows of k consecutive rows and columns; drop leftovers")


HINTS = {(2, 2, 1): "H_out = (H + 2p - d(kh - 1) - 1) // s + 1, taps every s pixels",
         (1, 1, 2): "dilation d: tap (u, v) reads x_pad[i*s + u*d, j*s + v*d]",
         (3, 2, 2): "stride, padding and dilation together; leftover rows are dropped"}


def body(lab: kit.Lab) -> None:
    cfg = Config(epochs=lab.pick(12, 30))
    dev = lab.torch_device
    lab.section("conv2d and max_pool2d vs torch.nn.functional (float64)")
    check_ops(lab)

    lab.section("a small CNN on sklearn's 8x8 digits")
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = torch.tensor(digits.images / 16.0, dtype=torch.float32)[:, None]  # (1797, 1, 8, 8)
    y = torch.tensor(digits.target)
    gen = torch.Generator().manual_seed(lab.seed)
    perm = torch.randperm(len(y), generator=gen)
    n_test = int(cfg.test_fraction * len(y))
    test, train = perm[:n_test], perm[n_test:]
    Xtr, ytr, Xte, yte = X[train].to(dev), y[train].to(dev), X[test].to(dev), y[test].to(dev)
    torch.manual_seed(lab.seed)
    model = SmallCNN(*cfg.channels).to(dev)
    params = list(model.parameters())
    velocity = [torch.zeros_like(p) for p in params]
    losses, acc = [], None
    with lab.guard("training the CNN built from conv2d / max_pool2d runs"):
        for _ in range(cfg.epochs):
            order = torch.randperm(len(ytr), generator=gen).to(dev)
            for i in range(0, len(ytr), cfg.batch):
                idx = order[i:i + cfg.batch]
                loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
                grads = torch.autograd.grad(loss, params, allow_unused=True)  # None: no path
                with torch.no_grad():  # SGD with momentum
                    for p, g, v in zip(params, grads, velocity, strict=True):
                        v.mul_(cfg.momentum).add_(torch.zeros_like(p) if g is None else g)
                        p.sub_(cfg.lr * v)
                losses.append(loss.item())
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        lab.check_ge(f"test accuracy on {n_test} held-out digits", acc, cfg.min_accuracy,
                     hint="the CNN learns through your conv2d: its gradients must flow")
        lab.metric("test_accuracy", acc)
        lab.metric("final_train_loss", sum(losses[-10:]) / 10)

    with torch.no_grad():  # filters and what they extract from one test digit
        digit = Xte[:1]
        with lab.guard("feature maps from conv2d"):
            maps = model.features(digit)[0].cpu()  # (c1, 8, 8)
            ref_maps = F.relu(F.conv2d(digit, model.conv1.weight, model.conv1.bias, padding=1))[0]
            lab.check_close("trained feature maps = F.conv2d's (float32)", maps, ref_maps,
                            rtol=1e-4, atol=1e-5)
            filters = model.conv1.weight[:, 0].cpu()  # (c1, 3, 3)
            c1 = filters.shape[0]
            fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), width_ratios=[1, 2.2, 2.2])
            axes[0].imshow(digit[0, 0].cpu(), cmap="gray_r")
            axes[0].set_title(f"test digit (label {int(yte[0])})")
            axes[1].imshow(tile(maps), cmap="viridis")
            axes[1].set_title(f"its {c1} first-layer feature maps")
            m = float(filters.abs().max())
            axes[2].imshow(tile(filters), cmap="RdBu_r", vmin=-m, vmax=m)
            axes[2].set_title("the 3x3 filters that made them")
            for a in axes:
                a.axis("off")
            fig.suptitle(f"small CNN, test accuracy {acc if acc is not None else float('nan'):.3f}")
            lab.savefig(fig, "cnn_feature_maps.png")
    if acc is not None:
        lab.conclude(f"Your conv2d matched F.conv2d with stride, padding and dilation (float64, "
                     f"1e-10), and a CNN built from it and your max pooling reached {acc:.1%} "
                     f"test accuracy on {n_test} held-out 8x8 digits.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("cnn", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
