"""Bug: normalises by the length of " " + choice, counting the separating space."""

import numpy as np


def multiple_choice_scores(lls, choices, gold):
    lengths = np.array([len(" " + c) for c in choices], dtype=np.float64)
    lls_arr = np.asarray(lls, dtype=np.float64)
    return {"acc": float(np.argmax(lls_arr) == gold),
            "acc_norm": float(np.argmax(lls_arr / lengths) == gold)}
