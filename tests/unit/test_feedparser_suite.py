"""Feeds from feedparser's own test suite (tests/fixtures/feedparser), loaded as a user loads
a file, and what the reader shows of them set beside each feed's ``Expect:`` line.

The whole suite, with every mappable ``Expect:`` line checked, is
``benchmarks/feedparser_conformance.py``; these are the cases each fix was made for.
"""

from __future__ import annotations

import pytest
from support.paths import FIXTURES

from reader.core.models import LoadResult, SourceKind
from reader.ingest.load import load_path

SUITE = FIXTURES / "feedparser"


def load(name: str) -> LoadResult:
    result = load_path(SUITE / name)
    assert result.error is None, result.error
    assert result.kind is SourceKind.FEED
    return result


def expect_line(name: str) -> str:
    """The feed's Expect: line, read from its header comment (in the feed's own encoding)."""
    from reader.sources.decode import decode_bytes

    text = decode_bytes((SUITE / name).read_bytes()).text
    return text.split("Expect:", 1)[1].split("\n", 1)[0].strip()


# -- encodings: BOM-less UTF-16/32 and EBCDIC, known by their first bytes ------------------


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("encoding/utf-16be.xml", "utf-16be"),
        ("encoding/utf-16le-autodetect.xml", "utf-16le"),
        ("encoding/utf-32be-autodetect.xml", "utf-32be"),
        ("encoding/utf-32le.xml", "utf-32le"),
    ],
)
def test_bomless_utf16_and_utf32_feeds_are_read(name: str, encoding: str) -> None:
    assert expect_line(name) == f"not bozo and encoding == '{encoding}'"
    assert load(name).articles == ()  # an empty channel, read: not refused as binary


def test_ebcdic_feed_is_read_through_its_declaration() -> None:
    assert expect_line("encoding/x80_cp037.xml") == "not bozo and feed.title == '\\xd8'"
    assert load("encoding/x80_cp037.xml").title == "\xd8"
