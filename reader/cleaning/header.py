"""A dump's labelled header: the page's metadata that a scraper or converter writes as
"Label: value" lines before the page's text.

    Title: Harbour bridge reopens
    URL Source: https://example.org/news/bridge
    Published Time: 2026-11-23T14:05:00Z

    Markdown Content:
    ...

Such lines are not the article's: their values are its title, link, date and author. The
header is only read at the very top of the text, made of such lines alone (blank lines
between them allowed), and only when it names two of these fields, or one and then a line
that introduces the content ("Markdown Content:"), so that an article's first line that
happens to read "Date: ..." is left alone. Pure: text in, fields out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# label (lower case, single spaces) -> the field it gives
_FIELDS = {
    "title": "title", "headline": "title",
    "url": "url", "url source": "url", "source url": "url", "link": "url",
    "canonical url": "url", "permalink": "url",
    "published": "published", "published time": "published", "published date": "published",
    "publish date": "published", "date published": "published", "date": "published",
    "author": "author", "authors": "author", "byline": "author", "by": "author",
}
# labels that say the text was fetched from the address, not written with it in mind
_FETCHED_FROM = frozenset({"url source", "source url"})
# a label with no value that ends the header: what follows is the content
_CONTENT_LABELS = frozenset({"markdown content", "content", "text", "body", "article",
                             "article text", "main content"})
# the value is the rest of the line, stripped: a pattern for it ("(.*?)\s*$") tried the
# rest of the line at each character of a run of spaces (a 1 MB line took hours)
_LABELLED = re.compile(r"\s*([A-Za-z][A-Za-z ]{0,24}?)\s*:(?=\s|$)")
# a header is a few lines, not a page of them
_MAX_HEADER_LINES = 24


@dataclass(frozen=True, slots=True)
class Header:
    """The fields of a labelled header and how many lines of the text it takes (0: none)."""

    length: int = 0
    title: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    # the text below is a page fetched from ``url`` and written out whole, menus and all
    # ("URL Source:", or an address and then "Markdown Content:"), not a text written by
    # hand under a metadata block that names its address (MultiMarkdown's "URL:")
    fetched: bool = False


NO_HEADER = Header()


def labelled_header(lines: Sequence[str]) -> Header:
    """The labelled header that opens ``lines``, or NO_HEADER."""
    fields: dict[str, str] = {}
    end = 0
    introduced = fetched_from = False
    for index, line in enumerate(lines[:_MAX_HEADER_LINES]):
        if not line.strip():
            continue
        match = _LABELLED.match(line)
        if match is None:
            break
        label = " ".join(match.group(1).lower().split())
        value = line[match.end():].strip()
        if label in _CONTENT_LABELS and not value:
            end, introduced = index + 1, True
            break
        field = _FIELDS.get(label)
        if field is None or not value or (field == "url" and not _is_web_address(value)):
            break
        fields.setdefault(field, value)
        fetched_from = fetched_from or label in _FETCHED_FROM
        end = index + 1
    if len(fields) < 2 and not (fields and introduced):
        return NO_HEADER
    url = fields.get("url")
    return Header(length=end, title=fields.get("title"), url=url,
                  published=fields.get("published"), author=fields.get("author"),
                  fetched=url is not None and (fetched_from or introduced))


def _is_web_address(value: str) -> bool:
    return value.lower().startswith(("http://", "https://")) and " " not in value
