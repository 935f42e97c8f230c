"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), with every field made safe."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from reader.core import sanitize
from reader.core.dates import plausible
from reader.core.errors import FeedError
from reader.core.models import Article, BodyState, Feed, SourceKind
from reader.sources import feeds
from reader.sources.decode import decode_bytes
from reader.sources.feeds import (
    MAX_FEED_BYTES,
    HtmlToMarkdown,
    body_state,
    entry_key,
    to_markdown,
)


def parse_json_feed(data: bytes, *, url: str, source: str | None = None,
                    html_to_markdown: HtmlToMarkdown) -> Feed:
    """Parse a JSON Feed; raises FeedError (one line) when it is not one.

    Items are keyed by ``id`` (1.0 allowed numbers); duplicates: the last wins,
    as for XML feeds. ``html_to_markdown`` renders ``content_html``.
    """
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"feed rejected: document too large (over {MAX_FEED_BYTES // 2**20} MB)")
    try:
        document = json.loads(decode_bytes(data).text)
    except (ValueError, RecursionError) as error:
        reason = sanitize.clean_line(str(error), limit=120) or "invalid JSON"
        raise FeedError(f"not a JSON feed ({reason})") from None
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
    ):
        raise FeedError("not a JSON feed (no jsonfeed.org version)")
    base = sanitize.safe_url(_str(document.get("home_page_url"))) or sanitize.without_userinfo(
        sanitize.safe_url(url))
    feed_title = sanitize.clean_line(_str(document.get("title")))
    by_key: dict[str, Article] = {}
    items = document.get("items")
    entries = [item for item in (items if isinstance(items, list) else ())
               if isinstance(item, dict)]
    warnings: list[str] = []
    if len(entries) > feeds.MAX_ENTRIES:
        # as parse_feed keeps RSS and Atom: the newest, before the costly rendering
        warnings.append(f"the feed has {len(entries):,} entries; the newest "
                        f"{feeds.MAX_ENTRIES:,} were kept")
        entries = feeds.newest_in_order(entries, feeds.MAX_ENTRIES, _when)
    for item in entries:
        article = _article(
            item,
            url=url,
            base=base,
            source=source or url,
            feed_title=feed_title,
            feed_author=_author(document),
            convert=html_to_markdown,
        )
        by_key.pop(article.key, None)
        by_key[article.key] = article
    return Feed(
        url=source or url,
        title=feed_title,
        link=sanitize.safe_url(_str(document.get("home_page_url"))),
        articles=tuple(by_key.values()),
        warnings=tuple(warnings),
    )


_UNDATED = datetime.max.replace(tzinfo=UTC)  # counts as newest, as in RSS


def _when(item: dict[str, Any]) -> datetime:
    published = _date(item.get("date_published")) or _date(item.get("date_modified"))
    if published is None:
        return _UNDATED
    return published if published.tzinfo else published.replace(tzinfo=UTC)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _author(obj: Mapping[str, Any]) -> str | None:
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else [obj.get("author")]
    names = [_str(a.get("name")) for a in candidates if isinstance(a, dict)]
    return ", ".join(n for n in names if n) or None


def _article(
    item: Mapping[str, Any],
    *,
    url: str,
    base: str | None,
    source: str,
    feed_title: str | None,
    feed_author: str | None,
    convert: HtmlToMarkdown,
) -> Article:
    raw_id = item.get("id")
    identity: dict[str, Any] = {
        "id": str(raw_id)
        if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool)
        else None,
        "link": _str(item.get("url")) or _str(item.get("external_url")),
        "title": _str(item.get("title")),
    }
    body, state = _body(item, base=base, convert=convert)
    return Article(
        source=source,
        key=entry_key(identity, feed_url=url, body=body),
        title=sanitize.clean_line(identity["title"]),
        author=sanitize.clean_line(_author(item) or feed_author),
        url=sanitize.safe_url(identity["link"], base=base),
        published=_date(item.get("date_published")) or _date(item.get("date_modified")),
        body=body,
        feed_title=feed_title,
        body_state=state,
        enclosures=_attachments(item, base=base),
        kind=SourceKind.JSON_FEED,
    )


def _body(item: Mapping[str, Any], *, base: str | None,
          convert: HtmlToMarkdown) -> tuple[str, BodyState]:
    html = _str(item.get("content_html"))
    if html:
        body = to_markdown(html, kind="text/html", base=base, convert=convert)
        return body, body_state(body, from_content=True)
    text = _str(item.get("content_text"))
    if text:
        body = to_markdown(text, kind="text/plain", base=base, convert=convert)
        return body, body_state(body, from_content=True)
    summary = to_markdown(_str(item.get("summary")) or "", kind="text/plain", base=base,
                          convert=convert)
    return summary, BodyState.SUMMARY


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return plausible(datetime.fromisoformat(value.strip()))
    except ValueError:
        return None


def _attachments(item: Mapping[str, Any], *, base: str | None) -> tuple[str, ...]:
    attachments = item.get("attachments")
    urls: list[str] = []
    for attachment in attachments if isinstance(attachments, list) else ():
        if isinstance(attachment, dict):
            safe = sanitize.safe_url(_str(attachment.get("url")), base=base)
            if safe is not None and safe not in urls:
                urls.append(safe)
    return tuple(urls)
