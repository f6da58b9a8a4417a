"""Bug: one pass: only the top-scoring box suppresses others."""

import numpy as np
from object_detection_yolo import box_iou


def nms(boxes, scores, iou_threshold):
    order = np.argsort(-scores, kind="stable")
    best, rest = order[0], order[1:]
    return [int(best)] + [int(i) for i in rest[box_iou(boxes[best][None], boxes[rest])[0]
                                              <= iou_threshold]]
