"""JSON lines over a Unix socket: the benchmark's parent-worker protocol (standard library only)."""

from __future__ import annotations

import contextlib
import json
import socket
from typing import Any

MAX_LINE = 1_000_000


class ChannelClosed(Exception):
    """The other side went away, or sent something that is not a protocol message."""


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._reader = sock.makefile("rb")

    def send(self, message: dict[str, Any]) -> None:
        try:
            self.sock.sendall(json.dumps(message).encode("utf-8") + b"\n")
        except OSError as exc:
            raise ChannelClosed(f"send failed: {exc}") from exc

    def recv(self, timeout: float | None = None) -> dict[str, Any]:
        self.sock.settimeout(timeout)
        try:
            line = self._reader.readline(MAX_LINE)
        except (OSError, TimeoutError) as exc:
            why = f"no answer within {timeout:.1f} s (endless loop?)" if timeout else str(exc)
            raise ChannelClosed(why) from exc
        if not line:
            raise ChannelClosed("the other side closed the connection")
        try:
            message = json.loads(line)
        except ValueError as exc:
            raise ChannelClosed("malformed message") from exc
        if not isinstance(message, dict):
            raise ChannelClosed("malformed message")
        return message

    def close(self) -> None:
        for closer in (self._reader.close, self.sock.close):
            with contextlib.suppress(OSError):
                closer()
