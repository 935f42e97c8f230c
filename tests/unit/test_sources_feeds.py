"""RSS/Atom through feedparser, made safe; JSON Feed. The hostile corpus is the main witness."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from support.paths import FIXTURES

from reader.core.errors import FeedError
from reader.core.models import BodyState, Feed, SourceKind
from reader.ingest.feeds import parse_feed, parse_json_feed
from reader.sources.feeds import SUMMARY_MAX_CHARS, body_state
from reader.sources.files import read_file

HOSTILE = FIXTURES / "hostile"
URL = "https://feed.example/feed.xml"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def corpus(name: str) -> Feed:
    return parse_feed(read_file(HOSTILE / name), url=URL)


def rss(items: str, *, extra_ns: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<rss version="2.0" {extra_ns}><channel><title>T</title><link>https://feed.example/</link>'
        f"{items}</channel></rss>"
    ).encode()


def all_strings(feed: Feed) -> list[str]:
    out = [feed.title or "", feed.link or ""]
    for a in feed.articles:
        out += [a.title or "", a.author or "", a.url or "", a.body, a.key, a.feed_title or ""]
        out += list(a.enclosures)
    return out


# --------------------------------------------------------------------------- XML attacks


@pytest.mark.parametrize(
    "name",
    [
        "feed-billion-laughs.xml",
        "feed-billion-laughs-oneline.xml",
        "feed-xxe-file.xml",
        "feed-xxe-external-dtd.xml",
    ],
)
def test_entity_declarations_are_refused(name: str) -> None:
    with pytest.raises(FeedError, match="^feed rejected: entity declarations$"):
        corpus(name)


def test_quadratic_blowup_is_refused_fast() -> None:
    entity = "a" * 50_000
    refs = "&e;" * 5_000
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "{entity}">]>'
        f"<rss><channel><title>x</title><item><description>{refs}</description></item>"
        "</channel></rss>"
    ).encode()
    start = time.monotonic()
    with pytest.raises(FeedError, match="entity declarations"):
        parse_feed(data, url=URL)
    assert time.monotonic() - start < 0.5


def test_entity_declaration_in_utf16_is_refused() -> None:
    data = '\ufeff<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><rss/>'.encode("utf-16-le")
    with pytest.raises(FeedError, match="entity declarations"):
        parse_feed(data, url=URL)


def test_utf7_is_refused() -> None:
    data = b'<?xml version="1.0" encoding="utf-7"?>+ADw-rss+AD4-'
    with pytest.raises(FeedError, match="rejected"):
        parse_feed(data, url=URL)


def test_an_entity_word_in_the_body_is_fine() -> None:
    feed = parse_feed(rss("<item><title>About &lt;!ENTITY&gt; in XML</title></item>"), url=URL)
    assert feed.articles[0].title == "About <!ENTITY> in XML"


def test_bytes_that_look_like_a_path_are_not_opened(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(rss("<item><title>SECRET</title></item>"))
    with pytest.raises(FeedError):
        parse_feed(str(secret).encode(), url=URL)


def test_oversized_feed_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reader.sources.feeds.MAX_FEED_BYTES", 1000)
    with pytest.raises(FeedError, match="too large"):
        parse_feed(rss("<item><title>x</title></item>" * 100), url=URL)


# --------------------------------------------------------------------------- terminal and markup


@pytest.mark.parametrize("name", ["feed-title-osc52.xml", "feed-title-ansi-mix.xml"])
def test_no_control_characters_survive(name: str) -> None:
    feed = corpus(name)
    assert feed.articles
    for text in all_strings(feed):
        assert not CONTROLS.search(text), repr(text)


def test_escape_is_made_visible() -> None:
    titles = [a.title or "" for a in corpus("feed-title-osc52.xml").articles]
    assert all("\u241b]52;c;" in t for t in titles)


def test_markup_is_kept_verbatim() -> None:
    titles = [a.title for a in corpus("feed-markup-click-action.xml").articles]
    assert titles == [
        "[@click=app.screenshot('pwned.svg','/tmp')]Click to read[/]",
        "[@click=app.quit]Breaking news[/]",
        "[@click=app.simulate_key('d')]Looks harmless[/]",
        "[link='https://evil.example/phish']https://bank.example/login[/]",
        "[reverse][blink]FAKE ERROR: feed deleted[/][/]",
    ]
    crash = [a.title for a in corpus("feed-markup-crash.xml").articles]
    assert "Stray close [/] tag" in crash
    assert "Backslash at end \\" in crash


def test_nul_is_stripped_everywhere() -> None:
    feed = corpus("feed-nul-bytes.xml")
    (article,) = feed.articles
    assert article.key == "nulguid"
    assert "\x00" not in (article.title or "") + article.body


# --------------------------------------------------------------------------- links


def test_only_http_links_survive() -> None:
    feed = corpus("feed-javascript-links.xml")
    for article in feed.articles:
        if article.url is not None:
            assert article.url.startswith(("https://", "http://")), article.url
            assert not CONTROLS.search(article.url)
    by_title = {a.title: a.url for a in feed.articles}
    for bad in (
        "javascript",
        "mixed case + spaces",
        "tab inside scheme",
        "file",
        "data",
        "vbscript",
        "ssh",
        "smb share",
        "shell metachar",
    ):
        assert by_title[bad] is None, bad


def test_relative_links_in_a_local_feed_file() -> None:
    """Resolved against the channel's own http(s) link, else refused: never a local path."""
    feed = parse_feed(read_file(HOSTILE / "feed-javascript-links.xml"), url="feeds/local.xml")
    by_title = {a.title: a.url for a in feed.articles}
    assert by_title["relative path"] == "https://feed.example/etc/passwd"
    unlinked = rss("<item><title>r</title><link>../../etc/passwd</link></item>")
    unlinked = unlinked.replace(b"<link>https://feed.example/</link>", b"")
    assert parse_feed(unlinked, url="feeds/local.xml").articles[0].url is None


