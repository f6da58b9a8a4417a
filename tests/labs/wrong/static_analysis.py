"""A plausible but wrong solution for the static-analysis lab (its checks must fail)."""

import json
import re


def parse_findings(tool, output):
    if tool == "ruff":
        # bug: the column, not the row
        return {(d["location"]["column"], d["code"]) for d in json.loads(output)}
    if tool == "pylint":
        # bug: the symbolic name (unused-argument) instead of the message id (W0613)
        return {(m["line"], m["symbol"]) for m in json.loads(output)["messages"]}
    # bug: every "file:line: ..." line counts, notes included; code = last word
    found = set()
    for ln in output.splitlines():
        parts = ln.split(":")
        if len(parts) > 2 and parts[1].isdigit():
            found.add((int(parts[1]), ln.split()[-1].strip("[]")))
    return found


def black_changed_lines(diff):
    # bug: numbers the added lines in the new file instead of the removed original lines
    changed, line = set(), 0
    for ln in diff.splitlines():
        if ln.startswith("@@"):
            line = int(re.match(r"@@ -\d+(?:,\d+)? \+(\d+)", ln).group(1))
        elif ln.startswith("+") and not ln.startswith("+++"):
            changed.add(line)
            line += 1
        elif ln.startswith(" "):
            line += 1
    return changed
