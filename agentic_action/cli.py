"""``agentic-optimizer``: optimize · apply · rollback · patches.

Exit codes: 0 the command completed (a run that improved nothing included); 1 the run failed;
2 bad input (the message names it and the fix).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentic_action import __version__
from agentic_action.logs import configure_logging

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
DEFAULT_OUT = Path("agentic-optimizer-out")
log = logging.getLogger("agentic_action")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentic-optimizer",
        description="Find, prove and propose performance improvements for a Python repository.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    optimize = commands.add_parser("optimize", help="run the optimizer on a repository")
    optimize.add_argument("--repo", type=Path, help="git repository to optimize (default: .)")
    optimize.add_argument("--targets", nargs="+", metavar="GLOB", help="files to optimize")
    optimize.add_argument(
        "--method", help="rules (default), test-driven, adversarial, actor-critic, chaos"
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
    optimize.add_argument("--shard", help="K/N: work on a stable 1/N share of the targets")
    optimize.add_argument("--min-speedup", dest="min_speedup", help="0.05 = 5%% (default)")
    optimize.add_argument(
        "--benchmark-seconds", dest="benchmark_seconds", help="measuring per candidate (3)"
    )
    optimize.add_argument("--state-dir", dest="state_dir", type=Path, help="default OUT/state")
    optimize.add_argument("--ledger", type=Path, help="run history (default OUT/ledger.sqlite)")

    for name, verb in (("apply", "apply"), ("rollback", "revert")):
        sub = commands.add_parser(name, help=f"{verb} a stored patch on a repository")
        sub.add_argument("cid", help="the patch CID (bafkrei...)")
        sub.add_argument("--repo", type=Path, default=Path("."), help="repository (default: .)")
        sub.add_argument(
            "--patches",
            type=Path,
            default=DEFAULT_OUT / "patches",
            help=f"patch store directory (default: {DEFAULT_OUT / 'patches'})",
        )
    listing = commands.add_parser("patches", help="list the patches in a store")
    listing.add_argument("--patches", type=Path, default=DEFAULT_OUT / "patches")
    from agentic_action.commands import register_all

    register_all(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    if args.command == "optimize":
        return optimize_command(vars(args))
    handler = getattr(args, "handler", None)
    if handler is not None:
        code: int = handler(args)
        return code
    from agentic_action.commands.patches import cmd_apply, cmd_list, cmd_rollback

    if args.command == "apply":
        return cmd_apply(args.cid, args.repo, args.patches)
    if args.command == "rollback":
        return cmd_rollback(args.cid, args.repo, args.patches)
    return cmd_list(args.patches)


def optimize_command(flags: dict[str, Any], env: dict[str, str] | None = None) -> int:
    """Both doors end here: settings -> run -> reports. Returns the exit code."""
    from agentic_action.outputs import run_and_report
    from agentic_action.settings import SettingsError, load_settings
    from agentic_action.workspace import RepositoryError

    cli = {k: v for k, v in flags.items() if k != "command" and v is not None}
    try:
        settings = load_settings(cli, env)
        outcome = run_and_report(settings)
    except (SettingsError, RepositoryError, ValueError) as error:
        print(f"agentic-optimizer: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # the run failed: say so plainly, keep the traceback for debugging
        log.exception("the run failed")
        print(
            f"agentic-optimizer: the run failed: {type(error).__name__}: {error}", file=sys.stderr
        )
        return EXIT_FAILED
    print(outcome.console_line)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