def test_relative_links_resolve_against_the_feed_url() -> None:
    feed = parse_feed(rss("<item><title>a</title><link>/posts/1</link></item>"), url=URL)
    assert feed.articles[0].url == "https://feed.example/posts/1"


def test_html_content_is_rendered_as_text() -> None:
    (article,) = corpus("feed-html-content.xml").articles
    assert "alert" not in article.body
    assert "<script" not in article.body and "display:none" not in article.body
    assert "Real paragraph." in article.body
    assert "javascript:" not in article.body


def test_enclosures_are_safe_urls() -> None:
    items = (
        '<item><title>ep</title><enclosure url="https://cdn.example/ep1.mp3" type="audio/mpeg" '
        'length="1"/></item><item><title>bad</title><enclosure url="file:///etc/passwd" '
        'type="audio/mpeg" length="1"/></item>'
    )
    good, bad = parse_feed(rss(items), url=URL).articles
    assert good.enclosures == ("https://cdn.example/ep1.mp3",)
    assert bad.enclosures == ()


# --------------------------------------------------------------------------- structure


def test_duplicate_guids_last_wins_deterministically() -> None:
    feed = corpus("feed-duplicate-guids.xml")
    again = corpus("feed-duplicate-guids.xml")
    assert feed == again
    keys = [a.key for a in feed.articles]
    assert len(keys) == len(set(keys))
    by_key = {a.key: a.title for a in feed.articles}
    # " dup-X " (whitespace) is the same id as "dup-X"; the last one is kept.
    assert by_key["dup-X"] == "Guid with whitespace"
    assert by_key["DUP-x"] == "Guid that differs only by case"
    # Same link, no guid, different titles: two entries.
    assert sum(1 for a in feed.articles if a.url == "https://feed.example/same") == 2
    assert any("last of each was kept" in w for w in feed.warnings)


def test_truncated_feed_keeps_complete_entries_with_a_warning() -> None:
    feed = corpus("feed-truncated.xml")
    assert [a.key for a in feed.articles] == ["t-1"]
    assert feed.warnings == ("feed truncated; 1 incomplete entry dropped",)


