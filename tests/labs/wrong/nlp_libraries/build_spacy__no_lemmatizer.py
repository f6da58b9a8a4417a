"""Bug: a blank pipeline alone; it tokenizes but no component sets lemma_."""

import spacy


def build_spacy():
    return spacy.blank("en")
