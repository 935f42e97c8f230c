"""Where an account's password comes from: a file, a command, or (instead of a password)
a token the server issued. The password itself is never stored, only where to find it.

A password command runs without a shell (newsboat's ``passwordeval`` runs one; here the
line is split as a shell would split it, and nothing in it is expanded), with no input,
for at most :data:`COMMAND_SECONDS`; its first output line is the password.
"""

from __future__ import annotations

import os
import selectors
import shlex
import subprocess
import time
from pathlib import Path

from reader.core import sanitize
from reader.core.errors import SyncAuthError
from reader.core.paths import not_regular_file

COMMAND_SECONDS = 60  # a password manager may ask for its own passphrase
MAX_SECRET_BYTES = 64 * 1024


def first_line(data: bytes) -> str:
    """The first line of a file or of a command's output, without its line ending."""
    text = data[:MAX_SECRET_BYTES].decode("utf-8", errors="replace")
    return text.split("\n", 1)[0].removesuffix("\r")


def read_password_file(path: str) -> str:
    """The first line of ``path``; a SyncAuthError naming the file when it cannot be had."""
    shown = sanitize.display_name(path)
    try:
        # a pipe (--password-file <(pass show x) names /dev/fd/63) is read once: the path
        # kept would be gone at the next sync, and a named pipe with no writer waits for ever
        problem = not_regular_file(os.stat(os.path.expanduser(path)).st_mode)
        if problem is not None:
            raise SyncAuthError(f"password file {shown}: {problem}; it is read at each "
                                "sync: keep the password in a file, or use "
                                "--password-command")
        with open(os.path.expanduser(path), "rb") as handle:
            password = first_line(handle.read(MAX_SECRET_BYTES))
    except OSError as error:
        raise SyncAuthError(f"password file {shown}: {error.strerror or error}") from None
    if not password:
        raise SyncAuthError(f"password file {shown}: its first line is empty")
    return password


def command_argv(command: str) -> list[str]:
    """The command line as its words (shell quoting understood, nothing expanded)."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise SyncAuthError(f"password command: {error}") from None
    if not argv:
        raise SyncAuthError("password command: empty")
    return argv


def run_password_command(command: str) -> str:
    """The first line the command prints; a SyncAuthError saying why when it fails."""
    argv = command_argv(command)
    name = sanitize.clean_line(Path(argv[0]).name, limit=60) or "?"
    try:
        status, out, err = _run(argv, name)
    except FileNotFoundError:
        raise SyncAuthError(f"password command: {name}: not found") from None
    except OSError as error:
        raise SyncAuthError(f"password command: {name}: {error.strerror or error}") from None
    if status != 0:
        lines = err.decode("utf-8", errors="replace").strip().splitlines()
        said = sanitize.clean_line(lines[-1] if lines else "", limit=160)
        raise SyncAuthError(f"password command: {name} failed (exit {status})"
                            + (f": {said}" if said else ""))
    password = first_line(out)
    if not password:
        raise SyncAuthError(f"password command: {name} printed nothing")
    return password


_STDERR_KEPT = 2000  # the end of what the command says on stderr, for its last line


def _run(argv: list[str], name: str) -> tuple[int, bytes, bytes]:
    """Run ``argv`` with no input: its exit status, its output (at most MAX_SECRET_BYTES:
    a command that prints more is stopped) and the end of its stderr, within
    COMMAND_SECONDS. subprocess.run would keep every byte a runaway command prints."""
    out, err = bytearray(), bytearray()
    deadline = time.monotonic() + COMMAND_SECONDS
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, shell=False) as process:
        try:
            with selectors.DefaultSelector() as selector:
                for stream in (process.stdout, process.stderr):
                    assert stream is not None
                    selector.register(stream, selectors.EVENT_READ)
                while selector.get_map():
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise SyncAuthError(f"password command: {name}: no answer in "
                                            f"{COMMAND_SECONDS} s")
                    for key, _ in selector.select(remaining):
                        chunk = os.read(key.fd, 65536)
                        if not chunk:
                            selector.unregister(key.fileobj)
                        elif key.fileobj is process.stdout:
                            out += chunk
                            if len(out) > MAX_SECRET_BYTES:
                                raise SyncAuthError(f"password command: {name} printed more "
                                                    f"than {MAX_SECRET_BYTES // 1024} KB")
                        else:
                            err += chunk
                            if len(err) > _STDERR_KEPT:  # its last words, not its blank tail
                                tail = err.rstrip()
                                err = tail[-_STDERR_KEPT:] + b"\n" * (len(tail) < len(err))
            status = process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            raise SyncAuthError(f"password command: {name}: no answer in "
                                f"{COMMAND_SECONDS} s") from None
        except BaseException:
            process.kill()
            raise
    return status, bytes(out), bytes(err)
