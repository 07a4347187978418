"""AO120 (a builtin that consumes a generator expression whole -> a comprehension) and its
evidence-tier twin AO121 (the same where the generator's code may raise StopIteration)."""

from __future__ import annotations

from typing import Any

import pytest
from rewrite_support import assert_fires, assert_same_behaviour, assert_silent, rewrite, run, src

from agentic_action.rewrite import RULES

# (xs, ys): empty, plain, duplicates, unhashable and unorderable elements, not iterable
INPUTS: list[tuple[Any, ...]] = [
    ([], []),
    ([], ["a"]),
    ([3], []),
    ([1, 2, 3], ["a", "bb"]),
    ([3, 1, 2, 2, 0], ["bb", "a", "bb"]),
    ([1, 1.0, True, 0, False], ["x"]),
    ([[1], [2]], ["a"]),
    ([{"k": 1}], ["b"]),
    ([1, "a"], ["c"]),
    (None, ["a"]),
    ([1, 2], None),
    ("abc", "xy"),
]


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("list(x * 2 for x in xs)", "[x * 2 for x in xs]"),
        ("list((x for x in xs))", "[x for x in xs]"),
        ("(list(x for x in xs))", "([x for x in xs])"),
        ("set(x for x in xs if x)", "{x for x in xs if x}"),
        ("set(str(x) for x in xs)", "{str(x) for x in xs}"),
        ("tuple(str(x) for x in xs)", "tuple([str(x) for x in xs])"),
        ("tuple((x for x in xs))", "tuple([x for x in xs])"),
        ("sorted(x for x in xs)", "sorted([x for x in xs])"),
        (
            "sorted((str(x) for x in xs), key=len, reverse=True)",
            "sorted([str(x) for x in xs], key=len, reverse=True)",
        ),
        (
            "sorted((str(x) for x in xs), key=str.lower)",
            "sorted([str(x) for x in xs], key=str.lower)",
        ),
        ("sorted((x for x in xs), key=lambda v: -v)", "sorted([x for x in xs], key=lambda v: -v)"),
        ("sorted((x for x in xs), key=k, reverse=n)", "sorted([x for x in xs], key=k, reverse=n)"),
        ('", ".join(str(x) for x in xs)', '", ".join([str(x) for x in xs])'),
        ("''.join(y for x in xs for y in ys)", "''.join([y for x in xs for y in ys])"),
        ("dict((x, str(x)) for x in xs)", "{x: str(x) for x in xs}"),
        ("dict((len(y), x) for x in xs for y in ys)", "{len(y): x for x in xs for y in ys}"),
        ("dict(( x , 1 ) for x in xs if x)", "{x: 1 for x in xs if x}"),
        (
            "list((x, y) for x in xs if x for y in ys if y != x)",
            "[(x, y) for x in xs if x for y in ys if y != x]",
        ),
        ("set(x * y for x in xs for y in ys)", "{x * y for x in xs for y in ys}"),
        ("list(list(y for y in ys) for x in xs)", "[[y for y in ys] for x in xs]"),
    ],
)
def test_each_form_becomes_a_comprehension(original: str, expected: str) -> None:
    before = src(f"""
        def f(xs, ys, k=abs, n=False):
            return {original}
    """)
    after = before.replace(original, expected)
    outcome = assert_fires(before, after, "AO120", INPUTS)
    assert rewrite(outcome.new_source, only=["AO120"]).edits == ()  # a fixpoint


def test_a_multi_line_call_keeps_its_lines() -> None:
    before = src("""
        def f(xs):
            a = list(
                x * 2
                for x in xs
            )
            b = tuple(
                x for x in xs
            )
            return a, b
    """)
    after = src("""
        def f(xs):
            a = [
                x * 2
                for x in xs
            ]
            b = tuple([
                x for x in xs
            ])
            return a, b
    """)
    assert_fires(before, after, "AO120", [([1, 2],), ([],)])


