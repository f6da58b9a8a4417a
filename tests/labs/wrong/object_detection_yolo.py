"""A deliberately wrong solution: IoU's union forgets to subtract the intersection, NMS walks
the boxes in input order instead of by score, and AP's recall ignores missed ground truth."""

import numpy as np


def box_iou(a, b):
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :])  # union double-counts the overlap


def nms(boxes, scores, iou_threshold):
    order = np.arange(len(boxes))  # never sorted by score
    keep = []
    while order.size:
        best, order = order[0], order[1:]
        keep.append(int(best))
        order = order[box_iou(boxes[best][None], boxes[order])[0] <= iou_threshold]
    return keep


def average_precision(scores, is_tp, n_gt):
    order = np.argsort(-np.asarray(scores), kind="stable")
    tp = np.asarray(is_tp, dtype=float)[order]
    cum_tp = np.cumsum(tp)
    precision = cum_tp / np.arange(1, len(tp) + 1)
    recall = cum_tp / max(cum_tp[-1], 1)  # should divide by n_gt
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum(np.diff(np.concatenate([[0.0], recall])) * envelope))
