"""Generated articles and feeds, stored straight into a library's storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reader.core.models import Article, BodyState, SourceKind
from reader.storage.base import Storage

BASE_DATE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


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


def fill_storage(storage: Storage, feeds: Sequence[FeedSpec]) -> dict[str, int]:
    """Store generated feeds (one transaction per feed); returns feed title -> feed id."""
    ids: dict[str, int] = {}
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


def write_feed(path: Path, title: str, count: int) -> Path:
    """An RSS file of ``count`` items titled "TITLE item N"."""
    items = "".join(
        f"<item><title>{title} item {n}</title><link>https://example.org/{title}/{n}</link>"
        f"<guid>{title}-{n}</guid><pubDate>Mon, 0{1 + n % 8} Jan 2024 10:00:00 GMT</pubDate>"
        f"<description>Text of item {n} of {title}.</description></item>"
        for n in range(count))
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
                    f"<link>https://example.org/</link>{items}</channel></rss>",
                    encoding="utf-8")
    return path
