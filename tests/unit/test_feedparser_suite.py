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


def load_served(name: str, *, url: str, headers: dict[str, str] | None = None) -> LoadResult:
    """A feed as fetched from ``url`` with these response headers (what the http_* tests'
    Header: lines say a server sends)."""
    from reader.ingest.load import load_bytes

    result = load_bytes((SUITE / name).read_bytes(), source=url, url=url, headers=headers)
    assert result.error is None, result.error
    return result


def markdown_shows(markdown: str) -> tuple[str, list[str], list[str]]:
    """What a CommonMark renderer makes of Markdown: its text, its links, its raw HTML."""
    from markdown_it import MarkdownIt

    text: list[str] = []
    links: list[str] = []
    raw: list[str] = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "html_block":
            raw.append(token.content)
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                text.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                text.append(" ")
            elif child.type == "html_inline":
                raw.append(child.content)
            elif child.type == "link_open":
                links.append(str(child.attrs["href"]))
        if token.type.endswith("_close"):
            text.append(" ")
    return " ".join("".join(text).split()), links, raw


# -- the element model: nothing after an embed or an unclosed object is lost ----------------


@pytest.mark.parametrize(
    "name",
    [
        "wellformed/sanitize/entry_content_embed.xml",
        "wellformed/sanitize/entry_content_object.xml",
        "wellformed/sanitize/item_description_embed.xml",
    ],
)
def test_text_after_embed_or_unclosed_object_is_kept(name: str) -> None:
    assert expect_line(name).endswith(("== 'safe <b>description</b>'", "== 'safe description'"))
    body = load(name).articles[0].body
    assert markdown_shows(body)[0] == "safe description"


# -- titles: the text an HTML title shows; a literal <script> stays text ------------------


@pytest.mark.parametrize(
    "name",
    ["wellformed/sanitize/entry_title_script.xml",
     "wellformed/sanitize/feed_title_script_inline.xml"],
)
def test_html_title_loses_its_script_and_tags(name: str) -> None:
    result = load(name)
    title = result.articles[0].title if result.articles else result.title
    assert title == "safe description"


def test_title_tag_with_markup_in_an_attribute_leaves_nothing_behind() -> None:
    # <img alt="cat&lt;br /&gt;dog" ...>: a tag holding "<" and ">"; its text is nothing
    name = "wellformed/atom10/tag_in_attr.xml"
    assert "feed['title_detail']['value'] == '<img alt=" in expect_line(name)
    assert load(name).title is None


@pytest.mark.parametrize(
    "name",
    ["wellformed/atom10/entry_content_text_plain_brackets.xml",
     "wellformed/atom10/entry_content_inline_markup_2.xml"],
)
def test_text_that_reads_like_a_tag_is_markdown_text(name: str) -> None:
    from reader.formats import article_markdown

    article = load(name).articles[0]
    assert markdown_shows(article.body) == ("History of the <blink> tag", [], [])
    assert markdown_shows(article_markdown(article))[2] == []


# -- links in content: xml:base, then Content-Location, then the URL ----------------------


@pytest.mark.parametrize(
    "name",
    ["wellformed/base/entry_content_xml_base_inherit_3.xml",
     "wellformed/base/entry_summary_xml_base_inherit.xml"],
)
def test_relative_links_in_content_follow_xml_base(name: str) -> None:
    assert expect_line(name).endswith("['base'] == 'http://example.com/test/'")
    body = load(name).articles[0].body
    assert markdown_shows(body)[1] == ["http://example.com/test/test.html"]


def test_relative_links_in_content_follow_content_location() -> None:
    name = "wellformed/base/http_entry_content_base_content_location.xml"
    assert 'href="http://example.com/relative/uri"' in expect_line(name)
    result = load_served(name, url="http://127.0.0.1:8097/tests/feed.xml",
                         headers={"Content-Location": "http://example.com/"})
    assert markdown_shows(result.articles[0].body)[1] == ["http://example.com/relative/uri"]


def test_relative_links_in_content_follow_the_document_url() -> None:
    name = "wellformed/base/http_item_description_base_docuri.xml"
    assert 'href="http://127.0.0.1:8097/relative/uri"' in expect_line(name)
    result = load_served(name, url="http://127.0.0.1:8097/tests/feed.xml")
    assert markdown_shows(result.articles[0].body)[1] == ["http://127.0.0.1:8097/relative/uri"]


def test_mathml_in_a_description_is_shown() -> None:
    name = "wellformed/namespace/rss2.0mathml.xml"
    assert "<mi>a</mi><mo>+</mo><mi>b</mi>" in expect_line(name)
    assert markdown_shows(load(name).articles[0].body)[0] == "a+b"
