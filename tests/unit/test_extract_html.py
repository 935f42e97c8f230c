"""extract_article and feed autodiscovery on saved-page fixtures written for these tests."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import lxml.etree as etree
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import FIXTURES, SHARED

import reader.cleaning.markdown as markdown_module
from reader.cleaning.html import (
    DESCRIPTION_WARNING,
    EMPTY_WARNING,
    TRUNCATED_WARNING,
    ExtractedPage,
    ExtractionRules,
    extract_article,
    tidy_blocks,
)
from reader.sources.discover import find_feed_links

FIXTURES = FIXTURES / "html"
SHARED_HOSTILE = SHARED / "hostile"
URL = "https://gazette.example/news/harbour-lights"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def news() -> ExtractedPage:
    return extract_article((FIXTURES / "news_article.html").read_bytes(), url=URL)


def test_structure_is_kept(news: ExtractedPage) -> None:
    body = news.body
    assert "## How the lanterns were saved" in body
    assert "- Forty-two lanterns were restored in total.\n- Six had" in body
    assert "1. Record the position" in body and "3. Fit new glass" in body
    assert "> We thought they were gone for good." in body
    assert (
        '```\nfor lamp in lamps:\n    if not lamp.test():\n        print("replace", lamp.id)\n```'
        in body
    )
    assert "| Year | Trust | Council |\n| --- | --- | --- |\n| 2022 | 12,000 | 8,000 |" in body
    assert "\n\n\n" not in body


def test_links_resolved_and_filtered(news: ExtractedPage) -> None:
    assert "[Harbour Trust](https://gazette.example/groups/harbour-trust)" in news.body
    assert "[public appeal](https://fund.example.org/lights?id=7)" in news.body
    assert "sneaky link" in news.body and "javascript" not in news.body


def test_prose_is_left_as_written(news: ExtractedPage) -> None:
    assert "Prices rose 5*3 = 15% [roughly] since the appeal began_ and costs were #1" in news.body
    assert "\\" not in news.body


def test_stars_a_renderer_would_pair_are_shown_as_written() -> None:
    from reader.render import render_article

    prose = ("Liebe Mitarbeiter*innen und Kolleg*innen, wir freuen uns, heute etwas "
             "anzukündigen. Der Text ist lang genug, um gelesen zu werden.")
    page = extract_article(f"<html><body><article><h1>Stars</h1><p>{prose}</p>"
                           f"<p>{prose}</p></article></body></html>")
    assert "Mitarbeiter\\*innen und Kolleg\\*innen" in page.body
    shown = render_article(title="Stars", source="stars.html", author=None, published=None,
                           url=None, body=page.body).text.plain
    assert "Liebe Mitarbeiter*innen und Kolleg*innen," in shown


def test_chrome_is_gone(news: ExtractedPage) -> None:
    for chrome in (
        "cookie", "Sport", "Weather", "Share on", "Email this story", "Related stories",
        "Pier repairs", "Commenter", "Comments (2)", "Copyright", "Privacy policy",
        "TRACKING-SCRIPT-TEXT", "font-family",
    ):  # fmt: skip
        assert chrome not in news.body, chrome


def test_metadata_from_json_ld(news: ExtractedPage) -> None:
    assert news.title == "Harbour Lights Return to the Old Town"
    assert news.author == "Mara Lindqvist, Tom Ashby"
    assert news.published == datetime(2024, 3, 14, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert news.language == "en-GB"
    assert not news.truncated and news.warnings == ()


def test_title_byline_and_date_not_in_body(news: ExtractedPage) -> None:
    assert "Harbour Lights Return" not in news.body
    assert "Mara Lindqvist" not in news.body
    assert "14 March 2024" not in news.body
    assert news.body.startswith("The lanterns that once lined the harbour wall")


def test_metadata_from_opengraph_and_meta_tags_in_a_declared_charset() -> None:
    page = extract_article((FIXTURES / "opengraph_only.html").read_bytes())
    assert page.title == "Café owners fight the rent rise"
    assert page.author == "José Pérez"
    assert page.published == datetime(2023, 11, 2, 18, 5, tzinfo=UTC)
    assert page.language == "es-ES"
    assert page.body.startswith("Owners of the six cafés on the market square")
    assert "fight the rent rise" not in page.body
    assert "Most read" not in page.body and "Bridge closed" not in page.body


def test_script_and_style_only_page_has_no_readable_content() -> None:
    page = extract_article((FIXTURES / "script_style_only.html").read_bytes())
    assert page.body == ""
    assert EMPTY_WARNING in page.warnings
    assert not page.truncated


def _deep_page(depth: int) -> str:
    intro = "<p>" + "Intro sentence before the nesting starts. " * 12 + "</p>"
    deep = "<p>" + "DEEPMARK text far down the tree. " * 12 + "</p>"
    tail = "<p>" + "TAILMARK sentence after the nesting ends. " * 12 + "</p>"
    return (
        f"<html><body><article>{intro}{'<div>' * depth}{deep}{'</div>' * depth}{tail}"
        "</article></body></html>"
    )


def test_deep_nesting_is_recovered() -> None:
    page = extract_article(_deep_page(300))
    assert "DEEPMARK" in page.body and "TAILMARK" in page.body
    assert not page.truncated and TRUNCATED_WARNING not in page.warnings


def test_deep_nesting_is_reported_when_it_cannot_be_recovered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(markdown_module, "flatten_nesting", lambda html, **_: html)
    page = extract_article(_deep_page(300))
    assert page.truncated
    assert TRUNCATED_WARNING in page.warnings


def test_very_deep_nesting_is_fast() -> None:
    import time

    start = time.perf_counter()
    page = extract_article(_deep_page(100_000))
    assert time.perf_counter() - start < 5
    assert "TAILMARK" in page.body


@pytest.mark.skipif(not SHARED_HOSTILE.is_dir(), reason="../shared/hostile not available")
def test_shared_hostile_pages() -> None:
    deep = extract_article((SHARED_HOSTILE / "html-deep-nesting-300.html").read_bytes())
    assert "TAILMARK" in deep.body or deep.truncated
    empty = extract_article((SHARED_HOSTILE / "html-script-style-only.html").read_bytes())
    assert empty.body == "" and EMPTY_WARNING in empty.warnings


def test_feed_autodiscovery_keeps_only_http_links() -> None:
    html = (FIXTURES / "news_article.html").read_text("utf-8")
    assert find_feed_links(html, base_url=URL) == [
        "https://gazette.example/feeds/news.rss",
        "https://gazette.example/feeds/news.atom",
    ]
    assert find_feed_links(b"<html><head></head></html>", base_url=URL) == []
    json_feed = '<link rel="alternate" type="application/feed+json" href="feed.json">'
    assert find_feed_links(json_feed, base_url=URL) == ["https://gazette.example/news/feed.json"]


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    page = extract_article(data, url="not a url")
    assert not CONTROL.search(page.body)
    find_feed_links(data, base_url=URL)


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=1000))
def test_arbitrary_text_never_raises(text: str) -> None:
    page = extract_article("<html><body><p>" + text + "</p></body></html>")
    assert not CONTROL.search(page.body)
    assert page.title is None or "\n" not in page.title


def _page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_article_split_around_an_ad_is_joined() -> None:
    first = "".join(
        f"<p>First part, paragraph {i}: " + "words in the opening. " * 12 + "</p>" for i in range(3)
    )
    second = "".join(
        f"<p>Second part, paragraph {i}: " + "words after the ad. " * 12 + "</p>" for i in range(4)
    )
    html = _page(
        f'<article><div class="story-text">{first}</div><div class="ad">Advertisement</div>'
        f'<div class="story-text">{second}</div></article>'
    )
    body = extract_article(html).body
    assert "First part, paragraph 0" in body and "Second part, paragraph 3" in body
    assert body.index("First part, paragraph 2") < body.index("Second part, paragraph 0")


def test_a_footer_in_the_class_of_the_article_body_is_not_joined_to_it() -> None:
    # page builders give every text container one class, the footer's disclaimer too
    first = "".join(
        f"<p>First part, paragraph {i}: " + "words in the opening. " * 12 + "</p>" for i in range(3)
    )
    second = "".join(
        f"<p>Second part, paragraph {i}: " + "words after the ad. " * 12 + "</p>" for i in range(4)
    )
    disclaimer = "".join(
        f"<p>Disclaimer {i}: " + "this material is not advice of any kind. " * 8 + "</p>"
        for i in range(2)
    )
    html = _page(
        f'<article><div class="wrapper">{first}</div><div class="ad">Advertisement</div>'
        f'<div class="wrapper">{second}</div></article>'
        f'<div class="site-footer"><div class="wrapper">{disclaimer}</div></div>'
    )
    body = extract_article(html).body
    assert "First part, paragraph 0" in body and "Second part, paragraph 3" in body
    assert "Disclaimer" not in body


def test_short_page_keeps_its_main_element_without_chrome() -> None:
    html = _page(
        '<nav><a href="/">Home</a> <a href="/about">About</a></nav>'
        "<article><h1>Closed Monday</h1><p>The office is closed on Monday for the holiday.</p>"
        "</article><footer>Copyright 2024 Example Ltd</footer>",
        head="<title>Closed Monday</title>",
    )
    page = extract_article(html)
    assert page.title == "Closed Monday"
    assert page.body == "The office is closed on Monday for the holiday."


def test_json_ld_article_body_when_the_page_text_is_scripted() -> None:
    text = "The whole story lives in the structured data. " * 20
    head = (
        '<script type="application/ld+json">'
        + json.dumps({"@graph": [{"@type": "BlogPosting", "headline": "H", "articleBody": text}]})
        + "</script>"
    )
    page = extract_article(_page('<div id="app"></div>', head=head))
    assert page.body == text.strip()
    assert page.title == "H"


TITLES = ["Harbour Lights Return", "Harbour Lights Return | The Gazette"]
PARAGRAPH = "The lanterns are back on the harbour wall after ten years in a storeroom."


def test_tidy_removes_title_standfirst_byline_and_date_at_the_top() -> None:
    blocks = [
        "# Harbour Lights Return",
        "## After a decade in storage, the lanterns are back on the wall",
        "By Mara Lindqvist and Tom Ashby",
        "14.03.2024 09:30",
        PARAGRAPH,
        PARAGRAPH,
        PARAGRAPH,
        "By Mara Lindqvist",  # not at the top any more: kept
    ]
    out = tidy_blocks(
        blocks,
        titles=TITLES,
        description="After a decade in storage, the lanterns are back on the wall.",
        authors="Mara Lindqvist, Tom Ashby",
    )
    assert out == [PARAGRAPH, PARAGRAPH, PARAGRAPH, "By Mara Lindqvist"]


def test_tidy_removes_link_only_blocks_and_items_but_keeps_content_links() -> None:
    blocks = [
        PARAGRAPH,
        "[Pier repairs delayed again](https://g.example/pier)",
        "**Read more:** [Museum reopens](https://g.example/museum)",
        "- [Ferry timetable changes](https://g.example/ferry)\n- A list item of real text",
        "See [the council's report](https://c.example/r) for the full budget of the project.",
        "[https://c.example/report.pdf](https://c.example/report.pdf)",
        "## [Product name as a heading](https://shop.example/p)",
        PARAGRAPH,
    ]
    # the label rule on, and a list's link-only items taken out one by one
    rules = ExtractionRules(label_max_letters=12, mixed_list_share=2.0)
    out = tidy_blocks(blocks, titles=[], rules=rules)
    assert out == [
        PARAGRAPH,
        "- A list item of real text",
        "See [the council's report](https://c.example/r) for the full budget of the project.",
        "[https://c.example/report.pdf](https://c.example/report.pdf)",
        "## [Product name as a heading](https://shop.example/p)",
        PARAGRAPH,
    ]


def test_tidy_top_title_and_date_rules_switch_off_one_by_one() -> None:
    blocks = ["Harbour Lights Return", "14.03.2024 09:30", PARAGRAPH]
    assert tidy_blocks(blocks, titles=TITLES) == [PARAGRAPH]
    no_titles = ExtractionRules(top_titles=False)
    assert tidy_blocks(blocks, titles=TITLES, rules=no_titles) == [blocks[0], PARAGRAPH]
    no_dates = ExtractionRules(top_date_lines=False)
    assert tidy_blocks(blocks, titles=TITLES, rules=no_dates) == blocks[1:]


def test_tidy_link_only_blocks_inside_the_text_can_be_kept_apart_from_the_edges() -> None:
    teaser = "[Pier repairs delayed again](https://g.example/pier)"
    related = "[Museum reopens](https://g.example/museum)"
    first = f"{PARAGRAPH} The council paid for the new wiring and the brackets."
    later = f"Volunteers cleaned every lantern by hand over the winter months. {PARAGRAPH}"
    blocks = [related, first, teaser, later, related]
    assert tidy_blocks(blocks, titles=[]) == [first, later]
    # Off: only the link-only blocks before the first and after the last prose go.
    rules = ExtractionRules(link_only_inside=False)
    assert tidy_blocks(blocks, titles=[], rules=rules) == [first, teaser, later]


def test_tidy_keeps_a_link_written_as_a_sentence_inside_the_text() -> None:
    first = f"{PARAGRAPH} The council paid for the new wiring and the brackets."
    later = f"Volunteers cleaned every lantern by hand over the winter months. {PARAGRAPH}"
    call = "[Book your harbour tour here!](https://tours.example/book)"
    teaser = "[Pier repairs delayed again](https://g.example/pier)"
    blocks = [call, first, call, teaser, later, call]
    # Inside the text only: at the edges it is a call like any other link.
    assert tidy_blocks(blocks, titles=[]) == [first, call, later]
    rules = ExtractionRules(link_sentences_inside=False)
    assert tidy_blocks(blocks, titles=[], rules=rules) == [first, later]


def test_tidy_removes_trailing_heading_stray_words_and_date() -> None:
    blocks = [PARAGRAPH, "### Tell us what you think", "Tags", "comments", "Nov 19, 2019 11:28"]
    assert tidy_blocks(blocks, titles=[]) == [PARAGRAPH]
    # Switched off, everything stays.
    rules = ExtractionRules(trailers=False)
    assert tidy_blocks(blocks, titles=[], rules=rules)[-1] == "Nov 19, 2019 11:28"


def test_feed_autodiscovery_skips_rest_api_json_but_takes_titled_json_feeds() -> None:
    html = (
        '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/7">'
        '<link rel="alternate" type="application/json" title="JSON Feed" href="/feed.json">'
        '<link rel="alternate" type="text/html" hreflang="de" href="/de/">'
    )
    assert find_feed_links(html, base_url=URL) == ["https://gazette.example/feed.json"]


def test_quoted_post_in_the_article_is_kept_as_a_quote() -> None:
    story = "".join(
        f"<p>Paragraph {i} of the story about the campaign and its reception. " * 3 + "</p>"
        for i in range(4)
    )
    tweet = (
        '<div class="social-embed"><blockquote class="twitter-tweet"><p>We are on it, said the '
        "governor in a post that was shared thousands of times.</p>&mdash; Governor (@gov) "
        "November 18, 2019</blockquote></div>"
    )
    body = extract_article(_page(f"<article>{story}{tweet}{story}</article>")).body
    assert "> We are on it, said the governor" in body


def test_a_data_table_in_an_embed_container_is_kept() -> None:
    story = "".join(
        f"<p>Paragraph {i} of the review of the running shoes we tested this year. " * 3 + "</p>"
        for i in range(4)
    )
    rows = "".join(
        f"<tr><td>Model {name}</td><td>{grams} grams</td></tr>"
        for name, grams in (("Alpha", 220), ("Beta", 245), ("Gamma", 260))
    )
    table = f'<div class="w-embed"><table>{rows}</table></div>'
    body = extract_article(_page(f"<article>{story}{table}{story}</article>")).body
    assert "| Model Beta | 245 grams |" in body
    # A share widget of one row (no data table) keeps its name, and trafilatura drops it.
    widget = '<div class="share-embed"><table><tr><td>Share on Mastodon</td></tr></table></div>'
    body = extract_article(_page(f"<article>{story}{widget}{story}</article>")).body
    assert "Mastodon" not in body


def test_a_data_table_s_wrappers_lose_only_their_embed_names() -> None:
    import lxml.html

    from reader.cleaning.html import _unmark_embedded_tables

    rows = "<tr><td>Alpha</td><td>220 grams</td></tr><tr><td>Beta</td><td>245 grams</td></tr>"
    root = lxml.html.fromstring(
        '<div id="main-content" class="entry-content has-embeds">'
        f'<div id="table-embed-1"><table>{rows}</table></div></div>'
    )
    _unmark_embedded_tables(root)
    assert (root.get("id"), root.get("class")) == ("main-content", "entry-content")
    assert root[0].get("id") is None


@pytest.mark.parametrize(
    ("html", "body"),
    [
        ("<p>Just one line of text.</p>", "Just one line of text."),
        ("<svg><title>icon bookmark</title></svg><h1>Real</h1><p>text here</p>", "text here"),
        ("<p>x</p>", "x"),
    ],
)
def test_tiny_pages_keep_their_only_text(html: str, body: str) -> None:
    page = extract_article(html)
    assert page.body == body
    assert page.title != "icon bookmark"


def test_tidy_shows_a_repeated_run_of_blocks_once_but_keeps_short_repeats() -> None:
    article = [f"{PARAGRAPH} Paragraph {i} goes on about the harbour." for i in range(6)]
    line = "Portion: 1 green, 1 red, 1 yellow container."
    blocks = [*article, "## Comments", *article, line, "Lunch: a salad.", line]
    shown = [*article, "## Comments", line, "Lunch: a salad.", line]
    assert tidy_blocks(blocks, titles=[]) == shown


def test_tidy_shows_a_short_post_quoted_whole_once() -> None:
    # A reply that quotes a whole post of 30 words or more says nothing new by the quote.
    post = f"{PARAGRAPH} {PARAGRAPH} The council meets on Friday to vote on it."
    reply = "Good news, and about time too."
    assert tidy_blocks([post, f"> {post}", reply], titles=[]) == [post, reply]


def test_tidy_finds_a_repeat_whether_its_words_are_links_or_not() -> None:
    article = [f"{PARAGRAPH} The harbour story, part {i}." for i in range(6)]
    linked = [
        f"{PARAGRAPH} The harbour story, [part {i}](https://news.example/{i})." for i in range(6)
    ]
    assert tidy_blocks([*article, "## Elsewhere", *linked], titles=[]) == [*article, "## Elsewhere"]


def test_tidy_finds_a_repeat_that_ends_on_a_long_word_or_holds_a_wordless_block() -> None:
    # Only blocks that end on the same word as another are read word by word: a last word
    # longer than the characters read, and a run with a block of no word (a rule) in it,
    # still count.
    long_word = "x" * 90
    article = [
        f"{PARAGRAPH} The harbour story, part one, ends on {long_word}",
        "* * * — — —",
        *(f"{PARAGRAPH} The harbour story, part {i}." for i in range(2, 8)),
    ]
    copy = [f"{article[0]} …", *article[1:]]  # the same words, other signs after them
    assert tidy_blocks([*article, "## Elsewhere", *copy], titles=[]) == [*article, "## Elsewhere"]


@pytest.mark.parametrize(
    ("ending", "copy_ending"),
    [(" " + "—" * 70, ""), (" " + "x" * 90 + ".", " " + "x" * 90 + " …")],
)
def test_tidy_finds_a_single_repeated_block_whatever_it_ends_on(
    ending: str, copy_ending: str
) -> None:
    # One block said twice, nothing else alike on the page: a copy that ends on a long
    # rule, or on a long word with other signs after it, is still the same words.
    post = f"{PARAGRAPH} {PARAGRAPH} The council meets on Friday to vote on it"
    blocks = [post + ending, "Other text here.", post + copy_ending]
    assert tidy_blocks(blocks, titles=[]) == blocks[:2]


def test_tidy_keeps_a_quote_just_short_of_a_repeated_run() -> None:
    post = "The council meets on Friday to vote on the harbour lanterns, and " + " ".join(
        f"word{i}" for i in range(17)
    )  # 29 words
    reply = "Good news, and about time too."
    assert tidy_blocks([post, f"> {post}", reply], titles=[]) == [post, f"> {post}", reply]


def test_tidy_keeps_code_shown_again() -> None:
    # A tutorial prints its whole file again at the end: code is never a repeat to drop.
    code = "```\n" + "\n".join(f"total = total + item_{i}  # step {i}" for i in range(40)) + "\n```"
    blocks = [PARAGRAPH, code, "The whole file, once more:", code]
    assert tidy_blocks(blocks, titles=[]) == blocks

def test_tidy_spots_a_byline_without_knowing_the_author() -> None:
    blocks = ["### by Jeff Foust Monday, November 18, 2019", PARAGRAPH]
    assert tidy_blocks(blocks, titles=[]) == [PARAGRAPH]
    sentence = "By Friday, the council had voted."
    assert tidy_blocks([sentence, PARAGRAPH], titles=[]) == [sentence, PARAGRAPH]


def test_author_and_date_from_the_page_when_no_metadata_declares_them() -> None:
    story = "".join(
        f"<p>Paragraph {i} of a story without any metadata in its head. " * 3 + "</p>"
        for i in range(3)
    )
    byline = '<p class="byline">By <span itemprop="author">Jane Roe</span></p>'
    html = _page(f"<article>{byline}{story}</article>")
    page = extract_article(html, url="https://news.example/2023/05/17/story.html")
    assert page.author == "Jane Roe"
    assert page.published is not None and page.published.date().isoformat() == "2023-05-17"
    assert "Jane Roe" not in page.body


# -- the re-fitted rules (issue 15): each general, each measured by benchmarks/bench_html_extract.py

POST = (
    "I set up the {n} sensor last week and its readings drift after every restart, "
    "so the automation that uses it misfires. "
)


def _forum(with_json_ld: bool) -> str:
    posts = "".join(
        f'<div class="comment-body post"><p>{POST.format(n=i) * 2}</p></div>' for i in range(4)
    )
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "DiscussionForumPosting", "headline": "Sensor drift"}</script>'
    )
    return _page(
        f'<nav><a href="/">Home</a></nav><main><h1>Sensor drift</h1><div class="comments">{posts}'
        "</div></main>",
        head="<title>Sensor drift</title>" + (ld if with_json_ld else ""),
    )


def test_forum_posts_are_kept_when_the_page_says_it_is_a_discussion() -> None:
    # trafilatura drops "comments"; a DiscussionForumPosting in JSON-LD says they are the posts
    body = extract_article(_forum(with_json_ld=True)).body
    assert all(POST.format(n=i).strip() in body for i in range(4))
    assert "sensor" not in extract_article(_forum(with_json_ld=False)).body


def test_a_linked_list_item_with_its_own_text_is_content() -> None:
    item = (
        "- [FabCon](https://fabcon.example/)\n\n  Atlanta. The largest conference on data fabrics."
    )
    nav = "- [Home](https://site.example/)\n- [Events](https://site.example/events)"
    assert tidy_blocks([PARAGRAPH, item, nav], titles=[]) == [PARAGRAPH, item]


def test_list_items_of_one_class_are_not_merged_as_a_split_body() -> None:
    steps = "".join(
        f'<li class="step"><p>Step {i}: open the panel.</p>'
        f'<p>{"Then check the valve. " * 6}</p></li>'
        for i in range(1, 5)
    )
    body = extract_article(_page(f"<article><h1>Valves</h1><ol>{steps}</ol></article>")).body
    assert [line[:10] for line in body.split("\n") if line[:1].isdigit()] == [
        f"{i}. Step {i}:" for i in range(1, 5)
    ]


def test_a_page_with_nothing_but_its_description_shows_the_description() -> None:
    head = '<meta property="og:description" content="Hello there, I am a recent graduate.">'
    page = extract_article(_page('<section id="splash"><div class="dots"></div></section>', head))
    assert page.body == "Hello there, I am a recent graduate."
    assert DESCRIPTION_WARNING in page.warnings and EMPTY_WARNING not in page.warnings


def test_tidying_never_takes_a_page_s_only_words() -> None:
    # a link post: its title is all there is to read, and it repeats the page's title
    title = "Europe must open its skies to satellite providers, the regulator says"
    html = _page(f'<main><h1><a href="https://news.example/a">{title}</a></h1></main>',
                 head=f"<title>{title}</title>")  # fmt: skip
    assert title in extract_article(html).body


def test_a_reading_list_with_some_entries_linked_stays_whole() -> None:
    reading = (
        "- Tuning Your PostgreSQL Server by Greg Smith\n"
        "- [Query Profiler](https://tools.example/profiler) by Devart\n"
        "- VACUUM FULL and why you should avoid it"
    )
    related = "- [Pier repairs](https://g.example/pier)\n- [Museum reopens](https://g.example/m)"
    assert tidy_blocks([PARAGRAPH, reading, related], titles=[]) == [PARAGRAPH, reading]


def _tabs_page(hidden_meta: str = "") -> str:
    def tab(language: str, hidden: str = "") -> str:
        sentence = f"In {language}, create the client and call send with the number. "
        return f'<div class="code-tab"{hidden}><p>{sentence * 4}</p></div>'

    tabs = tab("Python") + tab("JavaScript", " hidden") + tab("Ruby", ' style="display: none"')
    intro = "<p>" + "Send a message with the client library of your choice. " * 2 + "</p>"
    return _page(f"<article><h1>Send</h1>{intro}{tabs}{hidden_meta}</article>")


def test_the_tabs_a_page_hides_until_a_click_are_shown() -> None:
    body = extract_article(_tabs_page()).body
    assert all(f"In {language}, create" in body for language in ("Python", "JavaScript", "Ruby"))


def test_a_hidden_block_with_no_shown_sibling_of_its_kind_stays_hidden() -> None:
    meta = '<div class="meta" style="display:none"><p>2019-11-19T08:57:40+01:00 SAI</p></div>'
    body = extract_article(_tabs_page(meta)).body
    assert "In Ruby, create" in body and "SAI" not in body


STEPS = "".join(
    f"<li>Step {i}: water the plants in the morning and check the soil</li>" for i in range(6)
)
GARDEN = "<p>" + "This is a sentence of the article body about gardens. " * 8 + "</p>"
ARTICLE = "".join(f"<p>Paragraph {i}: {GARDEN[3:-4]}</p>" for i in range(4))


def test_a_list_of_text_trafilatura_leaves_out_is_read_in_its_recall_mode() -> None:
    # trafilatura's balanced mode drops a list inside a layout table's cell
    cell = f"<table><tr><td><p>Intro.</p><ul>{STEPS}</ul></td></tr></table>"
    # (the closing paragraph says something else: a paragraph said again is shown once)
    html = f"<article>{GARDEN}{cell}{GARDEN.replace('gardens', 'orchards')}</article>"
    body = extract_article(_page(html)).body
    assert "- Step 0: water the plants" in body
    assert "- Step 5: water the plants" in body
    assert body.count("This is a sentence") == 16  # once each, in order
    assert body.index("Intro.") < body.index("- Step 0") < body.rindex("This is a sentence")
    # switched off, the balanced mode's body
    from reader.cleaning.html import _draft

    off = ExtractionRules(recall_gain=0)
    assert "Step 0" not in _draft(_page(html), url=None, rules=off).finish(off).body


def test_recall_mode_is_not_tried_for_menus_or_lists_already_read() -> None:
    from reader.cleaning.html import _draft

    menu = "".join(
        f'<li><a href="/s{i}">Section number {i} of the whole site</a></li>' for i in range(9)
    )
    chrome = f"<nav><ul>{STEPS}</ul></nav><footer><ul>{STEPS}</ul></footer>"
    text = ARTICLE  # long enough not to be tried as a scrap of the page
    for html in (
        f"{chrome}<article>{text}<ul>{menu}</ul>{text}</article>",  # chrome, links
        f"<article>{text}<ul>{STEPS}</ul>{text}</article>",  # read by the balanced mode
    ):
        draft = _draft(_page(html), url=None, rules=ExtractionRules())
        assert draft.recall_blocks is None


def test_recall_mode_is_tried_where_the_balanced_extract_is_a_scrap() -> None:
    # a short extract is often what is left of a page trafilatura's balanced mode misread
    from reader.cleaning.html import _draft

    for html, tried in ((GARDEN, True), (ARTICLE, False)):
        draft = _draft(_page(f"<article>{html}</article>"), url=None, rules=ExtractionRules())
        assert (draft.recall_blocks is not None) == tried
    off = ExtractionRules(recall_gain=0)
    assert _draft(_page(f"<article>{GARDEN}</article>"), url=None, rules=off).recall_blocks is None


def test_recall_mode_is_taken_only_when_it_says_more_and_keeps_what_was_read() -> None:
    from reader.cleaning.html import _Draft, _PageMeta

    def body(recall: list[str]) -> str:
        return (
            _Draft(_PageMeta.empty(), [PARAGRAPH], None, False, recall)
            .finish(ExtractionRules())
            .body
        )

    more = [PARAGRAPH, "- " + PARAGRAPH]
    assert body(more) == f"{PARAGRAPH}\n\n- {PARAGRAPH}"
    assert body([PARAGRAPH + " Yes."]) == PARAGRAPH  # not enough more
    install = ["1. Tap the Share icon of the browser and add the app to your home screen."] * 9
    assert body(install) == PARAGRAPH  # more, but other words: another part of the page


def test_sections_of_one_class_that_trafilatura_reads_whole_stay_in_their_order() -> None:
    # a page builder's sections: every text widget of one class, each under its heading
    sections = "".join(
        f'<section><h2>Heading {name}</h2><div class="widget-text">'
        f"<p>{f'Paragraph about {name}, with enough words to be read. ' * 4}</p>"
        f"<p>{f'Second paragraph about {name} and the rest of it. ' * 4}</p></div></section>"
        for name in ("alpha", "beta", "gamma")
    )
    body = extract_article(_page(f"<main>{sections}</main>")).body
    at = [body.index(text)
          for text in ("## Heading beta", "Paragraph about beta", "## Heading gamma")]
    assert at == sorted(at)
    assert body.index("Second paragraph about alpha") < at[0]


POSTS = "".join(
    f'<div class="post"><p>Reply {i}: {"I tried the second setting and it worked for me. " * 6}'
    "</p></div>"
    for i in range(4)
)


def test_a_page_drawn_by_script_shows_what_its_noscript_holds() -> None:
    # saved before its script ran: the posts are only in <noscript>, for crawlers
    html = _page(f'<div id="app">Loading</div><noscript><main>{POSTS}</main></noscript>')
    body = extract_article(html).body
    assert "Reply 0: I tried the second setting" in body
    assert "Reply 3: I tried the second setting" in body
    from reader.cleaning.html import _draft

    off = ExtractionRules(noscript_content=False)
    assert "Reply 0" not in _draft(html, url=None, rules=off).finish(off).body


def test_a_noscript_notice_or_a_copy_of_shown_text_is_not_read() -> None:
    notice = "<noscript><p>This site is best viewed with JavaScript enabled.</p></noscript>"
    body = extract_article(_page(f"{notice}<article>{GARDEN}</article>")).body
    assert "JavaScript" not in body and "sentence of the article" in body
    # a page saved once its script ran shows its posts outside <noscript> as well: the
    # extract of the shown page is read, not the crawler's copy
    copy = POSTS.replace("Reply", "Crawler copy of reply")
    body = extract_article(_page(f"<main>{POSTS}</main><noscript>{copy * 2}</noscript>")).body
    assert "Reply 3: I tried" in body and "Crawler copy" not in body


def test_an_opening_h1_is_dropped_only_when_it_says_the_title() -> None:
    # the page's title with a prefix or its source linked: the title
    for h1 in (
        "# Title: Harbour Lights Return",
        "# Harbour Lights Return [(gazette.example)](https://gazette.example/a/very/long/path)",
    ):
        assert tidy_blocks([h1, PARAGRAPH], titles=TITLES) == [PARAGRAPH]
    # a heading that says something else opens a product or service page: kept
    heading = "# Make your vision a reality with our event planners"
    assert tidy_blocks([heading, PARAGRAPH], titles=TITLES) == [heading, PARAGRAPH]
    off = ExtractionRules(opening_h1=False)
    assert tidy_blocks(["# Title: Harbour Lights Return", PARAGRAPH], titles=[], rules=off)[0]


def test_a_sentence_or_a_heading_naming_the_author_is_no_byline() -> None:
    # an organisation is often the author: its name in a sentence is content
    for block in (
        "Use Supabase to authenticate and authorize your users.",
        "## Call for proposals is open until July 31 by Supabase",
    ):
        assert tidy_blocks([block, PARAGRAPH], titles=[], authors="Supabase") == [
            block,
            PARAGRAPH,
        ]
    line = "Supabase, Staff Writer | Nov 19"
    assert tidy_blocks([line, PARAGRAPH], titles=[], authors="Supabase") == [PARAGRAPH]


def test_answers_trafilatura_keeps_hidden_in_its_extract_are_shown() -> None:
    # an accordion: each answer hidden until its question is clicked; trafilatura copies
    # the container whole, hidden answers and all
    from reader.cleaning.html import _show_hidden
    from reader.cleaning.markdown import render_blocks

    def extract(hidden: str) -> etree._Element:
        return etree.fromstring(
            "<body><div><p>What is an online certificate?</p>"
            f'<div style="display: none;">{hidden}</div></div>'
            f"<p>{PARAGRAPH}</p></body>"
        )

    answer = "<p>A short course of study that ends with a certificate of what was learnt.</p>"
    body = extract(answer)
    _show_hidden(body)
    assert "A short course of study" in "\n\n".join(render_blocks(body))
    # a hidden block that says again what the extract says (metadata for machines) stays
    body = extract(f"<p>{PARAGRAPH}</p>")
    _show_hidden(body)
    assert "\n\n".join(render_blocks(body)).count("The lanterns are back") == 1


# -- the headline: what the page prints, without its site's name -----------------------

_ARTICLE = "<p>" + "The council met on Tuesday and agreed the harbour budget at last. " * 6 + "</p>"


@pytest.mark.parametrize(
    ("head", "h1s", "url", "headline"),
    [
        # og:title carries the site's name: the page's <h1> is the headline printed.
        ('<meta property="og:title" content="Harbour budget agreed | The Gazette">',
         ["Harbour budget agreed"], URL, "Harbour budget agreed"),
        # The site's name, known only from the host, is taken off a declared title.
        ('<meta property="og:title" content="Harbour budget agreed - Gazette.example">',
         [], URL, "Harbour budget agreed"),
        ('<meta property="og:site_name" content="The Gazette">'
         '<meta property="og:title" content="The Gazette: Harbour budget agreed">',
         [], None, "Harbour budget agreed"),
        # A logo <h1> that is the site's name is not the headline.
        ("<title>Harbour budget agreed | Gazette</title>",
         ["Gazette", "Harbour budget agreed"], URL, "Harbour budget agreed"),
        # An <h1> the declared titles do not vouch for (a widget's heading) is passed over.
        ('<meta property="og:title" content="Harbour budget agreed after long night">',
         ["Newsletter sign-up"], URL, "Harbour budget agreed after long night"),
        # One word of a long title is not its headline; a whole part of it is.
        ('<meta property="og:title" content="Why Discord and Slack lost the harbour vote">',
         ["Discord"], URL, "Why Discord and Slack lost the harbour vote"),
        ('<meta property="og:title" content="Economy | Latest from the harbour towns">',
         ["Economy"], URL, "Economy"),
        # A heading's permalink mark goes; capitals are given in the declared case.
        ("<title>Middleware | Framework docs</title>", ["Middleware¶"], None, "Middleware"),
        ('<meta property="og:title" content="Harbour Budget Agreed">',
         ["HARBOUR BUDGET AGREED"], URL, "Harbour Budget Agreed"),
        # A headline printed as declared keeps what is before its colon, though it starts
        # like the host's name ("GitHub Copilot: ..." on github.blog).
        ('<meta property="og:title" content="Gazette Weekly: Harbour budget agreed">',
         ["Gazette Weekly: Harbour budget agreed"], URL, "Gazette Weekly: Harbour budget agreed"),
        # A number after the host's name is a version, not the site: kept, printed or not.
        ('<meta property="og:title" content="Gazette 3.12: Harbour budget agreed">',
         [], URL, "Gazette 3.12: Harbour budget agreed"),
        # A headline that merely starts like the host's name keeps its words.
        ('<meta property="og:title" content="Gazette readers vote on the harbour budget">',
         [], URL, "Gazette readers vote on the harbour budget"),
    ],
)
def test_headline_is_the_printed_one_without_the_site_name(
    head: str, h1s: list[str], url: str | None, headline: str
) -> None:
    headings = "".join(f"<h1>{h1}</h1>" for h1 in h1s)
    page = extract_article(_page(f"<article>{headings}{_ARTICLE}</article>", head=head), url=url)
    assert page.title == headline


def test_headline_survives_a_bad_canonical_address() -> None:
    head = ('<link rel="canonical" href="http://[bad">'
            '<meta property="og:title" content="Harbour budget agreed | Gazette">')
    page = extract_article(_page(f"<article>{_ARTICLE}</article>", head=head))
    assert page.title == "Harbour budget agreed | Gazette"


def test_a_link_and_the_word_next_to_it_never_run_on() -> None:
    # trafilatura can take the space from between a link and the next word when it splits
    # a paragraph at the link: "economy</ref>in different"
    from reader.cleaning.html import _space_links

    body = etree.fromstring(
        '<body><p><ref target="https://a.example/">backbone of the economy</ref>in different'
        ' countries, and the<ref target="https://b.example/">ledger</ref>, kept.</p></body>'
    )
    _space_links(body)
    text = "".join(body.itertext())
    assert text == "backbone of the economy in different countries, and the ledger, kept."
    # words of scripts written without spaces run on as they are
    body = etree.fromstring(
        '<body><p>今回は<ref target="https://c.example/">アプリ</ref>です</p></body>'
    )
    _space_links(body)
    assert "".join(body.itertext()) == "今回はアプリです"


def test_a_link_written_as_part_of_a_word_stays_part_of_it() -> None:
    # only a space trafilatura took is put back: where the page writes the link and the
    # letters after or before it as one word, they stay one
    page = _page(
        "<article>"
        + "<p>The team merged three <a href='https://x.example/pr'>PR</a>s this week and "
        "wrote about <a href='https://x.example/js'>Java</a>Script, un"
        "<a href='https://x.example/do'>do</a>ing nothing of the old code. "
        + "More plain words follow here to make a paragraph of some length. " * 5
        + "</p></article>"
    )
    body = extract_article(page).body
    assert "[PR](https://x.example/pr)s" in body
    assert "[Java](https://x.example/js)Script" in body
    assert "un[do](https://x.example/do)ing" in body


def test_trafilatura_settings_are_built_once_and_as_its_own_options_make_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # trafilatura's Extractor reads a dozen values of its config file: built at every call,
    # it took 1% of a folder's extraction; the reader builds it once per mode and address.
    import trafilatura.core
    import trafilatura.settings

    from reader.cleaning import html as module

    built: list[object] = []
    real = trafilatura.settings.Extractor

    def counted(**options: Any) -> object:
        built.append(options)
        return real(**options)

    module._extractor.cache_clear()
    monkeypatch.setattr(trafilatura.core, "Extractor", counted)
    monkeypatch.setattr(module, "Extractor", counted)
    page = "<html><body><article>" + "<p>The council met about the bridge.</p>" * 40
    for _ in range(3):
        module.extract_article(page + "</article></body></html>")
    assert len(built) == len({repr(options) for options in built}) <= 2  # once per mode
    module._extractor.cache_clear()
    monkeypatch.undo()
    # the same settings as trafilatura makes of the options it is given as arguments
    for recall, options in ((False, module._TRAFILATURA_OPTIONS), (True, module._RECALL_OPTIONS)):
        seen: list[trafilatura.settings.Extractor] = []

        def sequence(tree: Any, options: Any, url: Any = None,
                     seen: list[trafilatura.settings.Extractor] = seen) -> Any:
            seen.append(options)
            raise ValueError

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(trafilatura.core, "trafilatura_sequence", sequence)
            trafilatura.core.bare_extraction("<html><body><p>x</p></body></html>",
                                             url="https://example.org/a", **options)
        ours = module._extractor("https://example.org/a", recall=recall)
        for name in real.__slots__:
            assert getattr(ours, name) == getattr(seen[0], name), name
