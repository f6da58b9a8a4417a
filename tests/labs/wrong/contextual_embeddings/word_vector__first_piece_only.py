"""Bug: keeps only the first word piece (ki for kiwi)."""


def word_vector(hidden, offsets, start, end):
    s, e = offsets[:, 0], offsets[:, 1]
    keep = (e > s) & (s < end) & (e > start)
    return hidden[keep][0]
