"""Bug: counts consonant -> vowel transitions (CV) instead of VC."""


def porter_measure(stem):
    cv = []
    for i, ch in enumerate(stem):
        vowel = ch in "aeiou" or (ch == "y" and i > 0 and cv[i - 1] == "c")
        cv.append("v" if vowel else "c")
    return "".join(cv).count("cv")
