'''Another correct answer: unittest.TestCase classes and subTest tables, no hypothesis, a
brute-force reference instead of statistics.median.'''


def test_file():
    return '''\
import itertools
import unittest

import stats


def reference_median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


class MeanTest(unittest.TestCase):
    def test_values(self):
        for xs, want in [([2], 2), ([1, 2], 1.5), ([1, 2, 3, 6], 3), ([-1, 0, 4], 1)]:
            with self.subTest(xs=xs):
                self.assertAlmostEqual(stats.mean(xs), want)

    def test_empty(self):
        self.assertRaises(ValueError, stats.mean, [])


class MedianTest(unittest.TestCase):
    def test_every_small_list(self):
        for n in range(1, 5):
            for xs in itertools.product([0, 1, 3], repeat=n):
                with self.subTest(xs=xs):
                    self.assertEqual(stats.median(list(xs)), reference_median(xs))

    def test_empty(self):
        with self.assertRaises(ValueError):
            stats.median([])


class MovingAverageTest(unittest.TestCase):
    def test_every_window(self):
        xs = [4, -2, 7, 7, 0, 5]
        for k in range(1, len(xs) + 1):
            want = [sum(xs[i:i + k]) / k for i in range(len(xs) - k + 1)]
            with self.subTest(k=k):
                got = stats.moving_average(xs, k)
                self.assertEqual(len(got), len(want))
                for a, b in zip(got, want):
                    self.assertAlmostEqual(a, b)

    def test_bad_windows(self):
        for k in (-1, 0, 7):
            with self.subTest(k=k), self.assertRaises(ValueError):
                stats.moving_average([4, -2, 7, 7, 0, 5], k)


class ClipTest(unittest.TestCase):
    def test_table(self):
        for x, want in [(-1, 2), (2, 2), (3, 3), (5, 5), (9, 5)]:
            with self.subTest(x=x):
                self.assertEqual(stats.clip(x, 2, 5), want)
'''
