import app


def test_total_adds_prices():
    assert app.total([1.5, 2.5]) == 4.0


def test_total_applies_a_discount():
    assert app.total([10.0, 10.0], discount=0.25) == 15.0


def test_total_of_nothing_is_zero():
    assert app.total([]) == 0.0
