"""A deliberately wrong solution: ours/theirs swapped (the top of a hunk is *ours*, the
current branch), every common ancestor reported as a merge base, and (ahead, behind)
returned in the wrong order."""


def resolve_conflicts(text, prefer):
    out, state = [], "normal"
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<<"):
            state = "top"
        elif line.startswith("======="):
            state = "bottom"
        elif line.startswith(">>>>>>>"):
            state = "normal"
        elif state == "normal" or prefer == "union" or (
                state == "top" and prefer == "theirs") or (state == "bottom" and prefer == "ours"):
            out.append(line)
    return "".join(out)


def _ancestors(parents, commit):
    seen, stack = set(), [commit]
    while stack:
        c = stack.pop()
        if c not in seen:
            seen.add(c)
            stack.extend(parents.get(c, ()))
    return seen


def merge_base(parents, a, b):
    return _ancestors(parents, a) & _ancestors(parents, b)  # not only the best ones


def ahead_behind(parents, a, b):
    left, right = _ancestors(parents, a), _ancestors(parents, b)
    return len(right - left), len(left - right)  # swapped
