"""Object detection the YOLO way: grid, boxes, IoU, non-maximum suppression and mAP.

YOLO ("You Only Look Once", Redmon et al. 2016) turns detection into one regression: the
image is cut into an S x S grid, and the cell that holds an object's centre predicts it -
an objectness score, the centre as an offset inside the cell, the width and height
(YOLOv1 regresses their square roots), and class probabilities. Neighbouring cells often
fire on the same object, so detections are pruned by non-maximum suppression (NMS): keep
the best-scoring box, drop every box that overlaps it by more than an IoU threshold, repeat.
Detectors are scored by mean average precision (mAP@0.5): per class, rank detections by
score, call one a true positive if it overlaps a not-yet-matched ground-truth box with
IoU >= 0.5, and take the area under the interpolated precision-recall curve (VOC style:
precision at recall r = the best precision at any recall >= r).

The lab writes IoU, NMS and AP by hand and checks them against brute-force references
written independently (IoU by counting raster cells, NMS by a scalar loop over raster IoU,
AP by integrating the interpolated curve on a fine grid) and against planted boxes with
known answers, then trains a tiny YOLO-style detector (4 x 4 grid, one box per cell) on
synthetic images of squares, disks and triangles and measures its mAP@0.5.

$ python labs/object_detection_yolo.py --quick
"""

from __future__ import annotations

from dataclasses import dataclass

import kit
import matplotlib
import numpy as np
import torch
import torch.nn.functional as F

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXERCISES = ("box_iou", "nms", "average_precision")
CLASSES = ("square", "disk", "triangle")


@dataclass
class Config:
    size: int = 32  # image side in pixels
    grid: int = 4  # S: the image is S x S cells of size/S pixels
    max_objects: int = 3  # shapes per image (centres in distinct cells)
    steps: int = 1500  # Adam updates
    batch: int = 32  # images per update
    lr: float = 3e-3  # Adam learning rate
    n_test: int = 300  # held-out images for mAP
    nms_iou: float = 0.5  # NMS threshold
    score_min: float = 0.05  # detections below this score are dropped before NMS


# ------------------------------------------------------------------------- exercises
def box_iou(a, b):
    """IoU matrix (N, M) of boxes a (N, 4) and b (M, 4) in (x1, y1, x2, y2) form."""
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)  # (N, M)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def nms(boxes, scores, iou_threshold):
    """Greedy NMS: indices of the kept boxes, best score first."""
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        best, order = order[0], order[1:]
        keep.append(int(best))
        order = order[box_iou(boxes[best][None], boxes[order])[0] <= iou_threshold]
    return keep


def average_precision(scores, is_tp, n_gt):
    """VOC all-point interpolated AP of one class.

    scores (K,) and is_tp (K,) bool describe all detections of the class; n_gt is the number
    of ground-truth boxes (missed ones count). Sort by score, build precision/recall after
    each detection, replace precision by its running max from the right, sum over the
    recall steps.
    """
    if n_gt == 0:
        return float("nan")
    order = np.argsort(-np.asarray(scores), kind="stable")
    tp = np.asarray(is_tp, dtype=float)[order]
    cum_tp = np.cumsum(tp)
    precision = cum_tp / np.arange(1, len(tp) + 1)
    recall = cum_tp / n_gt
    envelope = np.maximum.accumulate(precision[::-1])[::-1]  # best precision at recall >= r
    steps = np.diff(np.concatenate([[0.0], recall]))  # > 0 only at true positives
    return float(np.sum(steps * envelope))


# --------------------------------------------------------------------------- helpers
def match(dets, gts, iou_thr=0.5):
    """Per class: (scores, is_tp, n_gt) over a dataset; dets/gts are lists of per-image
    dicts {"boxes": (K, 4), "labels": (K,), "scores": (K,)}; greedy by score (VOC rule)."""
    out = {}
    for c in range(len(CLASSES)):
        scores, tps, n_gt = [], [], 0
        for d, g in zip(dets, gts, strict=True):
            gb = g["boxes"][g["labels"] == c]
            n_gt += len(gb)
            sel = d["labels"] == c
            db, ds = d["boxes"][sel], d["scores"][sel]
            used = np.zeros(len(gb), dtype=bool)
            ious = box_iou(db, gb) if len(db) and len(gb) else np.zeros((len(db), len(gb)))
            for i in np.argsort(-ds, kind="stable"):
                j = int(np.argmax(ious[i])) if len(gb) else -1
                hit = j >= 0 and ious[i, j] >= iou_thr and not used[j]
                if hit:
                    used[j] = True
                scores.append(ds[i])
                tps.append(hit)
        out[c] = (np.array(scores), np.array(tps, dtype=bool), n_gt)
    return out


