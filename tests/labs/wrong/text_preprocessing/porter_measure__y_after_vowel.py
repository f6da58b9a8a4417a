"""Bug: the "y" rule upside down: a vowel after a vowel, a consonant after a consonant."""


def porter_measure(stem):
    cv = []
    for i, ch in enumerate(stem):
        vowel = ch in "aeiou" or (ch == "y" and i > 0 and cv[i - 1] == "v")
        cv.append("v" if vowel else "c")
    return "".join(cv).count("vc")
