"""A reader run shut off from the user's files and from the network, under a memory cap.

Shared by the hostile tests (test_hostile_corpus.py, test_hostile_pty.py) and
benchmarks/bench_hostile_large.py, which each had their own copy.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AS_LIMIT = 1536 * 2**20  # hard address-space cap: a bomb dies instead of eating the machine
DEAD_PROXY = "http://127.0.0.1:9"  # nothing listens there: every fetch fails at once


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float  # wall clock
    cpu: float  # user + system CPU seconds of the child (the budget: robust on a busy machine)
    maxrss_kb: int
    timed_out: bool

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8")

    def describe(self) -> str:
        return (
            f"{self.args[3:]!r}: rc={self.returncode} {self.seconds:.1f}s (cpu {self.cpu:.1f}s) "
            f"{self.maxrss_kb // 1024}MB\nstderr: {self.stderr[-2000:]!r}"
        )


def limit_memory(address_space: int = AS_LIMIT) -> None:
    """The cap and no core dumps; run in the child between fork and exec."""
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def isolated_env(home: Path) -> dict[str, str]:
    """The reader's library, config and caches inside ``home``; no way out to the network."""
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.update(
        {
            "READER_DB": str(home / "library.sqlite"),
            "READER_CONFIG": str(home / "config.toml"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_STATE_HOME": str(home / "state"),
            "HTTP_PROXY": DEAD_PROXY,
            "HTTPS_PROXY": DEAD_PROXY,
            "ALL_PROXY": DEAD_PROXY,
            "http_proxy": DEAD_PROXY,
            "https_proxy": DEAD_PROXY,
            "all_proxy": DEAD_PROXY,
            "NO_PROXY": "",
            "no_proxy": "",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MALLOC_ARENA_MAX": "2",
            "LC_ALL": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
        }
    )
    return env


def run_limited(
    args: list[str],
    *,
    env: dict[str, str],
    timeout: float = 30.0,
    cwd: Path = ROOT,
    stdin: bytes | None = None,
    address_space: int = AS_LIMIT,
) -> Run:
    """Run ``args`` with the memory cap; wait4 gives this child's own CPU time and peak RSS.
    A run past ``timeout`` is killed with its process group (``timed_out``)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryFile() as inp,
    ):
        if stdin is not None:
            inp.write(stdin)
            inp.seek(0)
        start = time.monotonic()
        proc = subprocess.Popen(
            args,
            stdin=inp,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=env,
            preexec_fn=partial(limit_memory, address_space),
            start_new_session=True,
        )
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        return Run(
            args,
            proc.returncode,
            out.read(),
            err.read(),
            seconds,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss,
            timed_out,
        )
