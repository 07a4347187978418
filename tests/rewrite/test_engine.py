"""rewrite_function as a whole: targeting, byte-identical surroundings, errors, fixpoint."""

from __future__ import annotations

import pytest
from rewrite_support import assert_same_behaviour, rewrite, src

from agentic_action.rewrite import RULES, rewrite_function

PATTERN = "    out = []\n    for x in xs:\n        out.append(x + 1)\n    return out\n"
REWRITTEN = "    out = [x + 1 for x in xs]\n    return out\n"

MIXED = src("""
    import re
    import hashlib


    def f(xs, pairs, n, data):
        names = list()
        for i in range(n):
            names.append(str(i))
        totals = dict(pairs)
        lines = []
        for k in totals.keys():
            lines.append(f"{k}={totals[k]}")
        text = ""
        for name in names:
            text += name + ","
        found = 0
        for word in xs:
            if re.match("[a-z]+", word) and len(word) in (3, 4):
                found += 1
        return names, lines, text, found, list(sorted(xs)), hashlib.md5(data).digest().hex()
""")


def test_only_the_named_function_changes_when_two_share_the_pattern() -> None:
    source = "def g(xs):\n" + PATTERN + "\n\ndef f(xs):\n" + PATTERN
    outcome = rewrite(source, "f")
    assert outcome.new_source == "def g(xs):\n" + PATTERN + "\n\ndef f(xs):\n" + REWRITTEN
    assert [e.line for e in outcome.edits] == [10]


def test_formatting_and_comments_outside_the_rewrite_stay_byte_identical() -> None:
    head = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nX  =  {'é': 1,   # odd\n  'b':2}\n\n"
    tail = "\n\n\nclass  K :   # c\n    def m( self ) :  return   [ ]\n\nY = ( 1 ,\n 2 )  \n"
    body = "def f(xs):  # head comment\n    '''doc'''\n\n    # before\n" + PATTERN + "    # after\n"
    outcome = rewrite(head + body + tail, "f")
    assert outcome.new_source.startswith(head + "def f(xs):  # head comment\n    '''doc'''\n\n")
    assert outcome.new_source.endswith("    return out\n    # after\n" + tail)
    assert outcome.edits


def test_crlf_files_keep_their_line_endings() -> None:
    source = ("def f(xs):\n" + PATTERN + "\nZ = 1\n").replace("\n", "\r\n")
    outcome = rewrite(source, "f")
    assert outcome.new_source == ("def f(xs):\n" + REWRITTEN + "\nZ = 1\n").replace("\n", "\r\n")


def test_methods_are_found_by_class_qualname() -> None:
    method = "    def f(self, xs):\n" + PATTERN.replace("    ", "        ")
    source = "class A:\n" + method + "\n\ndef g():\n    pass\n"
    outcome = rewrite(source, "A.f")
    assert outcome.new_source == source.replace(
        PATTERN.replace("    ", "        "), REWRITTEN.replace("    ", "        ")
    )
    with pytest.raises(ValueError, match="'f'"):
        rewrite(source, "f")


def test_missing_function_raises_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match="'nope'"):
        rewrite_function("def f():\n    pass\n", "nope")
    with pytest.raises(ValueError, match=r"'A\.f'"):
        rewrite_function("def f():\n    pass\n", "A.f")


def test_nested_qualnames_are_refused_with_a_hint() -> None:
    with pytest.raises(ValueError, match="enclosing function"):
        rewrite_function("def f():\n    def g():\n        pass\n", "f.<locals>.g")


def test_unparseable_source_raises_syntax_error_naming_the_problem() -> None:
    with pytest.raises(SyntaxError, match=r"does not parse.*'f'.*line 1"):
        rewrite_function("def f(:\n    pass\n", "f")
    with pytest.raises(SyntaxError):
        rewrite_function("def f():\nreturn 1\n", "f")


def test_unknown_rule_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="AO999"):
        rewrite_function("def f():\n    pass\n", "f", only=["AO999"])
    with pytest.raises(ValueError, match="ruff:XYZ"):
        rewrite_function("def f():\n    pass\n", "f", exclude=["ruff:XYZ"])


def test_only_and_exclude_select_rules() -> None:
    source = "def f(xs):\n" + PATTERN.replace("out = []", "out = list()")
    both = rewrite(source)
    assert [e.rule for e in both.edits] == ["AO112", "AO104"]
    assert [e.rule for e in rewrite(source, exclude=["AO112"]).edits] == ["AO104"]
    assert [e.rule for e in rewrite(source, only=["AO112"]).edits] == ["AO112"]
    assert rewrite(source, only=[]).edits == ()


def test_many_rules_together_keep_behaviour_and_a_second_pass_changes_nothing() -> None:
    outcome = rewrite(MIXED)
    fired = {e.rule for e in outcome.edits}
    assert {"AO104", "AO108", "AO102", "AO103", "AO101", "ruff:C413", "ruff:FURB181"} <= fired
    assert all(1 <= e.line <= len(MIXED.splitlines()) for e in outcome.edits)
    again = rewrite(outcome.new_source)
    assert again.edits == ()
    assert again.new_source == outcome.new_source
    inputs = [([], [], 0, b""), (["abc", "Abcd", "xyz1", "four"], [("a", 1)], 3, b"x")]
    assert_same_behaviour(MIXED, outcome.new_source, "f", inputs)


def test_edit_lines_point_at_the_original_source() -> None:
    outcome = rewrite(MIXED)
    lines = MIXED.splitlines()
    by_rule: dict[str, int] = {}
    for edit in outcome.edits:
        by_rule.setdefault(edit.rule, edit.line)
    assert lines[by_rule["AO104"] - 1].strip() == "for i in range(n):"
    assert lines[by_rule["AO108"] - 1].strip() == "for k in totals.keys():"
    assert "re.match" in lines[by_rule["AO103"] - 1]


def test_duplicate_definitions_are_all_rewritten_or_chosen_by_line() -> None:
    source = "def f(xs):\n" + PATTERN + "\n\ndef f(xs):\n" + PATTERN
    assert len(rewrite(source, "f").edits) == 2
    second = rewrite(source, "f", line=8)
    assert second.new_source == "def f(xs):\n" + PATTERN + "\n\ndef f(xs):\n" + REWRITTEN
    with pytest.raises(ValueError, match=r"starts at line 3.*\[1, 8\]"):
        rewrite(source, "f", line=3)


def test_functions_that_inspect_their_own_frame_are_left_to_ruff_only() -> None:
    source = "def f(xs):\n" + PATTERN.replace("return out", "return out, locals()")
    assert rewrite(source, exclude=[r.id for r in RULES if r.id.startswith("ruff:")]).edits == ()


def test_a_function_with_nothing_to_do_comes_back_unchanged() -> None:
    source = "def f(a, b):\n    return a + b\n"
    outcome = rewrite(source)
    assert outcome.new_source == source
    assert outcome.edits == ()
