"""Bug: always alpha / r, so rank-stabilised LoRA gets the plain LoRA scale."""


def lora_scaling(alpha, r, use_rslora=False):
    return alpha / r
