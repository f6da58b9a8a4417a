"""Object detection the YOLO way: grid, boxes, IoU, non-maximum suppression and mAP.

The S x S grid cell holding an object's centre predicts its objectness, centre offset, sqrt(w),
sqrt(h) and class (YOLOv1); NMS drops boxes overlapping a better-scoring one by more than an IoU
threshold; mAP@0.5 is VOC's area under the interpolated precision-recall curve. You write IoU,
NMS and AP; they are checked against brute-force references (raster-cell IoU, scalar NMS, AP
on a fine recall grid), hand-worked edge cases (touching and disjoint boxes, tied scores, IoU
exactly at the threshold, a precision that rises again) and planted boxes; then a tiny YOLO
(4 x 4 grid) learns squares, disks, triangles and your functions score it: mAP@0.5.

$ python labs/object_detection_yolo.py --quick
"""

from __future__ import annotations

import time
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


def box_iou(a, b):
    """IoU matrix (N, M) of boxes a (N, 4) and b (M, 4) in (x1, y1, x2, y2) form, x1 < x2 and
    y1 < y2 (numpy arrays, float).

    IoU = area of the intersection / area of the union. Boxes that only touch, or are
    apart in x, in y or both, have intersection 0 (clip the overlap's width and height at 0
    separately), so their IoU is 0; identical boxes have IoU 1.
    """
    lo = np.maximum(a[:, None, :2], b[None, :, :2])  # (N, M, 2) top-left of the overlap
    hi = np.minimum(a[:, None, 2:], b[None, :, 2:])  # (N, M, 2) bottom-right
    inter = np.clip(hi - lo, 0, None).prod(-1)  # (N, M)
    area_a, area_b = (a[:, 2:] - a[:, :2]).prod(1), (b[:, 2:] - b[:, :2]).prod(1)
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def nms(boxes, scores, iou_threshold):
    """Greedy non-maximum suppression (the rule of torchvision.ops.nms).

    Visit the boxes (N, 4) by decreasing score (equal scores: lower index first); keep a
    box unless its IoU with an already kept box is *greater* than ``iou_threshold`` (equal
    is kept). Returns the kept indices as a list of ints, in the order they were kept.
    """
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        best, order = order[0], order[1:]
        keep.append(int(best))
        order = order[box_iou(boxes[best][None], boxes[order])[0] <= iou_threshold]
    return keep


def average_precision(scores, is_tp, n_gt):
    """VOC all-point interpolated average precision of one class.

    scores (K,) and is_tp (K,) bool describe all detections of the class; n_gt is the number
    of ground-truth boxes (missed ones count: recall = TP so far / n_gt). Sort by decreasing
    score (equal scores keep their input order), take precision and recall after each
    detection, replace each precision by the best precision at any recall >= its own (the
    interpolation), and sum it over the recall steps: AP = sum_k (r_k - r_{k-1}) p_interp(r_k).
    Returns a float; n_gt = 0 returns nan (the class has nothing to find; mAP skips it).
    """
    if n_gt == 0:
        return float("nan")
    order = np.argsort(-np.asarray(scores), kind="stable")
    cum_tp = np.cumsum(np.asarray(is_tp, dtype=float)[order])
    precision, recall = cum_tp / np.arange(1, len(cum_tp) + 1), cum_tp / n_gt
    envelope = np.maximum.accumulate(precision[::-1])[::-1]  # best precision at recall >= r
    steps = np.diff(np.concatenate([[0.0], recall]))  # > 0 only at true positives
    return float(np.sum(steps * envelope))


def match(dets, gts, iou_thr=0.5):
    """Per class: (scores, is_tp, n_gt) over a dataset, greedy by score (VOC rule); dets and
    gts are lists of per-image dicts {"boxes": (K, 4), "labels": (K,), "scores": (K,)}."""
    out = {}
    for c in range(len(CLASSES)):
        scores, tps, n_gt = [], [], 0
        for d, g in zip(dets, gts, strict=True):
            gb, sel = g["boxes"][g["labels"] == c], d["labels"] == c
            db, ds, used = d["boxes"][sel], d["scores"][sel], np.zeros(len(gb), dtype=bool)
            ious = box_iou(db, gb) if len(db) and len(gb) else np.zeros((len(db), len(gb)))
            n_gt, order = n_gt + len(gb), np.argsort(-ds, kind="stable")
            scores.extend(ds[order])
            for i in order:
                j = int(np.argmax(ious[i])) if len(gb) else -1
                tps.append(j >= 0 and ious[i, j] >= iou_thr and not used[j])
                if tps[-1]:
                    used[j] = True
        out[c] = (np.array(scores), np.array(tps, dtype=bool), n_gt)
    return out


