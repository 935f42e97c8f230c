"""The plain-text cleaner: the seed dump, each kind of chrome, reflow, dates, robustness."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.cleaning.text import CleanedText, clean_text, normalise_line, repeated_lines
from reader.cleaning.textdates import find_date

FIXTURES = Path(__file__).parent / "fixtures" / "text"
SEED = Path(__file__).resolve().parents[2] / "shared" / "examples" / "palmyra-dump.txt"


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n\n") if p.strip()]


def clean_fixture(name: str) -> CleanedText:
    return clean_text((FIXTURES / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the seed


@pytest.mark.skipif(not SEED.exists(), reason="../shared is not next to the project")
def test_seed_dump_comes_out_exactly_as_expected() -> None:
    expected = json.loads(SEED.with_suffix(".expected.json").read_text(encoding="utf-8"))
    result = clean_text(SEED.read_text(encoding="utf-8"))
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
def harbour() -> CleanedText:
    return clean_fixture("harbour-news.txt")


def test_article_paragraphs_are_kept_in_order(harbour: CleanedText) -> None:
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
def test_chrome_is_removed(harbour: CleanedText, kind: str, junk: str) -> None:
    assert junk not in harbour.body, kind


def test_title_author_and_date_are_metadata(harbour: CleanedText) -> None:
    assert harbour.title == "Harbour bridge to close for three weeks of repairs"
    assert harbour.author == "Margaret Ellison"
    assert harbour.published == datetime(2020, 3, 10, 14, 5)
    assert harbour.title not in harbour.body


def test_kept_flags_match_the_lines(harbour: CleanedText) -> None:
    assert len(harbour.kept) == len(harbour.lines)
    kept_text = {line for line, kept in zip(harbour.lines, harbour.kept, strict=True) if kept}
    assert any(line.startswith(HARBOUR_BODY[0]) for line in kept_text)
    assert not any("Privacy Policy" in line for line in kept_text)


def test_lines_in_the_site_chrome_are_never_body() -> None:
    text = (FIXTURES / "harbour-news.txt").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(HARBOUR_BODY[1]))
    assert line in clean_text(text).body
    without = clean_text(text, chrome=frozenset({normalise_line(line)}))
    assert line not in without.body
    assert HARBOUR_BODY[0] in without.body


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
    result = clean_text("\n".join(lines))
    assert paragraphs(result.body) == lines


def test_lines_of_like_length_are_not_mistaken_for_wrapping() -> None:
    lines = [
        "Council meets again",
        "By Tuesday, officials said, the bridge will have reopened to all traffic in the town.",
        "On Nov 19, 2019 the council met to discuss the bridge and agreed to spend more on it.",
        "The work will take three weeks and will cost the town more than was first planned.",
    ]
    result = clean_text("\n".join(lines))
    assert paragraphs(result.body) == lines[1:]
    assert result.author is None  # "By Tuesday, ..." is a sentence, not a byline


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
        result = clean_text(text)
        assert result.body == ""
        assert len(result.kept) == len(result.lines)


def test_a_lone_line_is_kept_rather_than_nothing() -> None:
    assert clean_text("Just one short note").body == "Just one short note"


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
    result = clean_text(text)
    for field in (result.body, result.title or "", result.author or ""):
        assert not any(ord(c) < 32 and c not in "\n\t" for c in field)
        assert not any(0x7F <= ord(c) <= 0x9F for c in field)
    assert len(result.kept) == len(result.lines)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=120), max_size=30))
def test_arbitrary_lines_never_raise(lines: list[str]) -> None:
    result = clean_text("\n".join(lines))
    assert isinstance(result.body, str)
    assert find_date("\n".join(lines)) is None or isinstance(find_date("\n".join(lines)), datetime)
