"""Another idiom: spaCy's English class, Gensim's filter_tokens by counted document
frequency, a word-by-word prediction without regular expressions."""

from gensim import corpora, models, similarities
from spacy.lang.en import English

ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.")


def build_spacy():
    nlp = English()
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lemmatizer.initialize()
    return nlp


def build_gensim(texts):
    dictionary = corpora.Dictionary(texts)
    rare = [tid for tid, df in dictionary.dfs.items() if df < 2]
    dictionary.filter_tokens(bad_ids=rare)
    dictionary.compactify()
    corpus = [dictionary.doc2bow(doc) for doc in texts]
    tfidf = models.TfidfModel(corpus, id2word=dictionary)
    index = similarities.MatrixSimilarity([tfidf[v] for v in corpus],
                                          num_features=len(dictionary))
    return dictionary, tfidf, index


def tokenizers_disagree(sentence):
    if '"' in sentence:
        return True
    for a, b, c in zip(sentence, sentence[1:], sentence[2:], strict=False):
        if a.isalpha() and b == "-" and c.isalpha():
            return True
    words = sentence.split()
    for word in words[:-1]:  # a word that is followed by more text
        if word.endswith(".") and word[:-1].isalpha() and word not in ABBREVIATIONS:
            return True
    return False
