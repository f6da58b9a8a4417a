"""Bug: no '<' and '>' around the word, so prefixes and suffixes are lost."""


def char_ngrams(word, min_n=3, max_n=5):
    w = word
    return [w[i:i + n] for n in range(min_n, min(len(w), max_n) + 1)
            for i in range(len(w) - n + 1)]
