"""test-driven: tests first, then the optimization, with those tests as an extra oracle.

1. The LLM writes tests for the target (``test-driven:tests``), for up to R rounds (each told
   which tests exist already). A generated test is kept only when it passes on the original code,
   passes again when rerun, and covers statements of the function nothing covered before
   (``_test_screen``: the TestGen-LLM filter). All of this runs in the sandbox on a private copy
   of the original tree.
2. The LLM writes the optimized function (``test-driven:code``), shown the kept tests (and the
   repository's tests of the function). Each answer goes through the proof gate with an extra
   check that runs, on the candidate, every generated test that passed twice on the original
   (the kept ones and those that added no coverage). The candidate carries the kept tests as
   ``extra_files``, so an accepted result ships them in its patch.
3. ``data["coverage"]`` reports the statements of the function covered before and after.

"Covered before" comes from ``ctx.executed_lines(file)`` when the run lends it (the baseline's
coverage), else from one sandboxed run of the repository's suite with coverage.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from agentic_action.llm import ParseRejection, parse_tests, render_prompt
from agentic_action.methods._test_screen import Screen, Screening, baseline_lines
from agentic_action.methods._workspace import Workspace, private_copy, run_tests, tests_folder
from agentic_action.methods.base import MethodContext, MethodOutcome, Proof
from agentic_action.methods.llm_base import LLMMethod, LLMSession, best_accepted
from agentic_action.model import Candidate, CheckOutcome, CheckResult

TESTS = "test-driven:tests"
CODE = "test-driven:code"
CHECK = "generated-tests"
EXISTING_CHARS = 6000  # repository tests shown to the LLM


class TestDrivenMethod(LLMMethod):
    name = "test-driven"
    __test__ = False  # not a pytest class, despite its name

    def run(self, session: LLMSession, ctx: MethodContext) -> MethodOutcome:
        with private_copy(ctx.original_root) as workspace:
            screenings, figures = self._generate_tests(session, ctx, workspace)
            if session.answers == 0 and session.failure is not None:
                return MethodOutcome()  # no LLM at all: the base falls back to the rules engine
            attempts = self._optimize(session, ctx, workspace, screenings)
        chosen = best_accepted(attempts)
        data = _report(screenings, figures)
        kept_count = sum(len(s.kept) for s in screenings)
        note = f"{kept_count} generated test(s) kept of {sum(s.generated for s in screenings)}"
        note += "; " + (
            "a candidate passed them and the gate" if chosen else "no candidate was accepted"
        )
        return MethodOutcome(attempts=attempts, chosen=chosen, note=note, data=data)

    def _generate_tests(
        self, session: LLMSession, ctx: MethodContext, workspace: Workspace
    ) -> tuple[list[Screening], dict[str, Any]]:
        target = session.target
        screen: Screen | None = None
        screenings: list[Screening] = []
        existing = _existing_tests(workspace.tree, target.qualname.rsplit(".", 1)[-1])
        for number in range(self.rounds()):
            shown = "\n\n".join([existing, *(s.content for s in screenings if s.content)])
            messages = render_prompt(TESTS, session.prompt, existing_tests=shown.strip())
            answer = session.ask(TESTS, messages, temperature=0.2, variant=number)
            if answer is None:
                break
            code = parse_tests(answer.text)
            if isinstance(code, ParseRejection):
                session.rejections.append(
                    {"model": answer.model, "reason": code.reason.value, "detail": code.detail}
                )
                continue
            if screen is None:
                screen = self._screen(session, ctx, workspace)
            screenings.append(screen.screen(code, _test_file(workspace.tree, target, number)))
        return screenings, _figures(screen)

    def _screen(self, session: LLMSession, ctx: MethodContext, workspace: Workspace) -> Screen:
        target, settings = session.target, self.settings
        hook = getattr(ctx, "executed_lines", None)  # the run's baseline coverage, when lent
        covered = hook(target.file) if callable(hook) else None
        if covered is None:
            covered = baseline_lines(workspace, target, settings.python, settings.test_timeout)
        return Screen(
            workspace, target, session.source, settings.python, settings.test_timeout, covered
        )

    def _optimize(
        self,
        session: LLMSession,
        ctx: MethodContext,
        workspace: Workspace,
        screenings: list[Screening],
    ) -> list[Proof]:
        existing = _existing_tests(workspace.tree, session.target.qualname.rsplit(".", 1)[-1])
        oracles = [(s.rel, s.oracle) for s in screenings if s.oracle]
        tests = "\n\n".join([*(code for _, code in oracles), existing]).strip()
        messages = render_prompt(CODE, session.prompt, tests=tests or "# (no tests found)")
        extra_files = tuple((s.rel, s.content) for s in screenings if s.content)
        check = GeneratedTests(self, workspace, oracles)
        attempts: list[Proof] = []
        for variant in range(self.candidates_per_round()):
            answer = session.ask(CODE, messages, temperature=0.2 + 0.3 * variant, variant=variant)
            if answer is None:
                break
            got = session.candidate(answer, label=f"#{variant + 1}")
            if isinstance(got, Candidate):
                got = replace(got, extra_files=extra_files)
                attempts.append(ctx.prove(got, extra=check if oracles else None))
            elif got is not None:
                attempts.append(got)
        return attempts


class GeneratedTests:
    """The extra check: every generated test that passed twice on the original, run on the
    candidate's worktree (written next to the shipped tests for the run, removed after)."""

    def __init__(
        self, method: TestDrivenMethod, workspace: Workspace, oracles: list[tuple[str, str]]
    ):
        self.method = method
        self.workspace = workspace
        self.oracles = oracles

    def __call__(self, root: Path, candidate: Candidate) -> list[CheckResult]:
        settings = self.method.settings
        scratch = self.workspace.new_dir("check")
        files = [rel.removesuffix(".py") + "_oracle.py" for rel, _ in self.oracles]
        written = []
        try:
            for rel, (_, code) in zip(files, self.oracles, strict=True):
                path = root / rel
                if path.exists():
                    raise FileExistsError(f"{rel} exists in the candidate's worktree")
                path.write_text(code, encoding="utf-8")
                written.append(path)
            outcome, _ = run_tests(
                root, settings.python, settings.test_timeout, scratch, "generated", files
            )
        finally:
            for path in written:
                path.unlink(missing_ok=True)
        data = {"tests": outcome.total, "failed": list(outcome.failed), "files": files}
        if outcome.green and not outcome.no_tests:
            return [
                CheckResult(CHECK, CheckOutcome.PASSED, outcome.describe(), outcome.seconds, data)
            ]
        detail = outcome.describe() + ("\n" + outcome.output_tail[-1500:] if outcome.failed else "")
        return [CheckResult(CHECK, CheckOutcome.FAILED, detail, outcome.seconds, data)]


