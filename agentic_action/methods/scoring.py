"""Readability and maintainability of one function, measured from its AST, and the weighted
score that ranks proven candidates (adversarial) and grades rounds (actor-critic).

Metrics of a function (its definition and body; decorators excluded):

- ``lines``: logical source lines (non-blank, not only a comment);
- ``cyclomatic``: McCabe complexity, 1 + decision points (``if``/``elif``, loops, ``except``
  handlers, boolean operators, conditional expressions, comprehension ``for``/``if`` clauses,
  ``match`` cases, ``assert``);
- ``max_nesting``: deepest nesting of compound statements inside the body (0 for a flat body);
- ``halstead_volume``: N * log2(n) over operators (AST operator, comparison, call, subscript,
  attribute, statement nodes) and operands (names, constants);
- ``maintainability``: the maintainability index without comments, scaled to 0..100:
  ``max(0, (171 - 5.2 ln V - 0.23 CC - 16.2 ln LOC) * 100 / 171)``;
- ``readability``: 100 minus penalties: 12 per nesting level beyond the first, 1 per logical
  line beyond 12, 2 per expression/statement node per body line beyond 10 (dense one-liners),
  5 per line over 88 characters; clamped to 0..100.

The weighted score of a candidate is relative to the original, so the original scores 0:
``speed * log2(speedup) + readability * Δreadability/100 + maintainability * Δmaintainability/100``
where ``log2(speedup)`` counts only a significant measured speedup (clipped to -2..4) and is 0
when the gate measured no speed.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from agentic_action.model import SpeedEvidence

LONG_LINE = 88
SPEED_CLIP = (-2.0, 4.0)

_DECISIONS = (
    ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.IfExp, ast.Assert,
    ast.comprehension, ast.match_case,
)  # fmt: skip
_COMPOUND = (
    ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar,
    ast.Match, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
)  # fmt: skip
_OPERATORS = (
    ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.Call, ast.Subscript, ast.Attribute,
    ast.stmt,
)  # fmt: skip


@dataclass(frozen=True)
class CodeMetrics:
    lines: int
    cyclomatic: int
    max_nesting: int
    halstead_volume: float
    maintainability: float  # 0..100, higher is easier to maintain
    readability: float  # 0..100, higher is easier to read

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 1) if isinstance(v, float) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class ScoreWeights:
    """How much each criterion counts when candidates compete (configurable)."""

    speed: float = 1.0
    readability: float = 0.5
    maintainability: float = 0.5

    def __post_init__(self) -> None:
        values = (self.speed, self.readability, self.maintainability)
        if any(not math.isfinite(v) or v < 0 for v in values) or not any(values):
            raise ValueError(
                f"score weights {self}: each must be a number >= 0, and at least one > 0"
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ScoreWeights:
        unknown = sorted(set(data) - {"speed", "readability", "maintainability"})
        if unknown:
            raise ValueError(
                f"score weights: unknown key(s) {unknown}; allowed: speed, readability, "
                "maintainability"
            )
        try:
            return cls(**{k: float(v) for k, v in data.items()})
        except (TypeError, ValueError) as error:
            raise ValueError(f"score weights {dict(data)!r}: {error}") from None


@dataclass(frozen=True)
class Score:
    total: float
    speed: float  # log2 of the significant speedup, 0 when not measured
    readability: float  # change in readability / 100
    maintainability: float  # change in maintainability / 100
    original: CodeMetrics
    candidate: CodeMetrics

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": round(self.total, 3),
            "speed": round(self.speed, 3),
            "readability": round(self.readability, 3),
            "maintainability": round(self.maintainability, 3),
            "original": self.original.as_dict(),
            "candidate": self.candidate.as_dict(),
        }


def function_metrics(source: str, qualname: str) -> CodeMetrics:
    """Metrics of ``qualname`` in ``source``; ValueError when it is not defined there."""
    node = _find(ast.parse(source).body, qualname)
    if node is None:
        raise ValueError(f"qualname={qualname!r} is not a function defined in the source")
    text = ast.get_source_segment(source, node) or ""
    logical = [ln for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    lines = max(len(logical), 1)
    cyclomatic = 1 + sum(_decisions(n) for n in ast.walk(node))
    nesting = max((_depth(child, 0) for child in node.body), default=0)
    volume = _halstead_volume(node)
    body = [n for stmt in node.body for n in ast.walk(stmt) if isinstance(n, ast.expr | ast.stmt)]
    body_lines = max(len(logical) - _signature_lines(node), 1)
    mi = 171 - 5.2 * math.log(max(volume, 1.0)) - 0.23 * cyclomatic - 16.2 * math.log(lines)
    long_lines = sum(1 for ln in logical if len(ln) > LONG_LINE)
    penalty = (
        12 * max(0, nesting - 1)
        + max(0, lines - 12)
        + 2 * max(0.0, len(body) / body_lines - 10)
        + 5 * long_lines
    )
    return CodeMetrics(
        lines=lines,
        cyclomatic=cyclomatic,
        max_nesting=nesting,
        halstead_volume=volume,
        maintainability=max(0.0, min(100.0, mi * 100 / 171)),
        readability=max(0.0, min(100.0, 100 - penalty)),
    )


def score_candidate(
    original_source: str,
    candidate_source: str,
    qualname: str,
    speed: SpeedEvidence | None,
    weights: ScoreWeights,
) -> Score:
    before = function_metrics(original_source, qualname)
    after = function_metrics(candidate_source, qualname)
    gain = 0.0
    if speed is not None and speed.significant and speed.speedup > 0:
        gain = max(SPEED_CLIP[0], min(SPEED_CLIP[1], math.log2(speed.speedup)))
    readable = (after.readability - before.readability) / 100
    maintainable = (after.maintainability - before.maintainability) / 100
    total = (
        weights.speed * gain
        + weights.readability * readable
        + weights.maintainability * maintainable
    )
    return Score(total, gain, readable, maintainable, before, after)


def _find(body: list[ast.stmt], qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    head, _, rest = qualname.partition(".")
    for node in body:
        if getattr(node, "name", None) != head:
            continue
        if not rest and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
        if rest and isinstance(node, ast.ClassDef):
            return _find(node.body, rest)
    return None


def _signature_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return max(1, node.body[0].lineno - node.lineno)


def _decisions(node: ast.AST) -> int:
    if isinstance(node, ast.BoolOp):
        return len(node.values) - 1
    if isinstance(node, ast.comprehension):
        return 1 + len(node.ifs)
    return 1 if isinstance(node, _DECISIONS) else 0


def _depth(node: ast.AST, level: int) -> int:
    if not isinstance(node, _COMPOUND):
        return level
    children = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt)]
    handlers = list(getattr(node, "handlers", []))
    cases = list(getattr(node, "cases", []))
    inner = [s for block in handlers + cases for s in block.body]
    return max((_depth(c, level + 1) for c in children + inner), default=level + 1)


def _halstead_volume(node: ast.AST) -> float:
    operators: list[str] = []
    operands: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            operands.append(child.id)
        elif isinstance(child, ast.Constant):
            operands.append(repr(child.value))
        elif isinstance(child, _OPERATORS):
            operators.append(type(child).__name__)
    total = len(operators) + len(operands)
    distinct = len(set(operators)) + len(set(operands))
    return total * math.log2(distinct) if distinct > 1 else float(total)
