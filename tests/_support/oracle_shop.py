"""The "shop" repository the oracle tests record and replay (see oracle_fixtures.py)."""

from __future__ import annotations

from agentic_action.model import FunctionTarget

ORIGINAL = '''\
import functools


def total(xs, scale=1):
    """Sum of xs, times scale."""
    return sum(xs) * scale


def parse(text):
    return int(text)


@functools.lru_cache(maxsize=None)
def _square(x):
    return x * x


def squares(n):
    before = _square.cache_info().misses
    values = [_square(i) for i in range(n)]
    return values, _square.cache_info().misses - before
'''

TESTS = """\
import pytest

from shop.calc import parse, squares, total


def test_total():
    assert total([1, 2, 3]) == 6
    assert total([2], scale=3) == 6
    assert total([1.5, 2.5]) == 4.0


def test_parse():
    assert parse("12") == 12
    with pytest.raises(ValueError):
        parse("twelve")


def test_squares():
    assert squares(3)[0] == [0, 1, 4]
    assert squares(2)[0] == [0, 1]
"""

TOTAL = FunctionTarget("shop/calc.py", "total", 4, 6)
PARSE = FunctionTarget("shop/calc.py", "parse", 9, 10)
SQUARES = FunctionTarget("shop/calc.py", "squares", 18, 21)
