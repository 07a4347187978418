# ruff: noqa: E501, E741  (a data module: candidate sources are kept one statement a line)
"""The trap corpus's data: small modules with tests, and candidates for their functions.

Each wrong candidate passes the module's tests (they exercise the ordinary inputs only) and is
wrong on inputs the tests never tried; each correct candidate is a plausible faster rewrite that
behaves the same on every input. ``benchmarks/trap_corpus.py`` runs them through the gate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trap:
    category: str
    module: str  # file stem under traps/
    function: str
    candidate: str  # the whole new definition of the function
    wrong: bool
    why: str


HASH = '''import collections


def dedupe(items):
    """The items without repeats, in first-seen order. Items may be unhashable."""
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def count_each(items):
    """(item, count) pairs in first-seen order. Items may be unhashable."""
    pairs = []
    for item in items:
        for pair in pairs:
            if pair[0] == item:
                pair[1] += 1
                break
        else:
            pairs.append([item, 1])
    return [(p[0], p[1]) for p in pairs]


def contains_all(haystack, needles):
    """Whether every needle is in the haystack."""
    for needle in needles:
        found = False
        for item in haystack:
            if item == needle:
                found = True
                break
        if not found:
            return False
    return True


def unique_sorted(items):
    """The distinct items, sorted."""
    out = []
    for item in sorted(items):
        if not out or out[-1] != item:
            out.append(item)
    return out
'''
HASH_TESTS = """from traps.hashing import contains_all, count_each, dedupe, unique_sorted


def test_dedupe():
    assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]
    assert dedupe(["b", "a", "b"]) == ["b", "a"]


def test_count_each():
    assert count_each(["a", "b", "a"]) == [("a", 2), ("b", 1)]


def test_contains_all():
    assert contains_all([1, 2, 3], [3, 1])
    assert not contains_all([1, 2], [4])


def test_unique_sorted():
    assert unique_sorted([3, 1, 3, 2]) == [1, 2, 3]
"""

ORDER = '''import heapq


def rank(records):
    """(name, score) records by descending score; ties keep their input order."""
    out = []
    for record in records:
        i = len(out)
        while i > 0 and out[i - 1][1] < record[1]:
            i -= 1
        out.insert(i, record)
    return out


def merge(base, extra):
    """base updated with extra (keys of base first, in their order)."""
    out = {}
    for key in base:
        out[key] = base[key]
    for key in extra:
        out[key] = extra[key]
    return out


def top(values, n):
    """The n largest values, largest first."""
    ordered = sorted(values, reverse=True)
    return ordered[:n]
'''
ORDER_TESTS = """from traps.ordering import merge, rank, top


def test_rank():
    assert rank([("a", 1), ("b", 3), ("c", 2)]) == [("b", 3), ("c", 2), ("a", 1)]


def test_merge():
    assert merge({"a": 1, "b": 2}, {"b": 3, "c": 4}) == {"a": 1, "b": 3, "c": 4}


def test_top():
    assert top([5, 1, 4, 2], 2) == [5, 4]
"""

ERRORS = '''def parse_port(text):
    """The port number in text; ValueError when out of range."""
    value = int(text)
    if not 0 < value < 65536:
        raise ValueError(f"port out of range: {value}")
    return value


def first(items):
    """The first item; IndexError when there is none."""
    for item in items:
        return item
    raise IndexError("no items")


def ratio(a, b):
    """a / b; ZeroDivisionError when b is zero."""
    if b == 0:
        raise ZeroDivisionError("b is zero")
    return a / b


def field(record, key):
    """record[key]; KeyError naming the key when it is missing."""
    if key not in record:
        raise KeyError(key)
    return record[key]
'''
ERRORS_TESTS = """import pytest

from traps.errors import field, first, parse_port, ratio


def test_parse_port():
    assert parse_port("8080") == 8080
    with pytest.raises(ValueError):
        parse_port("0")


def test_first():
    assert first([4, 5]) == 4
    with pytest.raises(IndexError):
        first([])


def test_ratio():
    assert ratio(3, 4) == 0.75
    with pytest.raises(ZeroDivisionError):
        ratio(1, 0)


def test_field():
    assert field({"a": 1}, "a") == 1
    with pytest.raises(KeyError):
        field({}, "a")
