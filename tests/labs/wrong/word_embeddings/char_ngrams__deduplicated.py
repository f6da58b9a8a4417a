"""Bug: removes repeated n-grams ('ana' twice in 'banana'), which gensim keeps."""


def char_ngrams(word, min_n=3, max_n=5):
    w = f"<{word}>"
    grams = [w[i:i + n] for n in range(min_n, min(len(w), max_n) + 1)
             for i in range(len(w) - n + 1)]
    return list(dict.fromkeys(grams))