def _existing_tests(tree: Path, name: str) -> str:
    """The repository's test files that mention the function, cut to EXISTING_CHARS."""
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    parts: list[str] = []
    size = 0
    for path in sorted(tree.rglob("test*.py")):
        if size >= EXISTING_CHARS:
            break
        if path.name.startswith("test_agentic_"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if pattern.search(text) and size + len(text) <= EXISTING_CHARS:
            parts.append(f"# {path.relative_to(tree).as_posix()}\n{text.strip()}\n")
            size += len(text)
    return "\n".join(parts)


def _test_file(tree: Path, target: Any, number: int) -> str:
    stem = re.sub(r"\W+", "_", Path(target.file).stem).strip("_")
    qual = re.sub(r"\W+", "_", target.qualname).strip("_").lower()
    folder = tests_folder(tree)
    rel = f"{folder}test_agentic_{stem}_{qual}_{number + 1}.py"
    suffix = 1
    while (tree / rel).exists():
        suffix += 1
        rel = f"{folder}test_agentic_{stem}_{qual}_{number + 1}_{suffix}.py"
    return rel


def _figures(screen: Screen | None) -> dict[str, Any]:
    """Statements of the function covered before (repository tests) and after (+ kept tests)."""
    if screen is None:
        return {}
    total = len(screen.statements)
    return {
        "statements": total,
        "covered_before": len(screen.covered_before),
        "covered_after": len(screen.covered),
        "before_percent": _percent(len(screen.covered_before), total),
        "after_percent": _percent(len(screen.covered), total),
    }


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _report(screenings: list[Screening], figures: dict[str, Any]) -> dict[str, Any]:
    kept = [s for s in screenings if s.content]
    return {
        "tests": {
            "generated": sum(s.generated for s in screenings),
            "failed_on_original": sum(s.failed_on_original for s in screenings),
            "flaky": sum(s.flaky for s in screenings),
            "no_new_coverage": sum(s.no_new_coverage for s in screenings),
            "kept": sum(len(s.kept) for s in screenings),
            "oracle": sum(s.oracle_count for s in screenings),
            "files": [s.rel for s in kept],
            "screenings": [s.as_dict() for s in screenings],
        },
        "coverage": figures,
    }
