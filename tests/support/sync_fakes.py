"""A loopback HTTP server whose every answer a test writes: for the failures real servers
rarely give on demand (garbage, a web page, a stall, a flood, a cut-off answer)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from support.loopback import QuietHTTPServer


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case keys
    body: bytes

    def json(self) -> dict[str, object]:
        data = json.loads(self.body or b"{}")
        assert isinstance(data, dict)
        return data

    def form(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode(), keep_blank_values=True)

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query + self.form() if k == name), None)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    length: int | None = None  # a Content-Length other than the body's (a cut-off answer)
    close_delimited: bool = False  # no Content-Length: the body ends when the connection does

    @classmethod
    def of_json(cls, value: object, status: int = 200) -> Reply:
        return cls(status, json.dumps(value).encode(), {"Content-Type": "application/json"})

    @classmethod
    def text(cls, value: str, status: int = 200) -> Reply:
        return cls(status, value.encode(), {"Content-Type": "text/plain; charset=utf-8"})


class FakeServer:
    """Answers every request with ``handler(request)``; records the requests."""

    def __init__(self, handler: Callable[[Request], Reply]) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each answer waits on a delayed ACK

            def _serve(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Request(
                    self.command, parts.path, parse_qsl(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(size),
                )
                owner.requests.append(request)
                reply = owner.handler(request)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    if reply.close_delimited:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    else:
                        length = len(reply.body) if reply.length is None else reply.length
                        self.send_header("Content-Length", str(length))
                        if reply.length is not None:
                            self.close_connection = True
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    self.close_connection = True  # the client gave up (a cap, a deadline)

            do_GET = do_POST = _serve  # noqa: N815 (http.server's names)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
