"""A plausible but wrong solution for the testing-quality lab (its checks must fail)."""

import ast

SWAP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
        ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
SYMBOL = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}


def median_property(median_fn, xs):
    # bug: too weak - only checks the result lies between min and max
    m = median_fn(list(xs))
    return min(xs) <= m <= max(xs)


def mutants(source):
    # bug: forgets arithmetic operators (+/-), mutates comparisons only
    out = []
    n_nodes = len(list(ast.walk(ast.parse(source))))
    for i in range(n_nodes):
        tree = ast.parse(source)
        node = list(ast.walk(tree))[i]
        if isinstance(node, ast.Compare) and type(node.ops[0]) in SWAP:
            old = node.ops[0]
            node.ops[0] = SWAP[type(old)]()
            out.append((f"{node.lineno}: {SYMBOL[type(old)]} -> {SYMBOL[type(node.ops[0])]}",
                        ast.unparse(tree)))
    return out