def test_empty_channel_is_not_an_error() -> None:
    feed = corpus("feed-empty-channel.xml")
    assert feed.articles == ()
    assert feed.title == "Hostile test feed"
    assert feed.warnings == ()


def test_a_web_page_is_not_a_feed() -> None:
    with pytest.raises(FeedError, match="^this is a web page, not a feed; its feed is at https://"):
        corpus("feed-not-xml.html")


def test_missing_fields_get_stable_keys() -> None:
    feed = corpus("feed-missing-fields.xml")
    assert feed.articles
    for article in feed.articles:
        assert article.title is None
        assert article.key.startswith("sha1:")
    assert [a.key for a in corpus("feed-missing-fields.xml").articles] == [
        a.key for a in feed.articles
    ]


def test_key_falls_back_to_link_and_title() -> None:
    items = "<item><title>a</title><link>https://x.example/1</link></item>"
    first = parse_feed(rss(items), url=URL).articles[0].key
    second = parse_feed(rss(items), url="https://elsewhere.example/f").articles[0].key
    assert first == second  # independent of where the feed lives


def test_titles_are_capped_and_html_titles_lose_tags() -> None:
    feed = parse_feed(rss(f"<item><title>{'x' * 5000}</title></item>"), url=URL)
    assert len(feed.articles[0].title or "") == 1024
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b'<entry><id>1</id><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title>'
        b"</entry></feed>"
    )
    assert parse_feed(atom, url=URL).articles[0].title == "Bold & more"


@pytest.mark.parametrize(
    "name",
    ["feed-wrong-charset.xml", "feed-undeclared-latin1.xml", "feed-utf16-bom.xml"],
)
def test_encodings(name: str) -> None:
    title = corpus(name).articles[0].title or ""
    assert "\ufffd" not in title and "Ã" not in title
    assert any(ch in title for ch in "éÃ中€")


def test_guessed_charset_is_a_warning() -> None:
    assert corpus("feed-undeclared-latin1.xml").warnings == (
        "charset guessed: decoded as windows-1252",
    )


def test_wrong_content_type_header_is_ignored() -> None:
    feed = parse_feed(
        rss("<item><title>a</title></item>"), url=URL, headers={"Content-Type": "text/html"}
    )
    assert feed.warnings == ()
    assert feed.articles[0].title == "a"


def test_charset_from_headers_is_honoured() -> None:
    data = rss("<item><title>Ζεύς</title></item>").replace(b' encoding="utf-8"', b"")
    data = data.decode().encode("iso-8859-7")
    feed = parse_feed(data, url=URL, headers={"content-type": "text/xml; charset=iso-8859-7"})
    assert feed.articles[0].title == "Ζεύς"


@pytest.mark.parametrize("charset", ["utf-16", "UTF-32", "utf-16le", "cp037", "ebcdic-cp-us"])
@pytest.mark.parametrize("media", ["application/rss+xml", "text/html"])
def test_a_header_charset_the_bytes_cannot_be_in_is_not_believed(charset: str,
                                                                   media: str) -> None:
    # A server labelling its UTF-8 feed "charset=utf-16" (or an EBCDIC code page): the
    # document begins with an ASCII "<", which no such encoding writes so, yet the label
    # was followed and the whole feed lost ("not a feed (not well-formed)").
    data = rss("<item><title>Café</title><guid>a</guid></item>")
    for document in (data, data.replace(b' encoding="utf-8"', b"")):
        feed = parse_feed(document, url=URL,
                          headers={"content-type": f"{media}; charset={charset}"})
        assert [a.title for a in feed.articles] == ["Café"]
    wide = data.decode().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16-le")
    feed = parse_feed(wide, url=URL, headers={"content-type": f"{media}; charset=utf-16le"})
    assert [a.title for a in feed.articles] == ["Café"]  # where it is true, it is believed


# --------------------------------------------------------------------------- dates


