"""``agentic-optimizer optimize``: settings -> run -> reports, the same run() the Action calls."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from agentic_action import cancel
from agentic_action.errors import EXIT_FAILED, EXIT_OK
from agentic_action.model import DEFAULT_OUT


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    optimize = commands.add_parser("optimize", help="run the optimizer on a repository")
    optimize.add_argument("--repo", type=Path, help="git repository to optimize (default: .)")
    optimize.add_argument("--targets", nargs="+", metavar="GLOB", help="files to optimize")
    optimize.add_argument(
        "--method", help="rules (default), test-driven, adversarial, actor-critic, chaos, auto"
    )
    optimize.add_argument("--mode", help="auto (default), github or patch")
    optimize.add_argument("--out", type=Path, help=f"output directory (default: {DEFAULT_OUT})")
    optimize.add_argument("--max-agents", dest="max_agents", help="parallel candidate checks")
    optimize.add_argument("--description", help="what this run is for (shown in the report)")
    optimize.add_argument(
        "--validation-level", dest="validation_level", help="quick|standard|thorough"
    )
    optimize.add_argument("--min-test-coverage", dest="min_test_coverage", help="percent, 0-100")
    optimize.add_argument("--max-candidates", dest="max_candidates", help="cap (0: none)")
    optimize.add_argument("--worktree-base", dest="worktree_base", type=Path)
    optimize.add_argument("--python", help="interpreter that runs the repository's tests")
    optimize.add_argument(
        "--test-timeout", dest="test_timeout", help="seconds one test-suite run may take (900)"
    )
    optimize.add_argument("--shard", help="K/N: work on a stable 1/N share of the targets")
    optimize.add_argument("--min-speedup", dest="min_speedup", help="0.05 = 5%% (default)")
    optimize.add_argument(
        "--benchmark-seconds", dest="benchmark_seconds", help="measuring per candidate (3)"
    )
    optimize.add_argument("--state-dir", dest="state_dir", type=Path, help="default OUT/state")
    optimize.add_argument("--ledger", type=Path, help="run history (default OUT/ledger.sqlite)")
    optimize.add_argument(
        "--dry-run",
        dest="dry_run",
        action="store_true",
        default=None,
        help="plan and propose only: print the candidates and their rules, prove nothing",
    )

    optimize.set_defaults(handler=lambda args: optimize_command(dict(vars(args))))


def optimize_command(flags: dict[str, Any], env: dict[str, str] | None = None) -> int:
    """Both doors end here: settings -> run -> reports. Returns the exit code."""
    from agentic_action.outputs import run_and_report
    from agentic_action.settings import load_settings

    skip = {"command", "handler"}
    cli = {k: v for k, v in flags.items() if k not in skip and v is not None}
    settings = load_settings(cli, env)
    with cancel.handling_signals():
        outcome = run_and_report(settings)
    if outcome.report.dry_run:
        from agentic_action.methods.proposals import describe

        print(describe(outcome.report.dry_run), file=sys.stdout)
    print(outcome.console_line, file=sys.stdout)
    if outcome.report.cancelled:
        print(f"agentic-optimizer: cancelled by {outcome.report.cancelled}", file=sys.stderr)
        return 128 + signal.Signals[outcome.report.cancelled].value
    if outcome.report.failure:
        print(f"agentic-optimizer: error: {outcome.report.failure}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
