"""Log lines: human ones by default, JSON ones (one event per line) for machines.

``OPTIMIZER_LOG_FORMAT=json`` makes every record of the ``agentic_action`` loggers one JSON
object on one line of stderr::

    {"ts": "2026-11-21T09:30:00.123Z", "level": "info", "logger": "agentic_action",
     "message": "plan: 2 file(s), 3 function(s)"}

Keys always present: ``ts`` (ISO-8601 UTC, milliseconds), ``level`` (debug, info, warning,
error, critical), ``logger`` and ``message`` (the formatted message). A record logged with an
exception adds ``exception`` (the traceback text); values given with ``extra={...}`` are added
under their own names (anything JSON cannot hold is written as its ``str()``). Newlines inside a
message are escaped by JSON, so a line is always exactly one event.

Otherwise (``text``, the default) lines read ``[agentic-optimizer] message``, with the level
named for warnings and errors. ``OPTIMIZER_LOG_LEVEL`` (debug, info, warning, error; default
info) sets the threshold. An unknown value of either variable is reported in one warning line
and the default is used: a typo in a logging knob never stops an optimization run.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

LOGGER_NAME = "agentic_action"
FORMAT_VARIABLE = "OPTIMIZER_LOG_FORMAT"
LEVEL_VARIABLE = "OPTIMIZER_LOG_LEVEL"
FORMATS = ("text", "json")
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
LEVELS |= {"error": logging.ERROR}
TEXT_PREFIX = "[agentic-optimizer]"

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        event: dict[str, Any] = {
            "ts": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in event:
                event[key] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            event["exception"] = record.exc_text
        if record.stack_info:
            event["stack"] = self.formatStack(record.stack_info)
        return json.dumps(event, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``[agentic-optimizer] message``; warnings and errors say so."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.levelno >= logging.WARNING:
            text = f"{record.levelname.lower()}: {text}"
        line = f"{TEXT_PREFIX} {text}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so a second call replaces it."""


def configure_logging(
    env: Mapping[str, str] | None = None, *, stream: TextIO | None = None
) -> logging.Logger:
    """Set up the ``agentic_action`` logger from ``env`` (default: os.environ).

    Safe to call again: the handler it installed before is replaced, handlers others added
    (pytest's, an embedding program's) are left alone. Returns the configured logger.
    """
    import os

    env = os.environ if env is None else env
    logger = logging.getLogger(LOGGER_NAME)
    problems: list[str] = []
    chosen = _choice(env, FORMAT_VARIABLE, FORMATS, "text", problems)
    level_name = _choice(env, LEVEL_VARIABLE, tuple(LEVELS), "info", problems)
    for old in [h for h in logger.handlers if isinstance(h, _OurHandler)]:
        logger.removeHandler(old)
        old.close()  # a StreamHandler never closes its stream
    handler = _OurHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(LEVELS[level_name])
    logger.propagate = False
    for problem in problems:
        logger.warning(problem)
    return logger


def _choice(
    env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str, problems: list[str]
) -> str:
    raw = env.get(name, "").strip()
    value = raw.lower()
    if not value:
        return default
    if value in allowed:
        return value
    problems.append(
        f"{name}={raw!r} is not one of {', '.join(allowed)}; using {default!r}. "
        f"Set {name} to one of those (or unset it)."
    )
    return default
