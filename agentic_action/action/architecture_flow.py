"""The architecture agent inside a workflow (the ``command: architecture`` input): issues in
GitHub mode, the report section in patch mode, the step summary and outputs; never a patch."""

from __future__ import annotations

from collections.abc import Mapping

from agentic_action.action.workflow_commands import Commands, append_summary, write_outputs
from agentic_action.architecture.agent import console_line, run_architecture
from agentic_action.architecture.agent import write_outputs as write_files
from agentic_action.architecture.analyse import SuiteProfile
from agentic_action.architecture.render import markdown
from agentic_action.errors import EXIT_OK
from agentic_action.sandbox.pytest_runner import PytestOptions
from agentic_action.settings import load_settings


def run_architecture_step(env: Mapping[str, str], commands: Commands) -> int:
    settings = load_settings({}, env)
    tests = SuiteProfile(run=PytestOptions(settings.python, settings.test_timeout))
    with commands.group("agentic-optimizer: architecture"):
        report = run_architecture(settings, tests)
    report_path, _ = write_files(report, settings.out)
    section = report.to_json()
    append_summary("\n".join(["## agentic-optimizer: architecture", *markdown(section)]), env)
    outputs = {"command": "architecture", "outcome": "completed", "reason": ""}
    outputs |= {"mode-used": report.mode, "report-path": str(report_path)}
    write_outputs(outputs, env)
    commands.echo(console_line(report, report_path))
    return EXIT_OK
