"""Sniffing: content decides, the extension and media type only help."""

from __future__ import annotations

import codecs

import pytest
from support.paths import FIXTURES

from reader.core.models import SourceKind
from reader.sources.sniff import sniff

HOSTILE = FIXTURES / "hostile"

RSS = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title></channel></rss>'
ATOM = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'
RDF = b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
OPML = b'<?xml version="1.0"?><!-- list --><opml version="2.0"><body/></opml>'
HTML = b"<!DOCTYPE html><html><head><title>t</title></head><body><p>x</p></body></html>"
JSON_FEED = b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []}'


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", SourceKind.EMPTY),
        (b"  \n\t\n", SourceKind.EMPTY),
        (RSS, SourceKind.FEED),
        (ATOM, SourceKind.FEED),
        (RDF, SourceKind.FEED),
        (OPML, SourceKind.OPML),
        (HTML, SourceKind.HTML),
        (b"<div><p>fragment</p></div>", SourceKind.HTML),
        (JSON_FEED, SourceKind.JSON_FEED),
        (b'{"just": "json"}', SourceKind.JSON),
        (b'\n  [\n  {"id": 1, "title": "a record"}\n]', SourceKind.JSON),
        (b'[1.5, 2]', SourceKind.JSON),
        (b"[]\n", SourceKind.JSON),
        (b"[[1, 2], [3]]", SourceKind.JSON),
        (b'[["a"], ["b"]]', SourceKind.JSON),
        (b"[[], []]", SourceKind.JSON),
        (b"[[1e5, 2], [3]]", SourceKind.JSON),
        (b"[-0.5E-3, 2]", SourceKind.JSON),
        (b'[[{"x": 1}]]', SourceKind.JSON),
        # dumps open with brackets too: link lists, navigation, wiki links are prose
        (b"[1] Home\n[2] News\n\nTitle of the story", SourceKind.TEXT),
        (b"[Home] [News] [Sport]\n\nTitle", SourceKind.TEXT),
        (b"[[Category:Rivers]] The Danube is a river.", SourceKind.TEXT),
        # a text browser's numbered links (lynx, w3m with link numbers)
        (b"[[1]Docs] [[2]txt|[3]pdf] [[4]Tracker]\n\nTitle", SourceKind.TEXT),
        (b"{{Infobox}} The Danube is a river.", SourceKind.TEXT),
        (b'["Quoted"] said the headline.', SourceKind.TEXT),
        (b"Plain words.\n\nMore words.", SourceKind.TEXT),
        (b"---\ntitle: x\n---\n# Heading\n\nSee [a](https://a.example/).", SourceKind.MARKDOWN),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", SourceKind.BINARY),
        (bytes(range(256)) * 4, SourceKind.BINARY),
    ],
)
def test_kinds_from_content(data: bytes, kind: SourceKind) -> None:
    assert sniff(data) is kind


def test_content_beats_extension() -> None:
    assert sniff(RSS, name="notes.txt") is SourceKind.FEED
    assert sniff(b"just some words", name="feed.xml") is SourceKind.TEXT
    assert sniff(b"\x00\x01\x02binary", name="readme.md") is SourceKind.BINARY
    assert sniff(HTML, name="page.md") is SourceKind.HTML
    assert sniff(OPML, name="subs.txt") is SourceKind.OPML


def test_extension_helps_when_content_is_ambiguous() -> None:
    assert sniff(b"plain words", name="note.md") is SourceKind.MARKDOWN
    assert sniff(b"plain words", name="note.markdown.gz") is SourceKind.MARKDOWN
    assert sniff(b"plain words", content_type="text/markdown") is SourceKind.MARKDOWN
    # Markdown-looking text in a .txt file stays text: the writer said so.
    assert sniff(b"# Title\n\nSee [a](https://a.example/)", name="a.txt") is SourceKind.TEXT


def test_utf16_with_bom_is_text_not_binary() -> None:
    assert sniff(codecs.BOM_UTF16_LE + "hello world".encode("utf-16-le")) is SourceKind.TEXT
    assert sniff(codecs.BOM_UTF16_LE + RSS.decode().encode("utf-16-le")) is SourceKind.FEED


def test_feed_with_a_stray_nul_is_still_a_feed() -> None:
    assert sniff((HOSTILE / "feed-nul-bytes.xml").read_bytes()) is SourceKind.FEED


def test_escape_sequences_do_not_make_text_binary() -> None:
    assert sniff((HOSTILE / "article-ansi-clear-screen.txt").read_bytes()) is SourceKind.TEXT


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("binary-file.txt", SourceKind.BINARY),
        ("empty-file.txt", SourceKind.EMPTY),
        ("feed-not-xml.html", SourceKind.HTML),
        ("feed-utf16-bom.xml", SourceKind.FEED),
        ("feed-billion-laughs.xml", SourceKind.FEED),
        ("opml-hostile-urls.opml", SourceKind.OPML),
        ("article-markup-injection.md", SourceKind.MARKDOWN),
        ("file-latin1.txt", SourceKind.TEXT),
        ("html-deep-nesting-300.html", SourceKind.HTML),
    ],
)
def test_corpus(name: str, kind: SourceKind) -> None:
    assert sniff((HOSTILE / name).read_bytes(), name=name) is kind


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE [" + b"]" * 60_000,
        b"<!DOCTYPE " + b"[a]" * 20_000,
        b"<!DOCTYPE" + b"[" * 60_000,
        b"<!---->" * 9_000,
        b"<?" * 30_000,
        b"<" + b" " * 60_000,
        b"**a" * 20_000,
        b"[a](" * 16_000,
        b"<title>" * 9_000,
        b"---\n" + b"title:" + b" " * 60_000 + b"x\n---\n",
        b"# " + b"#" * 60_000 + b" x",
    ],
    ids=lambda d: repr(d[:12]),
)
def test_pathological_inputs_are_fast(data: bytes) -> None:
    """No pattern backtracks quadratically on untrusted input."""
    import time

    from reader.ingest.load import load_bytes

    start = time.monotonic()
    sniff(data)
    load_bytes(data, source="x.md", name="x.md")
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_bomless_wide_documents_are_not_binary(codec: str) -> None:
    assert sniff(RSS.decode().encode(codec)) is SourceKind.FEED
    assert sniff(HTML.decode().encode(codec)) is SourceKind.HTML
    assert sniff("Just words.\n\nMore words.".encode(codec)) is SourceKind.TEXT
