"""Bug: Python 2's classic rule, depth-first left-to-right keeping the first visit: a shared
base comes before the siblings that also derive from it, and nothing is ever refused."""


def c3_linearize(bases, name):
    out = []

    def visit(n):
        if n not in out:
            out.append(n)
        for b in bases[n]:
            visit(b)

    visit(name)
    return out
