"""Bug: joins the training texts into one string, so n-grams run across text boundaries."""

import string


def contaminated(test_texts, train_texts, n=13):
    table = str.maketrans("", "", string.punctuation)

    def grams(text):
        words = text.lower().translate(table).split()
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    seen = grams(" ".join(train_texts))
    return [bool(grams(t) & seen) for t in test_texts]
