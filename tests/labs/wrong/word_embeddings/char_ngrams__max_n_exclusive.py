"""Bug: range(min_n, max_n) leaves out the n-grams of length max_n."""


def char_ngrams(word, min_n=3, max_n=5):
    w = f"<{word}>"
    return [w[i:i + n] for n in range(min_n, min(len(w), max_n))
            for i in range(len(w) - n + 1)]