def mean_ap(dets, gts, iou_thr=0.5):
    aps = [average_precision(s, t, n) for s, t, n in match(dets, gts, iou_thr).values()]
    return float(np.nanmean(aps)), aps


def make_images(n, cfg: Config, rng):
    """Synthetic images (n, 1, size, size), ground truth per image, and YOLO targets: (n, 5, S, S)
    objectness, x/y offset in the cell, sqrt(w/size), sqrt(h/size); class indices (n, S, S)."""
    S, cell, size = cfg.grid, cfg.size // cfg.grid, cfg.size
    imgs, (yy, xx) = 0.1 * rng.normal(size=(n, 1, size, size)), np.mgrid[0:size, 0:size] + 0.5
    t, cls, gts = np.zeros((n, 5, S, S), np.float32), np.zeros((n, S, S), np.int64), []
    for i in range(n):
        objs = []  # (x1, y1, x2, y2, class)
        for c in rng.choice(S * S, size=rng.integers(1, cfg.max_objects + 1), replace=False):
            r = rng.uniform(3.0, 6.0)  # half-size
            cx, cy = (c % S + rng.uniform(0.1, 0.9)) * cell, (c // S + rng.uniform(0.1, 0.9)) * cell
            lab, dx, dy = rng.integers(len(CLASSES)), xx - cx, yy - cy
            mask = [np.maximum(abs(dx), abs(dy)) <= r, dx**2 + dy**2 <= r**2,
                    (dy <= r) & (abs(dx) <= (dy + r) / 2)][lab]
            imgs[i, 0][mask] += 1.0
            x1, y1, x2, y2 = max(cx - r, 0), max(cy - r, 0), min(cx + r, size), min(cy + r, size)
            objs.append([x1, y1, x2, y2, lab])
            bx, by = (x1 + x2) / 2 / cell, (y1 + y2) / 2 / cell  # box centre in cell units
            t[i, :, int(by), int(bx)] = [1, bx % 1, by % 1, np.sqrt((x2 - x1) / size),
                                         np.sqrt((y2 - y1) / size)]
            cls[i, int(by), int(bx)] = lab
        gts.append({"boxes": np.array(objs)[:, :4], "labels": np.array(objs)[:, 4].astype(int)})
    return imgs.astype(np.float32), gts, t, cls


def yolo_loss(out, t, cls, l_coord=5.0, l_noobj=0.5):
    """YOLOv1-style loss with one box per cell."""
    obj, coord = t[:, 0], ((torch.sigmoid(out[:, 1:5]) - t[:, 1:5]) ** 2).sum(1)  # (B, S, S)
    bce = F.binary_cross_entropy_with_logits(out[:, 0], obj, reduction="none")
    ce = F.cross_entropy(out[:, 5:], cls, reduction="none")
    return (l_coord * (obj * coord).sum() + (obj * bce).sum() + l_noobj * ((1 - obj) * bce).sum()
            + (obj * ce).sum()) / len(out)


def decode(out, cfg: Config, use_nms=True):
    """Network output (B, 5 + C, S, S) -> per-image detections, NMS per class."""
    B, cell, out = len(out), cfg.size / cfg.grid, out.detach().cpu().double()
    p, probs = torch.sigmoid(out[:, :5]).numpy(), torch.softmax(out[:, 5:], 1).numpy()
    rows, cols = np.mgrid[0:cfg.grid, 0:cfg.grid]
    cx, cy = (cols + p[:, 1]) * cell, (rows + p[:, 2]) * cell  # (B, S, S)
    w, h = p[:, 3] ** 2 * cfg.size, p[:, 4] ** 2 * cfg.size
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1).reshape(B, -1, 4)
    labels, scores = probs.argmax(1).reshape(B, -1), (p[:, 0] * probs.max(1)).reshape(B, -1)
    dets = [{"boxes": b[k], "labels": c[k], "scores": s[k]}  # k: not below score_min
            for b, c, s, k in zip(boxes, labels, scores, scores >= cfg.score_min, strict=True)]
    return [nms_per_class(d, cfg.nms_iou) for d in dets] if use_nms else dets


