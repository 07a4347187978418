"""Turning LLM answers into candidates, tests and reviews — or into recorded rejections.

An answer is used only if it is one of: a fenced python block holding the target function
(alone, in its class, or in the whole file), raw python code doing the same, or a unified diff
of the target file. Whatever the form, the new file then passes ``_code.check_change``: it
parses, keeps the target's signature, changes its body, and changes nothing else except new
imports and new helpers. Anything else is a ``ParseRejection`` with its reason, never applied.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from dataclasses import dataclass

from agentic_action.llm import _diff, _splice
from agentic_action.llm._code import AnswerForm, Reject, RejectReason, check_change, find_def

__all__ = [
    "ParseRejection",
    "ParsedCode",
    "RejectReason",
    "Review",
    "parse_candidate",
    "parse_edge_cases",
    "parse_review",
    "parse_tests",
]

PYTHON_LANGS = frozenset({"", "python", "py", "python3", "py3"})
DIFF_LANGS = frozenset({"diff", "patch", "udiff"})
REVIEW_KEYS = ("correctness", "performance", "style")
NO_CHANGE = "NO CHANGE"  # what the prompts ask a model to answer when it cannot improve safely
_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w.+-]*)[^`]*$")


@dataclass(frozen=True)
class ParsedCode:
    new_source: str  # the whole new content of the target file
    form: AnswerForm  # what the answer gave
    added: tuple[str, ...] = ()  # new imports / helpers outside the function, for the report


@dataclass(frozen=True)
class ParseRejection:
    reason: RejectReason
    detail: str


@dataclass(frozen=True)
class Review:
    """A critic's scores, each 0–10, and its comments for the actor."""

    correctness: float
    performance: float
    style: float
    comments: str

    @property
    def score(self) -> float:
        return (self.correctness + self.performance + self.style) / 3


@dataclass(frozen=True)
class _Block:
    lang: str
    body: str


