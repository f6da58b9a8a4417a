"""A plausible but wrong solution for the agile-delivery lab (its checks must fail)."""

import datetime as dt


def burndown(stories, days):
    # bug: a story done today still counts as open today (>= instead of >)
    return [sum(s["points"] for s in stories if s["added_day"] <= d
                and (s["done_day"] is None or s["done_day"] >= d)) for d in range(days + 1)]


def cycle_times(tickets):
    # bug: lead time (created -> done) instead of cycle time (started -> done)
    return [(t["done"] - t["created"]).days for t in tickets]


def wip_per_day(tickets, first, last):
    # bug: counts a ticket on its done day too (<= instead of <)
    n = (last - first).days
    days = [first + dt.timedelta(days=i) for i in range(n)]
    return [sum(t["started"] <= d <= t["done"] for t in tickets) for d in days]
