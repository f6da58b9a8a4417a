"""Bug: looks the token up as written, so "The" and "THE" slip through."""


def remove_stopwords(tokens, stopwords):
    return [t for t in tokens if t not in stopwords]
