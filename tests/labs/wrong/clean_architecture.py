"""A plausible but wrong solution for the clean-architecture lab (its checks must fail)."""

import ast

import networkx as nx


def import_graph(root, package):
    # bug: relative imports (level > 0) are skipped, and `from x import y` always points
    # at x even when x.y is a module
    files = {}
    for p in sorted((root / package).rglob("*.py")):
        parts = p.relative_to(root).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    g = nx.DiGraph()
    g.add_nodes_from(files)
    for me, path in files.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                targets = [node.module]
            else:
                continue
            g.add_edges_from((me, t) for t in targets if t in files and t != me)
    return g


def layer_violations(graph, package, layers):
    # bug: the comparison is reversed, so inward imports are reported
    def layer(m):
        parts = m.split(".")
        return layers.index(parts[1]) if len(parts) > 1 and parts[1] in layers else None

    return {(a, b) for a, b in graph.edges
            if layer(a) is not None and layer(b) is not None and layer(b) > layer(a)}
