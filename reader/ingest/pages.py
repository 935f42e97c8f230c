"""Web pages as articles: the full text behind a summary-only feed entry."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from reader.core import sanitize
from reader.core.errors import FetchError

if TYPE_CHECKING:
    import httpx

    from reader.sources.http import HttpLimits

_HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


async def fetch_full_article(
    client: httpx.AsyncClient, url: str, *, limits: HttpLimits | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The extracted article behind ``url`` as Markdown, with the extractor's warnings.

    Raises FetchError (one line) when the page cannot be fetched or holds no article.
    """
    from reader.cleaning.html import decode_html, extract_article
    from reader.sources.http import DEFAULT_LIMITS, fetch

    response = await fetch(client, url, limits=limits or DEFAULT_LIMITS, accept=_HTML_ACCEPT)
    not_a_page = _not_a_page(response.content)
    if not_a_page is not None:
        # a PDF's bytes were "extracted" into mojibake that took the summary's place
        raise FetchError(f"{not_a_page}, not a web page")

    def extract() -> tuple[str, tuple[str, ...]]:
        page = extract_article(decode_html(response.content), url=response.url)
        return sanitize.strip_controls(page.body).strip(), page.warnings

    body, warnings = await asyncio.to_thread(extract)
    if not body:
        raise FetchError(f"no readable article found at {url}")
    return body, warnings


def _not_a_page(data: bytes) -> str | None:
    """What a linked document is when it is no page an article can be read from: a binary
    file (a PDF, an image; whatever its Content-Type says), or a feed."""
    from reader.core.models import SourceKind
    from reader.sources.sniff import sniff

    kind = sniff(data)
    if kind is SourceKind.BINARY:
        return "a binary file"
    if kind in (SourceKind.FEED, SourceKind.JSON_FEED, SourceKind.OPML):
        return "a feed"
    return None
