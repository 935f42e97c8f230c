"""Loopback feed farms for tests: ``feedfarm.py`` (a copy of ../shared/bench's) in a subprocess.

    with Farm(feeds=5, entries=10) as farm:
        farm.urls          # one feed URL per feed, on 127.0.0.1
        farm.stats()       # {"200": n, "304": m}
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

FEEDFARM = Path(__file__).with_name("feedfarm.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Farm:
    def __init__(self, *, feeds: int = 5, entries: int = 10, latency_ms: float = 0,
                 hosts: int = 1, max_seconds: float = 120) -> None:
        self.feeds, self.entries, self.hosts = feeds, entries, hosts
        self.latency_ms, self.max_seconds = latency_ms, max_seconds
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.{f % self.hosts + 1}:{self.port}/feed/{f}.xml"
                for f in range(self.feeds)]

    def start(self) -> Farm:
        self.process = subprocess.Popen(
            [sys.executable, str(FEEDFARM), "--feeds", str(self.feeds), "--entries",
             str(self.entries), "--latency-ms", str(self.latency_ms), "--hosts", str(self.hosts),
             "--port", str(self.port), "--max-seconds", str(self.max_seconds)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "feedfarm" not in line:
            self.stop()
            raise RuntimeError(f"feedfarm did not start: {line!r}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.stats()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("feedfarm did not answer")

    def stats(self, *, reset: bool = False) -> dict[str, int]:
        path = "/stats/reset" if reset else "/stats"
        with urllib.request.urlopen(self.base + path, timeout=5) as response:
            data: dict[str, int] = json.loads(response.read())
        return data

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> Farm:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
