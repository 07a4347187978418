"""AO116: printf-style `%` on a string literal -> f-string, only where the compiled code changes
and both provably give the same string (or the same exception)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rewrite_support import assert_fires, assert_silent, rewrite, run, src

SIZED_INPUTS: list[tuple[Any, ...]] = [("ab", 65), ("", 0), ("héllo wörld", 0x10FFFF), (None, -1)]


@pytest.mark.parametrize(
    ("expression", "f_string"),
    [
        ('"<%s items>" % len(name)', 'f"<{len(name)!s} items>"'),
        ('"%r" % chr(n)', 'f"{chr(n)!r}"'),
        ('"%a!" % chr(n)', 'f"{chr(n)!a}!"'),
        ('"[%-5s]" % len(name)', 'f"[{len(name)!s:<5}]"'),
        ('"[%7.2s]" % hex(n)', 'f"[{hex(n)!s:>7.2}]"'),
        ('"{%s} 100%%" % len(name)', 'f"{{{len(name)!s}}} 100%"'),
        ('r"\\d+%s" % len(name)', 'rf"\\d+{len(name)!s}"'),
        ("u'%s\\t' % len(name)", "f'{len(name)!s}\\t'"),
        ('"%-100s|" % (name,)', 'f"{name!s:<100}|"'),
        ('"%.100r %s %a" % (name, n, 7)', 'f"{name!r:.100} {n!s} {7!a}"'),
    ],
)
def test_percent_on_a_literal_becomes_an_f_string(expression: str, f_string: str) -> None:
    before = src(f"""
        def f(name, n):
            return {expression}
    """)
    assert_fires(before, before.replace(expression, f_string), "AO116", SIZED_INPUTS)


@pytest.mark.parametrize(
    "expression",
    [
        '"%s" % name',  # one operand of unknown type: it may be a tuple or a mapping
        '"%s" % name.strip()',  # the same: a str method says nothing about what name is
        '"%s: %r" % (name, n)',  # CPython 3.11 already compiles this into the same f-string
        '"[%-5s|%5.2s]" % (len(name), 7)',  # the same: widths and precisions below 100
        '"%d" % len(name)',  # %d truncates a float, an f-string's :d raises
        '"%i" % len(name)',
        '"%x" % len(name)',
        '"%f" % len(name)',
        '"%(k)s" % len(name)',  # mapping form
        '"%*s" % (n, name)',  # width from the arguments
        '"%05s" % len(name)',  # flags other than `-`
        '"%ls" % len(name)',  # length modifier
        '"%.s" % len(name)',  # precision without digits
        '"%s %" % len(name)',  # a lone % (ValueError at run time)
        '"%-100s %s" % (name,)',  # fewer elements than directives: TypeError
        '"%-100s" % (name, n)',  # more elements than directives: TypeError
        '"no directive" % ()',
        '"%-100s %s" % (name, n.real)',  # a later element that can run code (a property)
        '"%-100s %s" % (name, local)',  # a later local that may be unbound
        '"%-100s %s" % (name, *names)',
        'b"%s" % len(name)',  # bytes
        '"\\N{BULLET} %s" % len(name)',  # braces of an escape
        '"\\x25s" % len(name)',  # an escape that spells a directive
        '"%s" "-%s" % (len(name), n)',  # implicit concatenation
        '"%s" % len("x")',  # quotes inside the braces
        '"%-100s" % (name[0:1],)',  # `:` inside the braces
        '("%-100s" %  # why\n        (name,))',  # a comment inside
    ],
)
def test_percent_stays_where_an_f_string_could_differ_or_gain_nothing(expression: str) -> None:
    before = src(f"""
        def f(name, n, names=("a",)):
            local = 1
            return {expression}
    """)
    assert_silent(before, "AO116")


def test_a_shadowed_builtin_proves_nothing() -> None:
    before = src("""
        from mylib import len

        def f(name):
            return "%s" % len(name)
    """)
    assert_silent(before, "AO116")


def test_a_template_over_two_lines_stays() -> None:
    before = 'def f(name):\n    return """%s\n""" % len(name)\n'
    assert_silent(before, "AO116")


def test_a_later_element_must_be_inert() -> None:
    deleted = src("""
        def f(name, n):
            del n
            return "%-100s %s" % (name, n)
    """)
    rebound_by_a_closure = src("""
        def f(name, n):
            def g():
                nonlocal n
                n = 2
            return "%-100s %s" % (name, n)
    """)
    assert_silent(deleted, "AO116")
    assert_silent(rebound_by_a_closure, "AO116")


def test_cpython_already_compiles_a_narrow_tuple_form_into_the_f_string() -> None:
    """Why the rule stays silent there: the rewrite would be the very same code object."""
    namespace: dict[str, Any] = {}
    exec("def p(a, b): return '%s: %-5r %%' % (a, b)\n", namespace)
    exec("def q(a, b): return f'{a!s}: {b!r:5} %'\n", namespace)
    p, q = namespace["p"].__code__, namespace["q"].__code__
    assert (p.co_code, p.co_consts) == (q.co_code, q.co_consts)


def test_the_first_element_is_formatted_before_the_next_is_read_without_a_difference() -> None:
    before = src("""
        def f(first, later):
            return "%-100s|%s" % (first, later)
    """)
    outcome = rewrite(before, only=["AO116"])
    assert [e.rule for e in outcome.edits] == ["AO116"]
    for source in (before, outcome.new_source):
        later: list[int] = []
        result = _compiled(source)(_Appends(later), later)
        assert result == "appended".ljust(100) + "|[1]"


class _Appends:
    """Its `__str__` changes the object the next element refers to."""

    def __init__(self, target: list[int]) -> None:
        self.target = target

    def __str__(self) -> str:
        self.target.append(1)
        return "appended"


class _SubStr(str):
    pass


class _StrReturnsSubclass:
    def __str__(self) -> str:
        return _SubStr("sub")

    def __repr__(self) -> str:
        return _SubStr("réprs")


class _StrRaises:
    def __str__(self) -> str:
        raise KeyError("no text")

    def __repr__(self) -> str:
        raise LookupError("no repr")


ANY_VALUE = st.one_of(
    st.text(),
    st.integers(),
    st.floats(),
    st.none(),
    st.booleans(),
    st.binary(max_size=5),
    st.tuples(st.integers()),
    st.lists(st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.builds(_SubStr, st.text()),
    st.just(_StrReturnsSubclass()),
    st.just(_StrRaises()),
)
ANY_TEMPLATES = (
    '"%-100s|%s" % (a, b)',
    '"%.100r:%a:%r" % (a, b, 3)',
    '"{%101.3s}%%%s" % (a, b)',
    '"%200.150a|%-120r" % (a, b)',
)
SIZED_TEMPLATES = (
    '"<%s>" % len(a)',
    '"%r" % len(a)',
    '"%-7s|" % len(a)',
    '"%5.2a|" % chr(b)',
    '"[%-4.1r]" % hex(b)',
    '"%s %%" % str(len(a))',
)


def _compiled(source: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {}
    exec(compile(source, "<AO116-test>", "exec"), namespace)
    function: Callable[..., Any] = namespace["f"]
    return function


@functools.cache
def _pairs(templates: tuple[str, ...]) -> list[tuple[Callable[..., Any], Callable[..., Any]]]:
    """(original, rewritten) functions; every template must really be rewritten."""
    pairs = []
    for template in templates:
        before = f"def f(a, b):\n    return {template}\n"
        outcome = rewrite(before, only=["AO116"])
        assert [e.rule for e in outcome.edits] == ["AO116"], template
        pairs.append((_compiled(before), _compiled(outcome.new_source)))
    return pairs


EXAMPLES = settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@EXAMPLES
@given(a=ANY_VALUE, b=ANY_VALUE)
def test_any_values_give_the_same_text_or_the_same_exception(a: Any, b: Any) -> None:
    for original, rewritten in _pairs(ANY_TEMPLATES):
        assert _outcome(original, a, b) == _outcome(rewritten, a, b)


@EXAMPLES
@given(
    a=st.one_of(st.text(), st.lists(st.none(), max_size=40), st.none(), st.integers()),
    b=st.one_of(st.integers(min_value=-5, max_value=0x110005), st.floats(), st.text(max_size=1)),
)
def test_proven_exact_operands_give_the_same_text_or_the_same_exception(a: Any, b: Any) -> None:
    for original, rewritten in _pairs(SIZED_TEMPLATES):
        assert _outcome(original, a, b) == _outcome(rewritten, a, b)


def test_the_rewritten_functions_run_in_a_fresh_module_too() -> None:
    before = src("""
        def f(a, b):
            return "%-100s|%s" % (a, b)
    """)
    after = rewrite(before, only=["AO116"]).new_source
    assert 'f"{a!s:<100}|{b!s}"' in after
    for args in (("x", 1), (None, [2]), (10**5000, 0)):  # the last: int digit limit, ValueError
        assert run(before, "f", args) == run(after, "f", args)


def _outcome(function: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    try:
        result = function(*args)
    except Exception as err:
        return ("raise", type(err))
    return ("ok", (type(result), result))
