"""Bug: splits on whitespace only; punctuation stays glued to the words."""


def tokenize(text):
    return text.split()
