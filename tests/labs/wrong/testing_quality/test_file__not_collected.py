"""Bug: functions named check_*: pytest collects no test at all (exit 5)."""


def test_file():
    return '''\
"""Tests for stats.py: unit, edge-case, property-based and integration tests."""

import statistics

import pytest
import stats
from hypothesis import given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=40, derandomize=True, database=None, deadline=None)
LISTS = st.lists(st.integers(-20, 20), min_size=1, max_size=12)


def check_mean_is_not_floored():
    assert stats.mean([1, 2, 3, 6]) == 3
    assert stats.mean([1, 2]) == 1.5


@pytest.mark.parametrize("fn", [stats.mean, stats.median])
def check_empty_input_raises(fn):
    with pytest.raises(ValueError):
        fn([])


def check_median_odd_even_and_duplicates():
    assert stats.median([3, 1, 2]) == 2
    assert stats.median([4, 1, 3, 2]) == 2.5
    assert stats.median([1, 1, 5]) == 1


@FAST
@given(LISTS)
def check_median_matches_statistics(xs):
    assert stats.median(xs) == statistics.median(xs)


@FAST
@given(LISTS)
def check_mean_matches_statistics(xs):
    assert stats.mean(xs) == pytest.approx(statistics.fmean(xs))


def check_moving_average_edges():
    assert stats.moving_average([1, 2, 3, 4], 1) == [1, 2, 3, 4]
    assert stats.moving_average([1, 2, 3, 4], 4) == [2.5]
    assert stats.moving_average([1, 2, 3, 4], 2) == [1.5, 2.5, 3.5]
    for k in (0, 5):
        with pytest.raises(ValueError):
            stats.moving_average([1, 2, 3, 4], k)


@FAST
@given(LISTS, st.integers(1, 12))
def check_moving_average_is_windowed_mean(xs, k):
    k = min(k, len(xs))
    want = [sum(xs[i:i + k]) / k for i in range(len(xs) - k + 1)]
    assert stats.moving_average(xs, k) == pytest.approx(want)


def check_clip_below_inside_above_and_at_the_bounds():
    assert [stats.clip(x, 0, 10) for x in (-5, 0, 5, 10, 15)] == [0, 0, 5, 10, 10]


def check_pipeline_clip_smooth_summarise():
    clean = [stats.clip(x, 0, 20) for x in [3, 120, 5, 7, -40, 9, 11, 250, 13]]
    smooth = stats.moving_average(clean, 3)
    assert clean == [3, 20, 5, 7, 0, 9, 11, 20, 13]
    assert stats.median(smooth) == pytest.approx(28 / 3)
'''