def test_bad_dates_are_unknown_or_plausible() -> None:
    feed = corpus("feed-bad-dates.xml")
    by_title = {a.title: a.published for a in feed.articles}
    now = datetime.now(UTC)
    for title, value in by_title.items():
        if value is not None:
            aware = value if value.tzinfo else value.replace(tzinfo=UTC)
            assert datetime(1970, 1, 2, tzinfo=UTC) <= aware <= now + timedelta(days=2), title
    for absurd in (
        "garbage date",
        "year 0",
        "far future",
        "Feb 30",
        "epoch integer",
        "tz +9999",
        "empty date",
        "year 1",
    ):
        assert by_title[absurd] is None, absurd
    assert by_title["ISO in RSS"] == datetime(2025, 1, 6, 10, tzinfo=UTC)
    assert by_title["two-digit year"] == datetime(2025, 1, 6, 10, tzinfo=UTC)
    sorted(feed.articles, key=lambda a: (a.published is None, str(a.published)))


def test_the_source_offset_is_kept() -> None:
    items = (
        "<item><guid>a</guid><pubDate>Mon, 06 Jan 2025 10:00:00 +0530</pubDate></item>"
        "<item><guid>b</guid><pubDate>2025-01-06T10:00:00-05:00</pubDate></item>"
        "<item><guid>c</guid><pubDate>2025-01-06T10:00:00</pubDate></item>"
    )
    a, b, c = parse_feed(rss(items), url=URL).articles
    assert a.published is not None and b.published is not None and c.published is not None
    assert a.published.isoformat() == "2025-01-06T10:00:00+05:30"
    assert b.published.isoformat() == "2025-01-06T10:00:00-05:00"
    assert b.published.utcoffset() == timedelta(hours=-5)
    assert c.published.isoformat() == "2025-01-06T10:00:00"


def test_atom_updated_is_used_when_published_is_missing() -> None:
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b"<entry><id>1</id><title>t</title><updated>2024-03-01T12:00:00+01:00</updated>"
        b'<author><name>Ann</name></author><link href="https://a.example/1"/></entry></feed>'
    )
    (article,) = parse_feed(atom, url=URL).articles
    assert article.published == datetime(2024, 3, 1, 12, tzinfo=timezone(timedelta(hours=1)))
    assert article.author == "Ann"
    assert article.url == "https://a.example/1"
    assert article.kind is SourceKind.FEED
    assert article.feed_title == "A"
    assert article.source == URL


# --------------------------------------------------------------------------- bodies


def _paragraphs(n: int, words: int = 40) -> str:
    return "".join(f"<p>{'word ' * words}{i}.</p>" for i in range(n))


def test_longest_of_content_and_summary_is_used() -> None:
    items = (
        "<item><guid>1</guid><description>Short teaser.</description>"
        f"<content:encoded><![CDATA[{_paragraphs(3)}]]></content:encoded></item>"
    )
    ns = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    (article,) = parse_feed(rss(items, extra_ns=ns), url=URL).articles
    assert article.body.count("\n\n") == 2
    assert "teaser" not in article.body
    assert article.body_state is BodyState.FULL


def test_summary_rule() -> None:
    one = "word " * 100
    assert body_state("", from_content=False) is BodyState.SUMMARY
    assert body_state(one, from_content=False) is BodyState.SUMMARY
    assert body_state(one, from_content=True) is BodyState.SUMMARY  # excerpt in <content>
    assert body_state("x" * SUMMARY_MAX_CHARS, from_content=False) is BodyState.FULL
    assert body_state(f"{one}\n\n{one}", from_content=True) is BodyState.FULL
    assert body_state(f"{one}\n\n{one} [\u2026]", from_content=False) is BodyState.SUMMARY
    assert body_state(f"{one}\n\n{one} [\u2026]", from_content=True) is BodyState.FULL


