"""Bug: keeps making windows until the start passes the end, leaving a tail chunk that
lies wholly inside the one before it."""


def chunk_words(text, size, overlap):
    words = text.split()
    return [" ".join(words[s : s + size]) for s in range(0, len(words), size - overlap)]
