"""Bug: only the student is divided by T; the teacher's distribution stays sharp."""

import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, T, alpha):
    log_p_s = F.log_softmax(student_logits / T, dim=-1)
    p_t = F.softmax(teacher_logits, dim=-1)
    kl = F.kl_div(log_p_s, p_t, reduction="batchmean")
    return alpha * T * T * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
