"""Bug: returns the kept tokens lowercased instead of with their original case."""


def remove_stopwords(tokens, stopwords):
    return [t.lower() for t in tokens if t.lower() not in stopwords]
