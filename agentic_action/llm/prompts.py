"""Prompt templates, one file per method (and role) in ``prompts/``, rendered with jinja2.

A template file holds the system message, a line ``<!-- user -->``, then the user message. The
template names are the router's method keys, so a method renders and asks with the same name::

    messages = render_prompt("actor-critic:critic", target, candidate_source=code, evidence=text)
    router.complete("actor-critic:critic", messages)
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from agentic_action.extras import require
from agentic_action.llm._code import find_path, first_line, last_line

if TYPE_CHECKING:
    import jinja2

PROMPTS_DIR = Path(__file__).with_name("prompts")
USER_MARKER = "<!-- user -->"
MAX_CONTEXT_CHARS = 12_000  # the file context sent with every prompt (the function is whole)


@dataclass(frozen=True)
class TemplateSpec:
    file: str
    required: tuple[str, ...] = ()
    optional: Mapping[str, Any] = field(default_factory=dict)


TEMPLATES: Mapping[str, TemplateSpec] = {
    "test-driven:tests": TemplateSpec("test_driven_tests.md", (), {"existing_tests": ""}),
    "test-driven:code": TemplateSpec("test_driven_code.md", ("tests",)),
    "adversarial": TemplateSpec("adversarial.md", (), {"avoid": ()}),
    "adversarial:edge-cases": TemplateSpec(
        "adversarial_edge_cases.md", (), {"candidate_source": ""}
    ),
    "actor-critic:actor": TemplateSpec(
        "actor.md", (), {"previous_source": "", "critique": "", "round": 1}
    ),
    "actor-critic:critic": TemplateSpec("critic.md", ("candidate_source",), {"evidence": ""}),
    "chaos": TemplateSpec("chaos.md", ("fault", "failure")),
}


@dataclass(frozen=True)
class PatternExample:
    """A past outcome offered to later prompts (the ledger stores them)."""

    accepted: bool
    summary: str  # e.g. "replaced an append loop by a list comprehension"
    reason: str = ""  # e.g. "1.8x faster (95% CI 1.6-2.0)" or "changed the result for []"
    diff: str = ""  # optional, short


@dataclass(frozen=True)
class PromptTarget:
    file: str  # repository-relative path
    qualname: str
    module: str  # dotted import path, e.g. "pkg.sample"
    function_source: str  # decorators included
    file_context: str  # the file, or the parts of it that fit MAX_CONTEXT_CHARS


def prompt_target(
    file: str, source: str, qualname: str, *, max_context_chars: int = MAX_CONTEXT_CHARS
) -> PromptTarget:
    """Cut the function and its context out of a file's source."""
    path = find_path(ast.parse(source).body, qualname)
    if path is None:
        raise ValueError(f"qualname={qualname!r} is not defined in {file}")
    lines = source.splitlines(keepends=True)
    start, end = first_line(path[-1]) - 1, last_line(path[-1])
    return PromptTarget(
        file=file,
        qualname=qualname,
        module=module_name(file),
        function_source="".join(lines[start:end]),
        file_context=_context(lines, start, end, max_context_chars),
    )


def module_name(file: str) -> str:
    parts = list(PurePosixPath(file).with_suffix("").parts)
    if parts and parts[0] in ("src", "lib") and len(parts) > 1:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _context(lines: list[str], start: int, end: int, limit: int) -> str:
    """The whole file if it fits; else its head and the lines around the function."""
    if sum(map(len, lines)) <= limit:
        return "".join(lines)
    head, budget = [], limit // 3
    for line in lines[:start]:
        if budget - len(line) < 0:
            break
        head.append(line)
        budget -= len(line)
    lo, hi = start, end
    budget = limit - sum(map(len, head)) - sum(map(len, lines[start:end]))
    while budget > 0 and (lo > len(head) or hi < len(lines)):
        if lo > len(head):
            lo -= 1
            budget -= len(lines[lo])
        if hi < len(lines) and budget > 0:
            budget -= len(lines[hi])
            hi += 1
    parts = [*head]
    if lo > len(head):
        parts.append(f"# ... ({lo - len(head)} lines omitted)\n")
    parts += lines[lo:hi]
    if hi < len(lines):
        parts.append(f"# ... ({len(lines) - hi} lines omitted)\n")
    return "".join(parts)


def fenced(text: str, lang: str = "") -> str:
    """A markdown code block whose fence is longer than any backtick run inside the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


@functools.cache
def _environment() -> jinja2.Environment:
    """The templates' environment, made on first use (jinja2 is in the ``llm`` extra)."""
    jinja: Any = require("jinja2", "llm", "LLM support")
    env: jinja2.Environment = jinja.Environment(
        loader=jinja.FileSystemLoader(PROMPTS_DIR),
        undefined=jinja.StrictUndefined,
        autoescape=False,  # plain text for a model, not HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fenced"] = fenced
    return env


def render_prompt(
    name: str,
    target: PromptTarget,
    *,
    examples: Sequence[PatternExample] = (),
    **extra: Any,
) -> list[dict[str, str]]:
    """[system, user] messages for a template; ValueError names a missing or unknown value."""
    spec = TEMPLATES.get(name)
    if spec is None:
        raise ValueError(f"prompt {name!r}: unknown; expected one of {', '.join(TEMPLATES)}")
    missing = [key for key in spec.required if key not in extra]
    unknown = sorted(set(extra) - set(spec.required) - set(spec.optional))
    if missing or unknown:
        raise ValueError(
            f"prompt {name!r}: missing {missing or 'nothing'}, unknown {unknown or 'nothing'}; "
            f"it takes {list(spec.required)} and optionally {list(spec.optional)}"
        )
    values = {**vars_of(target), **spec.optional, **extra, "examples": list(examples)}
    text = _environment().get_template(spec.file).render(values)
    system, marker, user = text.partition(USER_MARKER)
    if not marker:
        raise ValueError(f"prompt file {spec.file} lacks the {USER_MARKER!r} line")
    return [
        {"role": "system", "content": _tidy(system)},
        {"role": "user", "content": _tidy(user)},
    ]


def vars_of(target: PromptTarget) -> dict[str, Any]:
    return {
        "file": target.file,
        "qualname": target.qualname,
        "module": target.module,
        "function_source": target.function_source,
        "file_context": target.file_context,
    }


def _tidy(text: str) -> str:
    return text.strip() + "\n"