@pytest.mark.parametrize("atom", [False, True])
def test_farm_shapes(atom: bool) -> None:
    """The bench farm: full feeds carry 4-9 paragraphs, summary-only feeds exactly one."""
    from xml.sax.saxutils import escape

    bodies = {"full": _paragraphs(5, words=60), "summary": _paragraphs(1, words=110)}
    if atom:
        entries = "".join(
            f'<entry><id>{k}</id><title>{k}</title><content type="html">{escape(v)}</content>'
            "</entry>"
            for k, v in bodies.items()
        )
        data = (
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
            f"{entries}</feed>"
        ).encode()
    else:
        data = rss(
            "".join(
                f"<item><title>{k}</title><description>{escape(v)}</description></item>"
                for k, v in bodies.items()
            )
        )
    states = {a.title: a.body_state for a in parse_feed(data, url=URL).articles}
    assert states == {"full": BodyState.FULL, "summary": BodyState.SUMMARY}


def test_plain_text_content_is_kept_as_text() -> None:
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b'<entry><id>1</id><content type="text">a &lt;b&gt; *c* [d](e)</content></entry></feed>'
    )
    # as written, but for the "<" that would open raw HTML in a Markdown renderer
    assert parse_feed(atom, url=URL).articles[0].body == "a \\<b> *c* [d](e)"


# --------------------------------------------------------------------------- JSON Feed


def json_feed(items: str, version: str = "1.1") -> bytes:
    return (
        f'{{"version": "https://jsonfeed.org/version/{version}", "title": "J\\u001b[2J",'
        f' "home_page_url": "https://j.example/", "items": [{items}]}}'
    ).encode()


def test_json_feed_1_1() -> None:
    items = (
        '{"id": "1", "url": "/a", "title": "One", "content_html": "<p>Hello <b>there</b></p>",'
        ' "date_published": "2024-05-01T08:00:00+02:00", "authors": [{"name": "Ann"}],'
        ' "attachments": [{"url": "https://j.example/a.mp3"}, {"url": "javascript:x"}]},'
        ' {"id": 2, "content_text": "Plain *text*", "summary": "s"},'
        ' {"id": "3", "summary": "only a summary", "date_published": "9999-01-01T00:00:00Z"},'
        ' {"id": "1", "title": "One again", "content_text": "later"}'
    )
    feed = parse_json_feed(json_feed(items), url="https://j.example/feed.json")
    assert feed.title == "J\u241b[2J"
    two, three, one = feed.articles
    assert one.title == "One again"  # duplicate id: the last wins
    assert two.key == "2" and two.body == "Plain *text*"
    assert three.body_state is BodyState.SUMMARY and three.published is None
    first = parse_json_feed(json_feed(items.rsplit(", {", 1)[0]), url="x").articles[0]
    assert first.url == "https://j.example/a"
    assert first.author == "Ann"
    assert "Hello" in first.body and "<b>" not in first.body
    assert (
        first.published is not None and first.published.isoformat() == "2024-05-01T08:00:00+02:00"
    )
    assert first.enclosures == ("https://j.example/a.mp3",)
    assert first.kind is SourceKind.JSON_FEED


def test_json_feed_1_0_author() -> None:
    items = '{"id": "1", "title": "t", "content_text": "x", "author": {"name": "Bob"}}'
    feed = parse_json_feed(json_feed(items, "1"), url="u")
    assert feed.articles[0].author == "Bob"


@pytest.mark.parametrize(
    "data",
    [
        b"{",
        b"[]",
        b'{"version": "2"}',
        b"[" * 100_000,
        b'{"version": "https://jsonfeed.org/version/1"',
    ],
)
def test_json_feed_errors_are_one_line(data: bytes) -> None:
    with pytest.raises(FeedError) as caught:
        parse_json_feed(data, url="u")
    assert "\n" not in str(caught.value)


def test_json_feed_tolerates_wrong_types() -> None:
    items = '{"id": true, "title": 5, "content_html": null, "authors": "x"}, 7, null'
    feed = parse_json_feed(json_feed(items), url="u")
    assert len(feed.articles) == 1
    assert feed.articles[0].title is None


