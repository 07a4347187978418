"""``agentic-optimizer``: the command line. It only dispatches: each command is a module of
``commands/`` with ``register(commands)``.

Exit codes (``errors.ExitCode``): 0 the command completed (a run that improved nothing
included); 1 the run failed; 2 bad input (the message names it and the fix).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence

from agentic_action import __version__, cancel
from agentic_action.commands import register_all
from agentic_action.errors import EXIT_BAD_INPUT, EXIT_FAILED, BadInput
from agentic_action.logs import configure_logging

log = logging.getLogger("agentic_action")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentic-optimizer",
        description="Find, prove and propose performance improvements for a Python repository.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register_all(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        code: int = args.handler(args)
        sys.stdout.flush()  # a reader that left shows here, not at the interpreter's exit
    except BadInput as error:
        print(f"agentic-optimizer: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader left (`patches | head -1`): stop quietly, like `ls`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not raise it again
        return 128 + signal.SIGPIPE
    except (cancel.Cancelled, KeyboardInterrupt) as stop:  # stopped outside a run's stages
        code = stop.exit_code if isinstance(stop, cancel.Cancelled) else 130
        print(f"agentic-optimizer: {args.command} cancelled", file=sys.stderr)
        return code
    except Exception as error:  # the run failed: say so plainly, keep the traceback for debugging
        log.exception("the %s command failed", args.command)
        print(
            f"agentic-optimizer: the run failed: {type(error).__name__}: {error}", file=sys.stderr
        )
        return EXIT_FAILED
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
