"""AO103 regex hoist, AO107 sorted()[0] -> min, AO110 sorted(list()), AO111 any/all, AO112."""

from __future__ import annotations

from rewrite_support import assert_fires, assert_silent, src

LINES = [([],), (["12-34 x", "nothing", "5-6 aaa"],)]


# --- AO103 constant regex in a loop -> compiled once -----------------------------------------
def test_regex_calls_with_constant_patterns_in_a_loop_are_compiled_once_before_it() -> None:
    before = src("""
        import re

        def f(lines):
            total = 0
            for line in lines:
                m = re.match(r"(\\d+)-(\\d+)", line, re.I)
                if m:
                    total += int(m.group(1))
                total += len(re.findall("a+", line)) + len(re.findall("a+", line))
            return total
    """)
    after = src("""
        import re

        def f(lines):
            total = 0
            compiled_re = re.compile(r"(\\d+)-(\\d+)", re.I)
            compiled_re_2 = re.compile("a+")
            for line in lines:
                m = compiled_re.match(line)
                if m:
                    total += int(m.group(1))
                total += len(compiled_re_2.findall(line)) + len(compiled_re_2.findall(line))
            return total
    """)
    outcome = assert_fires(before, after, "AO103", LINES)
    assert [e.line for e in outcome.edits] == [6, 9, 9]


def test_regex_in_a_comprehension_and_sub_with_keywords_are_hoisted() -> None:
    before = src("""
        import re

        def f(lines):
            return [re.sub("a+", "-", line, flags=re.IGNORECASE | re.M) for line in lines]
    """)
    after = src("""
        import re

        def f(lines):
            compiled_re = re.compile("a+", re.IGNORECASE | re.M)
            return [compiled_re.sub("-", line) for line in lines]
    """)
    assert_fires(before, after, "AO103", [([],), (["aAa b", "c"],)])


def test_regex_stays_when_re_is_not_the_stdlib_or_the_pattern_is_bad() -> None:
    loop = "def f(xs):\n    return [re.match('a', x) for x in xs]\n"
    assert_silent("import regex as re\n" + loop, "AO103")
    assert_silent("import re\nre = None\n" + loop, "AO103")
    bad = "import re\ndef f(xs):\n    return [re.match('(', x) for x in xs]\n"
    assert_silent(bad, "AO103")  # compiling early would raise where an empty loop does not
    variable = "import re\ndef f(xs, p):\n    return [re.match(p, x) for x in xs]\n"
    assert_silent(variable, "AO103")
    outside = "import re\ndef f(x):\n    return re.match('a', x)\n"
    assert_silent(outside, "AO103")
    debug = "import re\ndef f(xs):\n    return [re.match('a', x, re.DEBUG) for x in xs]\n"
    assert_silent(debug, "AO103")  # re.DEBUG prints on every compile


# --- AO107 sorted(x)[0] -> min(x) -------------------------------------------------------------
def test_first_of_sorted_exact_ints_under_a_guard_becomes_min() -> None:
    before = src("""
        def f(words):
            lengths = [len(w) for w in words]
            if lengths:
                return sorted(lengths)[0]
            return None
    """)
    after = before.replace("sorted(lengths)[0]", "min(lengths)")
    assert_fires(before, after, "AO107", [([],), (["abc", "a", "zz"],)])


def test_first_of_sorted_by_len_after_an_early_exit_becomes_min() -> None:
    before = src("""
        def f(words):
            if len(words) == 0:
                return ""
            shortest = sorted(words, key=len)[0]
            return shortest
    """)
    after = before.replace("sorted(words, key=len)[0]", "min(words, key=len)")
    # ties: both pick the FIRST shortest word
    assert_fires(before, after, "AO107", [([],), (["bb", "aa", "c", "d"],), (["x"],)])


