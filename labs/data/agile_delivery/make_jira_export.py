"""Write jira_export.json: an ML team's tracker history shaped like a Jira Cloud export.

The shape is that of Jira's REST search with ``expand=changelog`` (issues, fields,
changelog.histories[].items[]); the team, tickets and times are invented. Times are local
to Europe/Madrid, so offsets change from +0100 to +0200 at the DST switch of 2024-03-31.

    $ python labs/data/agile_delivery/make_jira_export.py
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Madrid")
STATUS_ID = {"To Do": "10000", "In Progress": "3", "In Review": "10001", "Done": "10002"}
CODE = {"T": "To Do", "P": "In Progress", "R": "In Review", "D": "Done"}
TEAM = ["Ana Ruiz", "Ben Okafor", "Chen Wei", "Dana Levi"]
SPRINTS = {1: ("2024-03-04 10:00", "2024-03-15 18:00", "closed"),
           2: ("2024-03-18 10:00", "2024-03-29 18:00", "closed"),
           3: ("2024-04-01 10:00", "2024-04-12 18:00", "active")}
EXPORTED_AT = "2024-04-10 17:30"

# key, type, points, summary, created, sprint changes [(time, sprints after)],
# status changes "MM-DD HH:MM X" with X the new status (T/P/R/D)
TICKETS = [
    ("RL-1", "Story", 3, "Set up data pipeline", "02-26 11:20", [("03-04 09:40", [1])],
     ["03-04 10:30 P", "03-06 15:10 R", "03-07 11:45 D"]),
    ("RL-2", "Story", 5, "Baseline model", "02-26 11:25", [("03-04 09:40", [1])],
     ["03-04 11:00 P", "03-08 16:20 R", "03-11 09:50 P", "03-11 17:05 R", "03-12 10:15 D"]),
    ("RL-3", "Bug", 1, "Tokenizer crashes on emoji", "03-05 14:02", [("03-05 14:10", [1])],
     ["03-05 14:30 P", "03-06 09:55 D"]),
    ("RL-4", "Story", 3, "Evaluation harness", "02-27 10:00", [("03-04 09:41", [1])],
     ["03-06 10:05 P", "03-11 12:30 R", "03-12 14:40 D"]),
    ("RL-5", "Task", 2, "API docs", "02-28 16:45", [("03-04 09:41", [1])],
     ["03-07 13:20 P", "03-08 11:00 R", "03-08 15:30 D", "03-11 10:20 P", "03-12 09:40 R",
      "03-12 16:05 D"]),
    ("RL-6", "Story", 3, "Fine-tuning config", "03-01 09:15", [("03-04 09:42", [1])],
     ["03-08 09:30 P", "03-13 11:15 R", "03-14 10:30 D"]),
    ("RL-7", "Bug", 1, "Flaky CI test", "03-08 17:50", [("03-11 09:05", [1])],
     ["03-11 09:20 P", "03-11 15:00 R", "03-11 16:45 D"]),
    ("RL-8", "Story", 5, "Mixed-precision training", "03-01 09:30",
     [("03-04 09:42", [1]), ("03-18 09:35", [1, 2])],
     ["03-11 11:00 P", "03-15 14:20 R", "03-19 10:10 D"]),
    ("RL-9", "Story", 3, "Metrics dashboard", "03-01 10:00", [("03-04 09:43", [1])],
     ["03-12 10:00 P", "03-14 16:30 R", "03-15 11:20 D"]),
    ("RL-10", "Task", 2, "Data leakage check", "03-11 13:00", [("03-12 09:15", [1])],
     ["03-13 09:30 P", "03-14 12:00 D"]),
    ("RL-11", "Story", 5, "ONNX export", "03-06 10:30", [("03-18 09:36", [2])],
     ["03-18 11:00 P", "03-21 15:40 R", "03-22 10:05 D"]),
    ("RL-12", "Bug", 2, "GPU out-of-memory fix", "03-15 17:20", [("03-18 09:36", [2])],
     ["03-18 10:40 P", "03-19 14:00 R", "03-19 17:30 D", "03-22 09:15 P", "03-25 11:30 R",
      "03-26 09:45 D"]),
    ("RL-13", "Story", 3, "Hyperparameter sweep", "03-07 12:00", [("03-18 09:37", [2])],
     ["03-19 09:30 P", "03-22 16:00 R", "03-25 14:15 D"]),
    ("RL-14", "Task", 1, "Release notes", "03-12 15:00", [("03-18 09:37", [2])],
     ["03-20 10:00 P", "03-20 15:00 R", "03-21 09:30 D"]),
    ("RL-15", "Task", 2, "Model card", "03-13 11:10", [("03-18 09:38", [2])],
     ["03-21 11:00 P", "03-25 10:30 R", "03-26 15:20 D"]),
    ("RL-16", "Story", 3, "Latency benchmark", "03-14 09:45", [("03-18 09:38", [2])],
     ["03-22 13:00 P", "03-27 11:00 R", "03-28 10:40 D"]),
    ("RL-17", "Story", 2, "Retry logic for inference", "03-20 10:10", [("03-20 10:15", [2])],
     ["03-25 09:20 P", "03-26 14:30 R", "03-27 09:50 D"]),
    ("RL-18", "Bug", 1, "Logging level bug", "03-25 16:00", [("03-25 16:05", [2])],
     ["03-26 09:10 P", "03-26 11:30 D"]),
    ("RL-19", "Story", 5, "Canary deployment", "03-11 16:20",
     [("03-18 09:39", [2]), ("04-01 09:35", [2, 3])],
     ["04-02 10:00 P", "04-05 15:00 R", "04-08 11:20 D"]),
    ("RL-20", "Task", 1, "Incident postmortem", "03-27 09:00", [("03-27 09:05", [2])],
     ["03-27 10:00 P", "03-28 12:00 R", "03-28 16:30 D"]),
    ("RL-21", "Story", 3, "Quantization study", "03-20 14:00", [("04-01 09:36", [3])],
     ["04-01 11:00 P", "04-03 16:00 R", "04-04 10:30 D"]),
    ("RL-22", "Story", 5, "Distillation baseline", "03-21 10:00", [("04-01 09:36", [3])],
     ["04-02 09:30 P", "04-08 14:00 R"]),
    ("RL-23", "Bug", 2, "Wrong padding mask", "04-02 11:00", [("04-02 11:05", [3])],
     ["04-02 11:30 P", "04-03 10:00 R", "04-03 15:00 D", "04-08 09:40 P"]),
    ("RL-24", "Task", 2, "Dashboard alerts", "03-25 12:30", [("04-01 09:37", [3])],
     ["04-04 09:00 P", "04-05 17:00 D"]),
    ("RL-25", "Story", 3, "Batch inference API", "03-26 15:00", [("04-01 09:37", [3])],
     ["04-08 10:00 P"]),
    ("RL-26", "Task", 1, "Upgrade CUDA base image", "03-28 11:00", [("04-01 09:38", [3])], []),
    ("RL-27", "Story", 2, "Tokenizer speedup", "04-03 09:30", [], []),
    ("RL-28", "Bug", None, "Broken docs link", "04-09 14:20", [], ["04-10 09:00 P",
                                                                    "04-10 10:15 D"]),
]


def stamp(text: str, second: int = 0) -> str:
    """'MM-DD HH:MM' (2024, Madrid time) -> Jira's '2024-03-04T10:30:12.000+0100'."""
    t = dt.datetime.strptime(f"2024-{text}", "%Y-%m-%d %H:%M").replace(second=second, tzinfo=TZ)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000%z")


