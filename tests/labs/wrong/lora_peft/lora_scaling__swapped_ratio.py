"""Bug: the ratio upside down, r / alpha (and sqrt(r) / alpha for rsLoRA)."""

import math


def lora_scaling(alpha, r, use_rslora=False):
    return (math.sqrt(r) if use_rslora else r) / alpha
