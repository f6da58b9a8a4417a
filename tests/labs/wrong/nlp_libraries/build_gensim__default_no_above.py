"""Bug: filter_extremes(no_below=2) keeps its default no_above=0.5, dropping common tokens."""

from gensim.corpora import Dictionary
from gensim.models import TfidfModel
from gensim.similarities import MatrixSimilarity


def build_gensim(texts):
    dictionary = Dictionary(texts)
    dictionary.filter_extremes(no_below=2)
    bow = [dictionary.doc2bow(t) for t in texts]
    tfidf = TfidfModel(bow)
    return dictionary, tfidf, MatrixSimilarity(tfidf[bow], num_features=len(dictionary))
