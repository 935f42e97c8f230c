"""Generated articles and feeds, stored straight into a library's storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
