"""Command-line sources in order: files, folders, URLs, OPML lists and "-" (``reader dump``)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reader.core.aio import run_sync
from reader.core.errors import EMPTY_SOURCE
from reader.core.models import LoadResult, SourceKind
from reader.core.sanitize import is_web_url
from reader.ingest.folders import load_folder
from reader.ingest.load import load_path, load_stdin, load_urls, shown
from reader.sources.files import system_folder

if TYPE_CHECKING:
    from reader.sources.http import HttpLimits


@dataclass(slots=True)
class _Pending:
    url: str
    follow_opml: bool


def load_specs(
    specs: Sequence[str], *, limits: HttpLimits | None = None, stdin: BinaryIO | None = None
) -> Iterator[LoadResult]:
    """Load command-line sources in order: files, directories, URLs and "-".

    An OPML file or URL named here is followed: each feed it lists is loaded
    (concurrently) right after it, with the feed URL as source. OPML files met
    inside a directory walk are listed but not followed.
    """
    for _, results in load_sources(specs, limits=limits, stdin=stdin):
        yield from results


def load_sources(
    specs: Sequence[str], *, limits: HttpLimits | None = None, stdin: BinaryIO | None = None
) -> list[tuple[str, list[LoadResult]]]:
    """:func:`load_specs`, its results grouped by the source named (a folder's files, an
    OPML list's feeds); every URL of every source is fetched together."""
    # a source named twice is one source: standard input can be read only once
    plans = [(spec, _plan(spec, stdin)) for spec in dict.fromkeys(specs)]
    plans = _fetched(plans, limits)
    plans = _fetched([(spec, _expand(plan)) for spec, plan in plans], limits)
    return [(spec, [item for item in plan if isinstance(item, LoadResult)])
            for spec, plan in plans]


def _plan(spec: str, stdin: BinaryIO | None) -> list[LoadResult | _Pending]:
    if spec == "-":
        return [load_stdin(stdin)]
    if not spec.strip():
        return [LoadResult(source=spec, error=EMPTY_SOURCE)]
    if is_web_url(spec):
        return [_Pending(spec, follow_opml=True)]
    path = Path(spec)
    try:
        exists = os.path.lexists(path)
        is_dir = path.is_dir()
    except (OSError, ValueError):
        exists, is_dir = False, False
    if not exists:
        return [LoadResult(source=spec, error=f"{shown(spec)}: no such file or directory")]
    if is_dir:
        if (system := system_folder(path)) is not None:  # /proc, /sys: never walked
            return [LoadResult(source=spec, error=f"{shown(spec)}: {system}")]
        return list(load_directory(path))
    result = load_path(path, source=spec)
    followed: list[LoadResult | _Pending] = [result]
    if result.kind is SourceKind.OPML:
        followed.extend(
            _Pending(url, follow_opml=False) if is_web_url(url)
            else load_path(Path(url), source=url)
            for url in result.feed_urls
        )
    return followed


def load_directory(path: Path) -> list[LoadResult]:
    """One result per member of a folder, in walk order, as ``reader dump`` lists them
    (see ``reader.ingest.folders``)."""
    loaded: list[LoadResult] = []
    # a command's process waits for the folder anyway: it cleans it where one core is idle
    problems = load_folder(path, on_batch=lambda batch: loaded.extend(f.result for f in batch),
                           here=True)
    # the walk sorts each folder's entries by name and goes depth first: path order
    return sorted([*problems, *loaded], key=lambda result: Path(result.source).parts)


def load_url(url: str, *, limits: HttpLimits | None = None) -> LoadResult:
    """Fetch and load one URL, synchronously. Never raises."""
    return run_sync(lambda: load_urls([url], limits))[0]


def _fetched(plans: list[tuple[str, list[LoadResult | _Pending]]],
             limits: HttpLimits | None) -> list[tuple[str, list[LoadResult | _Pending]]]:
    """The plans with their pending URLs fetched, all at once."""
    pending = [item for _, plan in plans for item in plan if isinstance(item, _Pending)]
    if not pending:
        return plans
    results = run_sync(lambda: load_urls([p.url for p in pending], limits))
    done = {id(p): r for p, r in zip(pending, results, strict=True)}
    return [(spec, [done.get(id(item), item) for item in plan]) for spec, plan in plans]


def _expand(plan: list[LoadResult | _Pending]) -> list[LoadResult | _Pending]:
    """Feeds listed by OPML documents that were themselves fetched over HTTP."""
    out: list[LoadResult | _Pending] = []
    for item in plan:
        out.append(item)
        if (isinstance(item, LoadResult) and item.kind is SourceKind.OPML
                and is_web_url(item.source)):
            out.extend(_Pending(url, follow_opml=False) for url in item.feed_urls)
    return out
