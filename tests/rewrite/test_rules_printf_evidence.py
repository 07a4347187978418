"""AO117 (evidence tier): printf-style `%` on a string literal with ONE operand of unknown type
-> f-string. Right for every operand but the three kinds named in its docstring; the tests here
show both halves, so the `[evidence tier]` label is honest."""

from __future__ import annotations

import collections
import decimal
import fractions
import functools
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rewrite_support import assert_silent, rewrite, run, src

from agentic_action.rewrite import RULES

INPUTS: list[tuple[Any, ...]] = [("ab", 3), (1.5, [2]), (None, {"k": 1}), (b"x", 10**20)]
ONE_OPERAND = src("""
    def f(name, n):
        return "<%s>" % name
""")


def test_only_the_evidence_tier_offers_it() -> None:
    assert rewrite(ONE_OPERAND).edits == ()  # the default, proven tier: AO116 stays silent
    assert rewrite(ONE_OPERAND, only=["AO116"]).edits == ()
    outcome = rewrite(ONE_OPERAND, tier="evidence")
    assert [e.rule for e in outcome.edits] == ["AO117"]
    assert 'return f"<{name!s}>"' in outcome.new_source
    edit = outcome.edits[0]
    assert edit.title.startswith("[evidence tier]") and "evidence tier" in edit.rationale
    assert next(r for r in RULES if r.id == "AO117").tier == "evidence"


def test_a_proven_operand_stays_with_the_proven_rule() -> None:
    before = src("""
        def f(name, n):
            return "<%s> %s" % (name, n), "<%s>" % len(name)
    """)
    assert_silent(before, "AO117")  # a tuple display and an exact int: AO116's (or the compiler's)
    outcome = rewrite(before, tier="evidence")
    assert [e.rule for e in outcome.edits] == ["AO116"]


@pytest.mark.parametrize(
    ("expression", "f_string"),
    [
        ('"<%s>" % name', 'f"<{name!s}>"'),
        ('"%r" % n', 'f"{n!r}"'),
        ('"%a!" % name', 'f"{name!a}!"'),
        ('"[%-7s]" % name', 'f"[{name!s:<7}]"'),
        ('"[%9.2r]" % n', 'f"[{n!r:>9.2}]"'),
        ('"100%% of %s" % name', 'f"100% of {name!s}"'),
        ('"{%s}" % str.strip', 'f"{{{str.strip!s}}}"'),
        ('"%s" % [name, n][0]', 'f"{[name, n][0]!s}"'),
        ('"%s" % (name)', 'f"{(name)!s}"'),
    ],
)
def test_one_operand_of_unknown_type_becomes_an_f_string(expression: str, f_string: str) -> None:
    before = src(f"""
        def f(name, n):
            return {expression}
    """)
    outcome = rewrite(before, only=["AO117"])
    assert outcome.new_source == before.replace(expression, f_string)
    assert [e.rule for e in outcome.edits] == ["AO117"]
    for args in INPUTS:
        assert run(before, "f", args) == run(outcome.new_source, "f", args), args


@pytest.mark.parametrize(
    "expression",
    [
        '"%s" % args',  # the *args parameter: always a tuple
        '"%s" % pair',  # bound to a tuple display
        '"%s" % tuple(name)',
        '"%s" % divmod(n, 2)',
        '"%s %s" % name',  # two directives need a tuple operand
        '"100%%" % name',  # no directive: TypeError, unless the operand is a mapping
        '"%d" % name',
        '"%(k)s" % name',
        '"%05s" % name',
        '"%s" % 5',  # folded into a constant by the compiler
        'b"%s" % name',
        '"%s" % name["k"]',  # quotes inside the braces
        '"%s" % name[1:]',  # `:` inside the braces
        '"%s" "-" % name',  # implicit concatenation
        '("%s" %  # why\n        name)',
    ],
)
def test_it_stays_where_the_precondition_fails(expression: str) -> None:
    before = src(f"""
        def f(name, n, *args):
            pair = (name, n)
            return {expression}
    """)
    assert_silent(before, "AO117")


def test_a_shadowed_tuple_builtin_is_not_a_tuple() -> None:
    before = src("""
        from mylib import tuple

        def f(name):
            return "%s" % tuple(name)
    """)
    outcome = rewrite(before, only=["AO117"])
    assert 'return f"{tuple(name)!s}"' in outcome.new_source


class _SubStr(str):
    pass


class _Mapping:
    def __getitem__(self, key: object) -> int:
        return 1

    def __str__(self) -> str:
        return "mapping"


