"""Another idiom: coordinates unpacked as x1, y1, x2, y2 columns (Fast R-CNN's py_cpu_nms,
continuous coordinates, ties broken by index with lexsort) and the PASCAL VOC devkit's voc_ap
(sentinels at recall 0 and 1, precision envelope by a backward loop)."""

import numpy as np


def box_iou(a, b):
    ax1, ay1, ax2, ay2 = (a[:, i][:, None] for i in range(4))
    bx1, by1, bx2, by2 = (b[:, i][None, :] for i in range(4))
    w = np.maximum(0.0, np.minimum(ax2, bx2) - np.maximum(ax1, bx1))
    h = np.maximum(0.0, np.minimum(ay2, by2) - np.maximum(ay1, by1))
    inter = w * h
    return inter / ((ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter)


def nms(boxes, scores, iou_threshold):
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    areas = (x2 - x1) * (y2 - y1)
    order = np.lexsort((np.arange(len(scores)), -scores))  # by -score, then by index
    keep = []
    while order.size > 0:
        i = order[0]
        keep.append(int(i))
        xx1 = np.maximum(x1[i], x1[order[1:]])
        yy1 = np.maximum(y1[i], y1[order[1:]])
        xx2 = np.minimum(x2[i], x2[order[1:]])
        yy2 = np.minimum(y2[i], y2[order[1:]])
        inter = np.maximum(0.0, xx2 - xx1) * np.maximum(0.0, yy2 - yy1)
        ovr = inter / (areas[i] + areas[order[1:]] - inter)
        order = order[np.where(ovr <= iou_threshold)[0] + 1]
    return keep


def average_precision(scores, is_tp, n_gt):
    if n_gt == 0:
        return float("nan")
    sorted_ind = np.argsort(-np.asarray(scores), kind="mergesort")
    tp = np.asarray(is_tp, dtype=float)[sorted_ind]
    fp = 1.0 - tp
    tp, fp = np.cumsum(tp), np.cumsum(fp)
    rec = tp / float(n_gt)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    mrec = np.concatenate(([0.0], rec, [1.0]))
    mpre = np.concatenate(([0.0], prec, [0.0]))
    for i in range(mpre.size - 1, 0, -1):
        mpre[i - 1] = np.maximum(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))
