"""A read-only look into a library file, for a process that must not open it properly.

Only the standard library: ``reader.priming`` calls this in a process forked before
anything else was imported.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def has_cached_files(database: str, folder: str) -> bool:
    """Whether the library at ``database`` holds loaded files of ``folder`` (an absolute
    path). Read-only, waits at most 0.2 s for a lock; any doubt (no file, an older or a
    damaged library) is False."""
    try:
        with sqlite3.connect(f"{Path(database).as_uri()}?mode=ro", uri=True,
                             timeout=0.2) as conn:
            row = conn.execute("SELECT 1 FROM files WHERE feed_id = (SELECT id FROM feeds "
                               "WHERE url = ?) LIMIT 1", (folder,)).fetchone()
        return row is not None
    except (sqlite3.Error, ValueError, OSError):
        return False