def test_a_huge_feed_keeps_its_newest_entries(monkeypatch) -> None:
    from reader.sources import feeds

    monkeypatch.setattr(feeds, "MAX_ENTRIES", 3)
    items = "".join(
        f"<item><title>Item {n}</title><guid>id-{n}</guid>"
        f"<pubDate>Mon, {n + 1:02d} Jun 2026 10:00:00 +0000</pubDate></item>"
        for n in (4, 1, 3, 2, 0)
    )
    data = f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    feed = parse_feed(data.encode(), url="https://example.org/feed.xml")
    assert [a.title for a in feed.articles] == ["Item 4", "Item 3", "Item 2"]
    assert any("newest 3 were kept" in w for w in feed.warnings)


def test_a_huge_json_feed_keeps_its_newest_items(monkeypatch) -> None:
    # RSS and Atom keep the newest 5,000 entries (and say so); a JSON Feed of 100,000 items
    # read from a file was stored whole, each item rendered first (5.6 s)
    from reader.sources import feeds

    monkeypatch.setattr(feeds, "MAX_ENTRIES", 3)
    items = ", ".join(
        f'{{"id": "id-{n}", "title": "Item {n}", "content_text": "x",'
        f' "date_published": "2026-06-{n + 1:02d}T10:00:00Z"}}' for n in (4, 1, 3, 2, 0))
    feed = parse_json_feed(json_feed(items), url="https://j.example/feed.json")
    assert [a.title for a in feed.articles] == ["Item 4", "Item 3", "Item 2"]
    assert feed.warnings == ("the feed has 5 entries; the newest 3 were kept",)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("declaration", ['<?xml version="1.0" encoding="utf-16"?>', ""])
def test_bomless_wide_feed_is_parsed(codec: str, declaration: str) -> None:
    text = declaration + rss("<item><title>Café 中文</title><guid>x</guid></item>").decode()[
        len('<?xml version="1.0" encoding="utf-8"?>\n'):]
    feed = parse_feed(text.encode(codec), url=URL)
    assert feed.title == "T"
    assert [a.title for a in feed.articles] == ["Café 中文"]


# -- titles and text that reads like markup --------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "<title>Using &lt;script&gt; tags safely</title>",  # RSS, escaped once
        "<title>Using &amp;lt;script&amp;gt; tags safely</title>",  # escaped twice: HTML
        "<title><![CDATA[Using &lt;script&gt; tags safely]]></title>",
    ],
)
def test_a_title_that_reads_script_stays_that_text(title: str) -> None:
    from reader.formats import article_json, article_markdown

    article = parse_feed(rss(f"<item>{title}<guid>a</guid></item>"), url=URL).articles[0]
    assert article_json(article)["title"] == "Using <script> tags safely"
    markdown = article_markdown(article)
    assert "# Using \\<script> tags safely" in markdown
    assert 'title: "Using \\u003cscript> tags safely"' in markdown  # YAML reads "<" back
    assert not [t for t in MarkdownIt("commonmark").parse(markdown) if t.type == "html_block"]


def test_atom_text_title_and_html_title() -> None:
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">'
        b'&lt;img src=x onerror="alert(1)" alt="a&lt;br&gt;b"&gt;Feed</title>'
        b'<entry><id>1</id><title type="text">Using &lt;script&gt; tags safely</title></entry>'
        b'<entry><id>2</id><title type="html">safe&lt;script&gt;alert(1)&lt;/script&gt; text'
        b"</title></entry></feed>"
    )
    feed = parse_feed(atom, url=URL)
    assert feed.title == "Feed"
    assert [a.title for a in feed.articles] == ["Using <script> tags safely", "safe text"]


def test_plain_text_content_that_reads_like_html_is_escaped() -> None:
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>t</title>'
        b'<content type="text">Use &lt;b&gt; for bold &amp;amp; &lt;!-- not a comment --&gt;'
        b"</content></entry></feed>"
    )
    body = parse_feed(atom, url=URL).articles[0].body
    assert body == "Use \\<b> for bold \\&amp; \\<!-- not a comment -->"


