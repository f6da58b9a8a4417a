"""Bug: never sorts by score: boxes are visited in input order."""

import numpy as np
from object_detection_yolo import box_iou


def nms(boxes, scores, iou_threshold):
    order = np.arange(len(boxes))
    keep = []
    while order.size:
        best, order = order[0], order[1:]
        keep.append(int(best))
        order = order[box_iou(boxes[best][None], boxes[order])[0] <= iou_threshold]
    return keep
