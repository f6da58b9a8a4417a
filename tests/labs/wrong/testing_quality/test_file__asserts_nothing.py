"""Bug: the tests call every function but assert nothing (100% line coverage)."""


def test_file():
    return '''\
"""Tests for stats.py: every line runs."""

import stats


def test_everything_runs():
    stats.mean([1, 2, 3, 6])
    stats.median([3, 1, 2])
    stats.median([4, 1, 3, 2])
    stats.moving_average([1, 2, 3, 4], 2)
    for x in (-5, 5, 15):
        stats.clip(x, 0, 10)
'''
