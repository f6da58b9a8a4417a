"""Bug: merges only the bases' linearisations and forgets the list of bases itself, so the
declared order of the bases is not enforced (Z(X, Y) with Y a subclass of X is accepted)."""


def c3_linearize(bases, name):
    seqs = [c3_linearize(bases, b) for b in bases[name]]
    out = [name]
    while any(seqs):
        seqs = [s for s in seqs if s]
        head = next((s[0] for s in seqs if not any(s[0] in t[1:] for t in seqs)), None)
        if head is None:
            raise TypeError(f"no consistent MRO for {name}")
        out.append(head)
        seqs = [s[1:] if s[0] == head else s for s in seqs]
    return out
