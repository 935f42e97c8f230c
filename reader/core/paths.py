"""Where the library lives: ``--db``, else ``$READER_DB``, else the user data folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

DB_ENV = "READER_DB"
APP_NAME = "reader-tui"
DB_NAME = "library.sqlite"
OPML_NAME = "subscriptions.opml"


def not_regular_file(mode: int) -> str | None:
    """None for a regular file (``st_mode``), else what it is instead, in words. Reading
    anything else can wait for ever (a FIFO, /dev/tty) or never end (/dev/zero)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "not a regular file (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (device)"
    if stat.S_ISSOCK(mode):
        return "not a regular file (socket)"
    return "not a regular file"


def db_path(explicit: Path | str | None = None) -> Path:
    """The library database path; the folder is not created here."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(DB_ENV)
    if env and env.strip():  # blank, like empty, is unset: a library named " " was made
        return Path(env).expanduser()
    # imported here: platformdirs is only needed when neither override is given
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME)) / DB_NAME


def errors_log_path() -> Path:
    """Where the tracebacks of unexpected errors are kept, to be reported: the user log
    folder (``$XDG_STATE_HOME/reader-tui/log`` on Linux)."""
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME)) / "errors.log"


def db_chosen(explicit: Path | str | None = None) -> bool:
    """Whether the library's path was chosen (``--db``, ``$READER_DB``), not the default."""
    return bool(explicit) or bool((os.environ.get(DB_ENV) or "").strip())


def subscriptions_path(database: Path) -> Path:
    """The OPML copy of the subscription list kept next to the database.

    ``subscriptions.opml`` for the usual ``library.sqlite``; another database name gets its
    own (``work.sqlite`` -> ``work.subscriptions.opml``), so two libraries in one folder
    never share, and never restore, each other's list.
    """
    if database.name == DB_NAME:
        return database.with_name(OPML_NAME)
    return database.with_name(f"{database.stem}.{OPML_NAME}")
