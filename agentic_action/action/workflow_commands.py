"""GitHub Actions workflow commands, step outputs and the job summary, written safely.

The runner reads commands from lines that start with ``::``. Every value we put in one is
escaped the way the runner unescapes it (actions/toolkit ``command.ts``): data escapes ``%``,
CR and LF; properties (``file``, ``line``, ``title``) also escape ``:`` and ``,``. Text that the
repository controls (file names, test output, issue bodies) can therefore never start a command
of its own; long logs run under ``::stop-commands::`` for the same reason.

Outputs go to the ``$GITHUB_OUTPUT`` file in the multi-line form ``name<<DELIMITER``, with a
fresh random delimiter per value that is checked not to occur in the value.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

AnnotationLevel = Literal["error", "warning", "notice"]
MIN_MASK_LENGTH = 4  # masking very short values would blank common words out of every log


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True)
class Annotation:
    """One ``::error``/``::warning``/``::notice`` line, optionally pinned to a file and line."""

    level: AnnotationLevel
    message: str
    title: str = ""
    file: str = ""
    line: int | None = None
    end_line: int | None = None

    def render(self) -> str:
        props = [
            ("title", self.title),
            ("file", self.file),
            ("line", "" if self.line is None else str(self.line)),
            ("endLine", "" if self.end_line is None else str(self.end_line)),
        ]
        rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props if value)
        head = f"::{self.level} {rendered}" if rendered else f"::{self.level}"
        return f"{head}::{escape_data(self.message)}"


class Commands:
    """Writes workflow commands to one stream (stdout in the Action)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def _emit(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def annotate(self, annotation: Annotation) -> None:
        self._emit(annotation.render())

    def error(
        self, message: str, *, title: str = "", file: str = "", line: int | None = None
    ) -> None:
        self.annotate(Annotation("error", message, title, file, line))

    def warning(
        self, message: str, *, title: str = "", file: str = "", line: int | None = None
    ) -> None:
        self.annotate(Annotation("warning", message, title, file, line))

    def mask(self, secret: str) -> None:
        """``::add-mask::`` the value and each of its lines (the runner masks line by line)."""
        parts = [secret, *secret.splitlines()]
        for part in dict.fromkeys(p.strip() for p in parts):
            if len(part) >= MIN_MASK_LENGTH:
                self._emit(f"::add-mask::{escape_data(part)}")

    def echo(self, text: str) -> None:
        """A plain log line that can never be read as a command."""
        for line in text.splitlines() or [""]:
            self._emit(f" {line}" if line.lstrip().startswith("::") else line)

    @contextlib.contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A collapsed log group; inside it, workflow commands are switched off."""
        token = f"agentic-optimizer-{uuid.uuid4().hex}"
        self._emit(f"::group::{escape_data(title)}")
        self._emit(f"::stop-commands::{token}")
        try:
            yield
        finally:
            self._emit(f"::{token}::")
            self._emit("::endgroup::")


def format_outputs(values: Mapping[str, str]) -> str:
    """The ``$GITHUB_OUTPUT`` text for ``values``: every value in the multi-line form."""
    chunks: list[str] = []
    for name, value in values.items():
        if not name or any(c in name for c in "\r\n=<"):
            raise ValueError(f"output name {name!r} is not allowed")
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        while delimiter in value:  # pragma: no cover - a random UUID in the value
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def write_outputs(values: Mapping[str, str], env: Mapping[str, str] | None = None) -> bool:
    """Append ``values`` to ``$GITHUB_OUTPUT``; False (nothing written) when it is not set."""
    path = (os.environ if env is None else env).get("GITHUB_OUTPUT", "")
    if not path:
        return False
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(format_outputs(values))
    return True


def append_summary(markdown: str, env: Mapping[str, str] | None = None) -> bool:
    """Append ``markdown`` to ``$GITHUB_STEP_SUMMARY``; False when it is not set."""
    path = (os.environ if env is None else env).get("GITHUB_STEP_SUMMARY", "")
    if not path:
        return False
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write("\n" + markdown.strip("\n") + "\n")
    return True