def nms_per_class(d, thr):
    """Run nms separately on each class of one image's detections."""
    keep = [i for c in np.unique(d["labels"]) for i in np.flatnonzero(d["labels"] == c)[
        nms(d["boxes"][d["labels"] == c], d["scores"][d["labels"] == c], thr)]]
    return {k: v[keep] for k, v in d.items()}


def raster_iou(a, b, res=4):
    """IoU of two boxes whose corners lie on a 1/res grid, by counting covered raster cells."""
    c = (np.arange(int(np.ceil(max(a[2], a[3], b[2], b[3]) * res)) + 1) + 0.5) / res  # centres
    ma, mb = ((c[None, :] > q[0]) & (c[None, :] < q[2]) & (c[:, None] > q[1]) & (c[:, None] < q[3])
              for q in (a, b))
    return (ma & mb).sum() / (ma | mb).sum()


def nms_reference(boxes, scores, thr):
    """A box survives iff it overlaps no already-kept, higher-scoring box by more than thr."""
    kept = []
    for i in sorted(range(len(boxes)), key=lambda i: -scores[i]):
        kept += [i] if all(raster_iou(boxes[i], boxes[k]) <= thr for k in kept) else []
    return kept


def ap_reference(scores, is_tp, n_gt, K=200_000):
    """Integral over recall of the interpolated precision, on a fine grid of recalls."""
    cum_tp = np.cumsum(is_tp[np.argsort(-scores)].astype(float))
    precision, recall = cum_tp / np.arange(1, len(cum_tp) + 1), cum_tp / n_gt
    return sum(np.where(recall[None, :] >= r[:, None], precision[None, :], 0.0).max(1).sum()
               for r in np.array_split((np.arange(K) + 0.5) / K, 20)) / K  # chunks (k, K_det)


def random_boxes(n, rng, clusters=4, span=20.0):
    centres = rng.uniform(4, span - 4, size=(clusters, 2))
    c = centres[rng.integers(clusters, size=n)] + rng.normal(0, 1.0, size=(n, 2))
    wh = rng.uniform(1.5, 4.0, size=(n, 2))
    return np.clip(np.round(np.concatenate([c - wh / 2, c + wh / 2], 1) * 4) / 4, 0, span)  # 1/4 px


