"""Agent focuses: what a wave of agents looks for, as data — focus -> methods, level, targets.

Each focus names the methods that serve it (in order of preference), the validation level its
proof needs, the filter that picks its targets, and the checks that carry its proof. A wave uses
the first preferred method this version has (``model.METHODS``, the names the methods
registry knows); when none is, the rules engine works on the focus's targets and the report says so.
An explicit ``--method`` / ``--validation-level`` wins over the focus's.

Target filters, run on the commit being optimized before the wave claims its functions:

- ``all``: every function, ranked by static signals (loops, nesting, calls);
- ``ruff`` / ``semgrep``: functions holding at least one finding of that tool (semgrep with the
  optimizer's bundled rules);
- ``coverage``: functions whose statements the repository's tests execute less than
  ``min_test_coverage`` percent (one test run with per-test coverage);
- ``architecture``: no functions at all: the wave runs the architecture agent
  (``agentic_action.architecture``), which suggests designs and never writes a patch;
- ``workflows``: GitHub workflow files — not Python functions; no method of this version
  works on them, so this focus is refused with a message.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agentic_action.errors import BadInput
from agentic_action.model import FunctionTarget
from agentic_action.settings import Settings

TargetFilter = Literal["all", "ruff", "semgrep", "coverage", "workflows", "architecture"]


class FocusUnavailable(BadInput):
    """The focus cannot run in this version; the message says why and what can."""


@dataclass(frozen=True)
class Focus:
    name: str
    summary: str
    methods: tuple[str, ...]  # in order of preference
    validation_level: Literal["quick", "standard", "thorough"]
    target_filter: TargetFilter
    checks: tuple[str, ...]  # the gate checks that carry this focus's proof


FOCUSES: dict[str, Focus] = {
    focus.name: focus
    for focus in (
        Focus(
            "performance", "faster functions, proven by recorded behaviour and a benchmark",
            ("rules", "actor-critic", "adversarial"), "standard", "all",
            ("behaviour", "benchmark", "full-suite"),
        ),
        Focus(
            "quality", "clearer code where ruff flags a function, no slower and still correct",
            ("actor-critic", "rules"), "standard", "ruff", ("ruff", "behaviour", "full-suite"),
        ),
        Focus(
            "security", "functions semgrep flags, rewritten and attacked with adversarial inputs",
            ("adversarial", "chaos", "rules"), "thorough", "semgrep",
            ("semgrep", "behaviour", "full-suite"),
        ),
        Focus(
            "tests", "functions the tests barely cover, changed only with generated tests",
            ("test-driven",), "standard", "coverage", ("coverage", "affected-tests", "full-suite"),
        ),
        Focus(
            "architecture", "design suggestions (import cycles, layering, long or complex "
            "functions, duplicates, change hotspots, slow tests) as issues or a report section; "
            "never patches", (), "quick", "architecture", (),
        ),
        Focus(
            "workflows", "GitHub workflow files, checked with actionlint and zizmor",
            (), "standard", "workflows", ("actionlint", "zizmor"),
        ),
    )
}  # fmt: skip


@dataclass(frozen=True)
class FocusChoice:
    focus: Focus
    method: str
    validation_level: str
    notes: tuple[str, ...]


def get_focus(name: str) -> Focus:
    try:
        return FOCUSES[name]
    except KeyError:
        raise BadInput(f"unknown focus {name!r}: choose one of {', '.join(FOCUSES)}") from None


def available_methods() -> tuple[str, ...]:
    from agentic_action.model import METHODS

    return METHODS


def choose(focus: Focus, settings: Settings, available: Collection[str]) -> FocusChoice:
    """The method and validation level a wave of ``focus`` uses, and notes saying why."""
    if focus.target_filter == "workflows":
        raise FocusUnavailable(
            f"focus {focus.name!r} works on workflow files; this version's methods change Python "
            f"functions only. Available focuses: "
            + ", ".join(f for f, v in FOCUSES.items() if v.target_filter != "workflows")
        )
    notes: list[str] = []
    explicit = settings.model_fields_set
    method: str = settings.method
    if "method" in explicit:
        if method not in focus.methods:
            notes.append(f"Focus {focus.name}: method {method} was asked for explicitly.")
    else:
        method = next((m for m in focus.methods if m in available), "rules")
        if method != (focus.methods[0] if focus.methods else "rules"):
            notes.append(
                f"Focus {focus.name}: preferred method(s) {', '.join(focus.methods)} not "
                f"available in this version; {method} was used."
            )
    level = settings.validation_level
    if "validation_level" not in explicit:
        level = focus.validation_level
    return FocusChoice(focus, method, level, tuple(notes))


def filter_targets(
    focus: Focus,
    targets: Sequence[FunctionTarget],
    sources: dict[str, str],
    root: Path,
    settings: Settings,
) -> tuple[list[FunctionTarget], str]:
    """The targets ``focus`` works on, in the given (rank) order, and a note on how they were
    picked. ``root``: a checkout of the commit being optimized."""
    kind = focus.target_filter
    if kind == "all":
        return list(targets), f"Focus {focus.name}: every function, ranked by static signals."
    if kind in ("ruff", "semgrep"):
        return _with_findings(kind, targets, root, settings)
    return _low_coverage(targets, sources, root, settings)


def _with_findings(
    tool: str, targets: Sequence[FunctionTarget], root: Path, settings: Settings
) -> tuple[list[FunctionTarget], str]:
    from agentic_action.prove.static_checks import static_baseline
    from agentic_action.prove.static_tools import RunState

    files = sorted({t.file for t in targets})
    if not files:
        return [], f"no files to scan with {tool}"
    with tempfile.TemporaryDirectory(prefix="ao-focus-") as scratch:
        found = static_baseline(root, files, tools=(tool,), scratch=Path(scratch))
        run = found.run_for(tool)
    if run.state is not RunState.OK:
        return [], f"{tool} did not run ({run.state.value}: {run.detail[:200]}); no targets"
    lines: dict[str, set[int]] = {}
    for finding in run.findings:
        lines.setdefault(finding.file, set()).add(finding.line)
    picked = [
        t
        for t in targets
        if any(t.start_line <= line <= t.end_line for line in lines.get(t.file, ()))
    ]
    return picked, f"{len(picked)} function(s) with {tool} findings ({len(run.findings)} in all)"


def _low_coverage(
    targets: Sequence[FunctionTarget], sources: dict[str, str], root: Path, settings: Settings
) -> tuple[list[FunctionTarget], str]:
    from agentic_action.baseline.coverage_map import judge_coverage
    from agentic_action.baseline.suite import run_baseline
    from agentic_action.sandbox.pytest_runner import PytestOptions

    options = PytestOptions(settings.python, settings.test_timeout)
    with tempfile.TemporaryDirectory(prefix="ao-focus-") as scratch:
        baseline = run_baseline(root, options, Path(scratch))
    if baseline.coverage is None:
        return [], f"no per-test coverage ({baseline.describe()}); no targets"
    picked = []
    for target in targets:
        source = sources.get(target.file)
        if source is None:
            continue
        verdict = judge_coverage(
            baseline.coverage, target.file, source, target.start_line, target.end_line, ()
        )
        if verdict.function_percent < settings.min_test_coverage:
            picked.append(target)
    note = f"{len(picked)} function(s) below {settings.min_test_coverage:.0f}% test coverage"
    return picked, note
