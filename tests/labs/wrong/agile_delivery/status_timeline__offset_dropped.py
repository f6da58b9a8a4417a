"""Bug: parses the first 19 characters and labels them UTC, dropping the +0100/+0200
offset, so every instant is one or two hours late."""

import datetime as dt


def _parse(s):
    return dt.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)


def status_timeline(issue):
    pairs = [(_parse(issue["fields"]["created"]), "To Do")]
    for h in issue["changelog"]["histories"]:
        for item in h["items"]:
            if item["field"] == "status":
                pairs.append((_parse(h["created"]), item["toString"]))
    return sorted(pairs, key=lambda p: p[0])
