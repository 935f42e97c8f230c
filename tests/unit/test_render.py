"""How an article reads: render_article, count_words and render_raw (no Textual involved)."""

from __future__ import annotations

import re
import time
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.style import Style
from rich.text import Text

from reader.core.words import count_words, dense_script, reading_minutes, unspaced_script
from reader.render import (
    LINK_META_KEY,
    MAX_BODY_CHARS,
    MAX_BODY_LINES,
    MAX_HIGHLIGHTS,
    RenderedArticle,
    link_number_at,
    render_article,
    render_raw,
)

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def render(body: str, **kwargs: object) -> RenderedArticle:
    fields: dict[str, object] = {
        "title": "Title",
        "source": "Feed",
        "author": None,
        "published": None,
        "url": None,
    }
    fields.update(kwargs)
    return render_article(body=body, **fields)  # type: ignore[arg-type]


def body_lines(rendered: RenderedArticle) -> list[str]:
    """The lines after the header (title, metadata, url?, rule, blank)."""
    lines = rendered.text.plain.split("\n")
    rule = next(i for i, line in enumerate(lines) if line.startswith("───"))
    return lines[rule + 2 :]


def styles_over(text: Text, needle: str) -> list[Style]:
    """Every span style that covers the first occurrence of ``needle``."""
    start = text.plain.index(needle)
    end = start + len(needle)
    return [
        s.style if isinstance(s.style, Style) else Style.parse(s.style)
        for s in text.spans
        if s.start <= start and s.end >= end
    ]


def combined(text: Text, needle: str) -> Style:
    return Style.combine([Style(), *styles_over(text, needle)])


# --- header -------------------------------------------------------------------------------


def test_header_has_title_metadata_url_and_rule() -> None:
    rendered = render(
        "Some words here.",
        title="The Title",
        source="Example Feed",
        author="Ann",
        published=datetime(2016, 12, 11, 7, 31),
        url="https://example.com/a",
        badge="summary",
    )
    lines = rendered.text.plain.split("\n")
    assert lines[0] == "The Title"
    assert lines[1] == " summary   Example Feed · Ann · 11 Dec 2016 07:31 · 3 words · 1 min read"
    assert lines[2] == "https://example.com/a"
    assert set(lines[3]) == {"─"}
    assert lines[4] == ""
    assert lines[5] == "Some words here."
    assert combined(rendered.text, "The Title").bold


def test_a_metadata_line_too_long_for_the_measure_breaks_between_its_parts() -> None:
    """"... · 1 min" and "read" alone on the next line, at 120 columns beside the feeds pane."""
    lines = render("word " * 121, title="T", source="Plain Text Engineering",
                   author="Priya Raman", published=datetime(2026, 11, 24, 9, 30),
                   width=80).text.plain.split("\n")
    assert lines[1] == "Plain Text Engineering · Priya Raman · 24 Nov 2026 09:30 · 121 words"
    assert lines[2] == "1 min read"
    assert max(len(line) for line in lines[:3]) <= 80


def test_missing_metadata_is_left_out_and_untitled_shown() -> None:
    lines = render("x", title=None, source=None).text.plain.split("\n")
    assert lines[0] == "(untitled)"
    assert lines[1] == "1 word · 1 min read"


def test_word_count_and_reading_time() -> None:
    body = " ".join(["word"] * 1000)
    rendered = render(body)
    assert rendered.words == 1000
    assert rendered.minutes == 5  # 1000 / 230 rounded up
    assert "1,000 words · 5 min read" in rendered.text.plain
    empty = render("")
    assert empty.minutes == 0 and "0 words" in empty.text.plain
    assert "min read" not in empty.text.plain


def test_count_words_ignores_markup_and_link_targets() -> None:
    assert count_words("# Title\n\nA [link](https://example.com/very/long) and **bold** - x") == 6
    assert count_words("> quoted *words*\n\n- one\n- two") == 4
    assert count_words("") == 0
    # Chinese and Japanese have no spaces between words: each character counts.
    assert count_words("日本語の文章") == 6
    # Korean is written with spaces: its words count like any others.
    assert count_words("서울 시의회 회의") == 3


