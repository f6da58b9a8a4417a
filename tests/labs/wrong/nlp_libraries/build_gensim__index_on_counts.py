"""Bug: the similarity index is built on the raw bag-of-words counts, not the TF-IDF vectors."""

from gensim.corpora import Dictionary
from gensim.models import TfidfModel
from gensim.similarities import MatrixSimilarity


def build_gensim(texts):
    dictionary = Dictionary(texts)
    dictionary.filter_extremes(no_below=2, no_above=1.0, keep_n=None)
    bow = [dictionary.doc2bow(t) for t in texts]
    return dictionary, TfidfModel(bow), MatrixSimilarity(bow, num_features=len(dictionary))
