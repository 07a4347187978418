"""Helpers for the rewrite-engine tests: rewrite, compare text, run both versions."""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

from agentic_action.rewrite import RewriteOutcome, rewrite_function


def src(text: str) -> str:
    """Dedented source without the leading newline of a triple-quoted literal."""
    return textwrap.dedent(text).lstrip("\n")


def rewrite(source: str, qualname: str = "f", **kwargs: Any) -> RewriteOutcome:
    return rewrite_function(source, qualname, **kwargs)


def run(source: str, qualname: str, args: Sequence[Any]) -> tuple[Any, ...]:
    """Call the function defined in `source`; the outcome as a comparable value.

    ("ok", return value, arguments after the call) or ("raise", exception type name).
    """
    namespace: dict[str, Any] = {"__name__": "rewritten"}
    exec(compile(source, "<rewrite-test>", "exec"), namespace)
    target: Any = namespace[qualname.split(".")[0]]
    for part in qualname.split(".")[1:]:
        target = getattr(target, part)
    call_args = copy.deepcopy(list(args))
    try:
        result = target(*call_args)
    except Exception as err:
        return ("raise", type(err).__name__)
    return ("ok", result, call_args)


def assert_same_behaviour(
    before: str, after: str, qualname: str, inputs: Iterable[Sequence[Any]]
) -> None:
    checked = 0
    for args in inputs:
        assert run(before, qualname, args) == run(after, qualname, args), args
        checked += 1
    assert checked, "give at least one input"


def assert_fires(
    before: str,
    expected: str,
    rule: str,
    inputs: Iterable[Sequence[Any]],
    qualname: str = "f",
) -> RewriteOutcome:
    """The rule rewrites `before` to exactly `expected`, and both behave the same."""
    outcome = rewrite(before, qualname, only=[rule])
    assert outcome.new_source == expected
    assert outcome.edits and all(e.rule == rule for e in outcome.edits)
    assert_same_behaviour(before, expected, qualname, inputs)
    return outcome


def assert_silent(before: str, rule: str, qualname: str = "f") -> None:
    outcome = rewrite(before, qualname, only=[rule])
    assert outcome.edits == ()
    assert outcome.new_source == before
