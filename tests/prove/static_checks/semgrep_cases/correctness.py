# ruff: noqa
# Cases for agentic_action/prove/semgrep_rules/correctness.yaml.
import functools
import gc
import sys
from functools import cache, lru_cache


def validate(value):
    # ruleid: assert-used-for-validation
    assert value > 0, "value must be positive"
    # ok: assert-used-for-validation
    if value > 10:
        raise ValueError(value)
    return value


def guarded(action):
    # ruleid: bare-except
    try:
        action()
    except:
        pass
    # ok: bare-except
    try:
        action()
    except ValueError:
        pass


# ruleid: mutable-default-argument
def collect(item, into=[]):
    into.append(item)
    return into


# ruleid: mutable-default-argument
def tally(item, counts: dict = {}):
    return counts


# ruleid: mutable-default-argument
def gather(item, seen=set()):
    return seen


# ok: mutable-default-argument
def collect_safely(item, into=None, limit=(), name="x"):
    return into


def compare(x, name):
    # ruleid: identity-comparison-with-literal
    if x is 1000:
        return True
    # ruleid: identity-comparison-with-literal
    if name is not "admin":
        return False
    # ok: identity-comparison-with-literal
    if x is None or x is True or x is ...:
        return None
    # ok: identity-comparison-with-literal
    return x == 1000


def grid(n):
    # ruleid: list-multiplication-aliasing
    rows = [[0] * n] * n
    # ruleid: list-multiplication-aliasing
    buckets = dict.fromkeys(range(n), [])
    # ok: list-multiplication-aliasing
    fresh = [[0] * n for _ in range(n)]
    # ok: list-multiplication-aliasing
    flat = [0] * n
    return rows, buckets, fresh, flat


class Shape:
    # ruleid: cache-on-method
    @functools.lru_cache(maxsize=None)
    def area(self):
        return 1

    # ruleid: cache-on-method
    @cache
    def perimeter(self):
        return 2

    # ok: cache-on-method
    @staticmethod
    @lru_cache
    def unit(size):
        return size

    # ok: cache-on-method
    @functools.cached_property
    def volume(self):
        return 3


# ok: cache-on-method
@functools.lru_cache(maxsize=128)
def module_level(x):
    return x


def speed_hacks():
    # ruleid: interpreter-state-change
    gc.disable()
    # ruleid: interpreter-state-change
    sys.setrecursionlimit(100000)
    # ok: interpreter-state-change
    gc.collect()
    # ok: interpreter-state-change
    return sys.getrecursionlimit()
