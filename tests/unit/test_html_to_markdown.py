"""html_to_markdown: the converter for HTML inside feed entries."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reader.cleaning.markdown import flatten_nesting, html_to_markdown, html_to_text, visible_text

BASE = "https://blog.example/posts/42"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_paragraphs_are_separated_by_one_blank_line() -> None:
    md = html_to_markdown("<p>One.</p>\n\n\n<p>Two.</p><div><div><p>Three.</p></div></div>")
    assert md == "One.\n\nTwo.\n\nThree."


def test_headings_lists_and_quotes() -> None:
    md = html_to_markdown(
        "<h2>Section</h2><ul><li>apples</li><li>pears<ul><li>green</li></ul></li></ul>"
        '<ol start="3"><li>third</li><li>fourth</li></ol>'
        "<blockquote><p>First said.</p><p>Then this.</p></blockquote>"
    )
    assert "## Section" in md
    assert "- apples\n- pears\n  - green" in md
    assert "3. third\n4. fourth" in md
    assert "> First said.\n>\n> Then this." in md


def test_code_block_keeps_its_layout() -> None:
    md = html_to_markdown("<pre><code>def f():\n    return 1 &lt; 2</code></pre>")
    assert md == "```\ndef f():\n    return 1 < 2\n```"


def test_table_becomes_a_pipe_table() -> None:
    md = html_to_markdown(
        "<table><tr><th>Name</th><th>Score</th></tr><tr><td>Ann</td><td>1|2</td></tr></table>"
    )
    assert md.splitlines() == ["| Name | Score |", "| --- | --- |", "| Ann | 1/2 |"]


def test_single_column_layout_table_becomes_paragraphs() -> None:
    md = html_to_markdown(
        "<table><tr><td><p>Alpha text.</p></td></tr><tr><td>Beta.</td></tr></table>"
    )
    assert md == "Alpha text.\n\nBeta."


def test_links_resolved_and_only_http_kept() -> None:
    md = html_to_markdown(
        '<p><a href="/about">About us</a>, <a href="javascript:alert(1)">click me</a>, '
        '<a href="data:text/html,x">data</a>, <a href="https://x.example/a(b)">paren</a>.</p>',
        base_url=BASE,
    )
    assert "[About us](https://blog.example/about)" in md
    assert "click me" in md and "javascript" not in md
    assert "data" in md and "data:" not in md
    assert "[paren](https://x.example/a%28b%29)" in md


def test_relative_link_without_base_is_just_text() -> None:
    assert html_to_markdown('<a href="/x">text</a>') == "text"


def test_image_alt_and_line_breaks() -> None:
    md = html_to_markdown('<p>Roses are red<br>violets blue <img src="x.png" alt="A rose"></p>')
    assert md == "Roses are red  \nviolets blue [image: A rose]"


def test_never_shown_elements_comments_and_entities() -> None:
    md = html_to_markdown(
        "<p>Fish &amp; chips &eacute;t&eacute; &#8212; done<!-- hidden comment --></p>"
        "<script>alert('s')</script><style>p{}</style><noscript>ns</noscript>"
        "<iframe>if</iframe><object>ob</object><template>tp</template>"
        "<svg><title>icon bookmark</title></svg><form><input value=v><button>Go</button></form>"
    )
    assert md == "Fish & chips été — done"


def test_prose_is_not_escaped() -> None:
    text = "Use *args and **kwargs, snake_case_name, [1], #hashtag, 3 > 2 and a_b."
    assert html_to_markdown(f"<p>{text.replace('>', '&gt;')}</p>") == text
    assert "\\" not in html_to_markdown("<p>C:\\ is 1*2_3 [x] #y</p>").replace("C:\\", "")


_COMMONMARK = MarkdownIt("commonmark", {"html": False})


def _rendered(markdown: str) -> tuple[str, bool]:
    """The text a CommonMark renderer shows of a paragraph, and whether it set emphasis."""
    html = _COMMONMARK.render(markdown)
    emphasis = "<em>" in html or "<strong>" in html
    text = re.sub(r"<[^>]+>", "", html).replace("&amp;", "&").replace("&quot;", '"')
    return text.replace("&lt;", "<").replace("&gt;", ">").strip(), emphasis


def test_stars_that_would_pair_are_escaped() -> None:
    # Gender stars: two "*" a renderer would pair, setting "innen und Kolleg" in italics.
    md = html_to_markdown("<p>Mitarbeiter*innen und Kolleg*innen</p>")
    assert md == "Mitarbeiter\\*innen und Kolleg\\*innen"
    assert _rendered(md) == ("Mitarbeiter*innen und Kolleg*innen", False)
    assert html_to_markdown("<h2>Kolleg*innen: Mitarbeiter*innen</h2>").count("\\*") == 2
    assert html_to_markdown("<p>a **Note** and _this_</p>") == "a \\*\\*Note\\*\\* and \\_this\\_"
    # what no renderer pairs stays as written: a lone star, spaced stars, words_with_underscores
    for text in ("Use *args and **kwargs", "5 * 3 * 2", "snake_case_name and a_b", "1*2_3"):
        assert html_to_markdown(f"<p>{text}</p>") == text


def test_the_pages_emphasis_stays_beside_escaped_stars() -> None:
    md = html_to_markdown("<p>Liebe <em>Kolleg*innen</em> und <b>alle</b> Mitarbeiter*innen</p>")
    shown, emphasis = _rendered(md)
    assert emphasis and "**alle**" in md
    assert shown == "Liebe Kolleg*innen und alle Mitarbeiter*innen"
    # a link's target keeps its underscores; its label is text like any other
    md = html_to_markdown('<p><a href="https://x.example/a_b_c">_x_</a> and y_z_</p>')
    assert "(https://x.example/a_b_c)" in md and _rendered(md) == ("_x_ and y_z_", False)


def test_a_star_the_page_escaped_itself_is_no_delimiter() -> None:
    # the page's backslash already makes the first "_" text: the second has no partner
    assert html_to_markdown("<p>Programs: ¯\\_(ツ)_/¯</p>") == "Programs: ¯\\_(ツ)_/¯"


def test_many_stars_take_linear_time() -> None:
    start = time.perf_counter()
    md = html_to_markdown("<p>" + "a*b " * 50_000 + "</p>")
    assert time.perf_counter() - start < 5
    assert md.count("\\*") == 50_000


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["*", "**", "_", "__", " ", "a", "b1", ".", "(", ")", "é", "-"]),
                max_size=14))
def test_text_never_renders_as_emphasis(pieces: list[str]) -> None:
    text = "x" + "".join(pieces) + "x"  # not a list item, heading or thematic break
    md = html_to_markdown(f"<p>{text}</p>")
    shown, emphasis = _rendered(md)
    assert not emphasis, (text, md)
    assert shown == " ".join(text.split()), (text, md)


def test_control_characters_removed() -> None:
    md = html_to_markdown("<p>bell\x07 null\x00 esc\x1b[31m red</p>")
    assert not CONTROL.search(md)
    assert "bell" in md and "red" in md


def test_plain_text_fragment() -> None:
    assert html_to_markdown("Just a summary, no tags.") == "Just a summary, no tags."
    assert html_to_markdown("") == ""
    assert html_to_markdown("   ") == ""


def test_deep_nesting_is_fast_and_keeps_text() -> None:
    depth = 100_000
    fragment = "<p>before</p>" + "<div>" * depth + "deep" + "</div>" * depth + "<p>after</p>"
    start = time.perf_counter()
    md = html_to_markdown(fragment)
    assert time.perf_counter() - start < 5
    assert md.split() == ["before", "deep", "after"]


def test_flatten_nesting_keeps_shallow_html_as_is() -> None:
    html = "<div><p>a<b>b</b></p><!-- <div> --><script>if (a<b) {}</script></div>"
    assert flatten_nesting(html) == html


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises_and_has_no_controls(text: str) -> None:
    assert not CONTROL.search(html_to_markdown(text, base_url=BASE))


_TAGS = st.sampled_from(
    ["<p>", "</p>", "<a href='javascript:x'>", "</a>", "<ul>", "<li>", "</ul>", "<pre>",
     "<table>", "<tr>", "<td>", "<br>", "<!--", "-->", "<script>", "</script>", "<b>", "&amp;",
     "<blockquote>", "</div>", "<div>", "<img alt='\x1b'>", "\x00", "\x1b[2J", "\ud800"]
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(_TAGS, st.text(max_size=8)), max_size=60))
def test_tag_soup_never_raises(parts: list[str]) -> None:
    md = html_to_markdown("".join(parts), base_url=BASE)
    assert not CONTROL.search(md)
    assert "\n\n\n" not in md


def test_visible_text_drops_link_targets_only() -> None:
    md = html_to_markdown('<p>See <a href="https://x.example/a(1)">the report</a> [sic].</p>')
    assert visible_text(md) == "See [the report] [sic]."


def test_visible_text_shows_escaped_stars_as_the_page_wrote_them() -> None:
    md = html_to_markdown("<p>def __init__(self): Kolleg*innen, Mitarbeiter*innen</p>")
    assert "\\_\\_init\\_\\_" in md and "\\*innen" in md
    assert visible_text(md) == "def __init__(self): Kolleg*innen, Mitarbeiter*innen"


# -- the element model: a hidden element never takes the text after it ---------------------

LONG = "Long paragraph that must not be lost."


@pytest.mark.parametrize(
    "html",
    [
        f"<p>Watch:</p><embed src=x.swf><p>{LONG}</p>",  # void, unknown to libxml2 as void
        f"<p>Watch:</p><embed src=x.swf></embed><p>{LONG}</p>",
        f"<p>Watch:</p><video><source src=x.mp4><track src=x.vtt><p>{LONG}</p>",
        f"<p>Watch:</p><object data=x.swf><param name=a value=b><p>{LONG}</p>",  # never closed
        f"<p>Watch:</p><OBJECT data=x.swf><p>{LONG}</p>",
        f"<p>Watch:</p><iframe src=https://video.example/1><p>{LONG}</p>",  # raw text, unclosed
        f"<p>Watch:</p><iframe src=https://video.example/1 /><p>{LONG}</p>",
        f"<p>Watch:</p><noscript><img src=x.gif><p>{LONG}</p>",
        f"<p>Watch:</p><textarea><p>{LONG}</p>",
        f"<p>Watch:</p><script src=player.js><p>{LONG}</p>",  # code ends where markup resumes
        f"<div><p>Watch:</p><form action=/x><p>{LONG}</p></div>",
        f"<p>Watch: a<wbr>b</p><p>{LONG}</p>",
    ],
)
def test_text_after_a_hidden_or_void_element_is_kept(html: str) -> None:
    md = html_to_markdown(html)
    assert md.startswith("Watch:")
    assert md.endswith(LONG)


def test_what_a_closed_hidden_element_holds_stays_hidden() -> None:
    md = html_to_markdown(
        "<p>a</p><object data=x><p>fallback</p></object><iframe src=x>frame text</iframe>"
        "<script>var code = 1;</script><noscript><p>enable JS</p></noscript><p>b</p>"
    )
    assert md == "a\n\nb"


def test_unclosed_script_hides_only_its_code() -> None:
    assert html_to_markdown("<p>a</p><script>var x = 1; if (x < 2) go();") == "a"
    # a tag inside a closed script is the script's text, not an element
    md = html_to_markdown('<p>a</p><script>document.write("<object>")</script><p>b</p>')
    assert md == "a\n\nb"


def test_many_unclosed_elements_stay_linear() -> None:
    started = time.perf_counter()
    html_to_markdown("<p>x</p>" + "<script><object><iframe>" * 20_000)
    assert time.perf_counter() - started < 5


# -- text that reads like markup stays text -----------------------------------------------


def test_escaped_markup_in_text_is_written_escaped() -> None:
    md = html_to_markdown("<p>Using &lt;script&gt; tags, &amp;lt; and <code>&lt;b&gt;</code></p>")
    assert md == "Using \\<script> tags, \\&lt; and `<b>`"
    tokens = [t for t in MarkdownIt("commonmark").parse(md) if t.type == "inline"]
    children = tokens[0].children or []
    assert not [c for c in children if c.type == "html_inline"]
    assert "".join(c.content for c in children) == "Using <script> tags, &lt; and <b>"


def test_html_to_text_for_titles() -> None:
    assert html_to_text('<img src=x onerror="alert(1)" alt="a<br>b">Entry') == "Entry"
    assert html_to_text("safe<script>location.href='x';</script> description") == (
        "safe description")
    assert html_to_text("Using &lt;script&gt; tags safely") == "Using <script> tags safely"
    assert html_to_text("<p>One</p><p>two</p> AT&amp;T<br>three") == "One two AT&T three"
    assert html_to_text("x < y and <b>bold</b>") == "x < y and bold"


def test_mathml_reads_as_its_text_without_its_tex_annotation() -> None:
    md = html_to_markdown(
        "<p>Let <math><mi>a</mi><mo>+</mo><mi>b</mi></math> be, and "
        '<math><semantics><mi>x</mi><annotation encoding="application/x-tex">{x}</annotation>'
        "</semantics></math>.</p>"
    )
    assert md == "Let a+b be, and x."


@pytest.mark.parametrize(
    "html",
    [
        "<p>[1]: https://example.org/source-paper</p>",
        "<ul><li>[note]: https://example.org/source-paper</li></ul>",
        "<blockquote><p>[1]: https://example.org/source-paper</p></blockquote>",
        "<p>- [1]: https://example.org/source-paper</p>",
        "<p>1. [1]: https://example.org/source-paper</p>",
    ],
)
def test_text_that_reads_as_a_link_definition_is_still_shown(html: str) -> None:
    # A renderer takes "[1]: url" at a block's start for a link reference definition and
    # shows nothing of it: the page's list of sources would vanish from the reading pane.
    from reader.render import render_article

    shown = render_article(
        title="t", source=None, author=None, published=None, url=None,
        body=html_to_markdown(html),
    ).text.plain
    assert "]: https://example.org/source-paper" in shown


def test_a_paragraph_that_opens_with_a_link_keeps_it() -> None:
    md = html_to_markdown('<p><a href="https://example.org/a">Home</a>: see [x]: there</p>')
    assert md == "[Home](https://example.org/a): see [x]: there"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>&#1;&#1;bold&#1;&#1;</p>", "bold"),
        ("<p>&#1;&#1;&#1;</p>", ""),  # was "***", a rule
        ("<p>&#1; item</p>", "item"),  # was "* item", a list
        ("<p>a&#2;b&#3;c</p>", "abc"),
        ("<p>x <code>a&#1;b</code></p><pre>q&#2;r</pre>", "x `ab`\n\n```\nqr\n```"),
    ],
)
def test_a_pages_own_mark_characters_never_become_markup(html: str, expected: str) -> None:
    # lxml reads "&#1;" as U+0001, one of the characters that stand for emphasis marks
    # while a paragraph is assembled: they came out as "*" and "_"
    assert html_to_markdown(html) == expected
