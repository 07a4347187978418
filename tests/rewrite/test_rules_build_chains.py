"""AO102/AO104/AO105/AO106 on wider loop bodies: temporaries (`t = e`) and `if c: continue`
guards before a level's last statement. Each accepted shape is also run against its original on
many generated inputs; each unsafe neighbour stays untouched."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rewrite_support import assert_fires, assert_same_behaviour, assert_silent, rewrite, src

MIXED = st.lists(st.one_of(st.integers(-5, 5), st.none(), st.text(" ab", max_size=3)))
SAMPLES: list[tuple[Any, ...]] = [([],), ([1, None, " a", 0, "", 3],), ([None, None],)]

# Every accepted shape: (rule, original, expected rewrite). Each is checked for its exact text
# here and for behaviour on generated inputs below.
ACCEPTED = {
    "temporary read once, first: folded into the element": (
        "AO104",
        """
        def f(xs):
            out = []
            for x in xs:
                cleaned = str(x).strip()
                out.append(cleaned.upper())
            return out
        """,
        """
        def f(xs):
            out = [str(x).strip().upper() for x in xs]
            return out
        """,
    ),
    "temporaries chained and folded, an operand parenthesized": (
        "AO104",
        """
        def f(xs):
            out = []
            for x in xs:
                a = len(str(x)) + 1
                b = a
                out.append(b.bit_length())
            return out
        """,
        """
        def f(xs):
            out = [(len(str(x)) + 1).bit_length() for x in xs]
            return out
        """,
    ),
    "temporary read twice: a `for t in [e]` clause, then the filter": (
        "AO104",
        """
        def f(xs):
            out = []
            for x in xs:
                rv = x if x != 0 else None
                if rv is not None:
                    out.append(rv)
            return out
        """,
        """
        def f(xs):
            out = [rv for x in xs for rv in [x if x != 0 else None] if rv is not None]
            return out
        """,
    ),
    "continue guards: negated filters": (
        "AO104",
        """
        def f(xs):
            out = []
            for x in xs:
                if x is None:
                    continue
                if not x: continue
                if x in (3, "b"):
                    continue
                if isinstance(x, int) and x > 4:
                    continue
                out.append(x)
            return out
        """,
        """
        def f(xs):
            out = [
                x
                for x in xs
                if x is not None
                if x
                if x not in (3, "b")
                if not (isinstance(x, int) and x > 4)
            ]
            return out
        """,
    ),
    "guard after a temporary that rebinds the loop variable, then an unpacking": (
        "AO104",
        """
        def f(xs):
            out = []
            for x in xs:
                x = str(x).strip()
                if not x:
                    continue
                head, tail = x[0], x[1:]
                out.append((tail, head))
            return out
        """,
        """
        def f(xs):
            out = [
                (tail, head)
                for x in xs
                for x in [str(x).strip()]
                if x
                for head, tail in [(x[0], x[1:])]
            ]
            return out
        """,
    ),
    "guard inside a nested if and loop": (
        "AO104",
        """
        def f(xs):
            out = []
            for x in xs:
                if x is not None:
                    for c in str(x):
                        if c == " ":
                            continue
                        out.append(c)
            return out
        """,
        """
        def f(xs):
            out = [c for x in xs if x is not None for c in str(x) if not (c == " ")]
            return out
        """,
    ),
    "set with a guard and a temporary": (
        "AO106",
        """
        def f(xs):
            seen = set()
            for x in xs:
                if x is None:
                    continue
                key = str(x).lower()
                seen.add(key)
            return seen
        """,
        """
        def f(xs):
            seen = {str(x).lower() for x in xs if x is not None}
            return seen
        """,
    ),
    "dict keyed by a temporary (a name: nothing runs when it is read)": (
        "AO105",
        """
        def f(xs):
            index = {}
            for x in xs:
                key = repr(x)
                index[key] = str(x) * 2
            return index
        """,
        """
        def f(xs):
            index = {key: str(x) * 2 for x in xs for key in [repr(x)]}
            return index
        """,
    ),
    "if/else, each branch appending: a conditional element": (
        "AO104",
        """
        def f(xs):
            out = []
            for x in xs:
                if x is None:
                    out.append(0)
                else:
                    out.append((x, str(x)))
            return out
        """,
        """
        def f(xs):
            out = [0 if x is None else (x, str(x)) for x in xs]
            return out
        """,
    ),
    "if/elif/else after a temporary read in several branches": (
        "AO106",
        """
        def f(xs):
            seen = set()
            for x in xs:
                text = str(x)
                if text.isdigit():
                    seen.add(int(text))
                elif x:
                    seen.add(lambda: 0)
                else:
                    seen.add(text)
            return {k for k in seen if not callable(k)}
        """,
        """
        def f(xs):
            seen = {
                int(text) if text.isdigit() else (lambda: 0) if x else text
                for x in xs
                for text in [str(x)]
            }
            return {k for k in seen if not callable(k)}
        """,
    ),
    "if/else after a temporary read once, by the test: folded there": (
        "AO104",
        """
        def f(xs):
            out = []
            for x in xs:
                size = len(str(x))
                if size > 1:
                    out.append(x)
                else:
                    out.append(None)
            return out
        """,
        """
        def f(xs):
            out = [x if len(str(x)) > 1 else None for x in xs]
            return out
        """,
    ),
    "string joined from if/else pieces": (
        "AO102",
        """
        def f(xs):
            s = ""
            for i in range(len(xs)):
                if xs[i] is None:
                    s += "-"
                else:
                    s += str(i)
            return s
        """,
        """
        def f(xs):
            s = "".join(["-" if xs[i] is None else str(i) for i in range(len(xs))])
            return s
        """,
    ),
    "string joined after a guard": (
        "AO102",
        """
        def f(xs):
            s = ""
            for i in range(len(xs)):
                if xs[i] is None:
                    continue
                s += str(i)
            return s
        """,
        """
        def f(xs):
            s = "".join([str(i) for i in range(len(xs)) if xs[i] is not None])
            return s
        """,
    ),
}


@pytest.mark.parametrize("shape", ACCEPTED)
def test_wider_loop_bodies_become_comprehensions(shape: str) -> None:
    rule, before, after = ACCEPTED[shape]
    assert_fires(src(before), src(after), rule, SAMPLES)


@functools.cache
def _rewritten(shape: str) -> str:
    rule, before, _ = ACCEPTED[shape]
    return rewrite(src(before), only=[rule]).new_source


@pytest.mark.parametrize("shape", ACCEPTED)
@settings(max_examples=150, deadline=None)
@given(xs=MIXED)
def test_wider_loop_rewrites_behave_like_the_loop_on_any_list(shape: str, xs: list[Any]) -> None:
    before = src(ACCEPTED[shape][1])
    assert_same_behaviour(before, _rewritten(shape), "f", [(xs,)])


ORDER_LOG = """
    LOG = []
    def first(v):
        LOG.append(("first", v))
        return v
    def second(v):
        LOG.append(("second", v))
        if v == 3:
            raise ValueError(v)
        return v
