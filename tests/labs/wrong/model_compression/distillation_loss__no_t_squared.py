"""Bug: the distillation term lacks its T^2 factor, so its gradients are T^2 times too small."""

import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, T, alpha):
    log_p_s = F.log_softmax(student_logits / T, dim=-1)
    p_t = F.softmax(teacher_logits / T, dim=-1)
    kl = F.kl_div(log_p_s, p_t, reduction="batchmean")
    return alpha * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
