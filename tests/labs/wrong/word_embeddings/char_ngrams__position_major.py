"""Bug: loops over positions first, then lengths, so the n-grams come out of order."""


def char_ngrams(word, min_n=3, max_n=5):
    w = f"<{word}>"
    return [w[i:i + n] for i in range(len(w))
            for n in range(min_n, min(len(w), max_n) + 1) if i + n <= len(w)]