"""


def test_a_temporary_read_after_other_work_is_not_folded_so_calls_keep_their_order() -> None:
    before = src(
        ORDER_LOG
        + """
    def f(xs):
        del LOG[:]
        out = []
        for x in xs:
            t = first(x)
            out.append((second(x), t))
        return out, LOG
    """
    )
    outcome = rewrite(before, only=["AO104"])
    assert "out = [(second(x), t) for x in xs for t in [first(x)]]" in outcome.new_source
    inputs = [([],), ([1, 2],), ([1, 3, 4],)]
    assert_same_behaviour(before, outcome.new_source, "f", inputs)


UNSAFE = {
    "temporary read after the loop": """
        def f(xs):
            out = []
            for x in xs:
                t = x
                out.append(t)
            return out, t
        """,
    "temporary read before the loop binds it": """
        def f(xs):
            out = []
            for x in xs:
                if t:
                    continue
                t = x
                out.append(t)
            return out
        """,
    "temporary carrying a value from before the loop": """
        def f(xs):
            total = 0
            out = []
            for x in xs:
                total = total + x
                out.append(total)
            return out
        """,
    "temporary seen by a closure made in the loop": """
        def f(xs):
            out = []
            for x in xs:
                t = x
                out.append(lambda: t)
            return out
        """,
    "accumulator read by a temporary": """
        def f(xs):
            out = []
            for x in xs:
                n = len(out)
                out.append(n + x)
            return out
        """,
    "guard that does more than continue": """
        def f(xs, log):
            out = []
            for x in xs:
                if x is None:
                    log.append(x)
                    continue
                out.append(x)
            return out
        """,
    "guard with an else": """
        def f(xs):
            out = []
            for x in xs:
                if x is None:
                    continue
                else:
                    pass
                out.append(x)
            return out
        """,
    "break instead of continue": """
        def f(xs):
            out = []
            for x in xs:
                if x is None:
                    break
                out.append(x)
            return out
        """,
    "walrus in a guard": """
        def f(xs):
            out = []
            for x in xs:
                if (y := x) is None:
                    continue
                out.append(x)
            return out
        """,
    "temporary with two targets or an attribute target": """
        def f(self, xs):
            out = []
            for x in xs:
                a = b = x
                self.last = x
                out.append(a)
            return out
        """,
    "branch with two statements": """
        def f(xs, log):
            out = []
            for x in xs:
                if x:
                    out.append(x)
                else:
                    log.append(x)
                    out.append(0)
            return out
        """,
    "branch filling another list": """
        def f(xs, log):
            out = []
            for x in xs:
                if x:
                    out.append(x)
                else:
                    log.append(x)
            return out
        """,
    "branch test reading the accumulator": """
        def f(xs):
            out = []
            for x in xs:
                if x in out:
                    out.append(0)
                else:
                    out.append(x)
            return out
        """,
    "statement that is neither a temporary nor a guard": """
        def f(xs, log):
            out = []
            for x in xs:
                log.append(x)
                out.append(x)
            return out
        """,
    "outer iterable reads a name the loop rebinds": """
        def f():
            out = []
            for x in data:
                data = x
                out.append(data)
            return out
        """,
}


def test_a_dict_built_in_branches_stays_a_loop() -> None:
    # the branches could store under different keys: no single key: value pair
    before = """
        def f(xs):
            index = {}
            for x in xs:
                if x:
                    index[x] = 1
                else:
                    index[0] = x
            return index
        """
    assert_silent(src(before), "AO105")


@pytest.mark.parametrize("shape", UNSAFE)
def test_unsafe_neighbours_of_the_wider_shapes_stay_loops(shape: str) -> None:
    assert_silent(src(UNSAFE[shape]), "AO104")
