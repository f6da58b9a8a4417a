"""Bug: lowercases but keeps punctuation, so "live?" and "live" are different words."""


def contaminated(test_texts, train_texts, n=13):
    def grams(text):
        words = text.lower().split()
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    seen = set()
    for t in train_texts:
        seen |= grams(t)
    return [bool(grams(t) & seen) for t in test_texts]
