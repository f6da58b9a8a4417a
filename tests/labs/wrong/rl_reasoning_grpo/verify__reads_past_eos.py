"""Bug: collects every digit of the completion, also those after the first EOS."""

EOS = 12


def verify(completion, a, b):
    if EOS not in completion:
        return 0.0
    digits = [t for t in completion if t < 10]
    return float(digits == [int(c) for c in str(a + b)])
