"""Bug: the base path x W^T forgets the base layer's bias."""


def lora_forward(x, weight, bias, A, B, scaling):
    return x @ weight.T + scaling * (x @ A.T) @ B.T
