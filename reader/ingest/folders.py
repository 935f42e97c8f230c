"""The one directory loader: ``reader dump DIR``, ``reader DIR`` and the library's folders.

A folder is walked in order (sorted, hidden entries skipped, symlinks never followed); the
lines its plain-text dumps repeat (menus, footers: the site's chrome) are learnt from the
first ``CHROME_SAMPLE`` of them and removed from every file; files are cleaned in batches,
by worker processes when there are many (cleaning is pure Python: in the interface's
process it would hold the GIL the interface needs), and handed to the caller batch by batch.
Whoever calls it gets the same articles for the same folder.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from reader.core import sanitize
from reader.core.errors import ReaderError, unexpected
from reader.core.models import Article, FileStamp, FolderFile, LoadResult, SourceKind
from reader.core.processes import (
    end_workers,
    forking,
    frozen_heap,
    idle_workers,
    worker_context,
    worker_started,
)
from reader.ingest.load import cleaned_as_dump, import_cleaners, load_bytes, skipped_as_warning
from reader.sources.decode import decode_bytes
from reader.sources.files import read_file, walk
from reader.sources.sniff import SNIFF_BYTES, sniff

QUICK_FILES = 30  # a new folder's first files, shown before the rest is even listed
CHROME_SAMPLE = 300  # text files read to learn a folder's shared chrome
BATCH_FILES = 200
BATCH_SECONDS = 0.2
PARALLEL_FILES = 100  # from this many files to clean on, clean in worker processes
CHUNK_FILES = 20  # files per worker task: small, so the first batch shows at once


Batch = list[FolderFile]


def path_text(path: Path) -> str:
    """A path as storable text: a name that is not UTF-8 or carries control characters
    in its displayable form; the walk keeps the real Path for reading."""
    return sanitize.display_name(str(path))


def load_folder(
    folder: Path,
    *,
    on_batch: Callable[[Batch], None],
    known: Mapping[str, FileStamp] | None = None,
    primed: Sequence[FolderFile] | None = None,
    quick: bool = False,
    here: bool = False,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[LoadResult]:
    """Load the files of ``folder`` that are not in ``known`` with the same stamp, handing
    them to ``on_batch`` in walk order; returns what the walk could not read (one result
    each: ``skipped`` and a warning for what is left out on purpose, else an error).

    ``primed``: first files already loaded elsewhere (see ``reader.priming``), handed on
    first. ``quick``: a folder seen for the first time hands on its first ``QUICK_FILES``
    files, cleaned alone, as soon as they are found. Both are unstamped and loaded again
    with the folder's chrome. ``here``: where one worker would do, this process cleans the
    files itself (a command that has nothing else to do meanwhile; an interface keeps its
    process free). Stops early once ``cancelled()``.
    """
    known = known or {}
    problems: list[LoadResult] = []
    if primed:
        on_batch(list(primed))
    changed: list[tuple[Path, FileStamp]] = []
    texts: list[Path] = []  # every file, in walk order, for the chrome sample
    for entry in walk(folder):
        if entry.error is not None:
            problems.append(_walk_problem(entry.path, entry.error, skipped=entry.skipped))
            continue
        if entry.size is None or entry.mtime_ns is None:
            continue
        texts.append(entry.path)
        stamp = FileStamp(entry.size, entry.mtime_ns)
        if known.get(path_text(entry.path)) != stamp:
            changed.append((entry.path, stamp))
            if quick and not known and not primed and len(changed) == QUICK_FILES:
                on_batch([load_alone(path) for path, _ in changed])
        if cancelled():
            return problems
    if changed:
        chrome, kinds = survey(texts)
        _load_changed(changed, chrome, kinds, on_batch, cancelled, here=here)
    return problems


def _walk_problem(path: Path, reason: str, *, skipped: bool) -> LoadResult:
    source = path_text(path)
    message = f"{sanitize.display_name(source)}: {reason}"
    if skipped:
        return LoadResult(source=source, warnings=(message,), skipped=True)
    return LoadResult(source=source, error=message)


def _load_changed(files: list[tuple[Path, FileStamp]], chrome: frozenset[str],
                  kinds: frozenset[SourceKind], on_batch: Callable[[Batch], None],
                  cancelled: Callable[[], bool], *, here: bool = False) -> None:
    batch: Batch = []
    started = time.monotonic()
    loaded = _loaded(files, chrome, kinds, cancelled, here=here)
    for (path, stamp), result in zip(files, loaded, strict=False):
        # a file that gave nothing is still stamped: it is not read again until it changes
        batch.append(FolderFile(path, path_text(path), stamp, result))
        if len(batch) >= BATCH_FILES or time.monotonic() - started >= BATCH_SECONDS:
            on_batch(batch)
            batch, started = [], time.monotonic()
    if batch:
        on_batch(batch)


def _loaded(files: list[tuple[Path, FileStamp]], chrome: frozenset[str],
            kinds: frozenset[SourceKind], cancelled: Callable[[], bool], *,
            here: bool = False) -> Iterator[LoadResult]:
    """Each file's LoadResult, in order; stops early when cancelled.

    A big folder is cleaned by worker processes (a few files per task, a few tasks ahead)
    while this thread only hands on; ``here``, where one worker would do, this process
    cleans it itself (a lone worker cost 7% more instructions than the same cleaning in
    process, and its fork a quarter more page faults, with nothing gained in time). The
    cleaners of the ``kinds`` of file seen are imported before the workers fork: once here
    rather than once in each worker.
    """
    paths = [path for path, _ in files]
    workers = idle_workers() if len(paths) >= PARALLEL_FILES else 0
    if workers < 1 or (here and workers == 1):
        # what this process holds is left out of the collections its cleaning sets off
        with frozen_heap():
            for path in paths:
                if cancelled():
                    return
                yield load_member(path, chrome)
        return
    from concurrent.futures import Future, ProcessPoolExecutor

    import_cleaners(kinds)
    chunks = [paths[i:i + CHUNK_FILES] for i in range(0, len(paths), CHUNK_FILES)]
    pool = ProcessPoolExecutor(workers, mp_context=worker_context(), initializer=worker_started)
    with frozen_heap():
        finished = False
        try:
            ahead: list[Future[list[LoadResult]]] = []
            submitted = 0
            for index in range(len(chunks)):
                while submitted < len(chunks) and len(ahead) < 4 * workers:
                    with forking():  # the workers start with the first task
                        ahead.append(pool.submit(_load_chunk, chunks[submitted], chrome))
                    submitted += 1
                future = ahead.pop(0)
                try:
                    results = future.result()
                except Exception:  # noqa: BLE001 - a dead worker: this chunk is done here
                    results = _load_chunk(chunks[index], chrome)
                yield from results
                if cancelled():
                    return
            finished = True
        finally:
            if finished:
                # every worker is idle: waiting for them is quick, and leaves no pool thread
                # writing to a closed pipe as the interpreter exits
                pool.shutdown(wait=True)
            else:
                # stopped (cancelled, Ctrl+C): the chunks the workers hold are not wanted, and
                # the process would wait for them as it exits
                end_workers(pool)


def _load_chunk(paths: list[Path], chrome: frozenset[str]) -> list[LoadResult]:
    """Files of a folder loaded in a worker process (never raises)."""
    return [load_member(path, chrome) for path in paths]


def load_member(path: Path, chrome: frozenset[str]) -> LoadResult:
    """One file of a folder: cleaned with the folder's chrome removed; a binary or empty
    file is a warning, not an error. Never raises."""
    source = path_text(path)
    try:
        data = read_file(path)
    except ReaderError as error:
        return LoadResult(source=source, error=str(error))
    except Exception as error:  # noqa: BLE001 - one bad file never stops a folder
        return LoadResult(source=source, error=f"{sanitize.display_name(source)}: "
                          f"{unexpected(error, 'reading')}")
    result = load_bytes(data, source=source, name=path.name, chrome=chrome,
                        base_dir=path.parent)
    return skipped_as_warning(result)


def load_alone(path: Path) -> FolderFile:
    """One file of a folder loaded before its shared chrome is known (unstamped)."""
    return FolderFile(path, path_text(path), None, load_member(path, frozenset()))


def first_files(folder: Path, count: int = QUICK_FILES) -> list[FolderFile]:
    """The first ``count`` files of a folder (in walk order), cleaned without its chrome:
    what a new folder shows while the rest is listed."""
    found: list[FolderFile] = []
    for entry in walk(folder):
        if len(found) >= count:
            break
        if entry.error is None and entry.size is not None and entry.mtime_ns is not None:
            found.append(load_alone(entry.path))
    return found


_DUMP_KINDS = (SourceKind.TEXT, SourceKind.MARKDOWN)


def folder_chrome(folder: Path) -> frozenset[str]:
    """The lines the dumps of ``folder`` repeat, learnt as load_folder learns them: what
    the cleaning of one of its files removed with them (the raw view). Never raises."""
    try:
        return survey(entry.path for entry in walk(folder) if entry.error is None
                      and entry.size is not None and entry.mtime_ns is not None)[0]
    except Exception:  # noqa: BLE001 - a view of a file's cleaning, never a failure
        return frozenset()


def survey(paths: Iterable[Path]) -> tuple[frozenset[str], frozenset[SourceKind]]:
    """The lines a site repeats in the page dumps among ``paths`` (see cleaned_as_dump; the
    first ``CHROME_SAMPLE`` of them; none under three dumps), and the kinds of the files read to
    learn them. Never raises."""
    texts: list[str] = []
    kinds: set[SourceKind] = set()
    for path in paths:
        if len(texts) >= CHROME_SAMPLE:
            break
        try:
            # The kind is told from the head: a folder of gzipped pages is not
            # decompressed twice (a fifth of the time of its first files). Only a gzip
            # file comes cut, at exactly SNIFF_BYTES; a dump's (or a blank head's) rest
            # is wanted then, and only then is the file read again. (Markdown is a dump
            # when its header names the page it was fetched from: in the head.)
            data = read_file(path, head=SNIFF_BYTES)
            kind = sniff(data, name=path.name)
            if len(data) == SNIFF_BYTES and (
                    kind in (SourceKind.TEXT, SourceKind.EMPTY) or (
                        kind is SourceKind.MARKDOWN
                        and cleaned_as_dump(kind, decode_bytes(data).text))):
                data = read_file(path)
                kind = sniff(data, name=path.name)
        except Exception:  # noqa: BLE001 - reported when the file itself is loaded
            continue
        kinds.add(kind)
        text = decode_bytes(data).text if kind in _DUMP_KINDS else ""
        if cleaned_as_dump(kind, text):
            texts.append(text)
    if len(texts) < 3:
        return frozenset(), frozenset(kinds)
    from reader.cleaning.text import repeated_lines

    try:
        return repeated_lines(texts), frozenset(kinds)
    except Exception:  # noqa: BLE001 - chrome removal improves, never fails, a load
        return frozenset(), frozenset(kinds)


def member_articles(file: FolderFile) -> tuple[Article, ...]:
    """The articles of one file of a folder, keyed so that two files never collide: a
    lone article by its path, a feed file's entries by path and entry key."""
    result = file.result
    if len(result.articles) == 1 and result.kind not in (SourceKind.FEED, SourceKind.JSON_FEED):
        return (_rekey(result.articles[0], file.source),)
    return tuple(_rekey(a, f"{file.source}#{a.key}") for a in result.articles)


def _rekey(article: Article, key: str) -> Article:
    return article if article.key == key else dataclasses.replace(article, key=key)
