"""What the selector knows about a function before anyone works on it.

Features: its size (lines), loops, calls, the argument types (annotated in the source, and the
types of the inputs the recording run stored), the time the test suite spent in it, a bag of
syntax tokens (node kinds and called names) that similarity is measured on, and whether a rule
of the rules engine applies to it and of which family (``rule_match``, ``rule_family``: the
cached rules pass's answer, known before any proof is spent; None when nobody asked, as in
older history).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from agentic_action.model import FunctionTarget

# Task types, for "success rate by task type": the shape of the work, read from the features.
TASK_TYPES = ("nested-loops", "loop", "call-heavy", "straight-line", "unknown")


@dataclass(frozen=True)
class FunctionFeatures:
    lines: int
    loops: int
    calls: int
    max_depth: int  # deepest loop nesting
    arg_types: tuple[str, ...] = ()
    profile_seconds: float | None = None
    tokens: frozenset[str] = field(default_factory=frozenset)
    rule_match: bool | None = None  # a rule of the rules engine rewrites it (None: not asked)
    rule_family: str = ""  # the family of the rules that do (families.family_of_edits)

    @property
    def task_type(self) -> str:
        if self.lines == 0:  # a ledger row whose function was never seen
            return "unknown"
        if self.max_depth >= 2:
            return "nested-loops"
        if self.loops:
            return "loop"
        if self.calls >= 3:
            return "call-heavy"
        return "straight-line"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["arg_types"] = list(self.arg_types)
        data["tokens"] = sorted(self.tokens)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FunctionFeatures:
        seconds, match = data.get("profile_seconds"), data.get("rule_match")
        return cls(
            lines=int(data.get("lines", 0)),
            loops=int(data.get("loops", 0)),
            calls=int(data.get("calls", 0)),
            max_depth=int(data.get("max_depth", 0)),
            arg_types=tuple(str(t) for t in data.get("arg_types", ())),
            profile_seconds=None if seconds is None else float(seconds),
            tokens=frozenset(str(t) for t in data.get("tokens", ())),
            rule_match=None if match is None else bool(match),
            rule_family=str(data.get("rule_family") or ""),
        )


UNKNOWN = FunctionFeatures(lines=0, loops=0, calls=0, max_depth=0)
_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.comprehension)


def features_of(
    target: FunctionTarget, source: str, recorded_examples: Iterable[str] = ()
) -> FunctionFeatures:
    """The features of ``target`` in ``source`` (its file); UNKNOWN sized by its lines when
    the function cannot be found or parsed."""
    node = _find(source, target)
    lines = target.end_line - target.start_line + 1
    if node is None:
        return FunctionFeatures(lines, 0, 0, 0, profile_seconds=target.profile_seconds)
    loops = calls = 0
    tokens: set[str] = set()
    for child in ast.walk(node):
        tokens.add(type(child).__name__)
        if isinstance(child, _LOOPS):
            loops += 1
        elif isinstance(child, ast.Call):
            calls += 1
            name = _call_name(child.func)
            if name:
                tokens.add(f"call:{name}")
    annotated = [
        ast.unparse(arg.annotation)
        for arg in node.args.args + node.args.kwonlyargs
        if arg.annotation is not None
    ]
    seen = {t for example in recorded_examples for t in _call_types(example)}
    types = tuple(sorted({*annotated, *seen} - {""}))
    return FunctionFeatures(
        lines=lines,
        loops=loops,
        calls=calls,
        max_depth=_depth(node),
        arg_types=types,
        profile_seconds=target.profile_seconds,
        tokens=frozenset(tokens),
    )


def similarity(a: FunctionFeatures, b: FunctionFeatures) -> float:
    """0..1: Jaccard overlap of the syntax tokens, scaled by how close size, loops and calls
    are (each a ratio of the smaller to the larger, softened), plus a little for shared types."""
    if not a.tokens or not b.tokens:
        shape = 0.5
    else:
        shape = len(a.tokens & b.tokens) / len(a.tokens | b.tokens)
    close = 1.0
    for x, y in ((a.lines, b.lines), (a.loops, b.loops), (a.calls, b.calls)):
        close *= (min(x, y) + 1) / (max(x, y) + 1)
    types = 0.0
    if a.arg_types and b.arg_types:
        types = len(set(a.arg_types) & set(b.arg_types)) / len(set(a.arg_types) | set(b.arg_types))
    depth = 1.0 if a.max_depth == b.max_depth else 0.7
    return max(0.0, min(1.0, shape * math.sqrt(close) * depth * (0.9 + 0.1 * types)))


def _find(source: str, target: FunctionTarget) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    name = target.qualname.rsplit(".", 1)[-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if first == target.start_line or node.lineno == target.start_line:
                return node
    return None


def _depth(node: ast.AST, level: int = 0) -> int:
    deepest = level
    for child in ast.iter_child_nodes(node):
        inner = level + 1 if isinstance(child, ast.For | ast.AsyncFor | ast.While) else level
        deepest = max(deepest, _depth(child, inner))
    return deepest


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _call_types(example: str) -> list[str]:
    """The argument types of one recorded call, ``name(1, [2], k='x')`` -> int, list, str."""
    inner = example.partition("(")[2].rpartition(")")[0]
    parts, depth, current, quote = [], 0, "", ""
    for char in inner:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return [_repr_type(part.split("=", 1)[-1] if _is_keyword(part) else part) for part in parts]


def _is_keyword(part: str) -> bool:
    head = part.split("=", 1)[0].strip()
    return "=" in part and head.isidentifier()


def _repr_type(example: str) -> str:
    """A type name guessed from the readable repr of one recorded argument."""
    text = example.strip()
    if not text:
        return ""
    starts = {"[": "list", "{": "dict", "(": "tuple", "'": "str", '"': "str", "b'": "bytes"}
    for prefix, name in starts.items():
        if text.startswith(prefix):
            return name
    if text in ("True", "False"):
        return "bool"
    if text == "None":
        return "None"
    try:
        float(text)
    except ValueError:
        return text.split("(", 1)[0][:40] if "(" in text else "object"
    return "float" if any(c in text for c in ".eE") else "int"
