"""``agentic-optimizer learning export|import``: share what the selector learned between
repositories (the observations in ``STATE_DIR/learning.json``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agentic_action.errors import EXIT_OK
from agentic_action.model import DEFAULT_OUT

STATE_HELP = f"the state folder (default: {DEFAULT_OUT}/state)"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("learning", help="export or import the selector's history")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write the learned observations to a file")
    export.add_argument("--state-dir", dest="state_dir", type=Path, help=STATE_HELP)
    export.add_argument("--out", dest="file", type=Path, required=True, help="file to write")
    export.set_defaults(handler=export_command)
    load = actions.add_parser("import", help="merge observations exported elsewhere")
    load.add_argument("file", type=Path, help="a file written by 'learning export'")
    load.add_argument("--state-dir", dest="state_dir", type=Path, help=STATE_HELP)
    load.set_defaults(handler=import_command)


def _state_dir(args: argparse.Namespace) -> Path:
    return args.state_dir or DEFAULT_OUT / "state"


def export_command(args: argparse.Namespace) -> int:
    from agentic_action.learning.store import export_state

    count = export_state(_state_dir(args), args.file)
    print(f"agentic-optimizer learning: {count} observation(s) written to {args.file}")
    return EXIT_OK


def import_command(args: argparse.Namespace) -> int:
    from agentic_action.learning.store import import_state

    added, total = import_state(_state_dir(args), args.file)
    print(
        f"agentic-optimizer learning: {added} new observation(s) from {args.file}; "
        f"{total} kept in {_state_dir(args)}",
        file=sys.stdout,
    )
    return EXIT_OK