def fenced_blocks(text: str) -> list[_Block]:
    """Markdown code blocks (``` or ~~~); an unclosed last block runs to the end."""
    blocks: list[_Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if match is None:
            i += 1
            continue
        fence, lang = match.group(1), match.group(2).lower()
        body: list[str] = []
        i += 1
        while i < len(lines) and not _closes(lines[i], fence):
            body.append(lines[i])
            i += 1
        blocks.append(_Block(lang, textwrap.dedent("\n".join(body)) + "\n"))
        i += 1
    return blocks


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def parse_candidate(
    answer_text: str, *, target_file: str, original_source: str, qualname: str
) -> ParsedCode | ParseRejection:
    """The new target file from an answer, or why the answer cannot be used.

    Raises ValueError only for bad input from the caller: an original that does not parse, or
    a qualname it does not define.
    """
    try:
        tree = ast.parse(original_source)
    except SyntaxError as error:
        raise ValueError(f"original_source of {target_file} does not parse: {error}") from None
    if find_def(tree.body, qualname) is None:
        raise ValueError(f"qualname={qualname!r} is not a function defined in {target_file}")
    try:
        return _parse(answer_text, target_file, original_source, qualname)
    except Reject as reject:
        return ParseRejection(reject.reason, reject.detail)


def _parse(text: str, target_file: str, original: str, qualname: str) -> ParsedCode:
    text = text.strip()
    if not text:
        raise Reject(RejectReason.EMPTY, "the answer is empty")
    if text.strip("`.! \n").upper() == NO_CHANGE:
        raise Reject(RejectReason.UNCHANGED, "the model found no safe improvement (NO CHANGE)")
    blocks = fenced_blocks(text)
    diff = _find_diff(text, blocks)
    form: AnswerForm
    if diff is not None:
        new_source, form = _apply_diff(diff, target_file, original), "diff"
    else:
        code = _code_blocks(text, blocks)
        chosen = next((b for b in reversed(code) if _splice.defines_target(b, qualname)), None)
        if chosen is None:
            _reject_without_target(code, qualname)
        new_source, form = _splice.splice(original, qualname, chosen or "")
    return ParsedCode(new_source, form, check_change(original, new_source, qualname))


def _find_diff(text: str, blocks: list[_Block]) -> str | None:
    for block in blocks:
        if block.lang in DIFF_LANGS or _diff.looks_like_diff(block.body):
            return block.body
    if not blocks and _diff.looks_like_diff(text):
        return text
    return None


def _apply_diff(diff: str, target_file: str, original: str) -> str:
    kinds = {
        "invalid": RejectReason.INVALID_DIFF,
        "unsafe-path": RejectReason.UNSAFE_PATH,
        "other-file": RejectReason.OTHER_FILE,
        "does-not-apply": RejectReason.DIFF_DOES_NOT_APPLY,
    }
    try:
        patches = _diff.parse_diff(diff)
        _diff.check_paths(patches, target_file)
        return _diff.apply_patches(patches, original)
    except _diff.DiffError as error:
        raise Reject(kinds[error.kind], error.detail) from None


def _code_blocks(text: str, blocks: list[_Block]) -> list[str]:
    code = [b.body for b in blocks if b.lang in PYTHON_LANGS]
    if not blocks and _looks_like_code(text):
        code = [text + "\n"]
    if not code:
        raise Reject(RejectReason.NO_CODE, f"the answer holds no python code: {text[:120]!r}")
    return code


def _looks_like_code(text: str) -> bool:
    """Raw python (no fences): parses, and has at least one def, class or import."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    return any(isinstance(node, kinds) for node in tree.body)


def _reject_without_target(code: list[str], qualname: str) -> None:
    defined: list[str] = []
    for block in reversed(code):
        try:
            tree = ast.parse(block)
        except SyntaxError as error:
            raise Reject(
                RejectReason.SYNTAX_ERROR,
                f"the code block does not parse: line {error.lineno}: {error.msg}",
            ) from None
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        defined += [n.name for n in ast.walk(tree) if isinstance(n, kinds)]
    raise Reject(
        RejectReason.FUNCTION_MISSING,
        f"no code block defines {qualname} (defined: {', '.join(defined) or 'nothing'})",
    )


def parse_tests(answer_text: str) -> str | ParseRejection:
    """Generated pytest code (all python blocks together, else the last good one), or why not."""
    text = answer_text.strip()
    if not text:
        return ParseRejection(RejectReason.EMPTY, "the answer is empty")
    try:
        code = _code_blocks(text, fenced_blocks(text))
    except Reject as reject:
        return ParseRejection(reject.reason, reject.detail)
    options = (["\n\n".join(code)] if len(code) > 1 else []) + list(reversed(code))
    error: SyntaxError | None = None
    for option in options:
        try:
            tree = ast.parse(option)
        except SyntaxError as exc:
            error = error or exc
            continue
        if _has_tests(tree):
            return option.rstrip("\n") + "\n"
    if error is not None and not any(_parses(o) for o in options):
        detail = f"the test code does not parse: line {error.lineno}: {error.msg}"
        return ParseRejection(RejectReason.SYNTAX_ERROR, detail)
    return ParseRejection(
        RejectReason.NO_TESTS, "the code defines no test_* function or Test* class"
    )


def parse_edge_cases(answer_text: str) -> str | ParseRejection:
    """Python code defining ``edge_cases()`` (the adversarial:edge-cases prompt), or why not.
    The code is untrusted: run it only in the sandbox."""
    text = answer_text.strip()
    if not text:
        return ParseRejection(RejectReason.EMPTY, "the answer is empty")
    try:
        code = _code_blocks(text, fenced_blocks(text))
    except Reject as reject:
        return ParseRejection(reject.reason, reject.detail)
    for option in reversed(code):
        try:
            tree = ast.parse(option)
        except SyntaxError as error:
            detail = f"the code does not parse: line {error.lineno}: {error.msg}"
            return ParseRejection(RejectReason.SYNTAX_ERROR, detail)
        if find_def(tree.body, "edge_cases") is not None:
            return option.rstrip("\n") + "\n"
    return ParseRejection(RejectReason.FUNCTION_MISSING, "the code defines no edge_cases()")


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def _has_tests(tree: ast.Module) -> bool:
    def is_test(node: ast.stmt) -> bool:
        return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        )

    return any(
        is_test(node)
        or (
            isinstance(node, ast.ClassDef)
            and node.name.startswith("Test")
            and any(map(is_test, node.body))
        )
        for node in tree.body
    )


def parse_review(answer_text: str) -> Review | ParseRejection:
    """A critic's JSON object {"correctness": 0-10, "performance": 0-10, "style": 0-10,
    "comments": "..."} — fenced or bare — or why it is not one."""
    text = answer_text.strip()
    if not text:
        return ParseRejection(RejectReason.EMPTY, "the answer is empty")
    bodies = [b.body for b in fenced_blocks(text) if b.lang in {"json", ""}]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        bodies.append(text[start : end + 1])
    for body in bodies:
        try:
            data = json.loads(body)
        except ValueError:
            continue
        if isinstance(data, dict):
            return _review(data)
    return ParseRejection(RejectReason.INVALID_REVIEW, "the answer holds no JSON object")


def _review(data: dict[str, object]) -> Review | ParseRejection:
    scores: list[float] = []
    for key in REVIEW_KEYS:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
            return ParseRejection(
                RejectReason.INVALID_REVIEW, f"{key}={value!r}: expected a number from 0 to 10"
            )
        scores.append(float(value))
    return Review(scores[0], scores[1], scores[2], str(data.get("comments", "")))
