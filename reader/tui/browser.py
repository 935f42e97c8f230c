"""Which program opens a link, and whether it needs the terminal.

``$BROWSER`` is read as Python's ``webbrowser`` reads it: a list of commands separated by
``os.pathsep``; a command holding ``%s`` is split like a shell would (never run by one) with
the URL in place of ``%s`` (a last word ``&`` starts it in the background); any other is a
program given the URL as its one argument. The first command whose program exists is used.
Without ``$BROWSER``, a graphical session opens links with ``xdg-open`` (else Python's
``webbrowser``), and a text-only one with the first console browser found.

A console browser needs the terminal: the app suspends while it runs and comes back whole
when it exits. A graphical one is started on its own, detached from the terminal.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass

# Programs that draw in the terminal they are started from.
CONSOLE_BROWSERS = frozenset({
    "lynx", "w3m", "links", "links2", "elinks", "www-browser", "browsh", "carbonyl",
    "chawan", "cha", "netrik", "edbrowse",
})
# webbrowser's order for a session without a display
_CONSOLE_ORDER = ("www-browser", "links", "elinks", "lynx", "w3m")


@dataclass(frozen=True, slots=True)
class BrowserCommand:
    """A program to run for a URL: ``argv`` without a shell; ``console``: it needs the
    terminal (the app suspends); else it runs detached. ``argv`` empty: hand the URL to
    Python's ``webbrowser`` (a graphical session with no ``xdg-open``)."""

    argv: tuple[str, ...]
    console: bool


def browser_command(url: str, environ: Mapping[str, str] | None = None) -> BrowserCommand | None:
    """How to open ``url`` (already checked to be http(s)); None when nothing can."""
    env = os.environ if environ is None else environ
    graphical = bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    path = env.get("PATH")
    for entry in (env.get("BROWSER") or "").split(os.pathsep):
        if not entry.strip():
            continue
        argv = _argv(entry, url)
        if argv is None or shutil.which(argv[0], path=path) is None:
            continue
        console = not graphical or os.path.basename(argv[0]) in CONSOLE_BROWSERS
        return BrowserCommand(tuple(argv), console)
    if graphical:
        opener = shutil.which("xdg-open", path=path)
        return BrowserCommand((opener, url) if opener else (), console=False)
    for name in _CONSOLE_ORDER:
        found = shutil.which(name, path=path)
        if found:
            return BrowserCommand((found, url), console=True)
    return None


def _argv(entry: str, url: str) -> list[str] | None:
    if "%s" not in entry:
        return [entry.strip(), url]
    try:
        words = shlex.split(entry)
    except ValueError:  # an unclosed quote: not a command
        return None
    if words and words[-1] == "&":
        words = words[:-1]
    return [word.replace("%s", url) for word in words] or None
