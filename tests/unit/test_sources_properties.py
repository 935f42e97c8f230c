"""Arbitrary bytes never make the loaders raise or emit control characters."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.models import SourceKind
from reader.ingest.load import load_bytes
from reader.sources.decode import decode_bytes
from reader.sources.sniff import sniff

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Bytes that look like the start of each kind, so the interesting branches get hit.
PREFIXES = st.sampled_from(
    [
        b"",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">',
        b'<opml version="2.0"><body><outline xmlUrl="',
        b"<!DOCTYPE html><html><head><title>",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "',
        b"---\ntitle: ",
        b"# ",
        b"\xff\xfe",
        b"\xef\xbb\xbf",
    ]
)
PAYLOAD = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@FAST
@given(PREFIXES, PAYLOAD)
def test_decode_never_raises_nor_leaks_controls(prefix: bytes, payload: bytes) -> None:
    decoded = decode_bytes(prefix + payload, declared="iso-8859-1")
    assert not CONTROLS.search(decoded.text)
    assert "\r" not in decoded.text


@FAST
@given(PREFIXES, PAYLOAD, st.sampled_from([None, "a.txt", "b.md", "c.xml", "d.html", "e.gz"]))
def test_sniff_never_raises(prefix: bytes, payload: bytes, name: str | None) -> None:
    assert isinstance(sniff(prefix + payload, name=name), SourceKind)


@FAST
@given(PREFIXES, PAYLOAD, st.sampled_from([None, "a.txt", "b.md", "c.xml"]))
def test_load_bytes_never_raises_nor_leaks_controls(
    prefix: bytes, payload: bytes, name: str | None
) -> None:
    result = load_bytes(prefix + payload, source="src.txt", name=name)
    for line in (result.error or "", *result.warnings, result.title or ""):
        assert "\n" not in line and not CONTROLS.search(line), repr(line)
    for article in result.articles:
        for text in (
            article.title,
            article.author,
            article.url,
            article.body,
            article.key,
            article.feed_title,
            *article.enclosures,
        ):
            assert not CONTROLS.search(text or ""), repr(text)
        if article.url is not None:
            assert article.url.startswith(("http://", "https://"))


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=120))
def test_feed_titles_from_any_text_are_clean(title: str) -> None:
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace("]]>", "]]&gt;")
    data = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        f"<item><title>{escaped}</title><link>{escaped}</link><description>{escaped}"
        "</description></item></channel></rss>"
    ).encode("utf-8", "surrogatepass")
    result = load_bytes(data, source="f.xml")
    for article in result.articles:
        for text in (article.title, article.url, article.body):
            assert not CONTROLS.search(text or "")
