"""Bug: looks the word up as written, so "Feet" misses the exception table."""


def lemmatize(word, pos, tables):
    s = word
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
            forms.insert(0, form)
    return (forms or oov or [word])[0]
