"""Bug: steps by ``size`` and then backs up by ``overlap`` only for the next chunk's end."""


def chunk_words(text, size, overlap):
    words = text.split()
    return [" ".join(words[max(0, s - overlap) : s + size - overlap])
            for s in range(0, len(words), size)]