class _RModNotStr:
    def __rmod__(self, other: object) -> str:
        return "rmod"

    def __repr__(self) -> str:
        return "RModNotStr()"


class _ModOnlyStr(str):
    def __mod__(self, other: object) -> str:
        return "mod"


class _StrRaises:
    def __str__(self) -> str:
        raise KeyError("no text")

    def __repr__(self) -> str:
        raise LookupError("no repr")


NON_TUPLE_VALUE = st.one_of(
    st.text(),
    st.integers(),
    st.just(10**5000),  # past the int digit limit: ValueError on both sides
    st.floats(),
    st.complex_numbers(),
    st.decimals(),
    st.fractions(),
    st.none(),
    st.booleans(),
    st.binary(max_size=5),
    st.lists(st.one_of(st.text(max_size=3), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.sets(st.integers(), max_size=3),
    st.frozensets(st.text(max_size=2), max_size=2),
    st.builds(_SubStr, st.text()),
    st.builds(_ModOnlyStr, st.text()),
    st.just(_Mapping()),
    st.just(_RModNotStr()),
    st.just(_StrRaises()),
    st.just(range(3)),
    st.just(Ellipsis),
)
TEMPLATES = (
    '"%s" % a',
    '"<%s>" % a',
    '"%r" % a',
    '"%a!" % a',
    '"[%-7s]" % a',
    '"%.2r|" % a',
    '"100%% %5.1a" % a',
)


@functools.cache
def _pairs() -> dict[str, tuple[Callable[..., Any], Callable[..., Any]]]:
    """(original, rewritten) functions by template; every one must really be rewritten."""
    pairs = {}
    for template in TEMPLATES:
        before = f"def f(a):\n    return {template}\n"
        outcome = rewrite(before, only=["AO117"])
        assert [e.rule for e in outcome.edits] == ["AO117"], template
        pairs[template] = (_compiled(before), _compiled(outcome.new_source))
    return pairs


@settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(a=NON_TUPLE_VALUE)
def test_every_non_tuple_value_gives_the_same_text_or_the_same_exception(a: Any) -> None:
    for original, rewritten in _pairs().values():
        assert _outcome(original, a) == _outcome(rewritten, a)


class _Formats(str):
    def __format__(self, spec: str) -> str:
        return "formatted"


class _StrGivesFormats:
    def __str__(self) -> str:
        return _Formats("text")


class _RMod(str):
    def __rmod__(self, other: object) -> str:
        return "rmod"


def test_the_known_differences_are_what_makes_it_evidence_tier() -> None:
    """The three kinds of operand where `%` and the f-string differ in CPython 3.11."""
    original, rewritten = _pairs()['"<%s>" % a']  # -> f"<{a!s}>"
    point = collections.namedtuple("point", "x")
    # a tuple (of any tuple subclass): % formats its elements
    assert (original((1,)), rewritten((1,))) == ("<1>", "<(1,)>")
    assert (original(point(2)), rewritten(point(2))) == ("<2>", "<point(x=2)>")
    stat = os.stat(".")
    assert _outcome(original, stat) == ("raise", TypeError)
    assert rewritten(stat) == f"<{stat}>"
    for wrong_length in ((), (1, 2)):
        assert _outcome(original, wrong_length) == ("raise", TypeError)
        assert rewritten(wrong_length) == f"<{wrong_length}>"
    # a str subclass with its own __rmod__: % asks it first
    assert (original(_RMod("r")), rewritten(_RMod("r"))) == ("rmod", "<r>")
    # str() returns a str subclass: the f-string calls its __format__
    assert (original(_StrGivesFormats()), rewritten(_StrGivesFormats())) == (
        "<text>",
        "<formatted>",
    )
    alone, alone_rewritten = _pairs()['"%s" % a']  # % returns the subclass object itself
    assert type(alone(_StrGivesFormats())) is _Formats
    assert type(alone_rewritten(_StrGivesFormats())) is str


def test_a_decimal_and_a_fraction_are_not_tuples() -> None:
    """Values whose own `__rmod__` % never asks (str's % answers first)."""
    original, rewritten = _pairs()['"<%s>" % a']
    for value in (decimal.Decimal("1.5"), fractions.Fraction(1, 3), _RModNotStr()):
        assert original(value) == rewritten(value) == f"<{value}>"


def _compiled(source: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<AO117-test>", "exec"), namespace)
    function: Callable[..., Any] = namespace["f"]
    return function


def _outcome(function: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    try:
        result = function(*args)
    except Exception as err:
        return ("raise", type(err))
    return ("ok", (type(result), result))
