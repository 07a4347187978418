"""The second source of rewrites: ruff's own autofixes, only safe ones we checked by hand.

We run `ruff check` on the whole file (ruff needs the context: is `d` a dict, is `list` the
builtin), then keep a diagnostic only when (1) its code is in RUFF_RULES below, (2) ruff marks
its fix "safe", (3) every edit lies inside the target function, and (4) our own extra check for
that code passes. Everything outside the function stays byte-identical.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentic_action.rewrite._lines import line_starts
from agentic_action.rewrite._types import RuleInfo

RUFF_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class RuffFix:
    code: str
    title: str
    line: int  # in the text ruff saw
    rationale: str


@dataclass(frozen=True)
class RuffResult:
    new_source: str
    fixes: tuple[RuffFix, ...]


Check = Callable[[str, str], bool]  # (original text of the edited range, replacement) -> ok


def _always(_old: str, _new: str) -> bool:
    return True


def _fromkeys_value_is_literal(_old: str, new: str) -> bool:
    """dict.fromkeys shares ONE value object: accept only literal constants (or no value)."""
    call = _expression(new)
    if not isinstance(call, ast.Call) or len(call.args) not in (1, 2) or call.keywords:
        return False
    return len(call.args) == 1 or isinstance(call.args[1], ast.Constant)


def _test_is_plain_name(old: str, _new: str) -> bool:
    """`x if x else y` -> `x or y` evaluates x once: accept only when x is a plain variable."""
    expr = _expression(old)
    return (
        isinstance(expr, ast.IfExp)
        and isinstance(expr.test, ast.Name)
        and isinstance(expr.body, ast.Name)
        and expr.test.id == expr.body.id
    )


def _expression(text: str) -> ast.expr | None:
    try:
        return ast.parse(f"(\n{text}\n)", mode="eval").body
    except SyntaxError:
        return None


@dataclass(frozen=True)
class _Spec:
    info: RuleInfo
    check: Check


def _spec(
    code: str, title: str, pre: str, before: str, after: str, check: Check = _always
) -> _Spec:
    return _Spec(RuleInfo(f"ruff:{code}", title, pre, before, after), check)


_SPECS = (
    _spec(
        "C413",
        "drop list() around sorted()",
        "ruff marks it safe only for list(sorted(...)) with the builtin list and sorted (never "
        "for reversed(sorted(...)), where ties would reorder); sorted() already returns a new "
        "list.",
        "ys = list(sorted(xs))",
        "ys = sorted(xs)",
    ),
    _spec(
        "C420",
        "dict comprehension with a constant value -> dict.fromkeys",
        "ruff marks it safe when no comment is lost and `dict` is the builtin; we also require "
        "the value to be a literal constant, because dict.fromkeys shares one value object.",
        "seen = {k: 0 for k in keys}",
        "seen = dict.fromkeys(keys, 0)",
        _fromkeys_value_is_literal,
    ),
    _spec(
        "SIM118",
        "key in d.keys() -> key in d",
        "ruff marks it safe only when it knows `d` is a dict.",
        "d = dict(pairs)\nfound = k in d.keys()",
        "d = dict(pairs)\nfound = k in d",
    ),
    _spec(
        "SIM905",
        "split of a constant string -> list literal",
        "the string is a literal, so the result of .split() is known when the code is written.",
        'names = "a b c".split()',
        'names = ["a", "b", "c"]',
    ),
    _spec(
        "SIM910",
        "d.get(k, None) -> d.get(k)",
        "ruff marks it safe only when it knows `d` is a dict, whose get() defaults to None.",
        "d = dict(pairs)\nv = d.get(k, None)",
        "d = dict(pairs)\nv = d.get(k)",
    ),
    _spec(
        "FURB110",
        "x if x else y -> x or y",
        "ruff marks it safe when the test has no side effects; we also require it to be a plain "
        "variable (an attribute could be a property that returns a new value each time).",
        "name = given if given else default",
        "name = given or default",
        _test_is_plain_name,
    ),
    _spec(
        "FURB168",
        "isinstance(x, type(None)) -> x is None",
        "NoneType cannot be subclassed, so the two tests agree for every x.",
        "missing = isinstance(x, type(None))",
        "missing = x is None",
    ),
    _spec(
        "FURB181",
        "hashlib .digest().hex() -> .hexdigest()",
        "ruff marks it safe only when the object is a hashlib constructor's result.",
        "h = hashlib.sha256(data).digest().hex()",
        "h = hashlib.sha256(data).hexdigest()",
    ),
)
RUFF_RULES: tuple[RuleInfo, ...] = tuple(s.info for s in _SPECS)
_CHECKS: dict[str, Check] = {s.info.id.removeprefix("ruff:"): s.check for s in _SPECS}


def ruff_executable(python: str | None = None, path: str | None = None) -> str:
    """ruff next to the interpreter (default: the running one, i.e. the venv), else on PATH
    (default: the PATH environment variable)."""
    interpreter = Path(python or sys.executable)
    beside = interpreter.parent / ("ruff.exe" if sys.platform == "win32" else "ruff")
    if beside.is_file():
        return str(beside)
    found = shutil.which("ruff", path=path)
    if found is None:
        raise RuntimeError(
            "ruff is not installed (looked next to the Python interpreter and on PATH): "
            "`pip install ruff`, or exclude the ruff:* rules"
        )
    return found


def run_ruff(source: str, codes: frozenset[str]) -> list[dict[str, Any]]:
    command = [
        ruff_executable(), "check", "--isolated", "--no-cache", "--exit-zero", "--quiet",
        "--stdin-filename", "module.py", "--select", ",".join(sorted(codes)),
        "--output-format", "json", "-",
    ]  # fmt: skip
    done = subprocess.run(
        command,
        input=source.encode("utf-8"),
        capture_output=True,
        timeout=RUFF_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"ruff failed (exit {done.returncode}): {stderr}")
    result = json.loads(done.stdout or b"[]")
    assert isinstance(result, list)
    return result


def apply_ruff_fixes(source: str, low: int, high: int, codes: frozenset[str]) -> RuffResult | None:
    """Apply the acceptable fixes ruff reports inside source[low:high] (None when none)."""
    codes = codes & _CHECKS.keys()
    if not codes:
        return None
    return fixes_within(run_ruff(source, codes), source, line_starts(source), low, high, codes)


def fixes_within(
    diagnostics: list[dict[str, Any]],
    source: str,
    starts: list[int],
    low: int,
    high: int,
    codes: frozenset[str],
) -> RuffResult | None:
    """The acceptable fixes among one ruff run's `diagnostics` on `source` (whose line starts
    are `starts`) that lie inside source[low:high], applied (None when none): one ruff run on a
    whole file serves every definition in it."""
    codes = codes & _CHECKS.keys()
    chosen: list[tuple[int, int, list[tuple[int, int, str]], RuffFix]] = []
    for diagnostic in diagnostics:
        candidate = _acceptable(diagnostic, source, starts, low, high, codes)
        if candidate is not None and not any(_overlap(candidate, c) for c in chosen):
            chosen.append(candidate)
    if not chosen:
        return None
    edits = sorted((e for c in chosen for e in c[2]), reverse=True)
    text = source
    for start, end, content in edits:
        text = text[:start] + content + text[end:]
    fixes = tuple(c[3] for c in sorted(chosen, key=lambda c: c[0]))
    return RuffResult(text, fixes)


def _acceptable(
    diagnostic: dict[str, Any],
    source: str,
    starts: list[int],
    low: int,
    high: int,
    codes: frozenset[str],
) -> tuple[int, int, list[tuple[int, int, str]], RuffFix] | None:
    code, fix = diagnostic.get("code"), diagnostic.get("fix")
    if not _inside(diagnostic, starts, low, high):
        return None
    if code not in codes or not fix or fix.get("applicability") != "safe" or not fix["edits"]:
        return None
    edits = [
        (_offset(starts, e["location"]), _offset(starts, e["end_location"]), e["content"])
        for e in fix["edits"]
    ]
    if any(not (low <= start <= end <= high) for start, end, _ in edits):
        return None
    if not all(_CHECKS[code](source[start:end], new) for start, end, new in edits):
        return None
    title = next(i.title for i in RUFF_RULES if i.id == f"ruff:{code}")
    why = f"ruff {code} (safe fix): {fix.get('message') or diagnostic.get('message', '')}"
    found = RuffFix(code, title, diagnostic["location"]["row"], why)
    return min(e[0] for e in edits), max(e[1] for e in edits), edits, found


def _inside(diagnostic: dict[str, Any], starts: list[int], low: int, high: int) -> bool:
    """The diagnostic starts inside [low, high] (a quick filter before its edits are read)."""
    location = diagnostic.get("location")
    return isinstance(location, dict) and low <= _offset(starts, location) <= high


def _overlap(a: tuple[int, int, Any, Any], b: tuple[int, int, Any, Any]) -> bool:
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == b[0]


def _offset(starts: list[int], location: dict[str, int]) -> int:
    """ruff's 1-based row and 1-based column (in characters) as an offset into the text."""
    row = min(location["row"], len(starts))
    return starts[row - 1] + location["column"] - 1
