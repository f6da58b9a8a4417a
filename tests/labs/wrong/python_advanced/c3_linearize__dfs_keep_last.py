"""Bug: Python 2.2's rule, depth-first left-to-right keeping only the *last* visit of each
class; right on a simple diamond, wrong on deeper hierarchies, and it never refuses one."""


def c3_linearize(bases, name):
    order = []

    def visit(n):
        order.append(n)
        for b in bases[n]:
            visit(b)

    visit(name)
    return [n for i, n in enumerate(order) if n not in order[i + 1:]]
