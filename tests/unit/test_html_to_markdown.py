"""html_to_markdown: the converter for HTML inside feed entries."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.cleaning.markdown import flatten_nesting, html_to_markdown, visible_text

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
