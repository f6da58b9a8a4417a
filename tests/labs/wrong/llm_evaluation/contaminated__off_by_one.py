"""Bug: range(len(words) - n) misses each text's last n-gram."""

import string


def contaminated(test_texts, train_texts, n=13):
    table = str.maketrans("", "", string.punctuation)

    def grams(text):
        words = text.lower().translate(table).split()
        return {tuple(words[i : i + n]) for i in range(len(words) - n)}

    seen = set()
    for t in train_texts:
        seen |= grams(t)
    return [bool(grams(t) & seen) for t in test_texts]
