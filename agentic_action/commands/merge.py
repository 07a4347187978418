"""``agentic-optimizer merge DIR... --out DIR``: combine the outputs of ``--shard K/N`` jobs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from agentic_action.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, BadInput
from agentic_action.patches.git import run_git


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    merge = commands.add_parser(
        "merge",
        help="combine the outputs of sharded runs (--shard K/N) into one output",
        description="Combine shard outputs (patch stores and report.json files) of one commit "
        "into one output; conflicting patches are merged and re-validated, or escalated.",
    )
    merge.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="a shard's --out folder")
    merge.add_argument("--out", type=Path, required=True, help="folder to write the merge to")
    merge.add_argument(
        "--repo",
        type=Path,
        help="clone holding the base commit, to merge and re-validate conflicting patches in "
        "(default: the current folder, if it holds the commit)",
    )
    merge.add_argument("--ledger", type=Path, help="ledger file to record the conflicts in")
    merge.add_argument(
        "--mode", default="auto", choices=("auto", "github", "patch"),
        help="where the merged results go, once: auto (default: GitHub when a token allows)",
    )  # fmt: skip
    merge.add_argument("--python", default=sys.executable, help="Python that runs the tests")
    merge.add_argument("--test-timeout", type=float, default=900.0, help="seconds per test run")
    merge.add_argument("--worktree-base", type=Path, help="where worktrees are made")
    merge.set_defaults(handler=merge_command)


def merge_command(args: argparse.Namespace) -> int:
    import os

    from agentic_action.ledger import Ledger
    from agentic_action.orchestrate.shard_merge import merge_outputs
    from agentic_action.publish.control import choose_change_control
    from agentic_action.sandbox.pytest_runner import PytestOptions
    from agentic_action.settings import github_settings

    repo = args.repo if args.repo is not None else _default_repo(args.dirs)
    options = PytestOptions(python=args.python, timeout=args.test_timeout)
    try:
        control = choose_change_control(args.mode, github_settings(os.environ))
        ledger = Ledger.open(args.ledger) if args.ledger else None
        try:
            outcome = merge_outputs(
                args.dirs, args.out, repo=repo, options=options, ledger=ledger,
                worktree_base=args.worktree_base, control=control,
            )  # fmt: skip
        finally:
            if ledger is not None:
                ledger.close()
    except BadInput as error:
        print(f"agentic-optimizer: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:
        print(
            f"agentic-optimizer: the merge failed: {type(error).__name__}: {error}", file=sys.stderr
        )
        return EXIT_FAILED
    totals = json.loads(outcome.report_path.read_text(encoding="utf-8"))["totals"]
    merged = sum(1 for r in outcome.conflicts.resolutions if r.merged is not None)
    escalated = len(outcome.conflicts.resolutions) - merged
    print(
        f"agentic-optimizer: merged {len(args.dirs)} output(s): {totals['accepted']} accepted, "
        f"{totals['rejected']} rejected, {totals['error']} errors; conflicts: {merged} merged, "
        f"{escalated} escalated. Report: {outcome.report_path}; summary: {outcome.summary_path}"
    )
    return EXIT_OK


def _default_repo(dirs: list[Path]) -> Path | None:
    """The current folder, when it is a clone holding the first output's base commit."""
    try:
        data = json.loads((dirs[0] / "report.json").read_text(encoding="utf-8"))
        base = str(data["run"]["base_commit"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # merge_outputs reports the bad input
    here = Path.cwd()
    done = run_git(here, "cat-file", "-e", f"{base}^{{commit}}")
    return here if done.returncode == 0 else None
