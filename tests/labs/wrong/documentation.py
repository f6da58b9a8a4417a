"""A plausible but wrong solution for the documentation lab (its checks must fail)."""

import ast
import re


def docstring_coverage(source):
    # bug: only dunders are treated as private (so _check counts), and methods are skipped
    tree = ast.parse(source)
    items = [("<module>", tree)] + [
        (n.name, n) for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("__")]
    missing = sorted(name for name, node in items if not ast.get_docstring(node))
    return len(items) - len(missing), len(items), missing


def param_mismatches(source):
    # bug: "width, height : float" is read as one parameter named "width, height"
    out = {}
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.name.startswith("_"):
            continue
        doc = ast.get_docstring(node) or ""
        m = re.search(r"^Parameters\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", doc, re.S | re.M)
        if not m:
            continue
        documented = {ln.split(":")[0].strip() for ln in m.group(1).splitlines()
                      if ln and not ln[0].isspace()}
        if isinstance(node, ast.ClassDef):
            params = {s.target.id for s in node.body if isinstance(s, ast.AnnAssign)}
        else:
            params = {a.arg for a in node.args.args}
        if params != documented:
            out[node.name] = (sorted(params - documented), sorted(documented - params))
    return out
