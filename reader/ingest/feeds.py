"""Feed documents as articles: the parsers of ``reader.sources`` with entry HTML rendered
by ``reader.cleaning``. The one place that decides which parser reads a feed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from reader.cleaning.inline import simple_paragraphs
from reader.core.limits import MAX_FEED_ENTRIES
from reader.core.models import Article, Feed, SourceKind


def fragment_to_markdown(fragment: str, *, base_url: str | None = None) -> str:
    """Entry HTML as Markdown: ``html_to_markdown``'s result, computed without lxml for
    plain paragraphs (``reader.cleaning.inline.simple_paragraphs``)."""
    simple = simple_paragraphs(fragment)
    if simple is not None:
        return simple
    from reader.cleaning.markdown import html_to_markdown

    return html_to_markdown(fragment, base_url=base_url)


def fragment_to_text(fragment: str) -> str:
    """An HTML title's text (``reader.cleaning.markdown.html_to_text``)."""
    from reader.cleaning.markdown import html_to_text

    return html_to_text(fragment)


def parse_feed(data: bytes, *, url: str, headers: Mapping[str, str] | None = None,
               source: str | None = None) -> Feed:
    """An RSS/Atom document (see ``reader.sources.feeds.parse_feed``); raises FeedError."""
    from reader.sources.feeds import parse_feed as parse

    return parse(data, url=url, headers=headers, source=source,
                 html_to_markdown=fragment_to_markdown, html_to_text=fragment_to_text)


def parse_json_feed(data: bytes, *, url: str, source: str | None = None) -> Feed:
    """A JSON Feed (see ``reader.sources.jsonfeed``); raises FeedError."""
    from reader.sources.jsonfeed import parse_json_feed as parse

    return parse(data, url=url, source=source, html_to_markdown=fragment_to_markdown)


def parse_feed_document(data: bytes, *, kind: SourceKind, url: str, source: str | None = None,
                        headers: Mapping[str, str] | None = None) -> Feed:
    """A document sniffed as ``kind`` (FEED or JSON_FEED) parsed by its parser."""
    if kind is SourceKind.JSON_FEED:
        return parse_json_feed(data, url=url, source=source)
    return parse_feed(data, url=url, headers=headers, source=source)


def newest(articles: tuple[Article, ...], limit: int = MAX_FEED_ENTRIES) -> tuple[Article, ...]:
    """At most ``limit`` entries of one feed, the newest (undated ones count as new)."""
    if len(articles) <= limit:
        return articles
    def when(article: Article) -> datetime:
        published = article.published
        if published is None:
            return datetime.max.replace(tzinfo=UTC)
        return published if published.tzinfo is not None else published.replace(tzinfo=UTC)

    ranked = sorted(range(len(articles)), key=lambda i: (when(articles[i]), -i), reverse=True)
    keep = set(ranked[:limit])
    return tuple(a for i, a in enumerate(articles) if i in keep)