def test_hangul_is_spaced_for_counting_but_dense_for_the_cleaner() -> None:
    # The text cleaner reads a short line of Hangul as it reads one of Chinese: dense.
    for text in ("日本語", "の", "시의회"):
        assert dense_script().search(text)
    assert unspaced_script().search("日本語の") and not unspaced_script().search("시의회")
    assert not dense_script().search("Quelle élégance, Ελληνικά")


def test_reading_time_rounds_up_and_is_zero_for_nothing() -> None:
    assert [reading_minutes(n) for n in (0, 1, 230, 231, 460)] == [0, 1, 1, 2, 2]


# --- blocks -------------------------------------------------------------------------------


def test_headings_and_paragraphs_separated_by_one_blank_line() -> None:
    rendered = render("# Big\n\nFirst para\ncontinues.\n\n## Small\n\nSecond para.")
    assert body_lines(rendered) == [
        "Big",
        "",
        "First para continues.",
        "",
        "Small",
        "",
        "Second para.",
    ]
    assert combined(rendered.text, "Big").bold
    assert combined(rendered.text, "Big").underline
    assert combined(rendered.text, "Small").bold
    assert not combined(rendered.text, "First para").bold


def test_hard_break_keeps_the_line() -> None:
    assert body_lines(render("one  \ntwo"))[:2] == ["one", "two"]


def test_block_quote_has_gutter_and_italic() -> None:
    rendered = render("> Quoted line\n>\n> second para\n\nafter")
    assert body_lines(rendered) == ["▌ Quoted line", "▌", "▌ second para", "", "after"]
    assert combined(rendered.text, "Quoted line").italic
    assert not combined(rendered.text, "after").italic


def test_bullet_and_ordered_lists_with_nesting() -> None:
    rendered = render("- one\n- two\n  - nested\n- three\n\n9. nine\n10. ten\n\nafter")
    assert body_lines(rendered) == [
        "• one",
        "• two",
        "  ◦ nested",
        "• three",
        "",
        " 9. nine",
        "10. ten",
        "",
        "after",
    ]


def test_loose_list_items_separated_and_continuations_indented() -> None:
    rendered = render("- first\n\n  more of first\n- second")
    assert body_lines(rendered) == ["• first", "", "  more of first", "", "• second"]


def test_code_block_indented_verbatim_and_styled() -> None:
    rendered = render("```python\ndef f():\n\treturn [b]1[/b]\n```\n\nafter")
    assert body_lines(rendered) == ["    def f():", "        return [b]1[/b]", "", "after"]
    assert combined(rendered.text, "def f():").color is not None
    assert not any(span.style for span in rendered.text.spans if "[b]" in str(span.style))


def test_inline_styles() -> None:
    rendered = render("plain *em* **strong** `code`")
    assert combined(rendered.text, "em").italic
    assert combined(rendered.text, "strong").bold
    assert combined(rendered.text, "code").color is not None
    assert body_lines(rendered) == ["plain em strong code"]


def test_table_is_aligned() -> None:
    rendered = render("| Name | Qty |\n|:--|--:|\n| apple | 3 |\n| kiwi | 12 |")
    assert body_lines(rendered) == [
        "Name  │ Qty",
        "──────┼────",
        "apple │   3",
        "kiwi  │  12",
    ]
    assert combined(rendered.text, "Name").bold


def test_table_wider_than_the_measure_is_stacked() -> None:
    wide = "x" * 50
    rendered = render(f"| A | B |\n|---|---|\n| {wide} | {wide} |\n| 1 | 2 |", width=60)
    assert body_lines(rendered) == [f"A: {wide}", f"B: {wide}", "", "A: 1", "B: 2"]


def test_image_shows_alt_text() -> None:
    rendered = render("![A cat on a mat](https://example.com/cat.png) and ![](x.png)")
    assert body_lines(rendered) == ["[image: A cat on a mat] and [image]"]
    assert rendered.links == ()  # images are never fetched nor numbered


def test_html_is_reduced_to_its_text() -> None:
    rendered = render("<div><script>alert(1)</script><b>Kept</b></div>\n\nline<br>break")
    assert body_lines(rendered) == ["Kept", "", "line", "break"]


# --- links --------------------------------------------------------------------------------


