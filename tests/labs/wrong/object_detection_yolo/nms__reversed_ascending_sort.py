"""Bug: sorts ascending and reverses, so equal scores come higher index first."""

import numpy as np
from object_detection_yolo import box_iou


def nms(boxes, scores, iou_threshold):
    order = np.argsort(scores, kind="stable")[::-1]
    keep = []
    while order.size:
        best, order = order[0], order[1:]
        keep.append(int(best))
        order = order[box_iou(boxes[best][None], boxes[order])[0] <= iou_threshold]
    return keep