def test_loop_variables_do_not_leak_and_the_first_iterable_is_the_callers() -> None:
    """A 3.11 comprehension has its own scope, as the generator has: `x` stays the
    function's own, and only the first iterable is evaluated in the enclosing scope (here a
    class body, whose names the element cannot see)."""
    before = src("""
        def f(xs, ys):
            x = "outer"
            kept = list(x for x in xs)

            class C:
                n = 2
                seen = list(x for x in range(n))
                hidden = set(n for x in xs)

            return kept, x, C.seen
    """)
    outcome = rewrite(before, only=["AO120"])
    assert len(outcome.edits) == 3
    assert "seen = [x for x in range(n)]" in outcome.new_source
    assert "hidden = {n for x in xs}" in outcome.new_source
    assert_same_behaviour(before, outcome.new_source, "f", [([], []), ([1, 2], [])])
    assert run(outcome.new_source, "f", [[], []])[1][:2] == ([], "outer")
    assert run(outcome.new_source, "f", [[1], []]) == ("raise", "NameError")


def test_a_call_the_rule_cannot_see_into_is_only_the_evidence_tier() -> None:
    before = src("""
        def parse(v):
            if v is None:
                raise StopIteration
            return v * 2


        def f(xs):
            return list(parse(x) for x in xs)
    """)
    assert rewrite(before).edits == ()  # the default, proven tier
    assert rewrite(before, only=["AO120"]).edits == ()
    outcome = rewrite(before, tier="evidence")
    assert [e.rule for e in outcome.edits] == ["AO121"]
    assert outcome.new_source == before.replace(
        "list(parse(x) for x in xs)", "[parse(x) for x in xs]"
    )
    edit = outcome.edits[0]
    assert edit.title.startswith("[evidence tier]") and "evidence tier" in edit.rationale
    assert_same_behaviour(before, outcome.new_source, "f", [([],), ([1, 2],), (["a"],), (5,)])
    # the PEP 479 difference the tier rests on: a StopIteration raised by the element becomes
    # RuntimeError leaving the generator, and leaves the comprehension as it is
    assert run(before, "f", [[1, None]]) == ("raise", "RuntimeError")
    assert run(outcome.new_source, "f", [[1, None]]) == ("raise", "StopIteration")
    assert rewrite(outcome.new_source, tier="evidence").edits == ()


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("set(g(x) for x in xs)", "{g(x) for x in xs}"),
        ("list(x for x in xs if g(x))", "[x for x in xs if g(x)]"),
        ("list(y for x in xs for y in g(x))", "[y for x in xs for y in g(x)]"),
        ("dict((x, next(it)) for x in xs)", "{x: next(it) for x in xs}"),
        ('"".join(s.strip() for s in xs)', '"".join([s.strip() for s in xs])'),
    ],
)
def test_evidence_forms(original: str, expected: str) -> None:
    before = src(f"""
        def f(xs, g=str, it=iter(range(9))):
            return {original}
    """)
    assert_silent(before, "AO120")
    after = before.replace(original, expected)
    assert_fires(before, after, "AO121", [(["a", "b"],), ([],)])


def test_the_proven_rule_wins_where_its_proof_holds() -> None:
    before = src("""
        def f(xs, g):
            return list(x for x in xs), set(g(x) for x in xs)
    """)
    outcome = rewrite(before, tier="evidence")
    assert [e.rule for e in outcome.edits] == ["AO120", "AO121"]
    assert "return [x for x in xs], {g(x) for x in xs}" in outcome.new_source
    proven_only = "def f(xs):\n    return list(x for x in xs)\n"
    assert_silent(proven_only, "AO121")
    assert [r.id for r in RULES if r.id in ("AO120", "AO121")] == ["AO120", "AO121"]
    assert next(r for r in RULES if r.id == "AO121").tier == "evidence"