def test_links_numbered_in_order_and_listed_at_the_end() -> None:
    rendered = render(
        "See [one](https://a.example/1), [two](http://b.example/2) and [one again](https://a.example/1)."
    )
    assert rendered.links == ("https://a.example/1", "http://b.example/2")
    lines = body_lines(rendered)
    assert lines[0] == "See one[1], two[2] and one again[1]."
    assert lines[1:] == ["", "Links", "[1] https://a.example/1", "[2] http://b.example/2"]
    assert combined(rendered.text, "one").underline


def test_unsafe_links_show_their_text_alone() -> None:
    body = (
        "[js](javascript:alert(1)) [JS2](JaVaScRiPt:alert(1)) [file](file:///etc/passwd) "
        "[rel](../../etc/passwd) [ssh](ssh://host/x) [dash](-oProxyCommand=x) "
        "[data](data:text/html,x) [esc](https://e\x1bvil.example/) <javascript:alert(2)>"
    )
    rendered = render(body)
    assert rendered.links == ()
    text = body_lines(rendered)[0]
    assert "[1]" not in text
    assert text.startswith("js JS2 file rel ssh dash data esc")
    assert "Links" not in rendered.text.plain


def test_autolink_is_numbered() -> None:
    rendered = render("<https://example.com/x>")
    assert rendered.links == ("https://example.com/x",)
    assert body_lines(rendered)[0] == "https://example.com/x[1]"


def test_reference_carries_its_number_for_clicks_and_no_action() -> None:
    rendered = render("[a](https://a.example/) [b](https://b.example/)")
    plain = rendered.text.plain
    assert link_number_at(rendered.text, plain.index("[2]") + 1) == 2
    assert link_number_at(rendered.text, plain.index("a[1]")) is None
    # The Links section's references are clickable too.
    assert link_number_at(rendered.text, plain.rindex("[1]")) == 1


def test_enclosures_listed_as_attachments() -> None:
    rendered = render(
        "[a](https://a.example/)",
        enclosures=["https://cdn.example/ep1.mp3", "file:///etc/passwd", "https://a.example/"],
    )
    assert rendered.links == ("https://a.example/", "https://cdn.example/ep1.mp3")
    tail = rendered.text.plain.split("\n")[-4:]
    assert tail == [
        "Attachments",
        "[2] https://cdn.example/ep1.mp3",
        "file:///etc/passwd",
        "[1] https://a.example/",
    ]


# --- hostile data -------------------------------------------------------------------------

MARKUP_LIKE = "[@click=app.quit]x[/] [b]bold[/b] [link='https://evil']y[/link] [/] [red on]"


def _all_metas(text: Text) -> list[dict[str, object]]:
    return [s.style.meta for s in text.spans if isinstance(s.style, Style) and s.style.meta]


def test_markup_like_data_is_verbatim_and_inert() -> None:
    rendered = render(
        f"# {MARKUP_LIKE}\n\n{MARKUP_LIKE}\n\n> {MARKUP_LIKE}",
        title=MARKUP_LIKE,
        source=MARKUP_LIKE,
        author=MARKUP_LIKE,
        url=MARKUP_LIKE,
    )
    plain = rendered.text.plain
    # Markdown itself reads "[/]" etc. as plain text; brackets survive untouched.
    # title, metadata line, URL line, heading, paragraph, quote
    assert plain.count("[@click=app.quit]x[/]") == 6 + 1
    assert rendered.links == ()
    assert _all_metas(rendered.text) == []
    for span in rendered.text.spans:
        assert isinstance(span.style, Style)
        assert span.style.link is None


def test_only_link_number_meta_and_never_actions() -> None:
    rendered = render(f"[{MARKUP_LIKE}](https://a.example/) {MARKUP_LIKE}")
    for meta in _all_metas(rendered.text):
        assert set(meta) == {LINK_META_KEY}
        assert not any(str(key).startswith("@") for key in meta)


def test_control_characters_never_reach_the_output() -> None:
    nasty = "a\x1b[2Jb\x1b]52;c;ZXZpbA==\x07c\x9b6n\x00d\x7fe\r\x08f &#27; &#x9b; &#0;"
    rendered = render(
        f"# {nasty}\n\n{nasty}\n\n```\n{nasty}\n```\n\n[{nasty}](https://a.example/)",
        title=nasty,
        source=nasty,
        author=nasty,
        url=nasty,
        badge=nasty,
        enclosures=[nasty],
    )
    assert not CONTROL.search(rendered.text.plain)
    assert "\u241b" in rendered.text.plain  # ESC made visible, not silently dropped


