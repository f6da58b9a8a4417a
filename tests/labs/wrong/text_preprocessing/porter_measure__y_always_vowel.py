"""Bug: treats every "y" as a vowel, so "toy" and "yoyo" get the wrong measure."""


def porter_measure(stem):
    cv = "".join("v" if ch in "aeiouy" else "c" for ch in stem)
    return cv.count("vc")
