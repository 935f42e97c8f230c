"""The terminal the interface draws on, whatever was done to stdout and stderr.

Textual draws on stderr and reads the terminal's size from stdout. So ``reader 2>err.log``
(keeping the messages) drew the whole interface into the log and left the terminal blank
while the keys still worked, and ``reader > out`` drew an 80x24 screen on any terminal,
never resized. The driver here draws on the first of stderr, stdout and the controlling
terminal (/dev/tty) that is a terminal, and takes its size from that one.
"""

from __future__ import annotations

import io
import os
import sys
from typing import TYPE_CHECKING, Any

from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from textual.app import App


def terminal_stream() -> io.TextIOWrapper | None:
    """stderr if it is a terminal, else stdout, else the controlling terminal opened for
    writing; None when there is no terminal at all."""
    for stream in (sys.__stderr__, sys.__stdout__):
        try:
            if isinstance(stream, io.TextIOWrapper) and stream.isatty():
                return stream
        except (ValueError, OSError):
            continue
    try:
        return open("/dev/tty", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError:
        return None


class TerminalDriver(LinuxDriver):
    """Textual's driver for Linux and macOS, drawing on :func:`terminal_stream`."""

    def __init__(self, app: App[Any], *, debug: bool = False, mouse: bool = True,
                 size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        stream = terminal_stream()
        if stream is not None:
            self._file = stream

    def _get_terminal_size(self) -> tuple[int, int]:
        if self._file is None:
            return super()._get_terminal_size()
        try:
            columns, lines = os.get_terminal_size(self._file.fileno())
        except (AttributeError, ValueError, OSError):
            return super()._get_terminal_size()
        if columns > 0 and lines > 0:
            return columns, lines
        return super()._get_terminal_size()
