"""Articles as Markdown: nothing in it is raw HTML a Markdown renderer would run."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from reader.core.models import Article, SourceKind
from reader.formats import article_json, article_markdown, without_raw_html


def raw_html(markdown: str) -> list[str]:
    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "html_block":
            found.append(token.content)
        found += [c.content for c in token.children or () if c.type == "html_inline"]
    return found


def article(title: str, body: str, **fields: object) -> Article:
    return Article(source="notes.md", key="k", title=title, body=body,
                   kind=SourceKind.MARKDOWN, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "Text with <img src=x onerror=alert(1)> inline.",
        "<div>\nA block\n</div>\n\nand a paragraph",
        "<!-- a comment --> then <?php echo 1; ?> and <![CDATA[x]]>",
        "Half escaped \\<b> and <i>raw</i>",
        "a `` ` `` span then <b>raw</b> after",
        "> quoted <span onclick=x>text</span>\n>\n> - item <em>x</em>",
    ],
)
def test_markdown_output_carries_no_raw_html(body: str) -> None:
    markdown = article_markdown(article("Using <script> tags safely", body))
    assert raw_html(markdown) == []
    assert "# Using \\<script> tags safely" in markdown
    assert article_json(article("Using <script> tags safely", body))["title"] == (
        "Using <script> tags safely")


def test_code_keeps_its_brackets() -> None:
    body = "Use `<b>` for bold:\n\n```\n<b>bold</b>\n```\n\nor <b>this</b>."
    assert without_raw_html(body) == (
        "Use `<b>` for bold:\n\n```\n<b>bold</b>\n```\n\nor \\<b>this\\</b>.")


def test_attachments_are_autolinks_that_cannot_close_early() -> None:
    markdown = article_markdown(article("t", "x", enclosures=("https://a.example/x>y<script>",)))
    assert "- <https://a.example/x%3Ey%3Cscript%3E>" in markdown
    assert raw_html(markdown) == []


def test_front_matter_holds_no_tag_either() -> None:
    markdown = article_markdown(article("<b>Bold</b> & co", "x", author="<i>A</i>"))
    front = markdown.split("---")[1]
    assert "<" not in front
    assert 'title: "\\u003cb>Bold\\u003c/b> & co"' in front


def test_front_matter_holds_only_characters_yaml_accepts() -> None:
    # YAML's streams take no U+FFFE or U+FFFF (nor C0/C1 controls, which never get this
    # far): a title holding one ('&#xFFFE;' in a feed) made the saved file's front matter
    # unreadable to every YAML reader. Escaped, it reads back as the same text.
    import json

    markdown = article_markdown(article("A \ufffe title", "body", author="Bob \uffff"))
    front = markdown.split("---\n")[1]
    assert "\ufffe" not in front and "\uffff" not in front
    fields = dict(line.split(": ", 1) for line in front.splitlines())
    assert json.loads(fields["title"]) == "A \ufffe title"  # JSON escapes are YAML's too
    assert json.loads(fields["author"]) == "Bob \uffff"


@pytest.mark.parametrize("letter", ["\U0001d400", "\U00020000", "\u4e2d", "a"])
def test_a_file_name_from_any_title_fits_a_file_system(letter: str, tmp_path) -> None:
    # 80 letters of 𝐁𝐨𝐥𝐝 (U+1D400...), or of CJK Extension B, are 320 bytes in UTF-8:
    # e saved no article with such a title ("file name too long"; most file systems
    # allow 255 bytes)
    from reader.formats import file_stem

    stem = file_stem(letter * 300)
    assert stem.startswith(letter * 10)
    assert len(f"{stem}-99.md".encode()) <= 255
    (tmp_path / f"{stem}-99.md").write_text("x")


def test_raw_html_nested_past_the_parsers_limit_is_escaped_too() -> None:
    # The Markdown written (e, dump --format markdown) is checked for raw HTML with a
    # CommonMark parser that stops at 20 levels: a line quoted deeper kept its <img onerror>
    # and <script> raw, for a renderer that nests deeper to run
    body = ">" * 25 + " <img src=x onerror=alert(1)> and <script>alert(2)</script>"
    markdown = article_markdown(article("Deep", body))
    deep = MarkdownIt("commonmark", {"maxNesting": 1000})
    found = [c.content for t in deep.parse(markdown) for c in t.children or ()
             if c.type == "html_inline"]
    assert found == [] and "onerror=alert(1)" in markdown


def link_targets(markdown: str) -> list[str]:
    """Every address a CommonMark renderer that checks none would link to or load."""
    parser = MarkdownIt("commonmark")
    parser.validateLink = lambda url: True  # markdown-it refuses javascript:, others do not
    found = []
    for token in parser.parse(markdown):
        for child in token.children or ():
            if child.type in ("link_open", "image"):
                found.append(str(child.attrGet("href") or child.attrGet("src")))
    return found


@pytest.mark.parametrize(
    "body",
    [
        "See [click](javascript:alert(1)) here",
        "![pixel](data:image/png;base64,AAAA) and [x]( <vbscript:y>)",
        "[x](\\<file:///etc/passwd>)",
        "An <javascript:alert(2)> autolink and [ref] later\n\n[ref]: javascript:alert(3)",
        "[a](  JAVASCRIPT:x) and [b](file:///etc/passwd \"title\")",
    ],
)
def test_saved_markdown_links_to_no_address_the_reader_would_not_open(body: str) -> None:
    # the reader shows "[click](javascript:alert(1))" as the word "click"; the saved
    # file opened in another Markdown viewer made it a live javascript: link
    markdown = article_markdown(article("[t](javascript:alert(0))", body))
    assert [url for url in link_targets(markdown)
            if not url.startswith(("https:", "http:", "mailto:"))
            and ":" in url.split("/", 1)[0]] == []


def test_saved_markdown_keeps_its_web_links() -> None:
    body = "[a](https://ex.org/a) [m](mailto:me@ex.org) <https://ex.org/b>\n\n[r]: http://ex.org/r"
    markdown = article_markdown(article("T", body + "\n\nsee [r]"))
    assert link_targets(markdown) == ["https://ex.org/a", "mailto:me@ex.org",
                                      "https://ex.org/b", "http://ex.org/r"]


@pytest.mark.parametrize("opening", ["](", "[r]:"])
def test_checking_saved_links_reads_a_long_run_of_spaces_once(opening: str) -> None:
    # the spaces before a link's address were split every way between two \s* before
    # failing: 20,000 of them took 5 s (the size is one where that showed)
    body = "Text " + opening + " " * 20_000 + "! and [a](javascript:x)"
    markdown = article_markdown(article("T", body))
    assert " " * 20_000 + "!" in markdown
    assert "[a\\](javascript:x)" in markdown
