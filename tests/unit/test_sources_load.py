"""load_*: the one way in. Never raises; every error and warning is one line naming its source."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from support.paths import FIXTURES

from reader.core.models import Article, BodyState, LoadResult, SourceKind
from reader.ingest.load import load_bytes, load_path, load_stdin
from reader.ingest.specs import load_directory, load_specs

HOSTILE = FIXTURES / "hostile"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def stub_cleaner(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    """A stand-in for the plain-text cleaner, so these tests check loading, not cleaning.

    Returns the chrome sets it was called with.
    """
    import reader.cleaning.text as text

    calls: list[frozenset[str]] = []

    def clean(value: str, *, chrome: frozenset[str] = frozenset()) -> text.CleanedDump:
        calls.append(chrome)
        return text.CleanedDump(None, None, None, value.strip(), (), ())

    monkeypatch.setattr(text, "clean_dump", clean)
    return calls


def check_lines(result: LoadResult) -> None:
    """Errors and warnings are one line and free of controls; so is every article field."""
    for line in (result.error or "", *result.warnings):
        assert "\n" not in line and not CONTROLS.search(line), repr(line)
    for article in result.articles:
        for text in (
            article.title,
            article.author,
            article.url,
            article.body,
            article.source,
            article.key,
            article.feed_title,
        ):
            assert not CONTROLS.search(text or ""), repr(text)


@pytest.mark.parametrize("path", sorted(HOSTILE.iterdir()), ids=lambda p: p.name)
def test_every_corpus_file_loads_or_fails_cleanly(path: Path) -> None:
    result = load_path(path)
    check_lines(result)
    assert result.source == str(path)
    if result.error is not None:
        assert str(path) in result.error


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("binary-file.txt", "not a text file (binary), skipped"),
        ("empty-file.txt", "empty file"),
        ("feed-billion-laughs.xml", "feed rejected: entity declarations"),
        ("opml-xxe.opml", "OPML rejected: entity declarations"),
    ],
)
def test_refusals(name: str, error: str) -> None:
    result = load_path(HOSTILE / name)
    assert result.error == f"{HOSTILE / name}: {error}"
    assert result.articles == ()


def test_text_file(stub_cleaner: object) -> None:
    result = load_path(HOSTILE / "file-latin1.txt", source="given/name.txt")
    assert result.kind is SourceKind.TEXT
    (article,) = result.articles
    assert article.source == article.key == "given/name.txt"
    assert "naïve" in (article.title or "") + article.body
    assert result.warnings == ("given/name.txt: decoded as windows-1252",)


def test_html_written_in_a_text_dump_is_shown_as_text(tmp_path: Path) -> None:
    from reader.render import render_article

    path = tmp_path / "tags.txt"
    path.write_text(
        "Writing <script>alert(1)</script> into a page runs it; the <b> tag only makes bold "
        "text, and &amp; is how an ampersand is written in HTML, the tutorial explains.\n"
    )
    (article,) = load_path(path).articles
    shown = render_article(
        title=article.title, source=article.source, author=None, published=None, url=None,
        body=article.body,
    ).text.plain
    assert "<script>alert(1)</script>" in shown
    assert "the <b> tag" in shown and "&amp; is how" in shown



def test_a_dump_that_opens_with_a_script_s_json_is_a_dump() -> None:
    # Scrapers keep a script's data before the page's text, whole or (a text browser)
    # wrapped; JSON alone, or any .json file, is data and skipped.
    prose = (
        b"Redis is a data structure server. At its core it provides a collection of native "
        b"data types that help you solve a wide variety of problems, from caching onward.\n"
    ) * 3
    for opening in (b'{"title": "Redis data types", "sections": [1, 2]}\n',
                    b'{"title": "Redis data\ntypes", "sections":\n[1, 2]}\n'):
        result = load_bytes(opening + b"Redis data types\n" + prose, source="t.txt", name="t.txt")
        assert result.error is None and result.kind is SourceKind.TEXT
        assert "data structure server" in result.articles[0].body
    for data, name in ((b'{"title": "x", "n": [1, 2]}\n', "data.txt"),
                       (b'{"title": "x", "n": [1, 2', "data.json")):
        refused = load_bytes(data, source=name, name=name)
        assert refused.error is not None and "JSON data" in refused.error


def test_whitespace_only_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(b"\n \n")
    assert load_path(path).error == f"{path}: empty file"


def test_text_title_falls_back_to_the_stem(tmp_path: Path, stub_cleaner: object) -> None:
    path = tmp_path / "my-notes.txt.gz"
    import gzip

    path.write_bytes(gzip.compress(b"Just a body."))
    (article,) = load_path(path).articles
    assert article.title == "my-notes"
    assert article.body == "Just a body."


def test_markdown_front_matter_and_heading() -> None:
    data = (
        b'---\ntitle: "Front title"\nauthor: Ann Writer\ndate: 2024-02-03T04:05:06+01:00\n---\n'
        b"# Front title\n\nFirst paragraph with *emphasis* and [a link](https://a.example/).\n\n"
        b"```\n# not a heading\n```\n"
    )
    result = load_bytes(data, source="post.md", name="post.md")
    (article,) = result.articles
    assert article.kind is SourceKind.MARKDOWN
    assert article.title == "Front title"
    assert article.author == "Ann Writer"
    assert article.published is not None
    assert article.published.isoformat() == "2024-02-03T04:05:06+01:00"
    assert article.body.startswith("First paragraph with *emphasis* and [a link]")
    assert "# not a heading" in article.body


@pytest.mark.parametrize(
    "title",
    ['Why "quotes" and <tags> and C:\\path break', "Plain title", "It's 50% *off* [now]"],
)
def test_markdown_the_reader_saved_reads_back_as_it_was(title: str) -> None:
    # `e` and `reader dump --format markdown` write the front matter as JSON strings
    # (YAML's double-quoted scalars): read back, the title showed its escapes (\" \u003c
    # \\), the author too, the H1 (Markdown-escaped: \<) stayed in the body as a second
    # title, and the date and link were not read.
    from datetime import UTC, datetime

    from reader.formats import article_markdown

    saved = Article(source="https://f.example/feed", key="k", title=title,
                    author='Zoë "Z" O\'Neil', url="https://f.example/a?b=1&c=2",
                    published=datetime(2026, 11, 2, 8, 30, tzinfo=UTC),
                    body="First paragraph.\n\nSecond.", kind=SourceKind.FEED)
    data = article_markdown(saved).encode("utf-8")
    (article,) = load_bytes(data, source="saved.md", name="saved.md").articles
    assert (article.title, article.author, article.url, article.published) == (
        saved.title, saved.author, saved.url, saved.published)
    assert article.body == saved.body
    bare = dataclasses.replace(saved, author=None, url=None, published=None)
    (article,) = load_bytes(article_markdown(bare).encode(), source="s.md", name="s.md").articles
    assert (article.author, article.url, article.published) == (None, None, None)


@pytest.mark.parametrize(
    ("line", "value"),
    [('title: "a \\"b\\" \\\\ \\u00e9 \\t"', 'a "b" \\ é'),
     ("title: 'it''s'", "it's"),
     ('title: "unterminated \\', '"unterminated \\'),
     ('title: "bad \\q escape"', "bad \\q escape"),
     ("title: plain: words", "plain: words")],
)
def test_markdown_front_matter_quoting(line: str, value: str) -> None:
    data = f"---\n{line}\n---\n\nBody.\n".encode()
    (article,) = load_bytes(data, source="x.md", name="x.md").articles
    assert article.title == value


def test_markdown_heading_is_the_title_and_leaves_the_body() -> None:
    result = load_bytes(b"# Hello\n\nBody.\n", source="x.md", name="x.md")
    assert result.articles[0].title == "Hello"
    assert result.articles[0].body == "Body."
    hostile = load_path(HOSTILE / "article-markup-injection.md").articles[0]
    assert hostile.title is not None and "[@click" in hostile.title
    assert "\x1b" not in hostile.body


def test_html_page(tmp_path: Path) -> None:
    page = (
        b"<html><head><title>Page title</title></head><body><article><h1>Page title</h1>"
        + b"<p>"
        + b"Readable sentence number one. " * 20
        + b"</p></article></body></html>"
    )
    result = load_bytes(page, source="page.html", name="page.html")
    assert result.kind is SourceKind.HTML
    (article,) = result.articles
    assert article.title == "Page title"
    assert "Readable sentence" in article.body
    assert "<p>" not in article.body


def test_html_without_content_warns() -> None:
    result = load_path(HOSTILE / "html-script-style-only.html")
    assert result.error is None
    assert any("no readable content" in w for w in result.warnings)


def test_feed_file_keeps_the_path_as_source() -> None:
    result = load_path(HOSTILE / "feed-duplicate-guids.xml", source="feeds/dups.xml")
    assert result.kind is SourceKind.FEED
    assert {a.source for a in result.articles} == {"feeds/dups.xml"}
    assert {a.feed_title for a in result.articles} == {"Hostile test feed"}
    assert all(w.startswith("feeds/dups.xml: ") for w in result.warnings)


def test_gzip_feed_file() -> None:
    result = load_path(HOSTILE / "feed-gzip-member.xml.gz")
    assert result.kind is SourceKind.FEED
    assert result.articles[0].title == "gzip file on disk"


def test_opml_file_gives_feed_urls() -> None:
    result = load_path(HOSTILE / "opml-hostile-urls.opml")
    assert result.kind is SourceKind.OPML
    assert result.feed_urls and all(u.startswith("https://") for u in result.feed_urls)
    assert any("exec:" in w for w in result.warnings)


def test_json_feed_bytes() -> None:
    data = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": '
        b'[{"id": "1", "content_text": "hi"}]}'
    )
    result = load_bytes(data, source="f.json", name="f.json")
    assert result.kind is SourceKind.JSON_FEED
    assert result.articles[0].body == "hi"
    assert result.articles[0].body_state is BodyState.SUMMARY


def test_missing_file() -> None:
    result = load_path(Path("/nonexistent/file.txt"))
    assert result.error == "/nonexistent/file.txt: no such file or directory"


def test_unexpected_exceptions_become_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom\nsecond line \x1b[2J")

    monkeypatch.setattr("reader.sources.feeds.parse_feed", boom)
    result = load_path(HOSTILE / "feed-empty-channel.xml")
    assert result.error is not None and "RuntimeError" in result.error
    check_lines(result)


def test_stdin(stub_cleaner: object) -> None:
    body = b"A pipe carries this first paragraph, which is long enough to be a paragraph.\n"
    result = load_stdin(io.BytesIO(body))
    assert result.source == "-"
    assert result.articles[0].source == "-"
    assert "first paragraph" in result.articles[0].body


def test_stdin_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reader.ingest.load.MAX_FILE_BYTES", 10)
    result = load_stdin(io.BytesIO(b"x" * 100))
    assert result.error == "-: input too large (more than 10 bytes)"


def make_dir(root: Path) -> Path:
    top = root / "articles"
    (top / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/c.txt"):
        body = f"Story {name}\n\nMENU HOME SECTIONS\n\nThe body of {name} is here and unique.\n"
        (top / name).write_text(body)
    shutil.copy(HOSTILE / "binary-file.txt", top / "binary.txt")
    shutil.copy(HOSTILE / "feed-duplicate-guids.xml", top / "feed.xml")
    (top / ".hidden.txt").write_text("hidden")
    (top / "link.txt").symlink_to(top / "a.txt")
    os.mkfifo(top / "pipe.txt")
    return top


def test_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stub_cleaner: object) -> None:
    monkeypatch.chdir(tmp_path)
    make_dir(tmp_path)
    results = list(load_directory(Path("articles")))
    sources = [r.source for r in results]
    assert sources == [
        "articles/a.txt",
        "articles/b.txt",
        "articles/binary.txt",
        "articles/feed.xml",
        "articles/link.txt",
        "articles/pipe.txt",
        "articles/sub/c.txt",
    ]
    by_source = {r.source: r for r in results}
    # Skipped members are warnings, not failures: `reader dump dir/` still exits 0.
    assert by_source["articles/binary.txt"].error is None
    assert by_source["articles/binary.txt"].warnings == (
        "articles/binary.txt: not a text file (binary), skipped",
    )
    assert by_source["articles/link.txt"].warnings == (
        "articles/link.txt: symbolic link, not followed",
    )
    assert by_source["articles/pipe.txt"].skipped
    assert all(r.error is None for r in results)
    assert by_source["articles/feed.xml"].kind is SourceKind.FEED
    texts = [by_source[s] for s in ("articles/a.txt", "articles/b.txt", "articles/sub/c.txt")]
    assert all(r.error is None and r.articles[0].key == r.source for r in texts)
    for result in results:
        check_lines(result)


def test_directory_chrome_is_passed_to_the_cleaner(
    tmp_path: Path, stub_cleaner: list[frozenset[str]]
) -> None:
    list(load_directory(make_dir(tmp_path)))
    assert len(stub_cleaner) == 3
    assert all(any("menu home sections" in line for line in chrome) for chrome in stub_cleaner)


def test_no_chrome_with_fewer_than_three_text_files(
    tmp_path: Path, stub_cleaner: list[frozenset[str]]
) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("MENU HOME SECTIONS\n\nBody of the story.\n")
    list(load_directory(tmp_path))
    assert stub_cleaner == [frozenset(), frozenset()]


def test_specs_in_order(tmp_path: Path, stub_cleaner: object) -> None:
    top = make_dir(tmp_path)
    specs = [str(top / "b.txt"), str(tmp_path / "missing.txt"), str(top / "sub")]
    results = list(load_specs(specs))
    assert [r.source for r in results] == [
        str(top / "b.txt"),
        str(tmp_path / "missing.txt"),
        str(top / "sub" / "c.txt"),
    ]
    assert results[1].error == f"{tmp_path / 'missing.txt'}: no such file or directory"


def test_specs_stdin(stub_cleaner: object) -> None:
    (result,) = load_specs(["-"], stdin=io.BytesIO(b"piped text"))
    assert result.source == "-" and result.articles


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads mode-000 files")
def test_unreadable_member_is_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("x")
    locked.chmod(0)
    try:
        (result,) = load_directory(tmp_path)
    finally:
        locked.chmod(0o600)
    assert result.error == f"{locked}: permission denied"


def test_a_binary_file_named_alone_is_an_error() -> None:
    result = load_path(HOSTILE / "binary-file.txt")
    assert result.error is not None and result.skipped


def test_bad_names_are_shown_sanitised(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/bad\xff\x1b[31mname.txt"
    with open(name, "wb") as handle:
        handle.write(b"\x00\x01\x02")
    (result,) = load_directory(tmp_path)
    check_lines(result)
    assert "\ufffd\u241b[31mname.txt" in result.warnings[0]
