"""``agentic-optimizer architecture``: the architecture agent - design suggestions with evidence
(issues in GitHub mode, a section of summary.md and report.json in patch mode); never a patch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agentic_action.errors import EXIT_OK
from agentic_action.model import DEFAULT_OUT


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "architecture", help="suggest design improvements (import cycles, hotspots, ...)"
    )
    parser.add_argument("--repo", type=Path, help="git repository to analyse (default: .)")
    parser.add_argument("--out", type=Path, help=f"output directory (default: {DEFAULT_OUT})")
    parser.add_argument("--mode", help="auto (default), github (issues) or patch (report only)")
    parser.add_argument(
        "--max-new-issues",
        dest="architecture_max_new_issues",
        help="GitHub mode: new issues per run (default 2)",
    )
    parser.add_argument("--python", help="interpreter that runs the repository's tests")
    tests = parser.add_mutually_exclusive_group()
    tests.add_argument(
        "--no-tests", action="store_true", help="do not run the tests (no slow-test analysis)"
    )
    tests.add_argument(
        "--junit", type=Path, help="per-test times from this JUnit XML report (no test run)"
    )
    parser.set_defaults(handler=architecture_command)


def architecture_command(args: argparse.Namespace, env: dict[str, str] | None = None) -> int:
    from agentic_action.architecture.agent import console_line, run_architecture, write_outputs
    from agentic_action.architecture.analyse import SuiteProfile
    from agentic_action.sandbox.pytest_runner import PytestOptions
    from agentic_action.settings import load_settings

    names = ("repo", "out", "mode", "architecture_max_new_issues", "python")
    cli: dict[str, Any] = {n: getattr(args, n, None) for n in names}
    settings = load_settings({k: v for k, v in cli.items() if v is not None}, env)
    if args.junit is not None:
        tests = SuiteProfile(junit=args.junit)
    elif args.no_tests:
        tests = SuiteProfile()
    else:
        tests = SuiteProfile(run=PytestOptions(settings.python, settings.test_timeout))
    report = run_architecture(settings, tests)
    report_path, _ = write_outputs(report, settings.out)
    print(console_line(report, report_path), file=sys.stdout)
    return EXIT_OK
