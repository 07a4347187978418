"""ruff's autofixes as a rewrite source: only safe, whitelisted fixes inside the target function."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rewrite_support import assert_same_behaviour, rewrite, src

from agentic_action.rewrite import RULES, ruff_executable
from agentic_action.rewrite._ruff import run_ruff

RUFF_IDS = sorted(r.id for r in RULES if r.id.startswith("ruff:"))
LISTED = frozenset(i.removeprefix("ruff:") for i in RUFF_IDS)


def test_whitelisted_safe_fixes_apply_inside_the_function() -> None:
    before = src("""
        import hashlib

        def f(xs, k, given, default, data):
            d = {}
            a = list(sorted(xs))
            b = {x: 0 for x in xs}
            found = k in d.keys()
            names = "a b c".split()
            v = d.get(k, None)
            w = given if given else default
            z = isinstance(k, type(None))
            h = hashlib.sha256(data).digest().hex()
            return a, b, found, names, v, w, z, h
    """)
    after = src("""
        import hashlib

        def f(xs, k, given, default, data):
            d = {}
            a = sorted(xs)
            b = dict.fromkeys(xs, 0)
            found = k in d
            names = ["a", "b", "c"]
            v = d.get(k)
            w = given or default
            z = k is None
            h = hashlib.sha256(data).hexdigest()
            return a, b, found, names, v, w, z, h
    """)
    outcome = rewrite(before)
    assert outcome.new_source == after
    assert sorted(e.rule for e in outcome.edits) == RUFF_IDS
    assert {e.rule: e.line for e in outcome.edits}["ruff:C413"] == 5
    inputs = [([3, 1], None, "", "dflt", b"x"), ([], "k", "given", "d", b"")]
    assert_same_behaviour(before, after, "f", inputs)


def test_fixes_ruff_marks_unsafe_are_never_applied_even_for_listed_codes() -> None:
    before = src("""
        def f(xs, obj, k):
            a = reversed(sorted(xs))
            b = k in obj.keys()
            return a, b
    """)
    reported = {d["code"]: d["fix"]["applicability"] for d in run_ruff(before, LISTED)}
    assert reported == {"C413": "unsafe", "SIM118": "unsafe"}
    outcome = rewrite(before, only=RUFF_IDS)
    assert outcome.edits == ()
    assert outcome.new_source == before


def test_fixes_of_unlisted_codes_are_never_applied_even_when_ruff_calls_them_safe() -> None:
    before = src("""
        def f(xs, it, s):
            seq = [1, 2]
            a = [x for x in it]
            b = sorted(xs)[0]
            for i in list(seq):
                seq2 = seq
                seq2.append(i) if len(seq) < 5 else None
            c = s[1:] if s.startswith("a") else s
            return a, b, c, seq
    """)
    unlisted = frozenset({"C416", "FURB192", "PERF101", "FURB188"})
    reported = {d["code"]: d["fix"]["applicability"] for d in run_ruff(before, unlisted)}
    # PERF101 would loop forever here (the alias grows seq); FURB188 changes str subclasses
    assert reported == {"C416": "unsafe", "FURB192": "unsafe", "PERF101": "safe", "FURB188": "safe"}
    outcome = rewrite(before)
    assert outcome.edits == ()
    assert outcome.new_source == before


def test_fixes_outside_the_target_function_are_not_applied() -> None:
    before = src("""
        def g(xs):
            return list(sorted(xs))

        def f(xs):
            return list(sorted(xs))

        h = list(sorted([2, 1]))
    """)
    outcome = rewrite(before)
    assert outcome.new_source == before.replace(
        "def f(xs):\n    return list(sorted(xs))", "def f(xs):\n    return sorted(xs)"
    )
    assert [e.rule for e in outcome.edits] == ["ruff:C413"]


def test_our_extra_checks_refuse_what_ruff_calls_safe() -> None:
    before = src("""
        def f(obj, it):
            a = obj.attr if obj.attr else 3          # FURB110 on a property: evaluated once
            b = {k: obj for k in it}                 # C420 with a non-literal value
            return a, b
    """)
    outcome = rewrite(before, only=["ruff:FURB110", "ruff:C420"])
    assert outcome.edits == ()


def test_ruff_rules_can_be_excluded() -> None:
    before = "def f(xs):\n    return list(sorted(xs))\n"
    assert rewrite(before, exclude=["ruff:C413"]).edits == ()


def test_missing_ruff_gives_a_clear_error(tmp_path: Path) -> None:
    fake_python = tmp_path / "bin" / "python"
    with pytest.raises(RuntimeError, match="ruff is not installed"):
        ruff_executable(python=str(fake_python), path=str(tmp_path))
    assert Path(ruff_executable()).name.startswith("ruff")
    assert Path(ruff_executable(python=sys.executable, path="")).is_file()