@kit.cached
def trained_detector(seed: int, steps: int, n_test: int, dev: str):
    """Train the tiny YOLO (no exercise function involved) and run it on held-out images:
    (images, ground truth, network output, training seconds), computed once per setting."""
    cfg, rng = Config(steps=steps, n_test=n_test), np.random.default_rng([seed, 1])
    torch.manual_seed(seed)
    nn, net = torch.nn, []
    for i, o in ((1, 16), (16, 32), (32, 64)):  # each block halves the resolution: 32 px -> 4 x 4
        net += [nn.Conv2d(i, o, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
    model = nn.Sequential(*net, nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
                          nn.Conv2d(64, 5 + len(CLASSES), 1)).to(dev)  # (B, 5 + C, S, S)
    params = list(model.parameters())
    m_, v_ = [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    t0 = time.perf_counter()  # the training, timed
    for step in range(1, cfg.steps + 1):
        imgs, _, tgt, cls = make_images(cfg.batch, cfg, rng)
        out = model(torch.from_numpy(imgs).to(dev))
        yolo_loss(out, torch.from_numpy(tgt).to(dev), torch.from_numpy(cls).to(dev)).backward()
        with torch.no_grad():  # Adam (torch.optim would import torch._dynamo: ~2.5 s)
            for p, m, v in zip(params, m_, v_, strict=True):
                m.mul_(0.9).add_(p.grad, alpha=0.1)
                v.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
                p.addcdiv_(m, (v / (1 - 0.999**step)).sqrt_().add_(1e-8),
                           value=-cfg.lr / (1 - 0.9**step))
                p.grad = None
    if str(dev).startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    imgs, gts = make_images(cfg.n_test, cfg, rng)[:2]
    with torch.no_grad():  # eval: BatchNorm uses the running statistics
        out = model.eval()(torch.from_numpy(imgs).to(dev))
    return imgs, tuple(gts), out, seconds


def body(lab: kit.Lab) -> None:
    cfg = Config(steps=lab.pick(200, Config.steps), n_test=lab.pick(150, Config.n_test))
    rng, dev = np.random.default_rng(lab.seed), lab.torch_device
    lab.section("IoU, NMS and AP vs brute-force references and hand-worked cases")
    a, b = random_boxes(14, rng), random_boxes(11, rng)
    a[0], b[0], b[1] = [2, 2, 6, 6], [2, 2, 6, 6], [19, 19, 20, 20]  # IoU 1; a corner box
    with lab.guard("box_iou runs"):
        ref = np.array([[raster_iou(p, q) for q in b] for p in a])
        lab.check_close("IoU matrix = raster-count IoU (random boxes)", box_iou(a, b), ref,
                        rtol=1e-12, atol=1e-12, hint="union = area_a + area_b - intersection")
        edge = np.array([[0, 0, 2, 2], [2, 0, 4, 2], [3, 3, 5, 5], [0.5, 0.5, 1.5, 1.5]], float)
        lab.check_close("IoU edge cases vs [0,0,2,2]: identical 1, touching 0, apart in x "
                        "and y 0, nested 1/4", box_iou(edge[:1], edge)[0], [1, 0, 0, 0.25],
                        rtol=1e-12, atol=1e-12,
                        hint="clip width and height at 0 separately: two negatives multiply "
                             "to a positive")
    with lab.guard("nms runs"):
        for thr in (0.3141, 0.5123, 0.7071):  # avoid ties at IoU = simple fractions
            bx, sc = random_boxes(40, rng), rng.permutation(40) / 40 + 0.01
            lab.check_equal(f"NMS(iou {thr}) = brute-force greedy reference",
                            [int(i) for i in nms(bx, sc, thr)], nms_reference(bx, sc, thr),
                            hint="visit boxes by decreasing score; compare with every kept one")
        # A, B tie at 0.9 and overlap with IoU exactly 0.5; C = D, C scores 0.95, D 0.5
        bx = np.array([[0, 0, 2, 1], [0, 0, 1, 1], [5, 5, 6, 6], [5, 5, 6, 6]], float)
        sc = np.array([0.9, 0.9, 0.95, 0.5])
        lab.check_equal("NMS hand-worked: equal scores lower index first; IoU = threshold kept",
                        [[int(i) for i in nms(bx, sc, t)] for t in (0.5, 0.4)],
                        [[2, 0, 1], [2, 0]],
                        hint="stable sort on -scores; suppress only IoU > threshold")
    with lab.guard("average_precision runs"):
        s, t = np.array([.9, .8, .7, .6, .5]), np.array([1, 0, 1, 0, 1], bool)
        lab.check_close("planted ranking T F T F T, 4 gt: AP = (1 + 2/3 + 3/5) / 4",
                        average_precision(s, t, 4), (1 + 2 / 3 + 3 / 5) / 4, rtol=1e-12,
                        hint="recall divides by n_gt, missed ground truth included")
        lab.check_close("planted T F F T T, 3 gt: interpolated AP = (1 + 3/5 + 3/5) / 3",
                        average_precision(s, np.array([1, 0, 0, 1, 1], bool), 3),
                        (1 + 3 / 5 + 3 / 5) / 3, rtol=1e-12,
                        hint="each precision becomes the best one at any higher recall")
        lab.check_close("ties keep input order: scores (0.9, 0.9), F then T, 1 gt: AP = 1/2",
                        average_precision(np.array([.9, .9]), np.array([0, 1], bool), 1), 0.5,
                        rtol=1e-12, hint="a stable sort on -scores")
        for trial in range(3):
            s, t = rng.permutation(60) / 60.0, rng.random(60) < 0.5
            n = int(t.sum()) + trial * 3  # some ground truth is never detected
            lab.check_close(f"AP = integral of interpolated PR curve (random #{trial})",
                            average_precision(s, t, n), ap_reference(s, t, n), rtol=0, atol=1e-4)
        none = average_precision(np.array([.5]), np.array([False]), 0)
        lab.check("no ground truth: AP is nan", bool(np.isnan(none)), "nan", none,
                  hint="n_gt = 0: return float('nan')")

    lab.section("mAP on planted boxes")
    gts = make_images(40, cfg, rng)[1]
    with lab.guard("mAP pipeline on planted boxes"):
        perfect = [{"boxes": g["boxes"], "labels": g["labels"],
                    "scores": rng.uniform(0.5, 1, len(g["labels"]))} for g in gts]
        lab.check_close("ground truth as detections: mAP = 1", mean_ap(perfect, gts)[0], 1.0,
                        rtol=1e-12, graded=False)  # shown: the pipeline, graded piece by piece
        dup = []
        for d in perfect:  # each box again, shrunk to 90% (IoU 0.81), with a lower score
            b, s = d["boxes"], d["scores"]
            c, half = (b[:, :2] + b[:, 2:]) / 2, 0.45 * (b[:, 2:] - b[:, :2])
            dup.append({"boxes": np.vstack([b, np.hstack([c - half, c + half])]),
                        "labels": np.tile(d["labels"], 2), "scores": np.concatenate([s, s - 0.2])})
        no_nms, after = mean_ap(dup, gts)[0], [nms_per_class(d, cfg.nms_iou) for d in dup]
        lab.check_le("duplicate detections lower mAP without NMS", no_nms, 0.999, graded=False)
        lab.check_close("NMS removes the duplicates: mAP = 1", mean_ap(after, gts)[0], 1.0,
                        rtol=1e-12)
        n0, p0 = sum(int((g["labels"] == 0).sum()) for g in gts), perfect[0]
        fp = [{"boxes": np.r_[p0["boxes"], [[0, 0, .5, .5]]], "labels": np.r_[p0["labels"], 0],
               "scores": np.r_[p0["scores"], 2.0]}, *perfect[1:]]  # + a box on nothing, top score
        lab.check_close(f"one confident false positive over {n0} true '{CLASSES[0]}' boxes: "
                        "AP = n/(n+1)", mean_ap(fp, gts)[1][0], n0 / (n0 + 1), rtol=1e-12)

    lab.section(f"tiny YOLO: {cfg.grid}x{cfg.grid} grid, {len(CLASSES)} classes, {cfg.steps} steps")
    imgs, gts, out, seconds = trained_detector(lab.seed, cfg.steps, cfg.n_test, str(dev))
    gts = [{k: v.copy() for k, v in g.items()} for g in gts]  # the cached ones stay intact
    lab.metric("train_seconds", seconds, "s")
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
            for k in range(1, cfg.grid):  # cell borders
                ax.axhline(k * cfg.size / cfg.grid - 0.5, color="w", lw=0.3)
                ax.axvline(k * cfg.size / cfg.grid - 0.5, color="w", lw=0.3)
            d = {k: v[dets[i]["scores"] >= 0.3] for k, v in dets[i].items()}  # confident ones
            for boxes, ec, lw in ((gts[i]["boxes"], "lime", 1.5), (d["boxes"], "r", 1)):
                for x1, y1, x2, y2 in boxes:  # pixel centres sit at integer + 0.5
                    ax.add_patch(plt.Rectangle((x1 - .5, y1 - .5), x2 - x1, y2 - y1, fill=False,
                                               ec=ec, lw=lw))
            for (x1, y1, _, _), c, s in zip(d["boxes"], d["labels"], d["scores"], strict=True):
                ax.text(x1, y1 - 1, f"{CLASSES[c]} {s:.2f}", color="r", fontsize=7)
            ax.set(xticks=[], yticks=[], title="green: truth, red: detections")
        for c, (s, tp, n) in match(dets, gts).items():
            ctp = np.cumsum(tp[np.argsort(-s)])
            axes[3].plot(ctp / n, ctp / np.arange(1, len(s) + 1),
                         label=f"{CLASSES[c]} AP {aps[c]:.2f}")
        axes[3].set(xlabel="recall", ylabel="precision", title=f"mAP@0.5 = {m_ap:.2f}",
                    ylim=(0, 1.05))
        axes[3].legend(fontsize=7)
        lab.savefig(fig, "yolo_detections.png")
        lab.conclude(f"Your IoU, NMS and AP matched brute-force references and hand-worked edge "
                     f"cases, and scored the tiny YOLO at mAP@0.5 = {m_ap:.2f} on {cfg.n_test} "
                     f"held-out images ({mean_ap(decode(out, cfg, use_nms=False), gts)[0]:.2f} "
                     f"without NMS).")


def main(argv: list[str] | None = None) -> int:
    return kit.run("object-detection-yolo", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
