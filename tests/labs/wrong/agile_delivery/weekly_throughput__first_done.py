"""Bug: counts a finished issue in the week it was *first* Done, not when it was finally
done after being reopened."""

import datetime as dt


def weekly_throughput(timelines, week_starts):
    firsts = [next(t for t, s in tl if s == "Done") for tl in timelines.values()
              if tl[-1][1] == "Done"]
    week = dt.timedelta(days=7)
    return [sum(start <= f < start + week for f in firsts) for start in week_starts]