def test_sorted_first_stays_unguarded_reversed_last_or_partially_ordered() -> None:
    unguarded = "def f(xs):\n    ys = [len(x) for x in xs]\n    return sorted(ys)[0]\n"
    assert_silent(unguarded, "AO107")  # IndexError would become ValueError
    last = "def f(xs):\n    ys = [len(x) for x in xs]\n    if ys:\n        return sorted(ys)[-1]\n"
    assert_silent(last, "AO107")  # never -> max: ties pick differently
    floats = "def f(xs):\n    if len(xs) > 0:\n        return sorted(xs)[0]\n"
    assert_silent(floats, "AO107")  # NaN: no total order, min and sorted disagree
    reverse = "def f(xs):\n    if len(xs):\n        return sorted(xs, key=len, reverse=True)[0]\n"
    assert_silent(reverse, "AO107")
    generator = "def f(xs):\n    if xs:\n        return sorted(xs, key=len)[0]\n"
    assert_silent(generator, "AO107")  # `if xs:` is true for an empty generator


# --- AO110 sorted(list(x)) -> sorted(x) -------------------------------------------------------
def test_sorted_of_a_list_copy_sorts_the_iterable_directly() -> None:
    before = "def f(xs):\n    return sorted(list(xs), key=abs), sorted(tuple(xs))\n"
    after = "def f(xs):\n    return sorted(xs, key=abs), sorted(xs)\n"
    assert_fires(before, after, "AO110", [([],), ([3, -1, 2],), ((5, -5, 0),)])


def test_sorted_copy_stays_when_list_or_sorted_is_shadowed() -> None:
    assert_silent("def list(x):\n    return x\ndef f(xs):\n    return sorted(list(xs))\n", "AO110")
    assert_silent("from x import *\ndef f(xs):\n    return sorted(list(xs))\n", "AO110")


# --- AO111 any/all([...]) -> generator --------------------------------------------------------
def test_any_over_identity_tests_on_a_local_list_becomes_a_generator() -> None:
    before = src("""
        def f(xs):
            values = list(xs)
            return any([v is None for v in values]), all([v for v in values])
    """)
    after = src("""
        def f(xs):
            values = list(xs)
            return any(v is None for v in values), all(v for v in values)
    """)
    assert_fires(before, after, "AO111", [([],), ([1, None],), ([0, 2],)])


def test_any_stays_when_elements_can_raise_or_the_iterable_runs_code() -> None:
    # [1/x ...] raises on 0 even after a truthy element; a generator would stop first
    assert_silent("def f(xs):\n    ys = list(xs)\n    return any([1 / y for y in ys])\n", "AO111")
    assert_silent("def f(it):\n    return any([v is None for v in it])\n", "AO111")
    assert_silent("def f(xs):\n    ys = list(xs)\n    return any([y == 0 for y in ys])\n", "AO111")


# --- AO112 dict()/list()/tuple() -> literals --------------------------------------------------
def test_empty_constructor_calls_become_literals() -> None:
    before = "def f():\n    return dict(), list(), tuple(), dict(a=1, b=[2])\n"
    after = 'def f():\n    return {}, [], (), {"a": 1, "b": [2]}\n'
    outcome = assert_fires(before, after, "AO112", [()])
    assert len(outcome.edits) == 4


def test_constructor_calls_stay_when_shadowed_or_with_positional_arguments() -> None:
    assert_silent("dict = None\ndef f():\n    return dict()\n", "AO112")
    assert_silent("def f(dict):\n    return dict()\n", "AO112")
    assert_silent("def f(x):\n    return list(x), dict(x), dict(**x)\n", "AO112")


def test_dict_call_over_several_lines_keeps_its_layout() -> None:
    before = src("""
        def f(a, b):
            return dict(
                first=a,
                second=b,
            )
    """)
    after = src("""
        def f(a, b):
            return {
                "first": a,
                "second": b,
            }
    """)
    assert_fires(before, after, "AO112", [(1, [2])])