def test_highlight_marks_matches_in_title_and_body_case_insensitively() -> None:
    rendered = render("The FOX jumps. A fox again.", title="Fox news", highlight=["fox", " "])
    plain = rendered.text.plain
    highlighted = [
        plain[s.start : s.end]
        for s in rendered.text.spans
        if isinstance(s.style, Style) and s.style.reverse
    ]
    assert sorted(h for h in highlighted if h.strip()) == ["FOX", "Fox", "fox"]


def test_highlight_marks_what_the_search_matched_accents_aside() -> None:
    # the search finds "cafe" in "Café" (its index folds accents); the pane marked nothing
    rendered = render("A CAFÉ by the café, then Cafe Noir. İstanbul, naïve. ｉＰｈｏｎｅ ﬁsh.",
                      highlight=["cafe", "naive", "istanbul", "iphone", "fish"])
    plain = rendered.text.plain
    highlighted = sorted(
        plain[s.start : s.end] for s in rendered.text.spans
        if isinstance(s.style, Style) and s.style.reverse)
    # (a ligature is no one letter: "ﬁsh" is not "fish" here)
    assert highlighted == ["CAFÉ", "Cafe", "café", "naïve", "İstanbul", "ｉＰｈｏｎｅ"]


def test_highlight_terms_with_regex_characters() -> None:
    rendered = render("costs $5 (really) [x]", highlight=["$5 (really)", "[x]"])
    assert combined(rendered.text, "$5 (really)").reverse


# --- raw view -----------------------------------------------------------------------------


def test_raw_view_dims_and_marks_removed_lines() -> None:
    lines = ["icon bookmark", "The article.", "READ MORE: x\x1b[2J"]
    text = render_raw(lines, [False, True, False])
    assert text.plain.split("\n") == [
        "− icon bookmark",
        "  The article.",
        "− READ MORE: x\u241b[2J",
    ]
    assert combined(text, "icon bookmark").dim
    assert combined(text, "icon bookmark").strike
    assert not combined(text, "The article.").dim
    assert not CONTROL.search(text.plain)


def test_raw_view_treats_missing_flags_as_kept() -> None:
    assert render_raw(["a", "b"], [False]).plain == "− a\n  b"


# --- properties ---------------------------------------------------------------------------

