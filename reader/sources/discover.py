"""Feed autodiscovery: the feeds a web page advertises with ``<link rel="alternate">``."""

from __future__ import annotations

from typing import Any

from reader.core import sanitize
from reader.sources.decode import decode_bytes

_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
# Links are in the head; a page's first megabyte holds it (the rest is not parsed).
_HEAD_BYTES = 2**20


def find_feed_links(html: str | bytes, *, base_url: str) -> list[str]:
    """Feed URLs a page links as ``alternate`` RSS, Atom or JSON Feed, checked (http(s) only,
    absolute against ``base_url``), in page order without repeats. Never raises."""
    import lxml.etree
    import lxml.html

    text = decode_bytes(html[:_HEAD_BYTES]).text if isinstance(html, bytes) else html
    if not text.strip():
        return []
    base = sanitize.safe_url(base_url)
    try:
        # the text is already decoded; utf-8 bytes spare lxml a second guess at the charset
        root = lxml.html.document_fromstring(text[:_HEAD_BYTES].encode("utf-8", "replace"),
                                             parser=_parser())
    except (lxml.etree.LxmlError, ValueError):
        return []
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in _FEED_TYPES:
            # WordPress links its REST API as "alternate" application/json: not a feed.
            title = (link.get("title") or "").lower()
            if not (kind == "application/json" and "feed" in title):
                continue
        feed = sanitize.safe_url(link.get("href"), base=base)
        if feed and feed not in found:
            found.append(feed)
    return found


def _parser() -> Any:
    import lxml.html

    return lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True,
                                remove_pis=True, huge_tree=False)
