"""Bug: splits on single spaces, so double spaces make empty words and newlines glue two."""


def chunk_words(text, size, overlap):
    words = text.split(" ")
    chunks, start = [], 0
    while True:
        chunks.append(" ".join(words[start : start + size]))
        if start + size >= len(words):
            return chunks
        start += size - overlap
