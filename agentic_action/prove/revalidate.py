"""Prove a combination of patches again: the merged files, in a fresh worktree of the base commit.

The proof gate (``gate.prove_change``) runs its ``AFTER_MERGE`` checks, cheapest first; the first
failure stops:

1. ``syntax`` — every changed Python file compiles;
2. ``import`` — every changed module imports from the worktree;
3. ``affected-tests`` — the union of the tests that executed any of the combined functions on the
   base commit (from the baseline's per-test coverage);
4. ``full-suite`` — the repository's whole suite.

Behaviour and speed are not measured again: each part keeps the evidence it was accepted with,
and a combination whose parts could have changed each other's evidence (one patch editing lines
inside another's function) is escalated before it gets here (see ``conflicts.py``).

Without a baseline from the run, one is made here (a suite run with coverage on the base commit),
once, the first time a combination needs proving. A base whose suite is not green here proves
nothing, and every combination is escalated.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from agentic_action.baseline.suite import Baseline, run_baseline
from agentic_action.model import FunctionTarget
from agentic_action.patches import diff_worktree
from agentic_action.prove.change import Change, read_sources
from agentic_action.prove.gate import AFTER_MERGE, GateConfig, GateVerdict, prove_change
from agentic_action.sandbox.pytest_runner import PytestOptions
from agentic_action.workspace import Repository, Worktrees

log = logging.getLogger("agentic_action")
Diff = tuple[str, str]  # forward, reverse


@dataclass
class Revalidator:
    """Proves merged files against ``base_commit``; one per conflict resolution."""

    repo_root: Path
    base_commit: str
    options: PytestOptions
    baseline: Baseline | None = None
    worktree_base: Path | None = None
    _stack: ExitStack = field(default_factory=ExitStack)
    _worktrees: Worktrees | None = None
    _scratch: Path | None = None
    # Re-entrant: the lazy baseline holds it while it checks out its worktree. Merges are proven
    # from several threads at once (resolve_run_conflicts' workers).
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def close(self) -> None:
        self._stack.close()
        if self._worktrees is not None:
            self._worktrees.close()

    def prove(
        self, files: Mapping[str, bytes | None], targets: Sequence[FunctionTarget], label: str
    ) -> tuple[GateVerdict, Diff | None]:
        """The gate's verdict on ``files`` (merged content; None: deleted) and, when accepted,
        their diff against the base commit."""
        baseline = self._baseline()
        if not baseline.usable:
            reason = (
                "cannot re-validate the combination: the test suite is not green on the base "
                f"commit here ({baseline.describe()})"
            )
            return GateVerdict(False, reason, ()), None
        # coverage is not among the AFTER_MERGE checks: no minimum to give
        config = GateConfig(self.options, min_test_coverage=0.0, scratch=self._scratch_dir())
        with self._checkout(label) as root:
            change = Change.of_files(files, targets, read_sources(root, files))
            verdict = prove_change(
                root, change, config, checks=AFTER_MERGE, baseline=baseline, label=label
            )
            if not verdict.accepted:
                return verdict, None
            return verdict, diff_worktree(root, sorted(files))

    # -- lazily made: worktrees, scratch, baseline ----------------------------------------
    @contextmanager
    def _checkout(self, label: str) -> Iterator[Path]:
        with self._lock:
            if self._worktrees is None:
                self._worktrees = Worktrees(Repository(self.repo_root), self.worktree_base)
        with self._worktrees.checkout(label, commit=self.base_commit) as root:
            yield root

    def _scratch_dir(self) -> Path:
        with self._lock:
            if self._scratch is None:
                tmp = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="ao-reval-"))
                self._scratch = Path(tmp)
            return self._scratch

    def _baseline(self) -> Baseline:
        with self._lock:  # made once, however many merges ask for it at the same time
            if self.baseline is None:
                log.info("conflicts: running the tests on the base commit to re-validate merges")
                with self._checkout("conflict-baseline") as root:
                    self.baseline = run_baseline(root, self.options, self._scratch_dir())
            return self.baseline