"""

ALIAS = '''def normalized(values):
    """The values divided by their sum (a new list)."""
    total = sum(values)
    out = []
    for value in values:
        out.append(value / total)
    return out


def with_default(config, key, value):
    """A copy of config with key set to value unless present."""
    out = dict(config)
    if key not in out:
        out[key] = value
    return out


def padded(rows, width):
    """Each row padded with zeros to width (new lists)."""
    out = []
    for row in rows:
        new = list(row)
        while len(new) < width:
            new.append(0)
        out.append(new)
    return out


def sorted_copy(values):
    """A sorted copy of values."""
    copy = list(values)
    copy.sort()
    return copy
'''
ALIAS_TESTS = """from traps.aliasing import normalized, padded, sorted_copy, with_default


def test_normalized():
    assert normalized([1, 3]) == [0.25, 0.75]


def test_with_default():
    assert with_default({"a": 1}, "b", 2) == {"a": 1, "b": 2}


def test_padded():
    assert padded([[1], [1, 2]], 2) == [[1, 0], [1, 2]]


def test_sorted_copy():
    assert sorted_copy([3, 1, 2]) == [1, 2, 3]
"""

FLOATS = '''import math
import statistics


def mean(values):
    """The arithmetic mean, as a float."""
    total = 0.0
    for value in values:
        total += value
    return total / len(values)


def clamp(x, low, high):
    """x limited to [low, high]."""
    if x < low:
        return low
    if x > high:
        return high
    return x


def percent(part, whole):
    """part as a percentage of whole."""
    return 100 * part / whole
'''
FLOATS_TESTS = """from traps.floats import clamp, mean, percent


def test_mean():
    assert mean([1, 2, 3]) == 2
    assert mean([0.5, 1.5]) == 1.0


def test_clamp():
    assert clamp(5, 0, 3) == 3
    assert clamp(-1, 0, 3) == 0
    assert clamp(2, 0, 3) == 2


def test_percent():
    assert percent(1, 4) == 25
"""

ITERS = '''def total_and_count(values):
    """(sum, how many) of any iterable of numbers."""
    total = 0
    count = 0
    for value in values:
        total += value
        count += 1
    return total, count


def pairs(items):
    """Neighbouring pairs of any iterable."""
    out = []
    previous = None
    for index, item in enumerate(items):
        if index:
            out.append((previous, item))
        previous = item
    return out


def longest(words):
    """The length of the longest word of any iterable (0 for none)."""
    best = 0
    for word in words:
        if len(word) > best:
            best = len(word)
    return best


def evens(values):
    """The even values, as a list."""
    out = []
    for value in values:
        if value % 2 == 0:
            out.append(value)
    return out
'''
ITERS_TESTS = """from traps.iterating import evens, longest, pairs, total_and_count


def test_total_and_count():
    assert total_and_count([1, 2, 3]) == (6, 3)


def test_pairs():
    assert pairs([1, 2, 3]) == [(1, 2), (2, 3)]


def test_longest():
    assert longest(["a", "abc", "ab"]) == 3


def test_evens():
    assert list(evens([1, 2, 3, 4])) == [2, 4]
"""

IDENT = '''def count_value(items, value):
    """How many items equal value."""
    count = 0
    for item in items:
        if item == value:
            count += 1
    return count


def without(items, value):
    """The items that do not equal value."""
    out = []
    for item in items:
        if item != value:
            out.append(item)
    return out
'''
IDENT_TESTS = """from traps.identity import count_value, without


def test_count_value():
    assert count_value([1, 2, 1], 1) == 2
    assert count_value(["a", "b"], "a") == 1


def test_without():
    assert without([1, 2, 1], 1) == [2]
"""

SUBCLASS = '''def is_text(value):
    """Whether value is a string (str subclasses included)."""
    return isinstance(value, str)


def same(a, b):
    """Whether a equals b."""
    return a == b


def kind(value):
    """"bool", "int" (int subclasses included) or "other"."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "other"
'''
SUBCLASS_TESTS = """from traps.subclasses import is_text, kind, same


def test_is_text():
    assert is_text("a") and not is_text(1)


def test_same():
    assert same(1, 1) and not same(1, 2)


def test_kind():
    assert [kind(True), kind(3), kind("x")] == ["bool", "int", "other"]
"""

TEXT = '''import re


def byte_length(text):
    """The length of text encoded as UTF-8."""
    return len(text.encode("utf-8"))


