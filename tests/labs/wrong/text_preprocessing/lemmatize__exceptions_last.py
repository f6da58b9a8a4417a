"""Bug: the exception lemmas go to the back of the list, so a regular rule's known
candidate wins over the irregular form ("axes" -> "axe", not "axis")."""


def lemmatize(word, pos, tables):
    s = word.lower()
    forms, oov = [], []
    for old, new in tables["rules"].get(pos, []):
        if s.endswith(old):
            form = s[: len(s) - len(old)] + new
            if not form:
                continue
            if form in tables["index"].get(pos, ()):
                forms.insert(0, form)
            elif not form.isalpha():
                forms.append(form)
            else:
                oov.append(form)
    forms = list(dict.fromkeys(forms))
    for form in tables["exc"].get(pos, {}).get(s, []):
        if form not in forms:
            forms.append(form)
    return (forms or oov or [word])[0]
