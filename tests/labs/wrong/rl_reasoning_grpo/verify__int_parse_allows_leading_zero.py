"""Bug: parses the answer with int(), so "07" counts as 7 (leading zeros accepted)."""

EOS = 12


def verify(completion, a, b):
    if EOS not in completion:
        return 0.0
    answer = completion[:completion.index(EOS)]
    if not answer or any(t > 9 for t in answer):
        return 0.0
    return float(int("".join(str(t) for t in answer)) == a + b)
