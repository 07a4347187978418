"""``agentic-optimizer report --html OUT [--ledger PATH] [--out DIR]``: the dashboard page.

Reads the ledger (history over every run) and, when present, the run directory's report.json
(the latest run's notes) and patch store (which patches a human applied or rolled back). Without
a ledger, one report.json is enough for a one-run dashboard. Nothing is written but the page.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentic_action.errors import EXIT_BAD_INPUT, EXIT_OK, BadInput
from agentic_action.ledger import Ledger, LedgerError
from agentic_action.model import DEFAULT_OUT, LEDGER_FILE, PATCHES_DIR

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


class ReportInputError(BadInput):
    """Nothing usable to report from; the message names what was looked for and the fix."""


def register(commands: SubParsers) -> None:
    report = commands.add_parser("report", help="write the HTML dashboard of the run history")
    report.add_argument(
        "--html", type=Path, required=True, metavar="OUT", help="where to write the page"
    )
    report.add_argument("--ledger", type=Path, help="ledger file (default: DIR/ledger.sqlite)")
    report.add_argument(
        "--out", type=Path, metavar="DIR", help=f"a run's output directory (default: {DEFAULT_OUT})"
    )
    report.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    try:
        path = write_html_report(args.html, out_dir=args.out, ledger=args.ledger)
    except (BadInput, OSError) as error:
        print(f"agentic-optimizer: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"dashboard written to {path}")
    return EXIT_OK


def write_html_report(
    html: Path, *, out_dir: Path | None = None, ledger: Path | None = None
) -> Path:
    """Build the dashboard from ``ledger`` and/or ``out_dir`` and write it to ``html``.

    ``out_dir`` defaults to ``$OPTIMIZER_OUT`` or agentic-optimizer-out; ``ledger`` to
    ``out_dir/ledger.sqlite`` when that exists. Raises ReportInputError when neither a ledger
    nor a report.json is found, LedgerError for a ledger that cannot be used (left untouched).
    """
    from agentic_action.report.html import write_dashboard

    return write_dashboard(collect(out_dir=out_dir, ledger=ledger), html)


def collect(*, out_dir: Path | None = None, ledger: Path | None = None) -> dict[str, Any]:
    """The dashboard's data (see agentic_action.report.ledger_view)."""
    from agentic_action.learning.report import dashboard as learning_dashboard
    from agentic_action.report.ledger_view import (
        dashboard_data,
        dashboard_data_from_report,
        latest_report,
    )
    from agentic_action.settings import STATE_DIR

    out_dir = out_dir or Path(os.environ.get("OPTIMIZER_OUT") or DEFAULT_OUT)
    report_path = out_dir / "report.json"
    report = _read_report(report_path) if report_path.is_file() else None
    store = out_dir / PATCHES_DIR
    ledger_path = _ledger_path(out_dir, ledger)
    if ledger_path is None:
        if report is None:
            raise ReportInputError(
                f"nothing to report: no ledger at {out_dir / LEDGER_FILE} and no report.json in "
                f"{out_dir}; run `agentic-optimizer optimize --out {out_dir}` first, or pass "
                "--ledger PATH or --out DIR"
            )
        data = dashboard_data_from_report(report, store_root=store, path=str(report_path))
        return data | {"learning": learning_dashboard(out_dir / STATE_DIR, report)}
    with Ledger.open(ledger_path) as opened:
        data = dashboard_data(opened, store_root=store)
    if report is not None:
        data["latest_report"] = latest_report(report)
        data["source"]["report"] = str(report_path)
    return data | {"learning": learning_dashboard(out_dir / STATE_DIR, report)}


def _ledger_path(out_dir: Path, given: Path | None) -> Path | None:
    if given is not None:
        if not given.is_file():
            raise LedgerError(
                f"no ledger at {given}: pass the ledger file `optimize` wrote "
                f"(default {DEFAULT_OUT / LEDGER_FILE})"
            )
        return given
    default = out_dir / LEDGER_FILE
    return default if default.is_file() else None


def _read_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportInputError(
            f"{path} is not a readable report.json ({error}); rerun `optimize` or pass "
            "--ledger PATH alone"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("results", []), list):
        raise ReportInputError(f"{path} is not an agentic-optimizer report.json (no results list)")
    return data
