"""Command line: ``reader [SOURCE...]`` opens the TUI; subcommands serve scripts.

The TUI is imported lazily so that ``reader dump`` and friends never pay for Textual.
"""

from __future__ import annotations

import argparse
import errno
import gc
import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from reader.cli.interrupt import Interruption, Stopped, watchdog
from reader.cli.parser import SUBCOMMANDS, build_command_parser, build_tui_parser
from reader.core.errors import ReaderError
from reader.core.sanitize import display_name, is_web_url

if TYPE_CHECKING:
    from reader.core.config import Config

__all__ = ["SUBCOMMANDS", "main"]


def _first_positional(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--db", "--config"):
            skip = True
            continue
        if arg.startswith("--db=") or arg.startswith("--config="):
            continue
        if arg.startswith("-") and arg != "-":
            continue
        return arg
    return None


def _search_words_last(argv: list[str], search: argparse.ArgumentParser) -> list[str]:
    """``reader search storm -flood`` as ``reader search storm -- -flood``: a word left out
    of a search is no option (argparse took "-flood" for one, and said the words were
    missing). Options of ``search`` (its parser: ``--all``, ``--js`` for ``--json``, ``--db
    PATH``) stay where they are; after a ``--`` everything already is a word."""
    # option -> whether it takes a value; read from the parser, so that an option added to
    # the command is never taken for a word to leave out
    options = {name: action.nargs != 0 for action in search._actions
               for name in action.option_strings}
    start = argv.index("search") + 1
    kept, dashed = argv[:start], list[str]()
    skip = False
    for index, arg in enumerate(argv[start:], start):
        if skip:
            kept.append(arg)
            skip = False
        elif arg == "--":
            return kept + argv[index:] + dashed
        elif not arg.startswith("-") or arg == "-":
            kept.append(arg)
        elif (option := _option_named(arg.split("=", 1)[0], options)) is not None:
            kept.append(arg)
            skip = options[option] and "=" not in arg
        else:
            dashed.append(arg)
    return kept + (["--", *dashed] if dashed else [])


def _subcommand_parser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            return cast(argparse.ArgumentParser, action.choices[name])
    raise KeyError(name)


def _option_named(name: str, options: dict[str, bool]) -> str | None:
    """The option ``name`` stands for, as argparse reads it (a long option by a prefix)."""
    if name in options:
        return name
    if name.startswith("--") and len(name) > 2:
        matches = [option for option in options if option.startswith(name)]
        return matches[0] if len(matches) == 1 else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get("READER_DB", "").strip() == "-":  # as --db - is refused (parser.py)
        sys.stderr.write("reader: READER_DB is '-': standard input cannot keep a library; "
                         "give a file path (./- names a file called -)\n")
        return 1
    try:
        if _first_positional(argv) in SUBCOMMANDS:
            parser = build_command_parser()
            if _first_positional(argv) == "search":
                argv = _search_words_last(argv, _subcommand_parser(parser, "search"))
            args = parser.parse_args(argv)
            interruption = Interruption(args.command)
            try:
                with watchdog(interruption), _guarded_output():
                    return _run_command(args)
            except KeyboardInterrupt as stopped:
                interruption.say(str(stopped) if isinstance(stopped, Stopped) else None)
                return 130
        args = build_tui_parser().parse_args(argv)
        _hint_stdin(args.sources)
        missing = _missing_paths(args.sources)
        if args.sources and len(missing) == len(args.sources):
            # nothing to show: say so on the shell, as less(1) would, instead of an empty TUI
            for name in missing:
                sys.stderr.write(f"reader: {display_name(name)}: no such file or directory"
                                 f"{_command_hint(name)}\n")
            return 1
        if sys.stdin is None:
            # started with standard input closed (`<&-`): Textual reads its keys there, and
            # died of it in a traceback
            sys.stderr.write("reader: standard input is closed: the interface reads the "
                             "keyboard there (reader dump prints without it)\n")
            return 1
        # No collection while the interface imports: its ~100,000 new objects would set
        # off full collections that find nothing (the app freezes them once it is up).
        gc.disable()
        primer = opening = None
        if not args.sources:
            from shutil import get_terminal_size

            from reader.tui.opening import Opening

            # the library opened and its newest articles read while Textual imports
            opening = Opening(args.db, height=get_terminal_size().lines)
        if any(os.path.isdir(source) for source in args.sources):
            from reader import priming
            from reader.core.paths import db_path

            # forked now, while the process is small: it cleans new folders' first files
            # on the other core while this one imports the interface
            primer = priming.start(args.sources, db_path(args.db))
        from reader.tui.app import run_tui

        return run_tui(sources=args.sources, db=args.db, config=args.config, primed=primer,
                       opening=opening)
    except ReaderError as error:
        sys.stderr.write(f"reader: {error}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except OutputFailed as failed:
        _discard_output()
        why = (failed.error.strerror or str(failed.error)).lower()
        sys.stderr.write(f"reader: cannot write the output: {why}\n")
        return 1
    except BrokenPipeError:
        # the reader of our stdout went away (reader dump | head): not an error
        sys.stderr.close()
        return 0


class OutputFailed(Exception):
    """Standard output refused a write (a full disk, a file grown too large)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _Output(io.BufferedIOBase):
    """The bytes under a command's sys.stdout: a write they cannot make is an OutputFailed,
    said in one line (``reader dump x > file`` on a full disk ended in a traceback). It
    sits under a text layer of its own, which hands it blocks: wrapping the text stream
    put a Python call in each of json.dump's small writes (1.7 -> 2.6 s for reader list
    --json at 100,000 articles)."""

    def __init__(self, stream: BinaryIO | None) -> None:
        super().__init__()
        self._stream = stream  # None: started with it closed (reader export >&-)
        self._refused = False  # once refused, nothing more is tried (nor at exit)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._refused:
            return len(data)
        try:
            if self._stream is None:
                raise OSError(errno.EBADF, "standard output is closed")
            return self._stream.write(data)
        except OSError as error:
            self._refused = True
            if isinstance(error, BrokenPipeError):
                raise  # the reader went away (reader dump | head): not an error
            raise OutputFailed(error) from error

    def flush(self) -> None:
        if self._refused or self._stream is None:
            return
        try:
            self._stream.flush()
        except OSError as error:
            self._refused = True
            if isinstance(error, BrokenPipeError):
                raise
            raise OutputFailed(error) from error

    def fileno(self) -> int:
        if self._stream is None:
            raise io.UnsupportedOperation("standard output is closed")
        return self._stream.fileno()

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()


@contextmanager
def _guarded_output() -> Iterator[None]:
    """stdout over an _Output while a command runs, flushed at its end (where a full disk
    is found when the output was short)."""
    real = sys.stdout
    buffer = getattr(real, "buffer", None)
    if real is None:
        guarded = io.TextIOWrapper(cast(BinaryIO, _Output(None)), encoding="utf-8")
    elif buffer is None:  # one in memory (a test's): no disk to fill
        yield
        return
    else:
        real.flush()
        guarded = io.TextIOWrapper(cast(BinaryIO, _Output(buffer)), encoding=real.encoding,
                                   errors=real.errors, line_buffering=bool(real.line_buffering))
    sys.stdout = guarded
    try:
        yield
        guarded.flush()
    finally:
        sys.stdout = real
        with suppress(Exception):  # said already, or the command's own error is
            guarded.detach()  # (never closed with the real stdout's buffer)


def _discard_output() -> None:
    """What stdout still buffers goes nowhere: the exit's own flush would fail again
    ("Exception ignored ... OSError")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _settings(path: os.PathLike[str] | None) -> Config:
    """The config file's settings, read at every command's start: each of its problems is
    a line on stderr (the setting keeps its default), never a reason to stop."""
    from reader.core.config import load_config
    from reader.core.sanitize import clean_line

    config, problems = load_config(Path(path) if path is not None else None)
    for problem in problems:
        sys.stderr.write(f"reader: {clean_line(problem, limit=2000) or ''}\n")
    return config


def _command_hint(name: str) -> str:
    """A missing file named like a subcommand ("refrsh") was meant as one: say which."""
    import difflib

    if os.sep in name or name.startswith("."):
        return ""
    close = difflib.get_close_matches(name.lower(), SUBCOMMANDS, n=1, cutoff=0.7)
    return f" (did you mean reader {close[0]}?)" if close else ""


def _missing_paths(sources: Sequence[str]) -> list[str]:
    return [
        source for source in sources
        if source != "-" and not is_web_url(source)
        and not os.path.lexists(source)
    ]


def _hint_stdin(sources: Sequence[str]) -> None:
    """"-" read from a terminal waits for typed text: say so, and how it ends (the screen
    stayed blank, the reader seemingly hung, until Ctrl+D)."""
    if "-" not in sources:
        return
    try:
        typed = sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        return
    if typed:
        sys.stderr.write("reader: reading standard input from the terminal; Ctrl+D ends it\n")
        sys.stderr.flush()


def _run_command(args: argparse.Namespace) -> int:
    _hint_stdin([*(getattr(args, "sources", None) or ()),
                 *([str(args.file)] if args.command == "import" else [])])
    if args.command not in ("config", "completion"):  # config reports them itself
        args.settings = _settings(args.config)
    if args.command == "dump":
        from reader.cli.dump import run_dump

        return run_dump(args)
    if args.command in ("config", "completion"):
        from reader.cli import settings as commands
    else:
        from reader.cli import commands  # type: ignore[no-redef]

    handler = getattr(commands, "run_" + args.command.replace("-", "_"))
    result: int = handler(args)
    return result
