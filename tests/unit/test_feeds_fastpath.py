"""The fast feed engine (reader.sources.feeds._fast_parse) against feedparser.

parse_feed must give the identical Feed (or the identical error) whether the fast engine
is enabled or forced off, for every document we have and for many variants built to sit
inside, or just outside, the fast engine's gate.
"""

from __future__ import annotations

import gzip
import importlib.util
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.paths import TESTS

from reader.cleaning import inline
from reader.core.errors import FeedError
from reader.ingest.feeds import parse_feed
from reader.sources import feeds
from reader.sources.feeds import _fast_parse, _feed_headers

ROOT = TESTS.parent
HOSTILE = TESTS / "fixtures" / "hostile"
SOURCES = TESTS / "fixtures" / "sources"
SAMPLES = ROOT / "sample_feeds"
URL = "https://feed.example/feed.xml"


def _files() -> list[Path]:
    found = [p for p in sorted(HOSTILE.iterdir()) if p.is_file()]
    found += [p for p in sorted(SOURCES.iterdir()) if p.suffix in (".xml", ".rdf", ".atom")]
    found += [p for p in sorted(SAMPLES.iterdir())
              if p.suffix in (".rss", ".atom", ".rdf", ".xml")]
    return found


def _data(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def outcome(data: bytes, *, fast: bool, url: str = URL,
            headers: dict[str, str] | None = None) -> object:
    old = feeds.FAST_PATH
    feeds.FAST_PATH = fast
    try:
        return parse_feed(data, url=url, headers=headers)
    except FeedError as error:
        return ("FeedError", str(error))
    finally:
        feeds.FAST_PATH = old


def same(data: bytes, *, url: str = URL, headers: dict[str, str] | None = None) -> bool:
    """Assert both engines agree; return whether the fast engine took the document."""
    fast = outcome(data, fast=True, url=url, headers=headers)
    slow = outcome(data, fast=False, url=url, headers=headers)
    assert fast == slow
    lowered = _feed_headers(headers)
    if feeds.sanitize.safe_url(url) is not None:
        lowered.setdefault("content-location", feeds.sanitize.safe_url(url) or "")
    return _fast_parse(data, lowered) is not None


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_every_fixture_gives_the_same_feed(path: Path) -> None:
    data = _data(path)
    same(data)
    same(data, url=str(path))  # a file: no base URL


def _farm() -> object:
    spec = importlib.util.spec_from_file_location("farm_gen", TESTS / "support" / "feedfarm.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_farm_feeds_take_the_fast_path_and_agree() -> None:
    farm = _farm().Farm(12, 20, 8765, hosts=3)  # type: ignore[attr-defined]
    for n in range(12):
        data = farm.feed_xml(n).encode()
        assert same(data, url=f"http://127.0.0.{n % 3 + 1}:8765/feed/{n}.xml")
        assert same(data, headers={"Content-Type": "application/rss+xml; charset=utf-8"})


# -- variants around the gate ---------------------------------------------------------------

TEXTS = [
    "Plain words", "  spaced  out  ", "Caf\u00e9 cr\u00e8me", "\u00c3\u00a9t\u00c3\u00a9",
    "\u0080\u0093 cp1252 \u009c", "A &amp; B", "x < y & z > w", "<b>bold</b> title",
    "Tom &amp;amp; Jerry", "5 &lt; 6", "<p>para</p><p>two <a href='/rel'>link</a></p>",
    "<script>alert(1)</script>hi", "\u2603 snow \U0001f600", "", " ", "&#233;t&#xe9;",
    "<![CDATA[<em>cdata</em> & more]]>", "line\r\nbreak", "\u00e2\u0080\u0099 mojibake",
    "<unknown>tag</unknown>", "&nbsp;entity&copy;", "a]]&gt;b",
]
LINKS = ["https://feed.example/a?b=1&amp;c=2", "/relative/path", "relative", "",
         "javascript:alert(1)", "http://127.0.0.1:8765/x", " https://spaced.example/ ",
         "https://feed.example/a?x=1&amp;amp;y=2", "//proto.example/x", "urn:x:1",
         "https://caf\u00e9.example/\u00e9"]
DATES = ["Thu, 01 Jan 2026 00:00:00 +0000", "Thu, 01 Jan 2026 00:00:00 GMT",
         "2026-01-01T07:00:00+00:00", "2026-01-01T07:00:00Z", "2026-01-01", "yesterday",
         "Thu, 01 Jan 2026 00:00:00 +2500", "", "Mon, 31 Feb 2026 00:00:00 +0000",
         "2026-01-01T07:00:00+05:30", "01 Jan 0000 00:00:00 +0000"]


def esc(text: str) -> str:
    if text.startswith("<![CDATA["):
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rss_variant(rng: random.Random) -> str:
    items = []
    for n in range(rng.randint(0, 4)):
        parts = []
        if rng.random() < 0.9:
            parts.append(f"<title>{esc(rng.choice(TEXTS))}</title>")
        if rng.random() < 0.8:
            parts.append(f"<link>{esc(rng.choice(LINKS))}</link>")
        if rng.random() < 0.8:
            perma = rng.choice(['', ' isPermaLink="false"', ' isPermaLink="true"',
                                ' isPermaLink="False"'])
            guid = rng.choice([f"id-{n}", rng.choice(LINKS), f" spaced-{n} ", ""])
            parts.append(f"<guid{perma}>{esc(guid)}</guid>")
        if rng.random() < 0.8:
            parts.append(f"<pubDate>{rng.choice(DATES)}</pubDate>")
        if rng.random() < 0.8:
            parts.append(f"<description>{esc(rng.choice(TEXTS))}</description>")
        if rng.random() < 0.1:
            parts.append("<author>a@b.example (A B)</author>")
        if rng.random() < 0.05:
            parts.append(f"<title>{esc(rng.choice(TEXTS))}</title>")
        rng.shuffle(parts)
        items.append("<item>" + "".join(parts) + "</item>")
    channel = [f"<title>{esc(rng.choice(TEXTS))}</title>",
               f"<link>{esc(rng.choice(LINKS))}</link>", "<description>d</description>"]
    if rng.random() < 0.2:
        channel.append("<language>en</language><ttl>60</ttl>")
    rng.shuffle(channel)
    root = rng.choice(['<rss version="2.0">', '<rss version="2.0">', '<rss version="0.92">',
                       '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'])
    return root + "<channel>" + "".join(channel) + "".join(items) + "</channel></rss>"


def atom_variant(rng: random.Random) -> str:
    entries = []
    for n in range(rng.randint(0, 4)):
        parts = []
        if rng.random() < 0.9:
            kind = rng.choice(["", ' type="text"', ' type="html"'])
            parts.append(f"<title{kind}>{esc(rng.choice(TEXTS))}</title>")
        for _ in range(rng.choice([0, 1, 1, 2])):
            attrs = rng.choice(['', ' rel="alternate"', ' rel="self"', ' type="text/html"',
                                ' rel="alternate" type="application/atom+xml"'])
            parts.append(f'<link href="{esc(rng.choice(LINKS))}"{attrs}/>')
        if rng.random() < 0.9:
            parts.append(f"<id>{esc(rng.choice([f'urn:x:{n}', f' tag-{n} ', *LINKS]))}</id>")
        for field in ("updated", "published"):
            if rng.random() < 0.6:
                parts.append(f"<{field}>{rng.choice(DATES)}</{field}>")
        if rng.random() < 0.5:
            parts.append(f"<author><name>{esc(rng.choice(TEXTS))}</name></author>")
        for field in ("content", "summary"):
            if rng.random() < 0.6:
                kind = rng.choice(["", ' type="text"', ' type="html"'])
                parts.append(f"<{field}{kind}>{esc(rng.choice(TEXTS))}</{field}>")
        rng.shuffle(parts)
        entries.append("<entry>" + "".join(parts) + "</entry>")
    head = [f"<title>{esc(rng.choice(TEXTS))}</title>", "<id>urn:feed</id>",
            "<updated>2026-01-01T00:00:00Z</updated>"]
    if rng.random() < 0.8:
        head.append(f'<link href="{esc(rng.choice(LINKS))}"/>')
    rng.shuffle(head)
    root = rng.choice(['<feed xmlns="http://www.w3.org/2005/Atom">'] * 3
                      + ['<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'])
    return root + "".join(head) + "".join(entries) + "</feed>"


def variants() -> Iterator[bytes]:
    rng = random.Random(4)
    for n in range(600):
        text = rss_variant(rng) if n % 2 else atom_variant(rng)
        prolog = rng.choice(['<?xml version="1.0" encoding="utf-8"?>\n', "",
                             '<?xml version="1.0"?>', "<?xml version='1.0' encoding='UTF-8'?>"])
        yield (prolog + text).encode()


def test_generated_variants_agree_and_mostly_take_the_fast_path() -> None:
    taken = total = 0
    for data in variants():
        total += 1
        taken += same(data)
        taken += same(data, url="/some/file.xml")
        total += 1
    assert taken > total // 4  # the gate is not so strict that nothing passes


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/xml"}, {"Content-Type": "text/xml; charset=iso-8859-1"},
    {"Content-Type": "text/xml; charset=utf-8"}, {"Content-Type": "text/xml; charset=UTF-8"},
    {"Content-Type": "application/rss+xml"}, {"Content-Type": "application/atom+xml"},
    {"Content-Type": "application/xml; charset=windows-1252"},
    {"Content-Type": "text/html; charset=utf-8"}, {"Content-Type": "application/octet-stream"},
])
def test_charset_headers(headers: dict[str, str]) -> None:
    for data in list(variants())[:60]:
        same(data, headers=headers)
    same('<?xml version="1.0"?><rss version="2.0"><channel><title>Caf\u00e9</title>'
         '</channel></rss>'.encode("latin-1"), headers=headers)


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>Caf\xe9'
    b"</title></channel></rss>",
    b'\xef\xbb\xbf<rss version="2.0"><channel><title>bom</title></channel></rss>',
    b'<!DOCTYPE rss><rss version="2.0"><channel><title>d</title></channel></rss>',
    b'<rss version="2.0"><channel><title>t</title><item><title>cut',
    b'<rss version="2.0"><channel><title>t</title><item><title>a</item></channel></rss>',
    b'<rss version="2.0"><channel><title>t</title><item><description><p>raw</p>'
    b"</description></item></channel></rss>",
    b"<rss version=\"2.0\"><channel><title>t\x00</title></channel></rss>",
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml"><div '
    b'xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></content></entry></feed>',
    b"http://example.com/feed.xml",
    b"",
])
def test_outside_the_gate(data: bytes) -> None:
    assert not same(data)