# -- links in content: the content's xml:base, the entry's, the feed's, the document's ----


def test_links_in_content_resolve_through_the_xml_base_chain() -> None:
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://feed.example/f/">'
        b"<entry><id>1</id><title>feed base</title>"
        b'<content type="html">&lt;a href="a.html"&gt;a&lt;/a&gt;</content></entry>'
        b'<entry xml:base="e/"><id>2</id><title>entry base</title>'
        b'<content type="html">&lt;a href="b.html"&gt;b&lt;/a&gt;</content></entry>'
        b'<entry xml:base="https://entry.example/e/"><id>3</id><title>content base</title>'
        b'<content type="html" xml:base="../c/">&lt;a href="c.html"&gt;c&lt;/a&gt;</content>'
        b"</entry>"
        b'<entry><id>4</id><title>summary base</title>'
        b'<summary type="html" xml:base="/s/">&lt;a href="d.html"&gt;d&lt;/a&gt;</summary>'
        b"</entry></feed>"
    )
    feed = parse_feed(atom, url="https://host.example/feeds/atom.xml")
    assert [a.body for a in feed.articles] == [
        "[a](https://feed.example/f/a.html)",
        "[b](https://feed.example/f/e/b.html)",
        "[c](https://entry.example/c/c.html)",
        "[d](https://feed.example/s/d.html)",
    ]


def test_links_in_content_resolve_against_content_location_then_the_url() -> None:
    items = '<item><guid>1</guid><description>&lt;a href="x"&gt;x&lt;/a&gt;</description></item>'
    data = rss(items)
    url = "https://host.example/feeds/rss.xml"
    assert parse_feed(data, url=url).articles[0].body == "[x](https://host.example/feeds/x)"
    moved = parse_feed(data, url=url, headers={"Content-Location": "/archive/2024/rss.xml"})
    assert moved.articles[0].body == "[x](https://host.example/archive/2024/x)"
    elsewhere = parse_feed(data, url=url, headers={"Content-Location": "https://cdn.example/"})
    assert elsewhere.articles[0].body == "[x](https://cdn.example/x)"


# -- dates: published, else updated, else created ---------------------------------------------

UPDATED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "published",
    [
        "",  # missing
        "<published>not a date</published>",
        "<published>2024-13-45T99:00:00Z</published>",
        "<published>0000-01-01T00:00:00Z</published>",  # absurd
        "<published>2024-05-06T07:08:09+99:00</published>",  # absurd offset
    ],
)
def test_atom_published_falls_back_to_updated(published: str) -> None:
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>1</id>'
        f"<title>t</title>{published}<updated>2024-05-06T07:08:09Z</updated></entry></feed>"
    ).encode()
    assert parse_feed(atom, url=URL).articles[0].published == UPDATED


@pytest.mark.parametrize(
    "updated",
    [
        "<dc:date>2024-05-06T07:08:09Z</dc:date>",
        "<atom:updated>2024-05-06T07:08:09Z</atom:updated>",
        "<dcterms:modified>2024-05-06T07:08:09Z</dcterms:modified>",
    ],
)
def test_rss_pubdate_falls_back_to_its_updated_equivalents(updated: str) -> None:
    namespaces = ('xmlns:dc="http://purl.org/dc/elements/1.1/" '
                  'xmlns:atom="http://www.w3.org/2005/Atom" '
                  'xmlns:dcterms="http://purl.org/dc/terms/"')
    for pub in ("<pubDate>Someday, soon</pubDate>", ""):
        feed = parse_feed(rss(f"<item><guid>1</guid>{pub}{updated}</item>", extra_ns=namespaces),
                          url=URL)
        assert feed.articles[0].published == UPDATED


def test_a_good_published_date_wins_over_updated() -> None:
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>1</id><title>t'
        b"</title><published>2024-01-02T03:04:05Z</published>"
        b"<updated>2024-05-06T07:08:09Z</updated></entry></feed>"
    )
    assert parse_feed(atom, url=URL).articles[0].published == datetime(2024, 1, 2, 3, 4, 5,
                                                                       tzinfo=UTC)


