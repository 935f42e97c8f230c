"""Shared fixtures: every test runs with its own XDG folders; libraries are built in tmp dirs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerError, WorkerFailed

from reader.core.models import Article, BodyState, SourceKind
from reader.library import Library

BASE_DATE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user folders."""
    home = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A library path of its own, also as READER_DB (for ``reader`` run in-process)."""
    path = tmp_path / "library.sqlite"
    monkeypatch.setenv("READER_DB", str(path))
    return path


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config path of its own (not created), also as READER_CONFIG."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("READER_CONFIG", str(path))
    return path


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A generated feed: ``count`` articles, the newest at ``BASE_DATE`` minus ``offset`` hours."""

    title: str
    count: int
    folder: str | None = None
    offset: int = 0
    subscribed: bool = True
    error: str | None = None


def make_article(feed_url: str, number: int, *, title: str | None = None, hours: int = 0,
                 body: str | None = None, summary: bool = False,
                 kind: SourceKind = SourceKind.FEED, url: str | None = None) -> Article:
    return Article(
        source=feed_url, key=f"{feed_url}#{number}",
        title=title if title is not None else f"Article {number}",
        author="A. Writer", url=url if url is not None else f"https://example.org/{number}",
        published=BASE_DATE - timedelta(hours=hours),
        body=body if body is not None else (f"Paragraph one of article {number}.\n\n"
                                            + "Some words to read here. " * 40),
        body_state=BodyState.SUMMARY if summary else BodyState.FULL, kind=kind)


def fill_library(library: Library, feeds: Sequence[FeedSpec]) -> dict[str, int]:
    """Store generated feeds (one transaction per feed); returns feed title -> feed id."""
    ids: dict[str, int] = {}
    storage = library.storage
    for spec in feeds:
        url = f"https://example.org/{spec.title.replace(' ', '-').lower()}.xml"
        feed_id = storage.upsert_feed(url, title=spec.title, subscribed=spec.subscribed,
                                      folder=spec.folder)
        articles = [make_article(url, n, title=f"{spec.title} article {n}",
                                 hours=spec.offset + n) for n in range(spec.count)]
        storage.upsert_articles(feed_id, articles)
        if spec.error:
            storage.record_fetch(feed_id, state=None, error=spec.error, when=BASE_DATE)
        ids[spec.title] = feed_id
    return ids


@pytest.fixture
def library(db_file: Path) -> Iterator[Library]:
    """An empty library in a tmp folder."""
    lib = Library.open(db_file)
    yield lib
    lib.close()


async def settle(pilot: Pilot[object], rounds: int = 3) -> None:
    """Let an app's workers finish and their messages land (workers may start more workers)."""
    for _ in range(rounds):
        for worker in list(pilot.app.workers):
            with contextlib.suppress(WorkerCancelled, WorkerFailed, WorkerError):
                await worker.wait()
        await pilot.pause()