@pytest.mark.parametrize(
    "call",
    [
        "frozenset(x for x in xs)",  # not one of the consumers
        "any(x for x in xs)",  # stops early: AO111's business, not this rule's
        "list((x for x in xs), 1)",  # a second argument (TypeError after the elements)
        "set(*[x for x in xs])",
        "dict(((x, 1) for x in xs), a=1)",
        "dict(((x, 1) for x in xs), **kw)",
        "dict(p for p in zip(xs, xs))",  # the element is not a pair display
        "dict((x, x, x) for x in xs)",
        "dict((*x, 1) for x in xs)",
        "sorted((x for x in xs), key=local)",  # a local could be unbound
        "sorted((x for x in xs), key=pick())",  # a call: evaluated after the elements
        "sorted((x for x in xs), key=kw.get)",  # an attribute lookup on an unknown object
        "sorted((x for x in xs), key=lambda v, d=local: v)",  # a default is evaluated
        "sorted((x for x in xs), cmp=None)",  # TypeError, after the elements
        "sorted((x for x in xs), 1)",
        "sorted((x for x in xs), **kw)",
        'b", ".join(bytes(x) for x in xs)',  # bytes receiver
        'f"{local}".join(str(x) for x in xs)',  # f-string receiver
        '"a" "b".join(str(x) for x in xs)',  # implicit concatenation
        "sep.join(str(x) for x in xs)",  # a receiver of unknown type
        "list((y := x) for x in xs)",  # := binds in the function
        "list(super().m(x) for x in xs)",
        "list(__class__ for x in xs)",
    ],
)
def test_silent_where_a_precondition_fails(call: str) -> None:
    before = src(f"""
        def f(xs, sep, kw, pick):
            local = 1
            return {call}
    """)
    assert_silent(before, "AO120")
    assert_silent(before, "AO121")


CALLS = "list(x for x in xs), sorted(x for x in xs), set(x for x in xs)"


@pytest.mark.parametrize(
    ("binding", "kept"),
    [
        ("list = tuple", ["list"]),
        ("def sorted(x):\n    return x", ["sorted"]),
        ("set = 1", ["set"]),
        ("from builtins import *", ["list", "sorted", "set"]),
    ],
)
def test_silent_when_the_builtin_may_be_shadowed(binding: str, kept: list[str]) -> None:
    before = f"{binding}\n\n\ndef f(xs):\n    return {CALLS}\n"
    outcome = rewrite(before, only=["AO120", "AO121"])
    after = {
        "list": "[x for x in xs]",
        "sorted": "sorted([x for x in xs])",
        "set": "{x for x in xs}",
    }
    expected = CALLS
    for name, display in after.items():
        if name not in kept:
            expected = expected.replace(f"{name}(x for x in xs)", display)
    assert outcome.new_source == before.replace(CALLS, expected)
    assert len(outcome.edits) == 3 - len(kept)


def test_silent_with_a_comment_inside_the_call() -> None:
    before = src("""
        def f(xs):
            return list(
                x  # the element
                for x in xs
            )
    """)
    assert_silent(before, "AO120")
    assert_silent(before, "AO121")


def test_silent_in_async_code() -> None:
    before = src("""
        async def f(xs, g):
            a = list(await g(x) for x in xs)
            b = set(x async for x in xs)
            return a, b, list(x for x in a)
    """)
    outcome = rewrite(before, tier="evidence")
    assert [e.rule for e in outcome.edits] == ["AO120"]
    assert outcome.new_source == before.replace("list(x for x in a)", "[x for x in a]")


def test_interplay_with_sorted_copy_and_c413() -> None:
    copy = "def f(xs):\n    return sorted(list(x * 2 for x in xs))\n"
    outcome = rewrite(copy)
    assert [e.rule for e in outcome.edits] == ["AO110", "AO120"]
    assert outcome.new_source == "def f(xs):\n    return sorted([x * 2 for x in xs])\n"
    wrapped = "def f(xs):\n    return list(sorted(x * 2 for x in xs))\n"
    outcome = rewrite(wrapped)
    assert [e.rule for e in outcome.edits] == ["AO120", "ruff:C413"]
    assert outcome.new_source == "def f(xs):\n    return sorted([x * 2 for x in xs])\n"
    for source in (copy, wrapped):
        assert_same_behaviour(source, outcome.new_source, "f", [([3, 1],), ([],)])
        assert rewrite(outcome.new_source, tier="evidence").edits == ()
    kept = "def f(xs):\n    return any(x for x in xs), all([x is None for x in xs])\n"
    assert rewrite(kept, tier="evidence").edits == ()
