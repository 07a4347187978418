"""Rules added for the shapes real packages showed: AO114 (str.format -> f-string, proven) and
AO115 (constant membership with an unproven probe, evidence tier)."""

from __future__ import annotations

from typing import Any

import pytest
from rewrite_support import assert_fires, assert_silent, rewrite, run, src

from agentic_action.rewrite import RULES

INPUTS: list[tuple[Any, ...]] = [("ab", 3), (1.5, -2), (None, 0), ([1], 10**20)]


@pytest.mark.parametrize(
    ("call", "f_string"),
    [
        ('"{} has {:>3} items".format(name, n)', 'f"{name} has {n:>3} items"'),
        ('"{0!r}-{1:x}".format(name, n)', 'f"{name!r}-{n:x}"'),
        ('"<{a}: {b}>".format(a=name, b=n)', 'f"<{name}: {n}>"'),
        ("'{{{}}}\\n'.format(name)", "f'{{{name}}}\\n'"),
        ('r"\\d{}".format(len(str(name)))', 'rf"\\d{len(str(name))}"'),
        ('"{}, {}".format(str(name).upper(), 7)', 'f"{str(name).upper()}, {7}"'),
    ],
)
def test_format_on_a_literal_becomes_an_f_string(call: str, f_string: str) -> None:
    before = src(f"""
        def f(name, n):
            return {call}
    """)
    after = before.replace(call, f_string)
    assert_fires(before, after, "AO114", INPUTS)


@pytest.mark.parametrize(
    "call",
    [
        '"{1} {0}".format(name, n)',  # evaluated in another order than formatted
        '"{0} {0}".format(name)',  # one argument formatted twice: an f-string evaluates it twice
        '"{}".format(name, n)',  # an unused argument is still evaluated by .format
        '"{} {}".format(name, n.real)',  # a later argument that can run code (a property)
        '"{} {}".format(name, local)',  # a later local that may be unbound
        '"{0.real}".format(n)',  # attribute lookups in the field
        '"{:{w}}".format(name, w=n)',  # nested field in the spec
        '"{}".format("x")',  # quotes inside the braces
        'b"{}".format(name)',  # bytes have no format
        '"{}".format(*names)',
        '"\\N{BULLET} {}".format(name)',  # braces of an escape, not a field
        '"{}" "{}".format(name, n)',  # implicit concatenation
    ],
)
def test_format_stays_where_an_f_string_could_differ(call: str) -> None:
    before = src(f"""
        def f(name, n, names=("a",)):
            local = 1
            return {call}
    """)
    assert_silent(before, "AO114")


def test_a_deleted_parameter_is_not_inert() -> None:
    before = src("""
        def f(name, n):
            del n
            return "{} {}".format(name, n)
    """)
    assert_silent(before, "AO114")


EVIDENCE = src("""
    def f(words, n):
        count = 0
        for w in words:
            if w in ("a", "an", "the"):
                count += 1
        return count
""")


def test_the_evidence_tier_is_used_only_when_asked_for() -> None:
    assert rewrite(EVIDENCE).edits == ()  # the default: proven rules only, AO101 stays silent
    outcome = rewrite(EVIDENCE, tier="evidence")
    assert [e.rule for e in outcome.edits] == ["AO115"]
    assert 'if w in {"a", "an", "the"}:' in outcome.new_source
    edit = outcome.edits[0]
    assert "evidence tier" in edit.title and "evidence tier" in edit.rationale
    for words in (["a", "x", "the"], [1, None, 2.5], ()):
        assert run(EVIDENCE, "f", [words, 0]) == run(outcome.new_source, "f", [words, 0])
    # the evidence it rests on: an unhashable probe behaves differently, so no proof exists
    assert run(EVIDENCE, "f", [[["a"]], 0])[0] == "ok"
    assert run(outcome.new_source, "f", [[["a"]], 0]) == ("raise", "TypeError")
    assert [r.id for r in RULES if r.tier == "evidence"] == ["AO115", "AO117", "AO119", "AO121"]


def test_the_evidence_rule_keeps_the_rest_of_ao101s_precondition() -> None:
    outside_a_loop = "def f(w):\n    return w in ('a', 'b')\n"
    not_constant = "def f(ws, x):\n    for w in ws:\n        if w in (x, 'b'):\n            pass\n"
    mutated = src("""
        def f(words):
            allowed = ["a", "b"]
            allowed.append("c")
            for w in words:
                if w in allowed:
                    return True
    """)
    for source in (outside_a_loop, not_constant, mutated):
        assert rewrite(source, only=["AO115"]).edits == (), source


def test_unknown_tier_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown rules tier 'maybe'"):
        rewrite(EVIDENCE, tier="maybe")  # type: ignore[arg-type]


def test_an_earlier_initialisation_moves_to_the_loop() -> None:
    before = src("""
        def f(xs, n):
            out = []
            total = n * 2

            for x in xs:
                out.append(x + total)
            return out
    """)
    after = src("""
        def f(xs, n):
            total = n * 2

            out = [x + total for x in xs]
            return out
    """)
    assert_fires(before, after, "AO104", [([1, 2], 3), ([], 0), (None, 1), ([1], "s")])


@pytest.mark.parametrize(
    "between",
    [
        "size = len(out)",  # reads the accumulator before the loop
        "if n:\n                return out",  # could hand out the empty list
        "print(out)",  # hands it to code that could keep it
    ],
)
def test_an_earlier_initialisation_stays_when_the_statements_between_mention_it(
    between: str,
) -> None:
    before = src(f"""
        def f(xs, n):
            out = []
            {between}
            for x in xs:
                out.append(x)
            return out
    """)
    assert_silent(before, "AO104")


def test_a_commented_earlier_initialisation_stays() -> None:
    before = "def f(xs, n):\n    # the result\n    out = []\n    k = n\n    for x in xs:\n"
    before += "        out.append(x)\n    return out, k\n"
    assert_silent(before, "AO104")
