"""Bug: after taking a head, keeps scanning the *next* lists instead of starting again from
the first list, so a later list's head can jump ahead of an earlier one's."""


def c3_linearize(bases, name):
    seqs = [c3_linearize(bases, b) for b in bases[name]] + [list(bases[name])]
    out, i = [name], 0
    while any(seqs):
        seqs = [s for s in seqs if s]
        for j in range(len(seqs)):
            s = seqs[(i + j) % len(seqs)]
            if not any(s[0] in t[1:] for t in seqs):
                head, i = s[0], (i + j + 1) % len(seqs)
                break
        else:
            raise TypeError(f"no consistent MRO for {name}")
        out.append(head)
        seqs = [s[1:] if s[0] == head else s for s in seqs]
    return out
