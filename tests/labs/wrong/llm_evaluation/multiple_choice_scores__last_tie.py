"""Bug: a loop with >= keeps the last of tied choices instead of the first."""


def multiple_choice_scores(lls, choices, gold):
    def best(scores):
        k = 0
        for i, s in enumerate(scores):
            if s >= scores[k]:
                k = i
        return k

    normed = [ll / len(c) for ll, c in zip(lls, choices, strict=True)]
    return {"acc": float(best(lls) == gold), "acc_norm": float(best(normed) == gold)}
