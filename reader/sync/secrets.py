"""Where an account's password comes from: a file, a command, or (instead of a password)
a token the server issued. The password itself is never stored, only where to find it.

A password command runs without a shell (newsboat's ``passwordeval`` runs one; here the
line is split as a shell would split it, and nothing in it is expanded), with no input,
for at most :data:`COMMAND_SECONDS`; its first output line is the password.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from reader.core import sanitize
from reader.core.errors import SyncAuthError

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
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=COMMAND_SECONDS, check=False, shell=False)
    except FileNotFoundError:
        raise SyncAuthError(f"password command: {name}: not found") from None
    except subprocess.TimeoutExpired:
        raise SyncAuthError(f"password command: {name}: no answer in "
                            f"{COMMAND_SECONDS} s") from None
    except OSError as error:
        raise SyncAuthError(f"password command: {name}: {error.strerror or error}") from None
    if done.returncode != 0:
        said = sanitize.clean_line(
            done.stderr[-2000:].decode("utf-8", errors="replace").strip().splitlines()[-1]
            if done.stderr.strip() else "", limit=160)
        raise SyncAuthError(f"password command: {name} failed (exit {done.returncode})"
                            + (f": {said}" if said else ""))
    password = first_line(done.stdout)
    if not password:
        raise SyncAuthError(f"password command: {name} printed nothing")
    return password
