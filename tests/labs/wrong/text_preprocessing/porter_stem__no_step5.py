"""Bug: stops after step 4: no final-e removal, no ll -> l."""

from text_preprocessing import STEP2, STEP3, STEP4


def _m(s):
    cv = []
    for i, ch in enumerate(s):
        cv.append("v" if ch in "aeiou" or (ch == "y" and i > 0 and cv[i - 1] == "c") else "c")
    return "".join(cv).count("vc")


def porter_stem(word):
    w = word.lower()

    def cons(s, i):
        return s[i] not in "aeiou" and (s[i] != "y" or i == 0 or not cons(s, i - 1))

    def has_vowel(s):
        return any(not cons(s, i) for i in range(len(s)))

    def cvc(s):
        n = len(s)
        return (n >= 3 and cons(s, n - 3) and not cons(s, n - 2) and cons(s, n - 1)
                and s[-1] not in "wxy")

    if w.endswith(("sses", "ies")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if w.endswith("eed"):
        w = w[:-1] if _m(w[:-3]) > 0 else w
    else:
        for suffix in ("ed", "ing"):
            if w.endswith(suffix) and has_vowel(w[: -len(suffix)]):
                w = w[: -len(suffix)]
                if w.endswith(("at", "bl", "iz")):
                    w += "e"
                elif len(w) > 1 and w[-1] == w[-2] and cons(w, len(w) - 1):
                    w = w if w[-1] in "lsz" else w[:-1]
                elif _m(w) == 1 and cvc(w):
                    w += "e"
                break
    if w.endswith("y") and has_vowel(w[:-1]):
        w = w[:-1] + "i"
    for rules, m_min in ((STEP2, 0), (STEP3, 0), (STEP4, 1)):
        for suffix, rep in rules:
            if w.endswith(suffix):
                stem = w[: -len(suffix)]
                if _m(stem) > m_min and (suffix != "ion" or stem[-1:] in "st"):
                    w = stem + rep
                break
    return w
