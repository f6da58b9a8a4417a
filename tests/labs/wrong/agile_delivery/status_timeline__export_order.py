"""Bug: keeps the histories in the export's order (newest first here) instead of sorting
them by time."""

import datetime as dt


def status_timeline(issue):
    pairs = [(dt.datetime.fromisoformat(issue["fields"]["created"]), "To Do")]
    for h in issue["changelog"]["histories"]:
        for item in h["items"]:
            if item["field"] == "status":
                pairs.append((dt.datetime.fromisoformat(h["created"]), item["toString"]))
    return pairs