def squeeze(text):
    """text with runs of whitespace made one space, trimmed."""
    out = ""
    for part in text.split():
        out += (" " if out else "") + part
    return out


def head(text, n):
    """The first n characters of text."""
    return "".join(list(text)[:n])
'''
TEXT_TESTS = """from traps.text import byte_length, head, squeeze


def test_byte_length():
    assert byte_length("abc") == 3


def test_squeeze():
    assert squeeze("  a  b ") == "a b"


def test_head():
    assert head("hello", 2) == "he"
"""

NUMS = '''def half(n):
    """n halved, rounded down."""
    return n // 2


def average_down(values):
    """The mean of whole numbers, rounded down."""
    total = 0
    for value in values:
        total += value
    return total // len(values)


def scaled(values, factor):
    """Each value times factor."""
    out = []
    for value in values:
        out.append(value * factor)
    return out
'''
NUMS_TESTS = """from traps.numbers import average_down, half, scaled


def test_half():
    assert half(7) == 3


def test_average_down():
    assert average_down([1, 2, 4]) == 2


def test_scaled():
    assert scaled([1, 2], 3) == [3, 6]
"""

DEFAULTS = '''def add_tag(tag, tags=None):
    """A new list: tags (if any) and tag."""
    out = list(tags or [])
    out.append(tag)
    return out


def collect(value, into=None):
    """A new set: into (if any) and value."""
    out = set(into or ())
    out.add(value)
    return out
'''
DEFAULTS_TESTS = """from traps.defaults import add_tag, collect


def test_add_tag():
    assert add_tag("a") == ["a"]
    assert add_tag("b") == ["b"]


def test_collect():
    assert collect(1) == {1}
    assert collect(2) == {2}
"""

STATE = '''def total(values):
    """The sum of values."""
    result = 0
    for value in values:
        result += value
    return result


def first_time(name):
    """A greeting for name."""
    return "hello " + name
