"""Ctrl+C in a command: it stops within a second, keeps what is stored, says so in one line
and exits 130 (128 + SIGINT, as shells expect).

SIGINT keeps Python's meaning, KeyboardInterrupt (asyncio turns it into the cancellation of
the running task): each long loop stops its threads and worker processes as it unwinds, and
every write is a transaction, so nothing is left half-written. Whatever cannot unwind in
time (a DNS lookup hung in a thread) does not hold the process: a watchdog, woken by the
signal itself through ``signal.set_wakeup_fd``, ends it once ``GRACE`` seconds have passed.
An open SQLite transaction is then rolled back on the next start, as after a power cut.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GRACE = 0.7  # seconds to unwind after Ctrl+C before the process ends anyway
# the commands that write to the library: stopped, they keep what they stored
STORING = frozenset({"add", "remove", "import", "refresh", "sync", "mark", "account"})


class Stopped(KeyboardInterrupt):
    """A KeyboardInterrupt that says what was kept ("refresh stopped after 3 of 20 feeds")."""


class Interruption:
    """The one line said when a command is stopped, said once by whoever gets there first."""

    def __init__(self, command: str) -> None:
        self.command = command
        self._lock = threading.Lock()
        self._said = False

    def say(self, line: str | None = None) -> None:
        with self._lock:
            if self._said:
                return
            self._said = True
        text = line or f"{self.command} stopped (Ctrl+C)" + (
            "; what was stored before is kept" if self.command in STORING else "")
        # on a terminal the line starts where the echoed ^C (or a progress bar) was
        start = "\r\x1b[K" if _is_terminal(sys.stderr) else ""
        try:
            sys.stderr.write(f"{start}reader: {text}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # no stderr any more: the exit status still says it


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


@contextmanager
def watchdog(interruption: Interruption) -> Iterator[None]:
    """While the command runs, a SIGINT that is not unwound within GRACE ends the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    except (ValueError, OSError):
        os.close(read_end)
        os.close(write_end)
        yield
        return

    def watch() -> None:
        while True:
            try:
                data = os.read(read_end, 64)
            except OSError:
                return
            if not data:
                return  # the command is over: the pipe was closed
            if signal.SIGINT in data:
                break
        done.wait(GRACE)
        if not done.is_set():
            interruption.say()
            os._exit(130)

    done = threading.Event()
    thread = threading.Thread(target=watch, name="reader-interrupt-watchdog", daemon=True)
    thread.start()
    try:
        yield
    except KeyboardInterrupt:
        # armed until the process is gone: what runs at exit (joins of threads) counts too
        raise
    except BaseException:
        done.set()
        raise
    else:
        done.set()
    finally:
        signal.set_wakeup_fd(previous)
        os.close(write_end)  # the watchdog reads the end of the pipe and returns
        thread.join(0.1)
        os.close(read_end)
