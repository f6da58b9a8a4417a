"""A tiny shop app: the project the ci-cd lab's workflow lints, tests, builds and deploys."""

import sys

__version__ = "1.0.0"


def total(prices: list[float], discount: float = 0.0) -> float:
    """Sum of the prices, less a fractional discount (0.1 = 10% off)."""
    return round(sum(prices) * (1.0 - discount), 2)


def main() -> None:
    if "--version" in sys.argv:
        print(f"shop {__version__}")
    else:
        print(total([float(x) for x in sys.argv[1:]]))