# -- simple entry HTML without lxml -----------------------------------------------------------

PARA_WORDS = ["word", "caf\u00e9", "&amp;", "&lt;b&gt;", "&quot;q&quot;", "x&amp;amp;y",
              "\u00a0", "\u200b", "\u1680", "\t", "\n", "  ", "\u2028", "\u3000", "na\u00efve",
              "\U0001f600", "&nbsp;", "&#233;", "<em>e</em>", "<a href='/x'>l</a>", "<br>",
              "\u00ad", "\ufeff", "\x85", "\u202e", "[x]", "*s*", "", " ", "\u2009",
              "[1]:"]


def fragments() -> Iterator[str]:
    rng = random.Random(9)
    for _ in range(3000):
        paras = []
        for _ in range(rng.randint(1, 4)):
            words = [rng.choice(PARA_WORDS if rng.random() < 0.5 else ["plain", "text", "a"])
                     for _ in range(rng.randint(0, 8))]
            paras.append(rng.choice(["<p>", "<p>", "<p>", "<P>", "<p class='x'>"])
                         + rng.choice([" ", ""]).join(words) + rng.choice(["</p>"] * 4 + [""]))
        yield rng.choice(["", " ", "\n", "\t "]).join(paras) + rng.choice(["", "\n", " x"])
    inside = [w for w in PARA_WORDS if "<" not in w and w not in ("&nbsp;", "&#233;")]
    for _ in range(3000):  # only what the simple path accepts, tricky whitespace included
        paras = ["<p>" + rng.choice(["", " ", "  "]).join(
            rng.choice(inside + ["plain", "text"]) for _ in range(rng.randint(0, 8))) + "</p>"
            for _ in range(rng.randint(1, 4))]
        yield rng.choice(["", " ", "\n", "\t \n"]).join(paras)


def test_simple_paragraphs_render_as_html_to_markdown() -> None:
    from reader.cleaning.markdown import html_to_markdown

    simple = 0
    for fragment in fragments():
        fast = inline.simple_paragraphs(fragment)
        if fast is not None:
            simple += 1
            for base in (None, URL):
                assert fast == html_to_markdown(fragment, base_url=base), fragment
    assert simple > 2000


def test_farm_entry_html_takes_the_simple_path() -> None:
    from reader.cleaning.markdown import html_to_markdown

    farm = _farm().Farm(6, 30, 8765)  # type: ignore[attr-defined]
    for n in range(6):
        for e in range(30):
            _title, _when, body = farm.article(n, e)
            html = "".join(f"<p>{esc(p)}</p>" for p in body)
            assert inline.simple_paragraphs(html) == html_to_markdown(html)


def test_feeds_agree_with_the_simple_path_off() -> None:
    data = [_data(p) for p in _files()] + list(variants())[:200]
    try:
        for document in data:
            inline.SIMPLE_HTML_PATH = True
            on = outcome(document, fast=False)
            inline.SIMPLE_HTML_PATH = False
            assert on == outcome(document, fast=False)
    finally:
        inline.SIMPLE_HTML_PATH = True
