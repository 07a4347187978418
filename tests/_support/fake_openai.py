"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests and benchmarks.

litellm talks to it over real HTTP::

    with FakeOpenAI() as server:
        server.script(Reply("hello", prompt_tokens=10, completion_tokens=2), model="fake-a")
        litellm.completion(model="openai/fake-a", api_base=server.url, api_key="test", ...)

Replies are consumed in order, per model name (the name the server receives: litellm strips the
``openai/`` prefix), then from the shared script (``model=None``), then ``default`` (an error
reply unless set). Faults: ``Reply.error(500)``, ``Reply.hang()``, ``Reply.slow(s, text)``,
``Reply.garbage()``. Every request is logged in ``server.requests``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG_LIMIT_SECONDS = 30.0  # a hung reply is released at the latest after this, or at stop()


@dataclass(frozen=True)
class Reply:
    """One scripted answer (or fault)."""

    text: str = ""
    prompt_tokens: int | None = None  # None: count the words of the prompt
    completion_tokens: int | None = None  # None: count the words of the text
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering (a slow answer)
    hang: bool = False  # never answer (until the server stops)
    raw_body: str | None = None  # sent as is instead of a JSON completion (garbage)

    @classmethod
    def error(cls, status: int = 500, message: str = "scripted failure") -> Reply:
        return cls(text=message, status=status)

    @classmethod
    def hang_forever(cls) -> Reply:
        return cls(hang=True)

    @classmethod
    def slow(cls, seconds: float, text: str, **kwargs: Any) -> Reply:
        return cls(text=text, delay=seconds, **kwargs)

    @classmethod
    def garbage(cls, body: str = "<html>this is not JSON at all") -> Reply:
        return cls(raw_body=body)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))


class FakeOpenAI:
    """The server. Use as a context manager, or call start() and stop()."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply.error(500, "fake server: no scripted reply left")
        self.requests: list[LoggedRequest] = []
        self._scripts: dict[str | None, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The api_base for litellm: http://127.0.0.1:PORT/v1"""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply, model: str | None = None) -> None:
        with self._lock:
            self._scripts.setdefault(model, deque()).extend(replies)

    def chat_requests(self, model: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path.endswith("/chat/completions") and model in (None, r.model)
            ]

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- used by the handler -------------------------------------------------------------------

    def _log(self, request: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_reply(self, model: str) -> Reply:
        with self._lock:
            for key in (model, None):
                queue = self._scripts.get(key)
                if queue:
                    return queue.popleft()
        return self.default

    def _models(self) -> list[str]:
        with self._lock:
            return sorted(k for k in self._scripts if k is not None)

    def _wait(self, reply: Reply) -> None:
        if reply.hang:
            self._stopping.wait(HANG_LIMIT_SECONDS)
        elif reply.delay:
            self._stopping.wait(reply.delay)


def _completion_body(reply: Reply, model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    prompt_words = sum(len(str(m.get("content", "")).split()) for m in messages)
    prompt = reply.prompt_tokens if reply.prompt_tokens is not None else prompt_words
    completion = (
        reply.completion_tokens if reply.completion_tokens is not None else len(reply.text.split())
    )
    return {
        "id": f"chatcmpl-fake-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


def _handler_class(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms stalls

        def log_message(self, format: str, *args: Any) -> None:  # silence stderr
            return

        def _send(self, status: int, body: str, content_type: str = "application/json") -> None:
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout) and closed the connection
                self.close_connection = True

        def do_GET(self) -> None:
            server._log(LoggedRequest("GET", self.path))
            if self.path.rstrip("/").endswith("/models"):
                data = [{"id": m, "object": "model", "owned_by": "fake"} for m in server._models()]
                self._send(200, json.dumps({"object": "list", "data": data}))
            else:
                self._send(404, json.dumps({"error": {"message": f"no route {self.path}"}}))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"_unparsed": raw.decode(errors="replace")}
            server._log(LoggedRequest("POST", self.path, body))
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, json.dumps({"error": {"message": f"no route {self.path}"}}))
                return
            model = str(body.get("model", ""))
            reply = server._next_reply(model)
            server._wait(reply)
            if reply.hang:
                self.close_connection = True
                return
            if reply.raw_body is not None:
                self._send(reply.status, reply.raw_body, "text/html")
            elif reply.status != 200:
                error = {"error": {"message": reply.text, "type": "server_error", "code": None}}
                self._send(reply.status, json.dumps(error))
            else:
                messages = list(body.get("messages", []))
                self._send(200, json.dumps(_completion_body(reply, model, messages)))

    return Handler
