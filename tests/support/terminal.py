"""The real reader on a pseudo-terminal: every byte it writes, and how it ended."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

from support.paths import ROOT


def run_reader_in_pty(
    sources: list[str], env: dict[str, str], *, size: tuple[int, int], ready: bytes,
    keys: list[str | int], timeout: float = 40.0, pause: float = 0.35,
    then_signal: int | None = None, redirect: dict[int, str] | None = None,
    ignored: tuple[int, ...] = (),
) -> tuple[bytes, int | None]:
    """Run ``python -m reader SOURCES`` on a pty of ``size`` (columns, lines); wait for
    ``ready`` on screen, type ``keys`` (``pause`` seconds apart; a number among them is a
    signal sent then), then send ``then_signal``
    if given; return every byte written to the terminal and the exit status (None: had to
    be killed). ``redirect``: file descriptors (1, 2) sent to files instead, as a shell's
    ``> out`` or ``2> err`` does. ``ignored``: signals the reader starts with ignored, as
    ``nohup`` starts it."""
    columns, lines = size
    pid, master = pty.fork()
    if pid == 0:  # child: becomes the app, the pty is its controlling terminal
        try:
            os.chdir(ROOT)
            for signum in ignored:
                signal.signal(signum, signal.SIG_IGN)
            for target, path in (redirect or {}).items():
                os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), target)
            os.execve(sys.executable, [sys.executable, "-m", "reader", *sources], env)
        finally:
            os._exit(127)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    output = bytearray()
    start = time.monotonic()
    pending = list(keys)
    typing = False
    next_key = 0.0
    status: int | None = None
    try:
        while time.monotonic() - start < timeout:
            readable, _, _ = select.select([master], [], [], 0.05)
            if readable:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                if not chunk:
                    break
                output += chunk
            now = time.monotonic()
            # ready: the footer is painted (or, should its wording change, 10 s have passed)
            if not typing and (ready in output or (output and now - start > 10)):
                typing, next_key = True, now + 1.0  # let it finish painting
            if typing and pending and now >= next_key:
                key = pending.pop(0)
                if isinstance(key, int):  # a signal, sent to the reader at this point
                    os.kill(pid, key)
                else:
                    os.write(master, key.encode())
                next_key = now + pause
            elif typing and not pending and then_signal is not None and now >= next_key:
                os.kill(pid, then_signal)
                then_signal = None
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(code)
                # drain what is left
                while True:
                    readable, _, _ = select.select([master], [], [], 0.2)
                    if not readable:
                        break
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    output += chunk
                break
        if status is None:  # the terminal closed: give the process a moment to exit
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                done, code = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = os.waitstatus_to_exitcode(code)
                    break
                time.sleep(0.05)
    finally:
        if status is None:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        os.close(master)
    return bytes(output), status
