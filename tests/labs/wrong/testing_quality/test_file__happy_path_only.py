"""Bug: one happy-path example per function: no edge, no duplicate, no property."""


def test_file():
    return '''\
"""Tests for stats.py."""

import stats


def test_mean():
    assert stats.mean([1, 2, 3, 6]) == 3


def test_median():
    assert stats.median([3, 1, 2]) == 2


def test_moving_average():
    assert stats.moving_average([1, 2, 3, 4], 2) == [1.5, 2.5, 3.5]


def test_clip():
    assert stats.clip(5, 0, 10) == 5
'''
