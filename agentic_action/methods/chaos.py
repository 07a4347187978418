"""chaos: inject faults into the target's dependencies while its tests run; fix what fails badly.

1. Probe: the whole suite runs once (sandbox, private copy of the original) with the fault
   plugin (``_chaos_plugin``) wrapping the target: which tests call it, and which dependencies
   its calls touch (file reads, file writes, network, subprocesses).
2. Each fault that fits those dependencies is injected while the target's tests run again:
   I/O errors, partial writes (half the data, then "no space left"), too many open files,
   refused connections (transient: the first attempt per call), peers or subprocesses that do
   not answer (slow calls), subprocesses that cannot start. A call fails *badly* when it hangs
   (waits with no timeout), loses data (leaves a half-written file), crashes (a programming
   error escapes its error path) or lets a transient fault escape without a retry.
3. For each finding (up to the round budget) the LLM is asked for a fix (``chaos`` prompt:
   the fault and what happened). A fix goes through the whole proof gate, whose tests show that
   nothing changed without faults, plus an extra check that reruns every fault on the
   candidate: the targeted fault must now fire and pass, no fault may fail worse than before,
   and every test that passed under a fault on the original must still pass.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentic_action.llm import render_prompt
from agentic_action.methods._chaos_plugin import BAD, CONFIG_ENV
from agentic_action.methods._workspace import Workspace, private_copy, run_tests
from agentic_action.methods.base import ExtraCheck, MethodContext, MethodOutcome, Proof
from agentic_action.methods.llm_base import LLMMethod, LLMSession
from agentic_action.model import Candidate, CheckOutcome, CheckResult, FunctionTarget

PLUGIN = "agentic_action.methods._chaos_plugin"
CHECK = "chaos-faults"


@dataclass(frozen=True)
class Fault:
    families: frozenset[str]
    description: str


FAULTS: dict[str, Fault] = {
    "io-error": Fault(
        frozenset({"file-read", "file-write"}),
        "io-error: every open() of a file fails with OSError(EIO, 'Input/output error').",
    ),
    "partial-write": Fault(
        frozenset({"file-write"}),
        "partial-write: the first write to a file opened for writing stores half of the data, "
        "then fails with OSError(ENOSPC, 'No space left on device').",
    ),
    "too-many-files": Fault(
        frozenset({"file-read", "file-write"}),
        "too-many-files: every open() fails with OSError(EMFILE, 'Too many open files').",
    ),
    "network-error": Fault(
        frozenset({"network"}),
        "network-error: the first connection attempt of each call is refused "
        "(ConnectionRefusedError); later attempts succeed (a transient failure).",
    ),
    "network-slow": Fault(
        frozenset({"network"}),
        "network-slow: the peer does not answer; connects and reads wait until the socket's "
        "timeout, and forever when no timeout is set.",
    ),
    "subprocess-error": Fault(
        frozenset({"subprocess"}),
        "subprocess-error: starting a subprocess fails with FileNotFoundError.",
    ),
    "subprocess-slow": Fault(
        frozenset({"subprocess"}),
        "subprocess-slow: the subprocess does not finish; waiting for it lasts until the "
        "timeout given, and forever when none is given.",
    ),
}


@dataclass
class FaultRun:
    """What one run of the tests under one fault (or none: the probe) showed."""

    fault: str | None
    tests: list[str] = field(default_factory=list)  # node ids of tests that called the target
    families: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    passed: set[str] = field(default_factory=set)  # junit ids of tests that passed
    error: str = ""

    @property
    def bad(self) -> list[dict[str, Any]]:
        return [c for c in self.calls if c.get("class") in BAD]

    @property
    def fired(self) -> int:
        return sum(1 for c in self.calls if c.get("fired") or c.get("class") == "hang")

    def classes(self) -> dict[str, int]:
        return dict(Counter(str(c.get("class")) for c in self.calls))


class ChaosMethod(LLMMethod):
    name = "chaos"
    purpose = "robustness"  # fixes must keep behaviour, not be faster

    def run(self, session: LLMSession, ctx: MethodContext) -> MethodOutcome:
        with private_copy(ctx.original_root) as workspace:
            probe = self._plan(workspace.tree, workspace, session.target, None, None)
            data: dict[str, Any] = {"probe": {"tests": len(probe.tests), "uses": probe.families}}
            if probe.error or not probe.tests:
                why = probe.error or "no test calls the function"
                return MethodOutcome(note=f"chaos: nothing to inject into ({why})", data=data)
            faults = [n for n, f in FAULTS.items() if f.families & set(probe.families)]
            runs = {f: self._plan(workspace.tree, workspace, session.target, f, probe.tests)
                    for f in faults}  # fmt: skip
            data["faults"] = {f: r.classes() for f, r in runs.items()}
            findings = [f for f in faults if runs[f].bad]
            data["findings"] = {f: _failure_text(runs[f]) for f in findings}
            if not findings:
                tried = ", ".join(faults) or "none fits its dependencies"
                note = f"chaos: no fault made it fail badly (tried: {tried})"
                return MethodOutcome(note=note, data=data)
            attempts = self._fix(session, ctx, FaultCheck(self, workspace, probe.tests, runs))
        if session.answers == 0 and session.failure is not None:
            return MethodOutcome(data=data)  # no LLM at all: the base falls back to the rules
        chosen = _most_resolved(attempts)
        resolved = _resolved(chosen) if chosen is not None else []
        data["resolved"] = resolved
        note = f"chaos: {len(findings)} fault(s) made it fail badly: {', '.join(findings)}; "
        note += f"fix accepted for {', '.join(resolved)}" if chosen else "no fix was accepted"
        return MethodOutcome(attempts=attempts, chosen=chosen, note=note, data=data)

    def _fix(self, session: LLMSession, ctx: MethodContext, check: FaultCheck) -> list[Proof]:
        attempts: list[Proof] = []
        resolved: set[str] = set()
        findings = [f for f, run in check.runs.items() if run.bad]
        for fault in findings[: self.rounds()]:
            if fault in resolved:
                continue
            messages = render_prompt(
                "chaos", session.prompt, fault=FAULTS[fault].description,
                failure=_failure_text(check.runs[fault]),
            )  # fmt: skip
            for variant in range(self.candidates_per_round()):
                temperature = 0.2 + 0.3 * variant
                answer = session.ask(self.name, messages, temperature=temperature, variant=variant)
                if answer is None:
                    return attempts
                got = session.candidate(answer, label=f"for {fault}")
                if isinstance(got, Proof):
                    attempts.append(got)
                elif got is not None:
                    proof = ctx.prove(got, extra=check.aimed_at(fault))
                    attempts.append(proof)
                    if proof.accepted:
                        resolved |= set(_resolved(proof))
                        break
        return attempts

    def _plan(
        self,
        root: Path,
        workspace: Workspace,
        target: FunctionTarget,
        fault: str | None,
        tests: list[str] | None,
    ) -> FaultRun:
        """Run ``tests`` (None: the whole suite) on ``root`` with ``fault`` injected."""
        scratch = workspace.new_dir(f"chaos-{fault or 'probe'}")
        report = scratch / "report.json"
        config = {
            "root": str(root), "file": target.file, "qualname": target.qualname,
            "fault": fault, "slow_seconds": self.settings.slow_seconds, "report": str(report),
        }  # fmt: skip
        (scratch / "config.json").write_text(json.dumps(config), encoding="utf-8")
        outcome, result = run_tests(
            root, self.settings.python, self.settings.test_timeout, scratch, "chaos", tests,
            extra=["-p", PLUGIN], env={CONFIG_ENV: str(scratch / "config.json")},
            with_package=True,
        )  # fmt: skip
        try:
            raw = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return FaultRun(fault, error=f"the fault run did not report: {result.tail(8)}")
        passed = set(outcome.passed_ids) - set(outcome.failed)
        return FaultRun(
            fault,
            tests=[t for t in raw.get("tests", []) if t],
            families=list(raw.get("families", [])),
            calls=list(raw.get("calls", [])),
            passed=passed,
            error=str(raw.get("error") or ""),
        )


class FaultCheck:
    """Reruns every fault on a candidate and compares with the original's runs."""

    def __init__(
        self, method: ChaosMethod, workspace: Workspace, tests: list[str], runs: dict[str, FaultRun]
    ) -> None:
        self.method = method
        self.workspace = workspace
        self.tests = tests
        self.runs = runs

    def aimed_at(self, fault: str) -> ExtraCheck:
        def check(root: Path, candidate: Candidate) -> list[CheckResult]:
            return [self._check(root, candidate, fault)]

        return check

    def _check(self, root: Path, candidate: Candidate, aimed: str) -> CheckResult:
        """The aimed fault first; the first fault that shows a problem ends the check."""
        problems: list[str] = []
        per_fault: dict[str, Any] = {}
        resolved: list[str] = []
        order = [aimed, *(f for f in self.runs if f != aimed)]
        for fault in order:
            if problems:
                break
            before = self.runs[fault]
            after = self.method._plan(root, self.workspace, candidate.target, fault, self.tests)
            per_fault[fault] = {"original": before.classes(), "candidate": after.classes()}
            worse = {str(x.get("class")) for x in after.bad}
            worse -= {str(x.get("class")) for x in before.bad}
            if after.error:
                problems.append(f"{fault}: {after.error}")
            elif worse:
                problems.append(f"{fault}: now fails badly ({', '.join(sorted(worse))})")
            lost = sorted(before.passed - after.passed)
            if lost:
                problems.append(f"{fault}: tests that passed under it now fail: {lost[:3]}")
            if before.bad and not after.bad and after.fired:
                resolved.append(fault)
            elif fault == aimed:
                why = "still fails badly" if after.bad else "no longer reaches the dependency"
                problems.append(f"{fault}: {why}: {_failure_text(after)[:300]}")
        data = {"aimed_at": aimed, "resolved": resolved, "faults": per_fault}
        if problems:
            return CheckResult(CHECK, CheckOutcome.FAILED, "; ".join(problems), 0.0, data)
        detail = f"the fault now passes ({', '.join(resolved)}); no fault fails worse"
        return CheckResult(CHECK, CheckOutcome.PASSED, detail, 0.0, data)


def _failure_text(run: FaultRun) -> str:
    """What went badly, deterministic (no timings, no temporary paths)."""
    bad = run.bad
    if not bad:
        return f"no call failed badly ({run.fired} call(s) met the fault)"
    lines = [f"{len(bad)} of {len(run.calls)} call(s) of the function failed badly:"]
    seen: set[str] = set()
    for call in bad:
        text = f"- {call['class']} in {call.get('test') or 'import'}"
        if call.get("detail"):
            text += f": {call['detail']}"
        if call.get("exception"):
            text += f" (raised {call['exception']})"
        if text not in seen and len(seen) < 5:
            seen.add(text)
            lines.append(text)
    return "\n".join(lines)


def _resolved(proof: Proof) -> list[str]:
    for check in proof.verdict.checks:
        if check.name == CHECK:
            return list(check.data.get("resolved", []))
    return []


def _most_resolved(attempts: list[Proof]) -> Proof | None:
    accepted = [p for p in attempts if p.accepted]
    return max(accepted, key=lambda p: len(_resolved(p)), default=None)