def mean_ap(dets, gts, iou_thr=0.5):
    aps = [average_precision(s, t, n) for s, t, n in match(dets, gts, iou_thr).values()]
    return float(np.nanmean(aps)), aps


def make_images(n, cfg: Config, rng):
    """Synthetic images (n, 1, size, size) and per-image ground truth."""
    S, cell = cfg.grid, cfg.size // cfg.grid
    yy, xx = np.mgrid[0:cfg.size, 0:cfg.size] + 0.5
    imgs = 0.1 * rng.normal(size=(n, 1, cfg.size, cfg.size))
    gts = []
    for i in range(n):
        k = rng.integers(1, cfg.max_objects + 1)
        cells = rng.choice(S * S, size=k, replace=False)
        boxes, labels = [], []
        for c in cells:
            r = rng.uniform(3.0, 6.0)  # half-size
            cx = (c % S + rng.uniform(0.1, 0.9)) * cell
            cy = (c // S + rng.uniform(0.1, 0.9)) * cell
            lab = rng.integers(len(CLASSES))
            dx, dy = xx - cx, yy - cy
            mask = [np.maximum(abs(dx), abs(dy)) <= r, dx**2 + dy**2 <= r**2,
                    (dy <= r) & (abs(dx) <= (dy + r) / 2)][lab]
            imgs[i, 0][mask] += 1.0
            boxes.append([max(cx - r, 0), max(cy - r, 0),
                          min(cx + r, cfg.size), min(cy + r, cfg.size)])
            labels.append(lab)
        gts.append({"boxes": np.array(boxes), "labels": np.array(labels)})
    return imgs.astype(np.float32), gts


def encode(gts, cfg: Config):
    """YOLO targets (n, 5, S, S): objectness, x/y offset in cell, sqrt(w/size), sqrt(h/size);
    and class indices (n, S, S)."""
    S, cell = cfg.grid, cfg.size / cfg.grid
    t, cls = np.zeros((len(gts), 5, S, S), np.float32), np.zeros((len(gts), S, S), np.int64)
    for i, g in enumerate(gts):
        for (x1, y1, x2, y2), lab in zip(g["boxes"], g["labels"], strict=True):
            cx, cy = (x1 + x2) / 2 / cell, (y1 + y2) / 2 / cell
            col, row = int(cx), int(cy)
            t[i, :, row, col] = [1, cx - col, cy - row, np.sqrt((x2 - x1) / cfg.size),
                                 np.sqrt((y2 - y1) / cfg.size)]
            cls[i, row, col] = lab
    return t, cls


def tiny_yolo(n_cls: int) -> torch.nn.Module:
    def block(i, o):  # halves the resolution
        return [torch.nn.Conv2d(i, o, 3, stride=2, padding=1, bias=False), torch.nn.BatchNorm2d(o),
                torch.nn.ReLU()]

    return torch.nn.Sequential(*block(1, 16), *block(16, 32), *block(32, 64),  # 32 px -> 4 x 4
                               torch.nn.Conv2d(64, 64, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.Conv2d(64, 5 + n_cls, 1))  # (B, 5 + C, S, S)


def yolo_loss(out, t, cls, l_coord=5.0, l_noobj=0.5):
    """YOLOv1-style loss with one box per cell."""
    obj = t[:, 0]  # (B, S, S)
    pred_box = torch.sigmoid(out[:, 1:5])
    coord = ((pred_box - t[:, 1:5]) ** 2).sum(1)
    bce = F.binary_cross_entropy_with_logits(out[:, 0], obj, reduction="none")
    ce = F.cross_entropy(out[:, 5:], cls, reduction="none")
    n = len(out)
    return (l_coord * (obj * coord).sum() + (obj * bce).sum() + l_noobj * ((1 - obj) * bce).sum()
            + (obj * ce).sum()) / n


def decode(out, cfg: Config, use_nms=True):
    """Network output (B, 5 + C, S, S) -> per-image detections, NMS per class."""
    S, cell = cfg.grid, cfg.size / cfg.grid
    out = out.detach().cpu().double()
    p = torch.sigmoid(out[:, :5]).numpy()
    probs = torch.softmax(out[:, 5:], 1).numpy()
    rows, cols = np.mgrid[0:S, 0:S]
    dets = []
    for i in range(len(out)):
        cx, cy = (cols + p[i, 1]) * cell, (rows + p[i, 2]) * cell
        w, h = p[i, 3] ** 2 * cfg.size, p[i, 4] ** 2 * cfg.size
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1).reshape(-1, 4)
        labels = probs[i].argmax(0).reshape(-1)
        scores = (p[i, 0] * probs[i].max(0)).reshape(-1)
        sel = scores >= cfg.score_min
        boxes, labels, scores = boxes[sel], labels[sel], scores[sel]
        d = {"boxes": boxes, "labels": labels, "scores": scores}
        dets.append(nms_per_class(d, cfg.nms_iou) if use_nms else d)
    return dets


def nms_per_class(d, thr):
    """Run nms separately on each class of one image's detections."""
    keep = [i for c in np.unique(d["labels"]) for i in np.flatnonzero(d["labels"] == c)[
        nms(d["boxes"][d["labels"] == c], d["scores"][d["labels"] == c], thr)]]
    return {k: v[keep] for k, v in d.items()}


# ----------------------------------------------------------- brute-force references
def raster_iou(a, b, res=4):
    """IoU of two boxes whose corners lie on a 1/res grid, by counting covered raster cells."""
    hi = int(np.ceil(max(a[2], a[3], b[2], b[3]) * res)) + 1
    c = (np.arange(hi) + 0.5) / res  # raster cell centres
    ma = (c[None, :] > a[0]) & (c[None, :] < a[2]) & (c[:, None] > a[1]) & (c[:, None] < a[3])
    mb = (c[None, :] > b[0]) & (c[None, :] < b[2]) & (c[:, None] > b[1]) & (c[:, None] < b[3])
    return (ma & mb).sum() / (ma | mb).sum()


def nms_reference(boxes, scores, thr):
    """A box survives iff it overlaps no already-kept, higher-scoring box by more than thr."""
    kept = []
    for i in sorted(range(len(boxes)), key=lambda i: -scores[i]):
        if all(raster_iou(boxes[i], boxes[k]) <= thr for k in kept):
            kept.append(i)
    return kept


def ap_reference(scores, is_tp, n_gt, K=200_000):
    """Integral over recall of the interpolated precision, on a fine grid of recalls."""
    order = np.argsort(-scores)
    tp = is_tp[order].astype(float)
    precision, recall = np.cumsum(tp) / np.arange(1, len(tp) + 1), np.cumsum(tp) / n_gt
    r = (np.arange(K) + 0.5) / K
    total = 0.0
    for chunk in np.array_split(r, 20):
        ok = recall[None, :] >= chunk[:, None]  # (k, K_det)
        total += np.where(ok, precision[None, :], 0.0).max(1).sum()
    return total / K


def random_boxes(n, rng, clusters=4, span=20.0):
    centres = rng.uniform(4, span - 4, size=(clusters, 2))
    c = centres[rng.integers(clusters, size=n)] + rng.normal(0, 1.0, size=(n, 2))
    wh = rng.uniform(1.5, 4.0, size=(n, 2))
    boxes = np.concatenate([c - wh / 2, c + wh / 2], 1)
    return np.clip(np.round(boxes * 4) / 4, 0, span)  # quarter-pixel corners


# ------------------------------------------------------------------------------ body
def check_pieces(lab: kit.Lab, cfg: Config, rng) -> None:
    a, b = random_boxes(14, rng), random_boxes(11, rng)
    a[0], b[0] = [2, 2, 6, 6], [2, 2, 6, 6]  # identical boxes: IoU 1
    b[1] = [19, 19, 20, 20]  # a corner box: IoU 0 with most
    with lab.guard("box_iou runs"):
        ref = np.array([[raster_iou(p, q) for q in b] for p in a])
        lab.check_close("IoU matrix = raster-count IoU", box_iou(a, b), ref, rtol=1e-12, atol=1e-12)
        lab.check_close("IoU is symmetric", box_iou(b, a), box_iou(a, b).T, rtol=1e-12)

    with lab.guard("nms runs"):
        for thr in (0.3141, 0.5123, 0.7071):  # avoid ties at IoU = simple fractions
            boxes, scores = random_boxes(40, rng), rng.permutation(40) / 40 + 0.01
            lab.check_equal(f"NMS(iou {thr}) = brute-force greedy reference",
                            [int(i) for i in nms(boxes, scores, thr)],
                            nms_reference(boxes, scores, thr))

    with lab.guard("average_precision runs"):
        lab.check_close("planted ranking T F T F T, 4 gt: AP = (1 + 2/3 + 3/5) / 4",
                        average_precision(np.array([.9, .8, .7, .6, .5]),
                                          np.array([1, 0, 1, 0, 1], bool), 4),
                        (1 + 2 / 3 + 3 / 5) / 4, rtol=1e-12)
        for trial in range(3):
            s = rng.permutation(60) / 60.0
            t = rng.random(60) < 0.5
            n_gt = int(t.sum()) + trial * 3  # some ground truth is never detected
            lab.check_close(f"AP = integral of interpolated PR curve (random #{trial})",
                            average_precision(s, t, n_gt), ap_reference(s, t, n_gt),
                            rtol=0, atol=1e-4)

    lab.section("mAP on planted boxes")
    imgs_gt = make_images(40, cfg, rng)[1]
    with lab.guard("mAP pipeline on planted boxes"):
        perfect = [{"boxes": g["boxes"], "labels": g["labels"],
                    "scores": rng.uniform(0.5, 1, len(g["labels"]))} for g in imgs_gt]
        lab.check_close("ground truth as detections: mAP = 1", mean_ap(perfect, imgs_gt)[0], 1.0,
                        rtol=1e-12)
        dup = []
        for d in perfect:  # each box again, shrunk to 90% (IoU 0.81), with a lower score
            b = d["boxes"]
            c, half = (b[:, :2] + b[:, 2:]) / 2, 0.45 * (b[:, 2:] - b[:, :2])
            boxes = np.vstack([b, np.hstack([c - half, c + half])])
            dup.append({"boxes": boxes, "labels": np.tile(d["labels"], 2),
                        "scores": np.concatenate([d["scores"], d["scores"] - 0.2])})
        no_nms = mean_ap(dup, imgs_gt)[0]
        after = [nms_per_class(d, cfg.nms_iou) for d in dup]
        lab.check_le("duplicate detections lower mAP without NMS", no_nms, 0.999)
        lab.check_close("NMS removes the duplicates: mAP = 1", mean_ap(after, imgs_gt)[0], 1.0,
                        rtol=1e-12)
        n0 = sum(int((g["labels"] == 0).sum()) for g in imgs_gt)
        fp = [dict(d) for d in perfect]
        fp[0] = {"boxes": np.vstack([perfect[0]["boxes"], [[0, 0, 0.5, 0.5]]]),
                 "labels": np.append(perfect[0]["labels"], 0),
                 "scores": np.append(perfect[0]["scores"], 2.0)}
        lab.check_close(f"one confident false positive over {n0} true '{CLASSES[0]}' boxes: "
                        "AP = n/(n+1)",
                        mean_ap(fp, imgs_gt)[1][0], n0 / (n0 + 1), rtol=1e-12)


def body(lab: kit.Lab) -> None:
    cfg = Config(steps=lab.pick(200, Config.steps), n_test=lab.pick(150, Config.n_test))
    rng = np.random.default_rng(lab.seed)
    dev = lab.torch_device

    lab.section("IoU, NMS and AP vs brute-force references")
    check_pieces(lab, cfg, rng)

    lab.section(f"tiny YOLO: {cfg.grid}x{cfg.grid} grid, {len(CLASSES)} classes, {cfg.steps} steps")
    model = tiny_yolo(len(CLASSES)).to(dev)
    params = list(model.parameters())
    m_ = [torch.zeros_like(p) for p in params]
    v_ = [torch.zeros_like(p) for p in params]
    losses = []
    with lab.timer() as t:
        for step in range(1, cfg.steps + 1):
            imgs, gts = make_images(cfg.batch, cfg, rng)
            tgt, cls = encode(gts, cfg)
            loss = yolo_loss(model(torch.from_numpy(imgs).to(dev)), torch.from_numpy(tgt).to(dev),
                             torch.from_numpy(cls).to(dev))
            loss.backward()
            with torch.no_grad():  # Adam (torch.optim would import torch._dynamo: ~2.5 s)
                for p, m, v in zip(params, m_, v_, strict=True):
                    m.mul_(0.9).add_(p.grad, alpha=0.1)
                    v.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
                    p.addcdiv_(m, (v / (1 - 0.999**step)).sqrt_().add_(1e-8),
                               value=-cfg.lr / (1 - 0.9**step))
                    p.grad = None
            losses.append(loss.item())
    lab.metric("train_seconds", t.seconds, "s")

    imgs, gts = make_images(cfg.n_test, cfg, rng)
    model.eval()  # BatchNorm: use the running statistics
    with torch.no_grad():
        out = model(torch.from_numpy(imgs).to(dev))
    with lab.guard("detector evaluation (decode + NMS + mAP)"):
        dets = decode(out, cfg)
        m_ap, aps = mean_ap(dets, gts)
        lab.metric("mAP@0.5", m_ap)
        lab.metric("mAP@0.5_without_nms", mean_ap(decode(out, cfg, use_nms=False), gts)[0])
        lab.metric("mAP@0.75", mean_ap(dets, gts, 0.75)[0])
        lab.check_ge("tiny YOLO mAP@0.5 on held-out synthetic images", m_ap, lab.pick(0.7, 0.9),
                     "a short --quick run reaches about 0.8-0.9")

        fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
        for i, ax in enumerate(axes[:3]):
            ax.imshow(imgs[i, 0], cmap="gray")
            for k in range(1, cfg.grid):
                ax.axhline(k * cfg.size / cfg.grid - 0.5, color="w", lw=0.3)
                ax.axvline(k * cfg.size / cfg.grid - 0.5, color="w", lw=0.3)
            for (x1, y1, x2, y2) in gts[i]["boxes"]:
                ax.add_patch(plt.Rectangle((x1 - .5, y1 - .5), x2 - x1, y2 - y1, fill=False,
                                           ec="lime", lw=1.5))
            det = dets[i]
            for (x1, y1, x2, y2), lab_, s in zip(det["boxes"], det["labels"], det["scores"],
                                                 strict=True):
                if s >= 0.3:
                    ax.add_patch(plt.Rectangle((x1 - .5, y1 - .5), x2 - x1, y2 - y1, fill=False,
                                               ec="r", lw=1))
                    ax.text(x1, y1 - 1, f"{CLASSES[lab_]} {s:.2f}", color="r", fontsize=7)
            ax.set(xticks=[], yticks=[], title="green: truth, red: detections")
        for c, (s, tp, n) in match(dets, gts).items():
            order = np.argsort(-s)
            ctp = np.cumsum(tp[order])
            axes[3].plot(ctp / n, ctp / np.arange(1, len(s) + 1),
                         label=f"{CLASSES[c]} AP {aps[c]:.2f}")
        axes[3].set(xlabel="recall", ylabel="precision", title=f"mAP@0.5 = {m_ap:.2f}",
                    ylim=(0, 1.05))
        axes[3].legend(fontsize=7)
        lab.savefig(fig, "yolo_detections.png")


def main(argv: list[str] | None = None) -> int:
    return kit.run("object-detection-yolo", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
