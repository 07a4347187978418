"""``agentic-optimizer waves --wave small|large|continuous``: waves of agents, published once.

Exit codes: 0 the session ended (whatever stopped it: finished, time limit, budget, a first
SIGTERM/SIGINT); 1 it failed; 2 bad input; 130 aborted by a second signal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from agentic_action.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, BadInput

if TYPE_CHECKING:
    from agentic_action.ledger import Ledger
    from agentic_action.orchestrate.waves import WaveOptions
    from agentic_action.publish.control import ChangeControl
    from agentic_action.settings import Settings

# Flags shared with `optimize`, passed to load_settings as they are.
SETTINGS_FLAGS = (
    "repo", "targets", "method", "mode", "out", "max_agents", "description",
    "validation_level", "min_test_coverage", "worktree_base", "python", "shard", "ledger",
    "state_dir",
)  # fmt: skip


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from agentic_action.orchestrate.focus import FOCUSES

    waves = commands.add_parser(
        "waves",
        help="run waves of agents (small, large, continuous) on one focus",
        description="Run waves of agents; each wave claims its functions (never one another "
        "agent holds), proves its candidates, and joins one report; conflicts are resolved "
        "and results published once, at the end.",
        epilog="Focuses: "
        + "; ".join(f"{f.name}: {f.summary} (methods {', '.join(f.methods) or '-'})"
                    for f in FOCUSES.values()),
    )  # fmt: skip
    waves.add_argument("--wave", required=True, choices=("small", "large", "continuous"))
    waves.add_argument("--focus", default="performance", choices=tuple(FOCUSES))
    waves.add_argument("--wave-size", dest="wave_size", type=int, help="functions per wave")
    waves.add_argument("--time-limit", dest="time_limit", type=float, help="seconds (continuous)")
    waves.add_argument("--throttle", type=float, default=0.0, help="pause after each wave (s)")
    waves.add_argument(
        "--interval", type=float, default=0.0, help="least time from one wave's start to the next"
    )
    waves.add_argument("--max-waves", dest="max_waves", type=int, help="stop after N waves")
    waves.add_argument("--repo", type=Path, help="git repository to optimize (default: .)")
    waves.add_argument("--targets", nargs="+", metavar="GLOB", help="files to optimize")
    waves.add_argument("--method", help="overrides the focus's method")
    waves.add_argument("--mode", help="auto (default), github or patch: where results go, once")
    waves.add_argument("--out", type=Path, help="output directory")
    waves.add_argument("--max-agents", dest="max_agents", help="parallel agents in a wave")
    waves.add_argument("--description", help="what this session is for")
    waves.add_argument("--validation-level", dest="validation_level", help="overrides the focus's")
    waves.add_argument("--min-test-coverage", dest="min_test_coverage")
    waves.add_argument("--worktree-base", dest="worktree_base", type=Path)
    waves.add_argument("--python", help="interpreter that runs the repository's tests")
    waves.add_argument("--shard", help="K/N: work on a stable 1/N share of the targets")
    waves.add_argument("--ledger", type=Path, help="shared ledger (default OUT/ledger.sqlite)")
    waves.add_argument("--state-dir", dest="state_dir", type=Path)
    waves.set_defaults(handler=waves_command)


def waves_command(args: argparse.Namespace) -> int:
    from agentic_action.ledger import Ledger
    from agentic_action.orchestrate.waves import WaveOptions
    from agentic_action.publish.control import choose_change_control
    from agentic_action.settings import load_settings

    flags = {k: getattr(args, k) for k in SETTINGS_FLAGS if getattr(args, k, None) is not None}
    try:
        settings = load_settings(flags)
        options = WaveOptions(
            args.wave, args.focus, args.wave_size, args.time_limit, args.throttle,
            args.interval, args.max_waves,
        )  # fmt: skip
        control = choose_change_control(settings.mode, settings.github)
        ledger = Ledger.open(settings.ledger_path)
    except BadInput as error:
        print(f"agentic-optimizer: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return _session(settings, options, control, ledger)
    except BadInput as error:
        print(f"agentic-optimizer: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:
        print(f"agentic-optimizer: waves failed: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        ledger.close()


def _session(
    settings: Settings, options: WaveOptions, control: ChangeControl, ledger: Ledger
) -> int:
    from agentic_action.model import Status
    from agentic_action.orchestrate.waves import run_waves

    outcome = run_waves(settings, options, ledger=ledger, control=control)
    report = outcome.report
    if report is None:
        print(f"agentic-optimizer: no wave ran: {outcome.stop_reason}")
        return EXIT_OK
    print(
        f"agentic-optimizer: {len(outcome.waves)} wave(s), {report.accepted_functions} "
        f"accepted, {report.count(Status.REJECTED)} rejected, {report.count(Status.ERROR)} "
        f"errors ({report.mode_used} mode); stopped: {outcome.stop_reason}. "
        f"Report: {outcome.report_path}"
    )
    return EXIT_OK
