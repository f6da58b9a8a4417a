"""Tests for stats.py: unit, property-based (hypothesis), integration and performance."""

import statistics
import time

import pytest
import stats
from hypothesis import given, settings
from hypothesis import strategies as st

FAST = settings(max_examples=30, derandomize=True, database=None, deadline=None)


# ------------------------------------------------------------------ unit tests
def test_mean():
    assert stats.mean([1, 2, 3, 6]) == 3


def test_median_odd_and_even():
    assert stats.median([3, 1, 2]) == 2
    assert stats.median([4, 1, 3, 2]) == 2.5


def test_empty_input_raises():
    with pytest.raises(ValueError):
        stats.mean([])
    with pytest.raises(ValueError):
        stats.median([])


def test_moving_average_edges():
    assert stats.moving_average([1, 2, 3, 4], 1) == [1, 2, 3, 4]
    assert stats.moving_average([1, 2, 3, 4], 4) == [2.5]
    assert stats.moving_average([1, 2, 3, 4], 2) == [1.5, 2.5, 3.5]
    for k in (0, 5):
        with pytest.raises(ValueError):
            stats.moving_average([1, 2, 3, 4], k)


def test_clip():
    assert [stats.clip(x, 0, 10) for x in (-5, 0, 5, 10, 15)] == [0, 0, 5, 10, 10]


# ---------------------------------------------------------- property-based tests
@FAST
@given(st.lists(st.integers(-100, 100), min_size=1, max_size=30))
def test_median_matches_statistics(xs):
    assert stats.median(xs) == statistics.median(xs)


@FAST
@given(st.lists(st.integers(-100, 100), min_size=1, max_size=30), st.integers(1, 30))
def test_moving_average_is_windowed_mean(xs, k):
    k = min(k, len(xs))
    got = stats.moving_average(xs, k)
    want = [sum(xs[i:i + k]) / k for i in range(len(xs) - k + 1)]
    assert got == pytest.approx(want)


# ----------------------------------------------------------- integration test
def test_pipeline_clip_smooth_summarise():
    raw = [3, 120, 5, 7, -40, 9, 11, 250, 13]  # sensor readings with outliers
    clean = [stats.clip(x, 0, 20) for x in raw]
    smooth = stats.moving_average(clean, 3)
    assert clean == [3, 20, 5, 7, 0, 9, 11, 20, 13]
    assert len(smooth) == len(raw) - 2
    assert stats.median(smooth) == pytest.approx(28 / 3)
    assert stats.mean(smooth) == pytest.approx(sum(smooth) / 7)


# ------------------------------------------------------------ performance test
def test_moving_average_is_linear_time():
    xs = list(range(100_000))
    t0 = time.perf_counter()
    stats.moving_average(xs, 5_000)
    assert time.perf_counter() - t0 < 1.0  # O(n): ~0.05 s; re-summing each window: seconds
