"""Bug: the lemmatizer's default "rule" mode, which needs POS tags a blank pipeline lacks."""

import spacy


def build_spacy():
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer")
    nlp.initialize()
    return nlp
