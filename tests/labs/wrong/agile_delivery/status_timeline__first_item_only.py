"""Bug: assumes one change per history and reads only items[0], so a status change listed
after the resolution (every move to Done) or the assignee is lost."""

import datetime as dt


def status_timeline(issue):
    pairs = [(dt.datetime.fromisoformat(issue["fields"]["created"]), "To Do")]
    for h in issue["changelog"]["histories"]:
        item = h["items"][0]
        if item["field"] == "status":
            pairs.append((dt.datetime.fromisoformat(h["created"]), item["toString"]))
    return sorted(pairs, key=lambda p: p[0])
