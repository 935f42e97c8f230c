"""A dump's labelled header ("Title: ...", "URL Source: ...") is its metadata, not its text."""

from __future__ import annotations

from datetime import UTC, datetime

from reader.cleaning.header import NO_HEADER, Header, labelled_header
from reader.cleaning.text import clean_dump
from reader.core.models import SourceKind
from reader.ingest.load import load_bytes

PROSE = ("The council met on Tuesday evening to debate the harbour budget, and after three "
         "hours of questions it voted to keep the ferry running through the winter months. "
         "Residents had asked for the service to stay, saying that the bridge is too far.")
MENU = "\n".join(f"- [Section {n}](https://news.example.com/section/{n})" for n in range(12))
# the layout of a Markdown converter that fetches the page itself (r.jina.ai and the like)
FETCHED = (
    "Title: Ferry keeps running - Harbour News\n\n"
    "URL Source: https://news.example.com/2026/11/ferry\n\n"
    "Published Time: 2026-11-23T14:05:00Z\n\n"
    "Markdown Content:\n"
    f"{MENU}\n\n# Ferry keeps running\n\n{PROSE}\n\n{PROSE.replace('council', 'board')}\n\n"
    f"{MENU}\n"
)


def test_the_header_s_fields_and_length() -> None:
    header = labelled_header(FETCHED.split("\n"))
    assert header == Header(length=7, title="Ferry keeps running - Harbour News",
                            url="https://news.example.com/2026/11/ferry",
                            published="2026-11-23T14:05:00Z", fetched=True)
    # a scraper's own way: no content line, two fields or more
    scraped = ["Title: Ferry keeps running", "Authors: Ann Lee", "Publish date: 2026-11-23",
               "", PROSE]
    assert labelled_header(scraped) == Header(length=3, title="Ferry keeps running",
                                              author="Ann Lee", published="2026-11-23")


def test_what_is_no_header() -> None:
    for lines in (
        ["Date: Tuesday", PROSE],  # one field, then the text: an article's own line
        ["Note: the ferry is free", "Title: x", PROSE],  # not a metadata label first
        ["Title: Ferry", "URL: javascript:alert(1)", PROSE],  # no web address
        [PROSE, "Title: Ferry", "Author: Ann"],  # not at the top
        ["Title: Ferry"],
        [],
    ):
        assert labelled_header(lines) == NO_HEADER, lines


def test_a_dump_with_a_header_takes_its_metadata_and_leaves_it_out() -> None:
    cleaned = clean_dump(FETCHED)
    # the page's own headline, without the site's name the title adds
    assert cleaned.title == "Ferry keeps running"
    assert cleaned.url == "https://news.example.com/2026/11/ferry"
    assert cleaned.published == datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
    assert "URL Source" not in cleaned.body and "Markdown Content" not in cleaned.body
    assert "Ferry keeps running" not in cleaned.body
    assert PROSE in cleaned.body and "Section 3" not in cleaned.body
    assert cleaned.kept[:7] == (False,) * 7  # the raw view dims the header too


def test_a_markdown_file_fetched_from_a_page_is_cleaned_a_note_is_kept() -> None:
    fetched = load_bytes(FETCHED.encode(), source="/notes/ferry.md")
    (article,) = fetched.articles
    assert article.url == "https://news.example.com/2026/11/ferry"
    assert "Section 3" not in article.body and PROSE in article.body
    assert article.kind is SourceKind.TEXT  # cleaned as a dump: v shows what went
    note = (f"Title: Ferry notes\nAuthor: Me\nDate: 2026-11-24\n\n{MENU}\n\n{PROSE}\n")
    (kept,) = load_bytes(note.encode(), source="/notes/mine.md").articles
    assert (kept.title, kept.author) == ("Ferry notes", "Me")
    assert kept.body == f"{MENU}\n\n{PROSE}"  # written by hand: kept as written
    assert kept.kind is SourceKind.MARKDOWN
    # MultiMarkdown's metadata may name the note's own address: still a note
    named = f"Title: Ferry notes\nURL: https://me.example/ferry\n\n{MENU}\n\n{PROSE}\n"
    (kept,) = load_bytes(named.encode(), source="/notes/named.md").articles
    assert kept.kind is SourceKind.MARKDOWN and kept.body == f"{MENU}\n\n{PROSE}"


def test_a_long_gap_in_a_value() -> None:
    # "(.*?)\s*$" tried the rest of the line at each character of a run of spaces: 20,000
    # took 2 s, a 1 MB line hours. The size is one where that took seconds; checked: the result.
    gap = " " * 100_000
    header = labelled_header([f"Title: Ferry{gap}keeps running", "Author: Ann Lee",
                              f"Date:{gap}", "", PROSE])
    assert header == Header(length=2, title=f"Ferry{gap}keeps running", author="Ann Lee")