'''
STATE_TESTS = """from traps.state import first_time, total


def test_total():
    assert total([1, 2, 3]) == 6
    assert total([4, 5]) == 9


def test_first_time():
    assert first_time("ann") == "hello ann"
    assert first_time("bob") == "hello bob"
"""

RECURSION = '''def flatten(nested):
    """The leaves of nested lists, left to right."""
    out = []
    stack = [iter(nested)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            out.append(item)
        else:
            stack.pop()
    return out


def leaves(nested):
    """How many non-list leaves nested lists hold."""
    count = 0
    stack = [nested]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        else:
            count += 1
    return count
'''
RECURSION_TESTS = """from traps.recursion import flatten, leaves


def test_flatten():
    assert flatten([1, [2, [3]], 4]) == [1, 2, 3, 4]


def test_leaves():
    assert leaves([1, [2, [3]], 4]) == 4
"""

MODULES = {
    "hashing": (HASH, HASH_TESTS),
    "ordering": (ORDER, ORDER_TESTS),
    "errors": (ERRORS, ERRORS_TESTS),
    "aliasing": (ALIAS, ALIAS_TESTS),
    "floats": (FLOATS, FLOATS_TESTS),
    "iterating": (ITERS, ITERS_TESTS),
    "identity": (IDENT, IDENT_TESTS),
    "subclasses": (SUBCLASS, SUBCLASS_TESTS),
    "text": (TEXT, TEXT_TESTS),
    "numbers": (NUMS, NUMS_TESTS),
    "defaults": (DEFAULTS, DEFAULTS_TESTS),
    "state": (STATE, STATE_TESTS),
    "recursion": (RECURSION, RECURSION_TESTS),
}


def _wrong(category: str, module: str, function: str, why: str, candidate: str) -> Trap:
    return Trap(category, module, function, candidate, True, why)


def _right(category: str, module: str, function: str, why: str, candidate: str) -> Trap:
    return Trap(category, module, function, candidate, False, why)


H, O, E, A = "hashability", "order, ties and stability", "exception types", "argument mutation"
F, IT, ID = "float rounding and NaN", "iterators and laziness", "identity vs equality"
S, U, N = "subclass behaviour", "unicode and encoding", "int vs float"
D, G, R = "mutable defaults", "global state", "recursion depth"

WRONG = [
    _wrong(H, "hashing", "dedupe", "dict.fromkeys needs hashable items",
           "def dedupe(items):\n    return list(dict.fromkeys(items))\n"),
    _wrong(H, "hashing", "dedupe", "a seen-set needs hashable items",
           "def dedupe(items):\n    seen = set()\n    out = []\n    for item in items:\n"
           "        if item not in seen:\n            seen.add(item)\n            out.append(item)\n"
           "    return out\n"),
    _wrong(H, "hashing", "count_each", "Counter needs hashable items",
           "def count_each(items):\n    return list(collections.Counter(items).items())\n"),
    _wrong(H, "hashing", "contains_all", "set inclusion needs hashable items",
           "def contains_all(haystack, needles):\n    return set(needles) <= set(haystack)\n"),
    _wrong(H, "hashing", "unique_sorted", "set() needs hashable items",
           "def unique_sorted(items):\n    return sorted(set(items))\n"),
    _wrong(O, "ordering", "rank", "reversing an ascending sort reverses ties",
           "def rank(records):\n    return sorted(records, key=lambda r: r[1])[::-1]\n"),
    _wrong(O, "ordering", "merge", "extra's keys first",
           "def merge(base, extra):\n    out = dict(extra)\n    out.update(base)\n"
           "    out.update(extra)\n    return out\n"),
    _wrong(O, "ordering", "top", "nlargest gives [] for a negative n; the slice does not",
           "def top(values, n):\n    return heapq.nlargest(n, values)\n"),
    _wrong(O, "ordering", "top", "the tail of an ascending sort: n=0 gives everything",
           "def top(values, n):\n    return sorted(values)[-n:][::-1]\n"),
    _wrong(E, "errors", "parse_port", "every failure becomes ValueError (None gave TypeError)",
           "def parse_port(text):\n    try:\n        value = int(text)\n    except Exception:\n"
           "        raise ValueError(f'not a port: {text!r}') from None\n"
           "    if not 0 < value < 65536:\n        raise ValueError(f'port out of range: {value}')\n"
           "    return value\n"),
    _wrong(E, "errors", "first", "indexing: a one-shot iterator gives TypeError",
           "def first(items):\n    if not items:\n        raise IndexError('no items')\n"
           "    return items[0]\n"),
    _wrong(E, "errors", "ratio", "falsy b (None, empty) now raises ZeroDivisionError",
           "def ratio(a, b):\n    if not b:\n        raise ZeroDivisionError('b is zero')\n"
           "    return a / b\n"),
    _wrong(E, "errors", "ratio", "division by zero returns inf instead of raising",
           "def ratio(a, b):\n    try:\n        return a / b\n    except ZeroDivisionError:\n"
           "        return float('inf')\n"),
    _wrong(E, "errors", "field", "a missing key returns None",
           "def field(record, key):\n    return record.get(key)\n"),
    _wrong(A, "aliasing", "normalized", "divides the caller's list in place",
           "def normalized(values):\n    total = sum(values)\n    for i in range(len(values)):\n"
           "        values[i] = values[i] / total\n    return values\n"),
    _wrong(A, "aliasing", "with_default", "sets the key in the caller's dict",
           "def with_default(config, key, value):\n    config.setdefault(key, value)\n"
           "    return config\n"),
    _wrong(A, "aliasing", "padded", "pads the caller's rows",
           "def padded(rows, width):\n    for row in rows:\n"
           "        row.extend([0] * (width - len(row)))\n    return rows\n"),
    _wrong(A, "aliasing", "sorted_copy", "sorts the caller's list",
           "def sorted_copy(values):\n    values.sort()\n    return values\n"),
    _wrong(F, "floats", "mean", "fsum rounds differently (and raises on overflow)",
           "def mean(values):\n    return math.fsum(values) / len(values)\n"),
    _wrong(F, "floats", "mean", "statistics.mean returns an int for ints",
           "def mean(values):\n    return statistics.mean(values)\n"),
    _wrong(F, "floats", "clamp", "max/min drop NaN",
           "def clamp(x, low, high):\n    return max(low, min(x, high))\n"),
    _wrong(F, "floats", "percent", "dividing first rounds differently",
           "def percent(part, whole):\n    return part / whole * 100\n"),
    _wrong(IT, "iterating", "total_and_count", "len() of a one-shot iterator",
           "def total_and_count(values):\n    return sum(values), len(values)\n"),
    _wrong(IT, "iterating", "pairs", "slicing a one-shot iterator",
           "def pairs(items):\n    return list(zip(items, items[1:]))\n"),
    _wrong(IT, "iterating", "longest", "an empty iterator is truthy: max() of nothing",
           "def longest(words):\n    return max(map(len, words)) if words else 0\n"),
    _wrong(IT, "iterating", "evens", "returns a lazy generator instead of a list",
           "def evens(values):\n    return (v for v in values if v % 2 == 0)\n"),
    _wrong(ID, "identity", "count_value", "'is' instead of ==",
           "def count_value(items, value):\n    return sum(1 for item in items if item is value)\n"),
    _wrong(ID, "identity", "without", "'is not' instead of !=",
           "def without(items, value):\n    return [item for item in items if item is not value]\n"),
    _wrong(S, "subclasses", "is_text", "type() is str refuses str subclasses",
           "def is_text(value):\n    return type(value) is str\n"),
    _wrong(S, "subclasses", "same", "requires the exact same type",
           "def same(a, b):\n    return type(a) is type(b) and a == b\n"),
    _wrong(S, "subclasses", "kind", "looks the exact type up in a table",
           "def kind(value):\n    return {bool: 'bool', int: 'int'}.get(type(value), 'other')\n"),
    _wrong(U, "text", "byte_length", "characters, not bytes",
           "def byte_length(text):\n    return len(text)\n"),
    _wrong(U, "text", "squeeze", "spaces only: tabs and other whitespace stay",
           "def squeeze(text):\n    return re.sub(' +', ' ', text).strip(' ')\n"),
    _wrong(U, "text", "head", "cuts bytes, not characters",
           "def head(text, n):\n    return text.encode()[:n].decode('utf-8', 'ignore')\n"),
    _wrong(N, "numbers", "half", "int(n / 2) rounds toward zero and loses big ints",
           "def half(n):\n    return int(n / 2)\n"),
    _wrong(N, "numbers", "average_down", "int() of a float division",
           "def average_down(values):\n    return int(sum(values) / len(values))\n"),
    _wrong(N, "aliasing", "padded", "list arithmetic: a float width raises, the loop pads",
           "def padded(rows, width):\n    out = []\n    for row in rows:\n        new = list(row)\n"
           "        out.append(new + [0] * (width - len(new)))\n    return out\n"),
    _wrong(N, "numbers", "scaled", "float() turns ints into floats",
           "def scaled(values, factor):\n    return [float(v) * factor for v in values]\n"),
    _wrong(D, "defaults", "add_tag", "a mutable default list shared by calls",
           "def add_tag(tag, tags=[]):\n    tags.append(tag)\n    return list(tags)\n"),
    _wrong(D, "defaults", "collect", "a mutable default set shared by calls",
           "def collect(value, into=set()):\n    into.add(value)\n    return set(into)\n"),
    _wrong(G, "state", "total", "a cache keyed by id() returns stale sums",
           "_TOTALS = {}\n\n\ndef total(values):\n    key = id(values)\n    if key not in _TOTALS:\n"
           "        _TOTALS[key] = sum(values)\n    return _TOTALS[key]\n"),
    _wrong(G, "state", "first_time", "remembers names across calls",
           "_SEEN = []\n\n\ndef first_time(name):\n    _SEEN.append(name)\n"
           "    return ('hello ' if len(_SEEN) == 1 else 'hello again ') + name\n"),
    _wrong(R, "recursion", "flatten", "recursive: deep nesting overflows the stack",
           "def flatten(nested):\n    out = []\n    for item in nested:\n"
           "        if isinstance(item, list):\n            out.extend(flatten(item))\n"
           "        else:\n            out.append(item)\n    return out\n"),
    _wrong(R, "recursion", "leaves", "recursive: deep nesting overflows the stack",
           "def leaves(nested):\n    if not isinstance(nested, list):\n        return 1\n"
           "    return sum(leaves(item) for item in nested)\n"),
]  # fmt: skip

CORRECT = [
    _right(H, "hashing", "dedupe", "a seen-set with a fallback for unhashable items",
           "def dedupe(items):\n    out, seen = [], set()\n    for item in items:\n        try:\n"
           "            if item in seen:\n                continue\n            seen.add(item)\n"
           "        except TypeError:\n            if item in out:\n                continue\n"
           "        out.append(item)\n    return out\n"),
    _right(H, "hashing", "contains_all", "'in' instead of the inner loop",
           "def contains_all(haystack, needles):\n    haystack = list(haystack)\n"
           "    return all(needle in haystack for needle in needles)\n"),
    _right(H, "hashing", "unique_sorted", "comparing with the previous sorted item",
           "def unique_sorted(items):\n    ordered = sorted(items)\n"
           "    return [x for i, x in enumerate(ordered) if i == 0 or ordered[i - 1] != x]\n"),
    _right(O, "ordering", "rank", "sorted() is stable, and stays so with reverse=True",
           "def rank(records):\n    return sorted(records, key=lambda r: r[1], reverse=True)\n"),
    _right(O, "ordering", "merge", "dict unpacking",
           "def merge(base, extra):\n    return {**base, **extra}\n"),
    _right(O, "ordering", "top", "sorted and sliced in one expression",
           "def top(values, n):\n    return sorted(values, reverse=True)[:n]\n"),
    _right(E, "errors", "first", "next() with the same IndexError",
           "def first(items):\n    for item in iter(items):\n        return item\n"
           "    raise IndexError('no items')\n"),
    _right(E, "errors", "field", "EAFP with the same KeyError",
           "def field(record, key):\n    try:\n        return record[key]\n    except KeyError:\n"
           "        raise KeyError(key) from None\n"),
    _right(A, "aliasing", "normalized", "a list comprehension",
           "def normalized(values):\n    total = sum(values)\n"
           "    return [value / total for value in values]\n"),
    _right(A, "aliasing", "with_default", "setdefault on a copy",
           "def with_default(config, key, value):\n    out = dict(config)\n"
           "    out.setdefault(key, value)\n    return out\n"),
    _right(A, "aliasing", "sorted_copy", "sorted()",
           "def sorted_copy(values):\n    return sorted(values)\n"),
    _right(F, "floats", "mean", "sum() from 0.0 adds in the same order",
           "def mean(values):\n    return sum(values, 0.0) / len(values)\n"),
    _right(F, "floats", "clamp", "one conditional expression",
           "def clamp(x, low, high):\n    return low if x < low else high if x > high else x\n"),
    _right(F, "floats", "percent", "the same product, cached constant",
           "def percent(part, whole):\n    return (100 * part) / whole\n"),
    _right(IT, "iterating", "total_and_count", "one pass with locals",
           "def total_and_count(values):\n    total = count = 0\n    for value in values:\n"
           "        total += value\n        count += 1\n    return total, count\n"),
    _right(IT, "iterating", "pairs", "materialize once, then zip",
           "def pairs(items):\n    items = list(items)\n    return list(zip(items, items[1:]))\n"),
    _right(IT, "iterating", "longest", "max with a default",
           "def longest(words):\n    return max((len(w) for w in words), default=0)\n"),
    _right(IT, "iterating", "evens", "a list comprehension",
           "def evens(values):\n    return [v for v in values if v % 2 == 0]\n"),
    _right(ID, "identity", "count_value", "sum over a generator",
           "def count_value(items, value):\n    return sum(1 for item in items if item == value)\n"),
    _right(ID, "identity", "without", "a list comprehension",
           "def without(items, value):\n    return [item for item in items if item != value]\n"),
    _right(U, "text", "byte_length", "the default encoding is UTF-8",
           "def byte_length(text):\n    return len(text.encode())\n"),
    _right(U, "text", "squeeze", "join the split parts",
           "def squeeze(text):\n    return ' '.join(text.split())\n"),
    _right(U, "text", "head", "a string slice",
           "def head(text, n):\n    return text[:n]\n"),
    _right(N, "numbers", "average_down", "sum() then floor division",
           "def average_down(values):\n    return sum(values) // len(values)\n"),
    _right(N, "numbers", "scaled", "a list comprehension",
           "def scaled(values, factor):\n    return [value * factor for value in values]\n"),
    _right(D, "defaults", "add_tag", "unpacking into a new list",
           "def add_tag(tag, tags=None):\n    return [*(tags or []), tag]\n"),
    _right(G, "state", "total", "sum() with the same start",
           "def total(values):\n    return sum(values, 0)\n"),
    _right(R, "recursion", "leaves", "a list as stack, appended in place",
           "def leaves(nested):\n    count = 0\n    stack = [nested]\n    pop, push = stack.pop, stack.extend\n"
           "    while stack:\n        node = pop()\n        if isinstance(node, list):\n"
           "            push(node)\n        else:\n            count += 1\n    return count\n"),
]  # fmt: skip