def sprint_names(ids: list) -> str:
    return ", ".join(f"RL Sprint {i}" for i in ids)


def main() -> None:
    issues, hid = [], 20000
    for n, (key, kind, points, summary, created, sprints, moves) in enumerate(TICKETS):
        who = TEAM[n % len(TEAM)]
        histories, status, prev = [], "To Do", []
        for when, ids in sprints:
            hid += 1
            histories.append({"id": str(hid), "author": {"displayName": TEAM[0]},
                              "created": stamp(when, hid % 60),
                              "items": [{"field": "Sprint", "fieldtype": "custom",
                                         "fromString": sprint_names(prev),
                                         "toString": sprint_names(ids)}]})
            prev = ids
        for i, move in enumerate(moves):
            when, new = move.rsplit(" ", 1)
            new, hid = CODE[new], hid + 1
            items = [{"field": "status", "fieldtype": "jira", "from": STATUS_ID[status],
                      "fromString": status, "to": STATUS_ID[new], "toString": new}]
            if new == "Done":  # Jira sets the resolution in the same history, listed first
                items.insert(0, {"field": "resolution", "fieldtype": "jira",
                                 "fromString": None, "toString": "Done"})
            elif status == "Done":  # reopened: the resolution is cleared
                items.insert(0, {"field": "resolution", "fieldtype": "jira",
                                 "fromString": "Done", "toString": None})
            elif i == 0:  # picking a ticket up assigns it
                items.insert(0, {"field": "assignee", "fieldtype": "jira",
                                 "fromString": None, "toString": who})
            histories.append({"id": str(hid), "author": {"displayName": who},
                              "created": stamp(when, (7 * hid) % 60), "items": items})
            status = new
        histories.sort(key=lambda h: h["created"], reverse=True)  # this export: newest first
        last_sprints = sprints[-1][1] if sprints else []
        fields = {
            "summary": summary, "issuetype": {"name": kind}, "created": stamp(created, 5),
            "status": {"name": status}, "customfield_10016": points,
            "customfield_10020": [{"id": i, "name": f"RL Sprint {i}", "state": SPRINTS[i][2],
                                   "startDate": stamp(SPRINTS[i][0][5:]),
                                   "endDate": stamp(SPRINTS[i][1][5:])}
                                  for i in last_sprints] or None,
            "resolutiondate": next((h["created"] for h in histories
                                    if h["items"][-1]["toString"] == "Done"), None)
            if status == "Done" else None,
        }
        issues.append({"id": str(10001 + n), "key": key, "fields": fields,
                       "changelog": {"startAt": 0, "maxResults": len(histories),
                                     "total": len(histories), "histories": histories}})
    export = {"expand": "names,schema", "startAt": 0, "maxResults": 100, "total": len(issues),
              "exportedAt": stamp(EXPORTED_AT[5:]), "issues": issues}
    out = Path(__file__).with_name("jira_export.json")
    out.write_text(json.dumps(export, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out} ({len(issues)} issues)")


if __name__ == "__main__":
    main()
