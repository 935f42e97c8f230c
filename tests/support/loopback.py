"""A loopback HTTP server for tests that says nothing when a client goes away."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from typing import Any


class QuietHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer without socketserver's report of a client that hung up.

    The reader's timeouts and cancellations close connections mid-answer on purpose; the
    standard server then prints a dashed block and a traceback to the real stderr from its
    thread, after the test that caused it has ended, over pytest's progress line. Any other
    error is still reported.
    """

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)
