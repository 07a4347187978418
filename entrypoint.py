#!/usr/bin/env python3
"""The GitHub Action's door into the same run() as the CLI.

The runner passes inputs as ``INPUT_*`` environment variables; results go to ``$GITHUB_OUTPUT``
and the summary to ``$GITHUB_STEP_SUMMARY``. Exit 0 when the run completed (improving nothing
is a success), non-zero on bad input or a failed run.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agentic_action.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK


def _write_outputs(values: dict[str, str]) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for key, value in values.items():
            marker = f"ghadelimiter_{uuid.uuid4().hex}"
            handle.write(f"{key}<<{marker}\n{value}\n{marker}\n")


def main() -> int:
    from agentic_action.cli import _configure_logging
    from agentic_action.outputs import run_and_report
    from agentic_action.settings import SettingsError, load_settings
    from agentic_action.workspace import RepositoryError

    _configure_logging()
    try:
        settings = load_settings({})
        outcome = run_and_report(settings)
    except (SettingsError, RepositoryError, ValueError) as error:
        print(f"::error title=agentic-optimizer input::{error}".replace("\n", "%0A"))
        return EXIT_BAD_INPUT
    except Exception as error:
        print(f"::error title=agentic-optimizer failed::{type(error).__name__}: {error}")
        return EXIT_FAILED
    report = outcome.report
    from agentic_action.model import Status

    _write_outputs(
        {
            "mode-used": report.mode_used,
            "accepted": str(report.count(Status.ACCEPTED)),
            "rejected": str(report.count(Status.REJECTED)),
            "report-path": str(outcome.report_path),
            "patch-cids": " ".join(outcome.patch_cids),
            "pr-urls": "",
        }
    )
    print(outcome.console_line)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