def test_an_atom_entry_without_an_author_has_the_feeds() -> None:
    atom = (b'<?xml version="1.0" encoding="utf-8"?>'
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
            b"<author><name>Feed Writer</name></author>"
            b"<entry><title>Own</title><id>1</id><author><name>Entry Writer</name></author>"
            b"<updated>2024-01-01T00:00:00Z</updated></entry>"
            b"<entry><title>Inherits</title><id>2</id>"
            b"<updated>2024-01-02T00:00:00Z</updated></entry></feed>")
    feed = parse_feed(atom, url="https://example.org/feed.atom")
    assert {a.title: a.author for a in feed.articles} == {
        "Own": "Entry Writer", "Inherits": "Feed Writer"}


def test_an_rss_item_does_not_take_the_channels_editor_as_its_author() -> None:
    feed = parse_feed(rss("<item><title>A</title><guid>1</guid></item>",
                          extra_ns="").replace(b"<channel>", b"<channel><managingEditor>"
                                               b"ed@example.org (Editor)</managingEditor>"),
                      url="https://example.org/rss")
    assert [a.author for a in feed.articles] == [None]


# -- references and escapes that name no character ---------------------------------------------


@pytest.mark.parametrize("ref", ["&#xD800;", "&#56320;", "&#x110000;", "&#99999999999999999999;"])
@pytest.mark.parametrize("codec", ["utf-8", "utf-16", "utf-16-le"])
def test_a_reference_to_no_character_spoils_nothing(ref: str, codec: str) -> None:
    # expat refuses the document, and feedparser's loose parser then raised on chr() of a
    # surrogate or a number past U+10FFFF: one bad reference lost the whole feed.
    items = (f"<item><title>A {ref} b</title><guid>g{ref}1</guid>"
             f"<description>Body {ref} text</description></item>"
             "<item><title>Fine</title><guid>g2</guid></item>")
    data = rss(items).decode().replace('encoding="utf-8"', f'encoding="{codec[:6]}"')
    feed = parse_feed(data.encode(codec), url=URL)
    assert [a.title for a in feed.articles] == ["A \ufffd b", "Fine"]
    assert "\ufffd" in feed.articles[0].body
    for text in all_strings(feed):
        text.encode("utf-8")  # no lone surrogate anywhere


def test_json_escapes_of_lone_surrogates_become_replacement_characters() -> None:
    items = ('{"id": "1\\udfff", "url": "/a\\ud800", "title": "Lone \\ud83d title",'
             ' "content_text": "Body \\udc00 text", "authors": [{"name": "Au\\udc80thor"}]}')
    feed = parse_json_feed(json_feed(items), url="https://j.example/feed.json")
    (article,) = feed.articles
    assert article.title == "Lone \ufffd title"
    assert article.author == "Au\ufffdthor"
    assert article.body == "Body \ufffd text"
    for text in all_strings(feed):
        text.encode("utf-8")


def test_relative_links_never_carry_the_feed_addresss_password() -> None:
    # a feed fetched as https://me:pw@host/feed resolved "/post" to
    # https://me:pw@host/post: the password was stored in every link, shown and handed
    # to the browser
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
           b'<title>A</title><link>/post</link><enclosure url="a.mp3" type="audio/mpeg"/>'
           b'<description>&lt;a href="/other"&gt;o&lt;/a&gt;</description></item>'
           b'</channel></rss>')
    json_feed = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": '
                 b'[{"id": "1", "url": "/post", "content_html": "<a href=\\"/other\\">o</a>"}]}')
    for feed in (parse_feed(rss, url="https://me:pw@feed.example/feed.xml"),
                 parse_json_feed(json_feed, url="https://me:pw@feed.example/feed.json")):
        article = feed.articles[0]
        assert article.url == "https://feed.example/post"
        assert "(https://feed.example/other)" in article.body
        assert all("pw" not in url for url in article.enclosures)
