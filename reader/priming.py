"""A folder's first files, cleaned by a second process while the interface starts.

``reader FOLDER`` spends its first half second importing the interface, on one core. A
folder seen for the first time has nothing to show until some of its files are cleaned, so
a worker process forked at once (before anything heavy is imported: the fork is cheap)
cleans the first few on the other core meanwhile (``reader.ingest.folders.first_files``).
The library takes them when it gets to that folder (``Primer.take``), stores them and
shows them, then loads the whole folder as usual. The worker only reads the library
database, to skip folders it already holds.

Only the standard library at import time: this runs before everything else.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reader.core.models import FolderFile

WAIT_SECONDS = 1.0  # for a worker still at it; past that the loader cleans the files itself


class Primer:
    """First files of folders being cleaned in a worker process, by absolute path."""

    def __init__(self, executor: ProcessPoolExecutor, futures: dict[str, Future[Any]]) -> None:
        self._executor = executor
        self._futures = futures

    def take(self, folder: str) -> list[FolderFile] | None:
        """The cleaned first files of ``folder`` (once), or None when there are none."""
        future = self._futures.pop(folder, None)
        if future is None:
            return None
        try:
            result: list[FolderFile] = future.result(timeout=WAIT_SECONDS)
        except Exception:  # noqa: BLE001 - a timeout or a dead worker: the loader does it
            future.cancel()
            return None
        return result

    def close(self) -> None:
        from reader.core.processes import end_workers

        self._futures.clear()
        end_workers(self._executor)


def start(specs: Sequence[str], database: Path, count: int | None = None) -> Primer | None:
    """Start cleaning the first files of the folders among ``specs`` that ``database`` does
    not know yet; None if there are none."""
    folders = [os.path.abspath(os.path.expanduser(spec)) for spec in specs
               if spec != "-" and "://" not in spec and os.path.isdir(spec)]
    if not folders or "fork" not in multiprocessing.get_all_start_methods():
        return None  # spawn would re-import everything: no head start left to win
    from reader.core.processes import forking, worker_started

    executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=worker_started)
    try:
        with forking():
            futures = {folder: executor.submit(_first_files, folder, str(database), count)
                       for folder in dict.fromkeys(folders)}
    except (OSError, RuntimeError):
        executor.shutdown(wait=False, cancel_futures=True)
        return None
    return Primer(executor, futures)


def _first_files(folder: str, database: str, count: int | None) -> list[FolderFile]:
    from reader.storage.peek import has_cached_files

    if has_cached_files(database, folder):
        return []  # opened before: its articles show from the library at once
    from reader.ingest.folders import QUICK_FILES, first_files

    return first_files(Path(folder), count or QUICK_FILES)
