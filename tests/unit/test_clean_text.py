"""The plain-text cleaner: the seed dump, each kind of chrome, reflow, dates, robustness."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import FIXTURES, SHARED

from reader.cleaning import text as text_module
from reader.cleaning.text import (
    MAX_SCORED_BLOCKS,
    CleanedDump,
    clean_dump,
    normalise_line,
    repeated_lines,
)
from reader.cleaning.textdates import find_date

FIXTURES = FIXTURES / "text"
SEED = SHARED / "examples" / "palmyra-dump.txt"


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n\n") if p.strip()]


def clean_fixture(name: str) -> CleanedDump:
    return clean_dump((FIXTURES / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the seed


@pytest.mark.skipif(not SEED.exists(), reason="../shared is not next to the project")
def test_seed_dump_comes_out_exactly_as_expected() -> None:
    expected = json.loads(SEED.with_suffix(".expected.json").read_text(encoding="utf-8"))
    result = clean_dump(SEED.read_text(encoding="utf-8"))
    assert result.title == expected["title"]
    assert result.published is not None
    assert result.published.isoformat() == expected["published"]
    assert paragraphs(result.body) == expected["body_paragraphs"]
    for junk in expected["must_not_contain"]:
        assert junk not in result.body
        assert junk not in (result.title or "")


# --------------------------------------------------------------------------- chrome

HARBOUR_BODY = [
    "The old harbour bridge will close to all traffic from Monday",
    "Drivers will be sent along the ring road instead",
    "Engineers found last autumn that two of the eight bearings",
    "Pedestrians and cyclists will still be able to cross",
    '"We know this will be hard for people who use the bridge every day',
    "Local businesses near the harbour have asked the council",
]


@pytest.fixture(scope="module")
def harbour() -> CleanedDump:
    return clean_fixture("harbour-news.txt")


def test_article_paragraphs_are_kept_in_order(harbour: CleanedDump) -> None:
    got = paragraphs(harbour.body)
    assert len(got) == len(HARBOUR_BODY)
    for paragraph, start in zip(got, HARBOUR_BODY, strict=True):
        assert paragraph.startswith(start)


@pytest.mark.parametrize(
    ("kind", "junk"),
    [
        ("icon sprite line", "chevron downicon"),
        ("menu", "Weather"),
        ("sign-in link", "Sign in"),
        ("share buttons", "WhatsApp"),
        ("comment counter", "0 comments"),
        ("cookie notice", "We use cookies"),
        ("READ MORE teaser", "READ MORE"),
        ("teaser target", "Council approves new parking charges"),
        ("photo credit", "Photo: John Carter"),
        ("caption", "A worker inspects the underside"),
        ("related articles", "Related articles"),
        ("related headline", "Lifeboat crew rescues"),
        ("newsletter box", "Sign up to our daily newsletter"),
        ("newsletter pitch", "in your inbox every morning"),
        ("footer links", "Privacy Policy"),
        ("copyright footer", "All rights reserved"),
        ("byline", "By Margaret Ellison"),
        ("date line", "Published: 14:05"),
    ],
)
def test_chrome_is_removed(harbour: CleanedDump, kind: str, junk: str) -> None:
    assert junk not in harbour.body, kind


def test_title_author_and_date_are_metadata(harbour: CleanedDump) -> None:
    assert harbour.title == "Harbour bridge to close for three weeks of repairs"
    assert harbour.author == "Margaret Ellison"
    assert harbour.published == datetime(2020, 3, 10, 14, 5)
    assert harbour.title not in harbour.body


def test_kept_flags_match_the_lines(harbour: CleanedDump) -> None:
    assert len(harbour.kept) == len(harbour.lines)
    kept_text = {line for line, kept in zip(harbour.lines, harbour.kept, strict=True) if kept}
    assert any(line.startswith(HARBOUR_BODY[0]) for line in kept_text)
    assert not any("Privacy Policy" in line for line in kept_text)


def test_lines_in_the_site_chrome_are_never_body() -> None:
    text = (FIXTURES / "harbour-news.txt").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(HARBOUR_BODY[1]))
    assert line in clean_dump(text).body
    without = clean_dump(text, chrome=frozenset({normalise_line(line)}))
    assert line not in without.body
    assert HARBOUR_BODY[0] in without.body


# A short post with a long comment thread under it: the thread has more prose than the
# post, so only its shape says it is not the article.
SHORT_POST_WITH_COMMENTS = "\n".join(
    [
        "Home",
        "Blog",
        "About",
        "Contact",
        "Search",
        "Open thread for October",
        "October 1, 2021 | by Dana",
        "Our goal with these monthly open threads is to give readers a place to raise questions"
        " about our research, our grants and anything else they would like us to look at more "
        "closely.",
        "You can find last month's open thread in the archive, along with our answers to the "
        "questions raised there.",
        "Posted in Open threads | 4 Comments",
        "Previous Post",
        "Next Post",
        "Comments",
        "Sam Okoro on October 2, 2021 at 4:47 pm said:",
        "Has there been any update on the follow-up study of the water programme? The first "
        "results looked promising, but the sample was small and the second round was meant to "
        "settle the question of whether the effect lasts beyond the first year.",
        "Reply",
        "Dana on October 4, 2021 at 9:12 am said:",
        "Hi Sam, we have not reviewed the follow-up yet, but we plan to look at it as part of "
        "our year-end review. We will write about what we find in a separate post, and link to "
        "it from this thread once it is published.",
        "Reply",
        "Priya N. on October 6, 2021 at 8:05 pm said:",
        "I read your report on road safety and did not see any discussion of the cost of slower"
        " journeys. Surely there is some speed below which the time lost outweighs the lives "
        "saved, and it would be good to see that trade-off modelled.",
        "Reply",
        "Dana on October 8, 2021 at 11:30 am said:",
        "Thanks, Priya. Our best guess is that the effect on travel time is small. We have "
        "limited data on this question, and the only estimate we have comes from a single "
        "study, which found no measurable change in average journey times.",
        "Reply",
        "Comments are closed.",
        "Recent posts",
        "Why we changed our minds about bed nets",
        "What a standout charity is",
    ]
)
TEASERS_AFTER_ARTICLE = "\n".join(
    [
        "News",
        "Sport",
        "Weather",
        "Sign in",
        "New tram line to open in the spring",
        "By Lena Fischer",
        "The city's new tram line will open to passengers in the spring, three months later "
        "than planned, the transport authority said on Wednesday after the last safety checks "
        "were delayed.",
        "The line links the main station with the university and the new housing estates in the"
        " east, and is expected to carry about forty thousand passengers on a working day.",
        "Officials blamed the delay on a shortage of inspectors and on the wet autumn, which "
        "held up work on the bridge over the river for several weeks.",
        "Tickets will cost the same as on the rest of the network, and the first month of "
        "travel on the new line will be free for residents of the eastern districts.",
        "You may also like",
        "Council approves budget for new schools",
        "The city council has approved a budget of twelve million for two new primary schools "
        "in the north of the city.",
        "2 hours ago",
        "Heavy rain expected over the weekend",
        "Forecasters warn that up to forty millimetres of rain could fall on Saturday, with a "
        "risk of flooding near the river.",
        "5 hours ago",
        "Museum reopens after two years of repairs",
        "The natural history museum reopened its doors on Tuesday after a renovation that took "
        "twice as long as planned.",
        "1 day ago",
        "Privacy",
        "Terms",
    ]
)
ARTICLE_THEN_MENU_THEN_DISCLAIMER = "\n".join(
    [
        "Home",
        "Recipes",
        "Fitness",
        "How to plan a week of simple lunches",
        "Planning your lunches on a Sunday afternoon saves both money and time during the week,"
        " and it makes it far easier to eat well when the days get busy.",
        "Start by choosing two grains, two proteins and a handful of vegetables that keep well,"
        " and cook them in large batches that can be mixed in different ways.",
        "Store each part separately in the fridge, and put the lunches together each morning, "
        "so that nothing goes soggy before you sit down to eat it.",
        "Related Articles",
        "Meal Prep",
        "Five breakfasts you can make ahead",
        "Meal Prep",
        "Why batch cooking saves money",
        "Meal Prep",
        "Quick dinners for busy weeks",
        "Facebook",
        "Pinterest",
        "Instagram",
        "Join our newsletter",
        "About us",
        "Careers",
        "Contact",
        "Help",
        "Shop",
        "The information on this website is provided for general educational purposes only and "
        "is not intended to replace the advice of a doctor, dietitian or other qualified "
        "professional.",
        "Results vary depending on your starting point, your goals and your effort, and a "
        "balanced diet is needed to reach and keep any result.",
    ]
)


HEADLINES = [
    "Harbour bridge to close for three weeks of bearing repairs",
    "Council approves new budget for two primary schools in the north",
    "Tram line opening delayed until the spring after signal faults",
    "Museum of natural history reopens its whale gallery",
    "Ring road roadworks to add ten minutes to journeys",
    "Library extends its opening hours on weekday evenings",
    "Volunteers plant four hundred trees along the river path",
    "Swimming pool roof repairs finished ahead of schedule",
    "Market square to host a winter fair in December",
    "New cycle lanes planned for the old town centre",
]


def test_a_listing_page_keeps_its_items_and_drops_only_sure_chrome() -> None:
    # No article here: a best run of two or three headlines would be worse than the page.
    lines = ["Home", "News", "Sport", "Weather", "Search", "Latest news", ""]
    for n, headline in enumerate(HEADLINES, 1):
        lines += [headline, f"{n} days ago", ""]
    lines += ["Privacy policy", "Cookie settings", "© 2024 Harbour Gazette"]
    body = clean_dump("\n".join(lines)).body
    assert sum(headline in body for headline in HEADLINES) >= 8
    for chrome in ("Home", "Weather", "Privacy policy", "Cookie settings", "© 2024"):
        assert chrome not in body.splitlines(), chrome
    assert "©" not in body


def test_a_listing_that_links_each_title_twice_keeps_its_titles() -> None:
    # A picture and a headline, each linking to the same story: the title stands twice,
    # which makes a short button ("Reply") chrome but not a headline.
    lines = ["Home", "News", "Sport", "Latest news", ""]
    for n, headline in enumerate(HEADLINES, 1):
        lines += [headline, headline, "Share", f"{n} days ago", ""]
    lines += ["Privacy policy", "© 2024 Harbour Gazette"]
    body = clean_dump("\n".join(lines)).body
    # Each title is one block the model doubts; most are kept (none were when any line
    # standing twice counted as chrome).
    assert sum(headline in body for headline in HEADLINES) >= len(HEADLINES) // 2
    assert "Share" not in body.splitlines()


JOBS = [
    ("Acme", "W21", "is hiring for engineering, growth and product roles", "acme.io"),
    ("Multifactor", "F25", "is hiring an engineering lead", "ycombinator.com"),
    ("Stardex", "S21", "is hiring customer success engineers", "ycombinator.com"),
    ("Roboflow", "S20", "is hiring a security engineer for AI infrastructure", "roboflow.com"),
    ("Reflex", "W23", "is hiring software engineers who know Python", "ycombinator.com"),
    ("Kyber", "W23", "is hiring an enterprise account executive", "ycombinator.com"),
]


def _jobs_listing() -> str:
    lines = ["Hacker News", "new", "|", "past", "|", "comments", "|", "jobs", "|", "submit",
             "login", "These are jobs at startups of the batch. See more at",
             "ycombinator.com/jobs", "."]
    for n, (name, batch, what, site) in enumerate(JOBS, 1):
        lines += [f"{n}.", f"{name} (YC {batch}) {what}", "(", site, ")", f"{n + 2} days ago"]
    lines += ["Guidelines", "|", "FAQ", "|", "API", "|", "Legal", "Search:"]
    return "\n".join(lines)


JOB_TITLES = [f"{name} (YC {batch}) {what}" for name, batch, what, _ in JOBS]


def test_a_listing_keeps_the_short_fields_between_its_titles() -> None:
    # One text node a line: each item is its number, its title, its site between
    # brackets and its age. With no article on the page, the fallback keeps the titles;
    # the short lines between them are the items' fields, not chrome, since the page's
    # blocks end no sentence (a listing, not a thread). A line with no word ("(") is none.
    got = clean_dump(_jobs_listing()).body.splitlines()
    for title in JOB_TITLES[:4]:
        assert title in got, title
    assert "(" not in got and ")" not in got
    assert "ycombinator.com" in got
    assert "roboflow.com" in got
    assert sum(f"{n}." in got for n in range(2, len(JOBS) + 1)) >= 3
    for chrome in ("new", "past", "submit", "login", "Guidelines", "Legal", "Search:"):
        assert chrome not in got, chrome


@pytest.mark.xfail(strict=True, reason="known: the last two titles, after a run of four, "
                   "score under the line of sure chrome while their ages are kept")
def test_a_listing_keeps_its_last_titles() -> None:
    got = clean_dump(_jobs_listing()).body.splitlines()
    assert all(title in got for title in JOB_TITLES[4:])


POSTS = [
    ("TissueBox", "Oct 25, 2017", "13,539", "You and your closest friends have been chosen "
     "by a twist of fate to save the world. What do you do first, and who comes along?"),
    ("Poltergust", "Oct 25, 2017", "14,796", "Do I unlock latent psychic powers throughout "
     "my journey? Because if not then I would rather just leave the Earth to its fate."),
    ("BassForever", "Oct 25, 2017", "32,904", "I cannot comprehend the form of this "
     "thread's attack, but I will try my best to keep up with everyone."),
    ("Manbig", "Oct 26, 2017", "1,571", "My friends and I do not pray, so we are in real "
     "trouble here. We would need a miracle to get through it."),
    ("Saikyo", "Mar 16, 2018", "11,171", "We would waste about an hour just trying to say "
     "his name properly before anything else happened."),
]


def test_a_threads_member_lines_between_its_posts_stay_out() -> None:
    # A thread of short posts: no article run either, but its kept blocks are sentences,
    # so the lines between them are each post's metadata (rank, post number, post count),
    # which a page of titles would keep as its items' fields.
    lines = ["Forums", "Search", "Log in", "Register", "Gaming Forum",
             "You and your friends gotta go fight the final boss", "Thread starter TissueBox"]
    for n, (user, joined, count, text) in enumerate(POSTS, 1):
        lines += [user, "Member", joined, count, "Mar 27, 2025", f"#{n}", text]
    lines += ["Reply", "Share", "© 2025 Example Forums"]
    body = clean_dump("\n".join(lines)).body
    assert sum(text in body for *_, text in POSTS) >= 4
    got = body.splitlines()
    for chrome in ("Member", "#2", "#3", "13,539", "32,904", "Reply", "Share"):
        assert chrome not in got, chrome


ARXIV = [
    ("2603.05498", "The Spike, the Sparse and the Sink: Anatomy of Massive Activations",
     "Shangwen Sun, Alfredo Canziani, Yann LeCun, Jiachen Zhu"),
    ("2603.05485", "Towards Provably Unbiased LLM Judges via Bias-Bounded Evaluation",
     "Benjamin Feuer, Lucas Rosenblatt, Oussama Elachqar"),
    ("2603.05294", "StructuredAgent: Planning with AND/OR Trees for Long-Horizon Web Tasks",
     "Elita Lobo, Xu Chen, Jingjing Meng, Nan Xi, Yang Jiao"),
    ("2603.05290", "X-Ray: Mapping LLM Reasoning Capability via Formalized Probes",
     "Gao Tianxi, Cai Yufan, Yuan Yusi, Dong Jin Song"),
    ("2603.05240", "GCAgent: Enhancing Group Chat Communication through Dialogue Agents",
     "Zijie Meng, Zheyong Xie, Zheyu Ye, Chonggang Lu, Zuozhu Liu"),
    ("2603.05235", "Reclaiming Lost Text Layers for Source-Free Cross-Domain Learning",
     "Zhenyu Zhang, Guangyao Chen, Yixiong Zou, Yuhua Li, Ruixuan Li"),
    ("2603.05225", "AI and Hardware 2035: Shaping the Next Decade of Computing",
     "Deming Chen, Jason Cong, Azalia Mirhoseini, Christos Kozyrakis"),
    ("2603.05218", "KARL: Knowledge Agents via Reinforcement Learning at Scale",
     "Jonathan D. Chang, Andrew Drozdov, Shubham Toshniwal, Owen Oertell"),
]


def _arxiv_listing(*, split: int | None) -> str:
    lines = ["Skip to main content", "Cornell University", "Donate", "Help | Advanced Search",
             "Login", "Help Pages", "About", "Artificial Intelligence",
             "Authors and titles for recent submissions", "Fri, 6 Mar 2026", "Thu, 5 Mar 2026",
             "Total of 1195 entries : 1-50 51-100 101-150",
             "Fri, 6 Mar 2026 (showing first 50 of 212 entries )"]
    widget = ["Mon, 2 Mar 2026 (showing 3 of 180 entries)",
              "Which authors of this paper are endorsers?", "Disable MathJax", "Browse",
              "Sort by", "Newest", "Oldest", "Cited", "Next", "Previous", "Listing", "Filters",
              "Export", "BibTeX", "Feeds", "RSS", "Atom"]
    for n, (number, title, authors) in enumerate(ARXIV):
        if n == split:
            lines += widget
        lines += [f"arXiv:{number} [pdf, html, other]", f"Title: {title}", authors,
                  "Subjects: Artificial Intelligence (cs.AI)"]
    lines += ["About", "Help", "Contact", "Subscribe", "Copyright", "Privacy Policy"]
    return "\n".join(lines)


def test_a_listing_split_by_a_widget_keeps_the_items_past_it() -> None:
    # The best run is one stretch of entries, and it is titles, names and subjects, not
    # prose: no article, but part of a listing. The entries past the widget are kept too.
    body = clean_dump(_arxiv_listing(split=5)).body
    for _, title, _ in ARXIV[:-1]:
        assert title in body, title
    got = body.splitlines()
    for chrome in ("Disable MathJax", "BibTeX", "Sort by", "Privacy Policy", "Donate"):
        assert chrome not in got, chrome


@pytest.mark.xfail(strict=True, reason="known: the entry just before the footer of a "
                   "split listing scores .147 against the .15 line of sure chrome")
def test_a_split_listing_keeps_its_last_entry() -> None:
    assert ARXIV[-1][1] in clean_dump(_arxiv_listing(split=5)).body


def test_a_listing_keeps_its_entries_up_to_the_footer() -> None:
    body = clean_dump(_arxiv_listing(split=None)).body
    for _, title, _ in ARXIV:
        assert title in body, title


def test_comment_thread_after_a_short_post_is_removed() -> None:
    result = clean_dump(SHORT_POST_WITH_COMMENTS)
    assert "Our goal with these monthly open threads" in result.body
    for junk in (
        "Has there been any update",
        "we have not reviewed the follow-up",
        "I read your report on road safety",
        "Our best guess is that the effect",
        "said:",
        "Reply",
    ):
        assert junk not in result.body, junk


def test_headline_and_summary_teasers_after_the_article_are_removed() -> None:
    result = clean_dump(TEASERS_AFTER_ARTICLE)
    got = paragraphs(result.body)
    assert got[0].startswith("The city's new tram line will open")
    assert got[-1].startswith("Tickets will cost the same")
    for junk in (
        "You may also like",
        "Council approves budget",
        "twelve million for two new primary schools",
        "Forecasters warn",
        "The natural history museum reopened",
        "hours ago",
    ):
        assert junk not in result.body, junk


def test_prose_beyond_a_long_menu_after_the_article_is_not_body() -> None:
    result = clean_dump(ARTICLE_THEN_MENU_THEN_DISCLAIMER)
    assert "Planning your lunches on a Sunday afternoon" in result.body
    assert "put the lunches together each morning" in result.body
    assert "general educational purposes" not in result.body
    assert "Results vary" not in result.body
    assert "Five breakfasts" not in result.body


# --------------------------------------------------------------------------- layouts


def test_hard_wrapped_text_is_reflowed_and_lists_kept() -> None:
    result = clean_fixture("wrapped-essay.txt")
    got = paragraphs(result.body)
    assert got[0].startswith("Anyone with a patch of lawn")
    assert got[0].endswith("during the warm months of the year.")
    assert "\n" not in got[0]
    assert "- a hive with frames and a roof\n- a veil and a pair of gloves" in result.body
    assert got[-1].startswith("Neighbours are rarely a problem")
    assert result.title == "On Keeping Bees in a Small Garden"
    assert result.author == "Thomas Reed"
    assert result.published == datetime(2021, 3, 3)


def test_one_paragraph_per_line_needs_no_blank_lines() -> None:
    lines = [
        "The council met on Monday to discuss the budget for the coming year, which was late.",
        "Members argued for three hours about the cost of the new library and the pool.",
        "In the end the budget passed by a single vote, and the library will open in spring.",
    ]
    result = clean_dump("\n".join(lines))
    assert paragraphs(result.body) == lines


def test_lines_of_like_length_are_not_mistaken_for_wrapping() -> None:
    lines = [
        "Council meets again",
        "By Tuesday, officials said, the bridge will have reopened to all traffic in the town.",
        "On Nov 19, 2019 the council met to discuss the bridge and agreed to spend more on it.",
        "The work will take three weeks and will cost the town more than was first planned.",
    ]
    result = clean_dump("\n".join(lines))
    assert paragraphs(result.body) == lines[1:]
    assert result.author is None  # "By Tuesday, ..." is a sentence, not a byline


def test_short_sentences_touching_the_body_are_kept() -> None:
    lines = [
        "Home",
        "Sign in",
        "It was not to be.",
        "The home side led for most of the evening, and a late goal from the visitors settled a "
        "match that had looked won at half time.",
        "The coach said afterwards that his players had tired in the last twenty minutes, and "
        "that the fixture list had been unkind to them this month.",
        "They play again on Saturday.",
        "Privacy",
    ]
    got = paragraphs(clean_dump("\n".join(lines)).body)
    assert got == lines[2:-1]


def test_non_english_pages_are_not_empty() -> None:
    korean = clean_fixture("seoul-korean.txt")
    assert "자전거 전용 도로를 두 배로" in korean.body
    assert "페이스북" not in korean.body
    assert korean.published == datetime(2019, 11, 19, 10, 30)
    german = clean_fixture("berlin-german.txt")
    assert "neue Straßenbahnlinie in den Osten" in german.body
    assert "Lesen Sie auch" not in german.body
    assert "Cookies" not in german.body
    assert german.author == "Anna Becker"


def test_empty_and_blank_input() -> None:
    for text in ("", "\n\n\n", "   "):
        result = clean_dump(text)
        assert result.body == ""
        assert len(result.kept) == len(result.lines)


def test_a_lone_line_is_kept_rather_than_nothing() -> None:
    assert clean_dump("Just one short note").body == "Just one short note"


# The same page saved by lynx -dump (numbered links, a reference list), w3m -dump (form
# widgets) and the html2text converter (Markdown): all hard-wrapped.
HARBOUR_LAYOUTS = ("harbour-lynx.txt", "harbour-w3m.txt", "harbour-markdown.txt")


@pytest.mark.parametrize("name", HARBOUR_LAYOUTS)
def test_a_page_dumped_by_a_text_browser_gives_the_same_article(name: str) -> None:
    result = clean_fixture(name)
    got = paragraphs(result.body)
    assert len(got) == len(HARBOUR_BODY), got
    for paragraph, start in zip(got, HARBOUR_BODY, strict=True):
        assert paragraph.startswith(start)
        assert "\n" not in paragraph
    assert got[0].endswith("the town council said on Tuesday.")
    for junk in ("[1", "](", "https://", "References", "Weather", "Facebook", "READ MORE",
                 "Getty Images", "Related articles", "Ferry timetable", "newsletter",
                 "I agree", "Privacy Policy", "All rights reserved", "____", "[ ]"):
        assert junk not in result.body, (name, junk)
    assert result.title == "Harbour bridge to close for three weeks of repairs"
    assert result.author == "Margaret Ellison"
    assert result.published == datetime(2020, 3, 10, 14, 5)


@pytest.mark.parametrize("name", HARBOUR_LAYOUTS)
def test_a_wrapped_paragraph_keeps_all_its_lines_in_the_raw_view(name: str) -> None:
    result = clean_fixture(name)
    kept = [line.strip() for line, k in zip(result.lines, result.kept, strict=True) if k]
    assert any("replace the worn bearings" in line for line in kept)
    assert any("Thursday evening." in line for line in kept)
    assert not any("harbourgazette.example" in line for line in kept)


def test_folder_chrome_is_learnt_on_blocks_of_wrapped_dumps() -> None:
    disclaimer = ("The Harbour Gazette is published by Harbour Media Ltd, which is registered "
                  "in England and Wales under number 01234567, at 1 Quay Street.")
    stories = [
        "The ferry timetable changes in April, when the summer sailings begin again and the "
        "late boat on Fridays returns after a winter away.",
        "The lifeboat crew rescued two fishermen whose boat lost power off the point in a "
        "rising wind on Sunday afternoon.",
        "The town centre parking charges were approved by the council on Monday evening after "
        "a long debate about the shops.",
        "The harbour festival will be held in July this year, a month earlier than usual, "
        "because of the works on the bridge.",
    ]

    def dump(story: str) -> str:
        lines = ["   * Home", "   * News", ""]
        for paragraph in (story, story.replace("The ", "This year the ", 1), disclaimer):
            lines += ["   " + line for line in textwrap.wrap(paragraph, 60)] + [""]
        return "\n".join(lines)

    texts = [dump(story) for story in stories]
    chrome = repeated_lines(texts)
    assert normalise_line(disclaimer) in chrome
    assert normalise_line(stories[0]) not in chrome
    result = clean_dump(texts[0], chrome=chrome)
    assert "registered in England" not in result.body
    assert "The ferry timetable changes in April" in result.body


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11 Dec, 2016 07:31", datetime(2016, 12, 11, 7, 31)),
        ("PUBLISHED: 00:01, Tue, Nov 19, 2019", datetime(2019, 11, 19, 0, 1)),
        ("2019-11-19", datetime(2019, 11, 19)),
        ("2019-11-19T10:30:00Z", datetime(2019, 11, 19, 10, 30, tzinfo=UTC)),
        ("Updated: 2019-11-19 10:30:00+01:00", None),  # checked below for its offset
        ("Nov 19, 2019", datetime(2019, 11, 19)),
        ("19/11/2019", datetime(2019, 11, 19)),
        ("12/25/2025 | 02:45 PM", datetime(2025, 12, 25, 14, 45)),
        ("11/12/2019", datetime(2019, 12, 11)),  # both could be months: day first
        ("December 11th, 2016 at 7:31 pm", datetime(2016, 12, 11, 19, 31)),
        ("19. November 2019 um 10:15 Uhr", datetime(2019, 11, 19, 10, 15)),
        ("11 de diciembre de 2016", datetime(2016, 12, 11)),
        ("18 ноября 2019, 10:30", datetime(2019, 11, 18, 10, 30)),
        ("입력 2019.11.19 10:30", datetime(2019, 11, 19, 10, 30)),
        ("2019年11月19日", datetime(2019, 11, 19)),
        ("3 hours ago", None),
        ("Copyright 2019", None),
        ("31/02/2019", None),
        ("Jan 1, 1890", None),
    ],
)
def test_find_date(text: str, expected: datetime | None) -> None:
    found = find_date(text)
    if text.startswith("Updated"):
        assert found is not None and found.utcoffset() is not None
        assert found.isoformat() == "2019-11-19T10:30:00+01:00"
    else:
        assert found == expected


# --------------------------------------------------------------------------- directories


def test_repeated_lines_finds_site_chrome_not_articles() -> None:
    menu = "Home\nNews\nSport\nSign in\n"
    footer = "\n© 2020 Example News. All rights reserved.\n"
    topics = ("the harbour", "a new school", "the election", "bees", "the weather")
    articles = [
        menu + f"This article is about {topic} and nothing else.\n" + footer for topic in topics
    ]
    duplicate = menu + "The same story twice, saved under two names.\n" + footer
    chrome = repeated_lines([*articles, duplicate, duplicate])
    assert normalise_line("Home") in chrome
    assert normalise_line("© 2020 Example News. All rights reserved.") in chrome
    assert normalise_line("The same story twice, saved under two names.") not in chrome
    assert not any("article is about" in line for line in chrome)


def test_repeated_lines_needs_enough_files() -> None:
    assert repeated_lines(["Home\nA story.", "Home\nAnother story."]) == frozenset()


def test_normalise_line_ignores_case_spacing_and_numbers() -> None:
    assert normalise_line("  12   Comments ") == normalise_line("3 comments")


# --------------------------------------------------------------------------- robustness


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises_or_leaks_controls(text: str) -> None:
    result = clean_dump(text)
    for field in (result.body, result.title or "", result.author or ""):
        assert not any(ord(c) < 32 and c not in "\n\t" for c in field)
        assert not any(0x7F <= ord(c) <= 0x9F for c in field)
    assert len(result.kept) == len(result.lines)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=120), max_size=30))
def test_arbitrary_lines_never_raise(lines: list[str]) -> None:
    result = clean_dump("\n".join(lines))
    assert isinstance(result.body, str)
    assert find_date("\n".join(lines)) is None or isinstance(find_date("\n".join(lines)), datetime)


def test_a_long_list_is_one_markdown_list() -> None:
    # Each item once added to the list's text so far copied it all: quadratic in a list
    # of thousands of long items.
    item = "The council met on Tuesday to discuss the plan for the new park, which it approved. "
    items = [f"item {i}: {item * 12}".strip() for i in range(3000)]
    result = clean_dump("Harbour bridge to close\n\n" + "\n".join("* " + text for text in items))
    assert result.body == "\n".join("- " + text for text in items)


def test_a_dump_of_more_blocks_than_any_page_is_kept_whole_but_its_chrome() -> None:
    # A hostile file of short lines: past the block budget the model is not run (it would
    # take minutes), and nothing but the folder's known chrome is dropped.
    lines = [f"Line {i} of a long file." for i in range(MAX_SCORED_BLOCKS + 10)]
    lines[5] = "Subscribe to our newsletter"
    cleaned = clean_dump("\n\n".join(lines),
                         chrome=frozenset({normalise_line("Subscribe to our newsletter")}))
    body = cleaned.body.split("\n\n")
    assert "Subscribe to our newsletter" not in body
    assert body[0] == "Line 0 of a long file." or cleaned.title == "Line 0 of a long file."
    assert body[-1] == f"Line {MAX_SCORED_BLOCKS + 9} of a long file."
    assert len(body) >= MAX_SCORED_BLOCKS + 7


# --------------------------------------------------------------------------- headline

# A made-up article's body: the headline tests put different things above it.
ORCHARD_BODY = [
    "The orchard behind the old school will be saved after the town council agreed on "
    "Monday to buy the land from the railway company for a token sum.",
    "Volunteers have looked after the apple and pear trees for twenty years, pruning them "
    "each winter and selling the fruit at the autumn fair to pay for new saplings.",
    "The railway company had planned to sell the land for housing, but the council said "
    "the orchard was the last green space in that part of the town and worth keeping.",
    "Work on a new fence and a path for wheelchairs will start in the spring, and the "
    "orchard will stay open to everyone from dawn until dusk.",
]
ORCHARD_TITLE = "Council buys the old school orchard to save its apple trees"


def orchard(above: list[str], below: list[str] | None = None) -> CleanedDump:
    return clean_dump("\n".join([*above, *ORCHARD_BODY, *(below or [])]))


def test_a_menu_of_list_items_above_the_headline_is_not_the_headline() -> None:
    # w3m and lynx draw a menu as bullets; its entries share words with the body too.
    menu = ["• Orchard", "• Apple trees", "• Council news", "• Volunteers", "• Newsletter"]
    result = orchard([*menu, "", ORCHARD_TITLE, "", "By Ruth Abbott", "12 March 2024", ""])
    assert result.title == ORCHARD_TITLE


def test_share_buttons_and_a_caption_next_to_the_body_are_not_the_headline() -> None:
    result = orchard([
        ORCHARD_TITLE,
        "Facebook Twitter WhatsApp Email",
        "Apple trees in the old school orchard in autumn (Photo: Town Archive)",
    ])
    assert result.title == ORCHARD_TITLE


def test_a_headline_with_its_byline_beats_a_label_sharing_the_body_words() -> None:
    result = orchard([
        "Home", "News", "Orchard volunteers", "Sign in",
        ORCHARD_TITLE, "By Ruth Abbott", "March 12, 2024",
        "Orchard news:", "Listen to this article",
    ])
    assert result.title == ORCHARD_TITLE


def test_a_headline_standing_twice_wins_over_the_breadcrumb_naming_it() -> None:
    result = orchard([
        "Home", "Town", "Environment",
        f"Home » Town » {ORCHARD_TITLE}",
        ORCHARD_TITLE,
        "Share",
    ])
    assert result.title == ORCHARD_TITLE


def test_a_sentence_above_the_body_is_not_the_headline() -> None:
    result = orchard([
        ORCHARD_TITLE,
        "By Ruth Abbott",
        "The council will pay the railway company one pound for the orchard.",
    ])
    assert result.title == ORCHARD_TITLE


@pytest.mark.parametrize(
    "drawn",
    [
        f"• {ORCHARD_TITLE}",  # a text browser's bullet
        f"│ {ORCHARD_TITLE} │ │",  # a cell of a table drawn with borders
        f"| {ORCHARD_TITLE} |",
        f"**** {ORCHARD_TITLE} ****",  # html2text's heading
        f"**{ORCHARD_TITLE}**",
    ],
)
def test_a_title_carries_no_bullet_border_or_markup(drawn: str) -> None:
    result = orchard([drawn, "By Ruth Abbott", ""])
    assert result.title == ORCHARD_TITLE


def test_a_markdown_heading_right_before_the_body_is_the_headline() -> None:
    dump = "\n".join([
        "[Home](https://town.example/) [News](https://town.example/news)",
        "[Orchard walks](https://town.example/walks) [Apple day](https://town.example/apples)",
        "",
        f"# {ORCHARD_TITLE}",
        "",
        "\n\n".join(ORCHARD_BODY),
    ])
    assert clean_dump(dump).title == ORCHARD_TITLE


def test_a_markdown_link_broken_by_the_wrap_is_not_the_headline() -> None:
    # A converter wrapped "[Orchard news](...)" over two lines, and the normaliser could not
    # join them: the second line is half a link, never a headline.
    result = orchard([
        "Home",
        "[Orchard",
        "news](https://town.example/news/council-orchard-apple-trees-volunteers)",
    ])
    assert "](" not in (result.title or "")


# --------------------------------------------------------------------------- rhythm

# What follows a short article on many news sites: each teaser is a headline, an
# author, a date and a snippet, the beat of a list.
SNIPPETS = [
    f"The story behind the headline, told in a sentence or two of summary that a reader "
    f"sees before clicking through to number {n}."
    for n in range(1, len(HEADLINES) + 1)
]
AUTHORS = ["Lena Fischer", "Tom Rogan", "Priya Nair", "Sam Okoro", "Dana Whitfield"]
PARAGRAPHS = [
    "The old harbour bridge will close to all traffic from Monday for three weeks, the "
    "council said, while engineers replace two of the bearings that carry its main span.",
    "Drivers will be sent along the ring road instead, which the council expects to add ten "
    "minutes to most journeys at the busiest times of the day.",
    "Pedestrians and cyclists will still be able to cross on the eastern footway, except on "
    "the two weekends when the cranes are in place and the whole bridge is closed.",
]


def teaser_lines() -> list[str]:
    lines = []
    for n, (headline, snippet) in enumerate(zip(HEADLINES, SNIPPETS, strict=True)):
        lines += [headline, AUTHORS[n % len(AUTHORS)], f"Wednesday November {n + 10}, 2019",
                  snippet]
    return lines


def rhythm_of(lines: list[str]) -> list[float]:
    units = text_module._units(lines)
    picked, _ = text_module._scored(units)
    return text_module._rhythm([units[i] for i in picked])


def test_rhythm_hears_the_beat_of_a_list_of_teasers() -> None:
    beats = rhythm_of(teaser_lines())
    assert min(beats[len(beats) // 4 : -len(beats) // 4]) >= 0.5


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(PARAGRAPHS * 4, id="paragraphs"),
        pytest.param([f"{h} in {w}" for h in HEADLINES for w in ("brief", "depth")], id="menu"),
        pytest.param(
            [line for p in PARAGRAPHS for line in (p, "Advertisement")] * 3, id="ads-between"
        ),
    ],
)
def test_rhythm_is_quiet_where_every_block_has_one_shape(lines: list[str]) -> None:
    # Paragraphs, a menu's links, a paragraph and an unscored label in turn: no beat.
    assert max(rhythm_of(lines)) < 0.2


def test_teasers_after_a_short_article_are_not_body_but_a_page_of_them_is() -> None:
    article = [
        "News",
        "Sport",
        "Harbour bridge to close for three weeks",
        "By Lena Fischer",
        *PARAGRAPHS,
        "More from the Gazette",
    ]
    # Eight teasers, more prose than the article: without the rhythm half were kept.
    teasers = teaser_lines()[: 4 * 8]
    body = clean_dump("\n".join([*article, *teasers, "Privacy policy"])).body
    assert PARAGRAPHS[0] in body
    assert not any(snippet in body for snippet in SNIPPETS)
    listing = clean_dump("\n".join(["News", "Sport", "Latest news", *teaser_lines()])).body
    assert sum(snippet in listing for snippet in SNIPPETS) >= len(SNIPPETS) // 2


def test_a_model_fitted_on_other_features_is_refused() -> None:
    shipped = json.loads(text_module.MODEL_PATH.read_text(encoding="utf-8"))
    assert text_module._model_from(shipped).w1  # the shipped model names today's features
    stale = {**shipped, "features1": shipped["features1"][:-1], "w1": shipped["w1"][:-1]}
    with pytest.raises(ValueError, match="features1 are not this cleaner's"):
        text_module._model_from(stale)
    with pytest.raises(ValueError, match="w2 is not one weight a feature"):
        text_module._model_from({**shipped, "w2": shipped["w2"][:-1]})


def test_a_dumps_line_that_reads_as_a_link_definition_is_still_shown() -> None:
    from reader.render import render_article

    dump = (
        "The Harbour Wall Is Rebuilt\n\n"
        "The harbour wall was rebuilt in 1890 after the great storm, as the records of the "
        "town show in some detail for anyone who goes to look at them.\n\n"
        "[1]: https://example.org/source-paper\n\n"
        "The second paragraph goes on about the wall and the storm for a while longer, "
        "with more words about the town and the sea.\n"
    )
    for line in ("[1]: https://example.org/source-paper", "- [1]: https://example.org/source-paper",
                 "2. [1]: https://example.org/source-paper", "> [1]: https://example.org/source-paper"):
        body = clean_dump(dump.replace("[1]: https://example.org/source-paper", line)).body
        assert "[1]: https://example.org/source-paper" in body.replace("\\[", "["), line
        shown = render_article(
            title="t", source=None, author=None, published=None, url=None, body=body
        ).text.plain
        assert "[1]: https://example.org/source-paper" in shown, line


def test_a_run_ended_by_the_marks_of_other_scripts_is_prose() -> None:
    # A run of sentences that end with a danda or an Arabic full stop is prose, not a
    # listing's titles; a page of Thai, whose sentences end with a space, is not judged.
    from reader.cleaning.text import _sentence_share, _Unit

    hindi = "यह एक लंबा वाक्य है जो पूरे विचार को बताता है।"
    urdu = "یہ ایک لمبا جملہ ہے جو پوری بات کہتا ہے۔"
    thai = "นี่คือประโยคยาวที่ บอกความคิดทั้งหมด"
    for text in (hindi, urdu):
        units = [_Unit(text, 0, 0)] * 4
        assert _sentence_share(units, range(4)) == 1.0
    assert _sentence_share([_Unit(thai, 0, 0)] * 4, range(4)) is None
    assert _sentence_share([_Unit("Acme is hiring", 0, 0)] * 4, range(4)) == 0.0


SHORT_ARTICLE = [
    "The old harbour bridge will close to all traffic from Monday for three weeks of "
    "repairs, the council said.",
    "Engineers found that two of its eight bearings had worn far faster than expected "
    "since the last inspection.",
]


def test_a_short_article_beside_a_list_of_headlines_is_the_article() -> None:
    # The headlines hold more words than the article, but they end no sentence: they count
    # half in what the page holds, and the article is no longer too small a part of it.
    headlines = [f"{h} as the town waits" for h in HEADLINES] + [
        f"{h}: what we know" for h in HEADLINES[:2]
    ]
    lines = ["News", "Sport", "Harbour bridge to close for three weeks", *SHORT_ARTICLE,
             "Most read", *headlines, "Privacy policy", "© 2024 Harbour Gazette"]
    body = clean_dump("\n".join(lines)).body
    assert all(paragraph in body for paragraph in SHORT_ARTICLE)
    assert not any(headline in body for headline in headlines)


def test_a_short_post_among_other_posts_keeps_the_thread() -> None:
    # The other posts end their sentences: they count in full, and the page is a thread.
    posts = [
        "I drove over the bridge every day for years and never noticed a thing wrong with it.",
        "The ring road will be a nightmare at eight in the morning, mark my words on that.",
        "Three weeks sounds optimistic to me. These jobs always take twice as long as planned.",
        "Does anyone know whether the footway stays open for bikes during the whole repair?",
        "My cousin works for the contractor and says the new bearings are already on site.",
        "Good to see the council finally spending money on something we all actually use.",
    ]
    lines = ["Forum", "Login", "Harbour bridge closure", *SHORT_ARTICLE[:1]]
    for n, post in enumerate(posts):
        lines += [f"member{n}", "Posts: 12", post]
    body = clean_dump("\n".join([*lines, "Privacy policy"])).body
    assert sum(post in body for post in posts) >= len(posts) - 1


def test_a_superscript_word_where_a_month_stands_is_no_date() -> None:
    # "²²²" is a word of \w that is no \d, and str.isdigit took it for a number: int()
    # refused it, and a text file with such a dateline failed to load whole
    assert find_date("Posted 5 ²²² 2020") is None
    assert find_date("Posted 5 ①②③ 2020") is None
    assert find_date("Posted 5 March 2020") == datetime(2020, 3, 5)


# --------------------------------------------------------------------------- teaser heads

MOST_READ = [
    "Council approves budget for two new primary schools",
    "Storm warning issued for the coast on Friday night",
    "Museum reopens after a year of repairs to its roof",
    "Local bakery wins national award for its sourdough",
    "Ferry timetable changes from the first of December",
]
LONGER_ARTICLE = [
    *PARAGRAPHS,
    "Businesses on the quay have asked for the work to be moved to the winter, when fewer "
    "visitors come to the harbour, but the council says the bearings cannot wait that long.",
    "The bridge was last closed for repairs eleven years ago, when the work took a month "
    "longer than planned because of a wet autumn and a shortage of steel in the region.",
]


def teaser_head(lines: list[str]) -> list[str]:
    """What _teaser_head cuts from a run made of all these lines."""
    units = text_module._units(lines)
    picked, _ = text_module._scored(units)
    end = text_module._teaser_head(units, picked, 0, len(picked) - 1)
    return [units[i].text for i in picked[:end]]


def test_a_list_of_headlines_opening_the_run_is_cut_before_the_article() -> None:
    cut = teaser_head([*MOST_READ, "Harbour bridge to close for three weeks", *LONGER_ARTICLE])
    assert cut == [*MOST_READ, "Harbour bridge to close for three weeks"]


def test_the_articles_own_list_before_its_prose_stays() -> None:
    # Introduced by a colon, or holding one: the article's list.
    intro = "What changes for drivers from Monday morning:"
    assert teaser_head([intro, *MOST_READ, *LONGER_ARTICLE]) == []
    assert teaser_head([*MOST_READ[:2], intro, *MOST_READ[2:], *LONGER_ARTICLE]) == []
    # Items alike in form: a table's rows, a list of dates, lines of code.
    dates = [f"June {n} -- Harbour Hall, Kingsport, ME" for n in range(1, 7)]
    assert teaser_head([*dates, *LONGER_ARTICLE]) == []
    # Too little prose after it to be sure of an article.
    assert teaser_head([*MOST_READ, *PARAGRAPHS[:2]]) == []
    # Two headline-like lines are a title and a byline, not a list.
    assert teaser_head([*MOST_READ[:2], *LONGER_ARTICLE]) == []