_MARKDOWN_BITS = st.sampled_from(
    [
        "# ", "## ", "> ", "- ", "1. ", "* ", "```", "    ", "|", "---", "\n", "\n\n", "[",
        "]", "(", ")", "![", "<", ">", "`", "*", "_", "**", "\\", "&#27;", "&amp;",
        "https://a.example/", "javascript:x", "[@click=app.quit]", "[/]", "\x1b", "\t", "\r",
    ]
)
_MARKDOWN = st.lists(st.one_of(_MARKDOWN_BITS, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(body=_MARKDOWN, title=st.text(max_size=20), highlight=st.lists(st.text(max_size=4)))
def test_arbitrary_markdown_renders_without_controls(
    body: str, title: str, highlight: list[str]
) -> None:
    rendered = render_article(
        title=title,
        source=None,
        author=None,
        published=None,
        url=title,
        body=body,
        highlight=highlight,
        enclosures=[title],
    )
    assert not CONTROL.search(rendered.text.plain)
    assert rendered.minutes == reading_minutes(rendered.words)
    for meta in _all_metas(rendered.text):
        assert set(meta) == {LINK_META_KEY}
    for url in rendered.links:
        assert url.startswith(("http://", "https://"))
    for span in rendered.text.spans:
        assert 0 <= span.start <= span.end <= len(rendered.text.plain)


# --- size and time limits -----------------------------------------------------------------


def test_pathological_brackets_render_quickly_and_say_they_were_cut() -> None:
    # markdown-it spends ~75 µs on each unmatched "[": 300k of them took 20 s unguarded.
    start = time.perf_counter()
    rendered = render("[" * 300_000 + "\n\n" + "![[" * 50_000)
    assert time.perf_counter() - start < 5
    assert "more characters not shown" in rendered.text.plain


def test_very_many_lines_are_cut_at_a_line_break() -> None:
    body = "\n".join(f"line{n}" for n in range(MAX_BODY_LINES + 500))
    plain = render(body).text.plain
    assert f"line{MAX_BODY_LINES - 10} " in plain
    assert f"line{MAX_BODY_LINES + 10}" not in plain
    assert plain.endswith("more characters not shown: too long to display]")


def test_word_count_takes_a_hostile_token_as_one_token() -> None:
    assert count_words("-" * 200_000 + " word") == 2


def test_highlights_are_capped() -> None:
    rendered = render("a " * (MAX_HIGHLIGHTS + 100), highlight=["a"])
    marked = [s for s in rendered.text.spans if isinstance(s.style, Style) and s.style.reverse]
    assert len(marked) == MAX_HIGHLIGHTS


def test_raw_view_cuts_a_huge_line() -> None:
    text = render_raw(["x" * 1_000_000], [True])
    assert len(text.plain) < 10_000
    assert text.plain.endswith("more characters]")


def test_raw_view_is_cut_where_the_article_is() -> None:
    # The pane lays out and paints its text on the UI thread: the article is cut at
    # MAX_BODY_LINES and MAX_BODY_CHARS for it, but the raw view of a 60,000-line dump
    # showed 50,000 lines and the interface did not answer a key for 12 s.
    line = "A line of the dump that reads like a sentence of the article, at length."
    many = render_raw([line] * 60_000, [True] * 60_000)
    assert many.plain.count("\n") <= MAX_BODY_LINES
    assert many.plain.endswith("more lines not shown]")
    wide = render_raw([line * 50] * 1_000, [True] * 1_000)  # 3,600 characters a line
    assert len(wide.plain) < MAX_BODY_CHARS + 5_000
    assert wide.plain.endswith("more lines not shown]")


def test_text_nested_past_the_parsers_limit_is_shown_not_dropped() -> None:
    # markdown-it stops at 20 levels of nesting and skips the rest of the block: a mail
    # thread quoted 25 deep, or a list nested 15 deep, lost its deepest lines, the
    # article's last paragraph with them, without a word.
    quoted = "".join(">" * depth + f" level {depth}\n" for depth in range(1, 40))
    listed = "".join("  " * depth + f"- item {depth}\n" for depth in range(40))
    for body in (quoted + "\nafter the thread", listed + "\nafter the list"):
        shown = "\n".join(body_lines(render(body)))
        for depth in (1, 19, 25, 39):
            assert f" {depth}" in shown, (depth, shown)
        assert "after the" in shown
    deep = render(">" * 5000 + " the deepest words\n\nthe end")  # no RecursionError either
    assert "the deepest words" in deep.text.plain and "the end" in deep.text.plain


def test_text_after_hidden_html_is_kept_whatever_comes_before() -> None:
    # "İ".lower() is two characters: positions found in the lowered HTML were used on the
    # HTML itself, so each İ before a comment or script cut one more character of what
    # followed it (Turkish text lost the words after an HTML comment)
    body = ("<div>" + "\u0130stanbul " * 20 + "<!-- a note --> the words after it stay, "
            "<SCRIPT>x()</SCRIPT> and these too.</div>")
    shown = "\n".join(body_lines(render(body)))
    assert "the words after it stay," in shown and "and these too." in shown
    assert "a note" not in shown and "x()" not in shown


def test_tag_names_are_matched_as_html_matches_them_ascii_only() -> None:
    # A case-blind match in Unicode took "<ſcript" (long s) and "<STYLE" with a Kelvin
    # sign for script and style: the first ended the reading pane in a KeyError, and a
    # "</ſcript" closer showed the script's code. HTML compares tag names in ASCII only.
    body = "<div>\n<\u017fcript>shown()</script> and after\n</div>\n\nthe end"
    shown = "\n".join(body_lines(render(body)))
    assert "and after" in shown and "the end" in shown
    hidden = "<div>\n<script>hidden()</\u017fcript> still code</script> and after\n</div>"
    shown = "\n".join(body_lines(render(hidden)))
    assert "hidden()" not in shown and "still code" not in shown and "and after" in shown
