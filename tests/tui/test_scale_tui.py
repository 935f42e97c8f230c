"""The TUI on a large generated library (20,000 articles): scrolling, jumping, search, filters
(unread, starred, one feed, a date range) and sort, asserted on the rows the article list
draws. Correctness only: no timing here (``benchmarks/bench_scale.py`` measures).

The library is built once per module through the Storage API and copied for each test.
Article ``k`` in date order (newest first) is story ``e = k // FEEDS`` of feed ``f = k % FEEDS``
and its title starts with ``F{f}-S{e}``, so every displayed line says which article it is.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.pilot import make_app

from reader.core.config import Config
from reader.core.models import Article, BodyState, SourceKind
from reader.library import Library
from reader.storage.sqlite import SqliteStorage
from reader.tui.app import ReaderApp
from reader.tui.widgets.article_list import STAR_MARK, UNREAD_MARK, ArticleList

FEEDS = 40
STORIES = 500
TOTAL = FEEDS * STORIES  # 20,000
BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TOPICS = ("river", "council", "budget", "school", "market", "energy", "railway", "museum")
RARE = "zanzibar"  # in the title and body of every 101st article (by date order)
SIZE = (160, 40)
ROW = re.compile(r"F(\d+)-S(\d+)\b")


def order(f: int, e: int) -> int:
    """The position of story e of feed f in the date order (0: newest)."""
    return e * FEEDS + f


def is_read(f: int, e: int) -> bool:
    return e % 2 == 1


def is_starred(f: int, e: int) -> bool:
    return e % 50 == 0 and f % 4 == 0


def is_rare(f: int, e: int) -> bool:
    return order(f, e) % 101 == 0


def title(f: int, e: int) -> str:
    rare = f"{RARE} " if is_rare(f, e) else ""
    return f"F{f}-S{e} {rare}about the {TOPICS[(f + e) % len(TOPICS)]}"


def all_stories() -> Iterator[tuple[int, int]]:
    for f in range(FEEDS):
        for e in range(STORIES):
            yield f, e


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 20,000-article library, built once (a few seconds) for every test of the module."""
    path = tmp_path_factory.mktemp("scale") / "library.sqlite"
    storage, _ = SqliteStorage.open(path)
    batches = []
    for f in range(FEEDS):
        url = f"https://example.org/scale/{f}.xml"
        feed_id = storage.upsert_feed(url, title=f"Feed {f:02d}", subscribed=True)
        articles = [Article(
            source=url, key=f"{f}-{e}", title=title(f, e), author="A. Writer",
            url=f"https://example.org/scale/{f}/{e}.html",
            published=BASE - timedelta(minutes=order(f, e)),
            body=f"Story {e} of feed {f}. " + ("Words about the harbour. " * 8)
            + (f"It happened in {RARE}." if is_rare(f, e) else ""),
            body_state=BodyState.FULL, kind=SourceKind.FEED) for e in range(STORIES)]
        batches.append((feed_id, articles))
    storage.upsert_many(batches)
    ids = {(f, e): i for f, e, i in _keys(path)}
    storage.set_read([ids[k] for k in all_stories() if is_read(*k)], True)
    storage.set_starred([ids[k] for k in all_stories() if is_starred(*k)], True)
    storage.close()
    return path


def _keys(path: Path) -> Iterator[tuple[int, int, int]]:
    with closing(sqlite3.connect(path)) as conn:
        for key, article_id in conn.execute("SELECT key, id FROM articles"):
            f, e = key.split("-")
            yield int(f), int(e), article_id


@pytest.fixture
def scale_library(built: Path, db_file: Path, config_file: Path) -> Iterator[Library]:
    """A copy of the built library at READER_DB (the tests may change read state)."""
    shutil.copyfile(built, db_file)
    config_file.write_text("[refresh]\non_start = false\ninterval_minutes = 0\n")
    library = Library.open(db_file)
    yield library
    library.close()


def article_list(app: ReaderApp) -> ArticleList:
    return app.query_one(ArticleList)


def shown(app: ReaderApp) -> list[str]:
    """The lines the article list draws now."""
    articles = article_list(app)
    height = articles.scrollable_content_region.height
    return ["".join(segment.text for segment in articles.render_line(y)) for y in range(height)]


def shown_stories(app: ReaderApp) -> list[tuple[int, int]]:
    stories = []
    for line in shown(app):
        match = ROW.search(line)
        if match:
            stories.append((int(match.group(1)), int(match.group(2))))
    return stories


def status(app: ReaderApp) -> str:
    return str(app.query_one("#status").render())


async def settle(pilot: object, *, count: int | None = None, timeout: float = 10.0) -> None:
    """Until the workers are done, the visible rows are drawn (and the view has ``count``)."""
    app = pilot.app  # type: ignore[attr-defined]
    articles = article_list(app)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]
        visible = articles.visible_ids()
        drawn = all(articles.cached_row(i) is not None for i in visible)
        if drawn and visible and (count is None or len(articles.ids) == count):
            await pilot.pause()  # type: ignore[attr-defined]
            return
        if loop.time() > deadline:
            raise AssertionError(f"the list did not settle: {len(articles.ids)} ids, "
                                 f"wanted {count}; shown {shown(app)[:3]}")
        await asyncio.sleep(0.02)


def cursor_story(app: ReaderApp) -> tuple[int, int]:
    articles = article_list(app)
    row = articles.cached_row(articles.ids[articles.cursor])
    assert row is not None and row.title is not None
    match = ROW.search(row.title)
    assert match
    return int(match.group(1)), int(match.group(2))


def story_at(k: int) -> tuple[int, int]:
    return k % FEEDS, k // FEEDS


# ------------------------------------------------------------------------------- tests


async def test_opens_newest_first_with_every_article(scale_library: Library) -> None:
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        stories = shown_stories(app)
        height = article_list(app).scrollable_content_region.height
        assert stories == [story_at(k) for k in range(height)]
        assert "20,000 articles" in status(app)
        lines = shown(app)
        assert lines[0].startswith(UNREAD_MARK + " " + STAR_MARK)  # F0-S0: unread, starred
        for line, (f, e) in zip(lines, stories, strict=True):
            assert line.startswith(UNREAD_MARK) != is_read(f, e)
            assert (STAR_MARK in line[:4]) == is_starred(f, e)


async def test_j_and_k_scroll_through_the_list(scale_library: Library) -> None:
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        articles = article_list(app)
        height = articles.scrollable_content_region.height
        steps = height + 5  # past the first screen
        for _ in range(steps):
            await pilot.press("j")
        await settle(pilot)
        assert articles.cursor == steps
        assert cursor_story(app) == story_at(steps)
        stories = shown_stories(app)
        assert story_at(steps) in stories  # the cursor row is on screen ...
        assert story_at(0) not in stories  # ... and the list scrolled to it
        top = order(*stories[0])  # a window of consecutive rows, the cursor's among them
        assert stories == [story_at(k) for k in range(top, top + len(stories))]
        for _ in range(steps):
            await pilot.press("k")
        await settle(pilot)
        assert articles.cursor == 0
        assert shown_stories(app)[0] == story_at(0)


async def test_G_and_g_jump_to_the_last_and_first_rows(scale_library: Library) -> None:
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        articles = article_list(app)
        for _ in range(3):
            await pilot.press("G")
            await settle(pilot)
            assert articles.cursor == TOTAL - 1
            assert cursor_story(app) == (FEEDS - 1, STORIES - 1)
            stories = shown_stories(app)
            assert stories[-1] == (FEEDS - 1, STORIES - 1)  # the last row is drawn
            assert stories == [story_at(k) for k in range(TOTAL - len(stories), TOTAL)]
            await pilot.press("g")
            await settle(pilot)
            assert articles.cursor == 0
            assert shown_stories(app)[0] == story_at(0)
        # moving from the bottom draws the rows above it
        await pilot.press("G")
        await settle(pilot)
        for _ in range(5):
            await pilot.press("k")
        await settle(pilot)
        assert cursor_story(app) == story_at(TOTAL - 6)


async def test_search_narrows_to_the_matching_rows_and_esc_clears(
        scale_library: Library) -> None:
    expected = sorted((order(f, e), (f, e)) for f, e in all_stories() if is_rare(f, e))
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        await pilot.press("slash", *RARE[:5])  # as you type: a prefix already matches
        await settle(pilot, count=len(expected))
        await pilot.press(*RARE[5:])
        await settle(pilot, count=len(expected))
        lines = [line for line in shown(app) if line.strip()]
        assert lines and all(RARE in line for line in lines)
        assert shown_stories(app) == [story for _, story in expected][:len(lines)]
        assert f"filter: {RARE}" in status(app)
        assert f"{len(expected):,} articles" in status(app)
        # the last of the matches is one G away
        await pilot.press("enter")  # back to the list, the filter stays
        await pilot.press("G")
        await settle(pilot, count=len(expected))
        assert cursor_story(app) == expected[-1][1]
        await pilot.press("escape")  # the whole list again, on the article being read
        await settle(pilot, count=TOTAL)
        assert cursor_story(app) == expected[-1][1]
        assert "filter" not in status(app) and f"{TOTAL:,} articles" in status(app)


async def test_search_for_a_common_word_and_then_nothing(scale_library: Library) -> None:
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        await pilot.press("slash", *"harbour")  # in every body
        await settle(pilot, count=TOTAL)
        assert "filter: harbour" in status(app)
        assert shown_stories(app)[0] == story_at(0)
        await pilot.press(*" xyzzy")  # both words: nothing matches
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(article_list(app).ids) == 0
        assert any("No articles match" in line for line in shown(app))
        await pilot.press("escape")
        await settle(pilot, count=TOTAL)


async def test_a_big_search_shows_its_first_page_then_the_whole_list(
        scale_library: Library) -> None:
    """All 20,000 match: the first FIRST_PAGE rows come first (the status says there are
    more), then the whole list."""
    from reader.tui.app import FIRST_PAGE
    from reader.tui.messages import ViewLoaded

    seen: list[tuple[bool, int, str]] = []

    class Recording(ReaderApp):
        def on_view_loaded(self, message: ViewLoaded) -> None:
            super().on_view_loaded(message)
            if message.query.text:
                seen.append((message.first_page, len(article_list(self).ids), status(self)))

    app = Recording(library=scale_library,
                    config=Config(refresh_on_start=False, refresh_interval_minutes=0))
    everything = TOTAL  # "harbour" is in every body
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        await pilot.press("slash", *"harbour")
        await settle(pilot, count=everything)
        assert seen[-1] == (False, everything, seen[-1][2])
        firsts = [entry for entry in seen if entry[0]]
        assert firsts, "no first page was shown before the whole list"
        assert firsts[-1][1] == FIRST_PAGE
        assert f"{FIRST_PAGE}+ articles" in firsts[-1][2]
        assert f"{everything:,} articles" in seen[-1][2] and "+" not in seen[-1][2]
        assert shown_stories(app)[0] == story_at(0)


async def test_unread_only_filter(scale_library: Library) -> None:
    unread = sorted(order(f, e) for f, e in all_stories() if not is_read(f, e))
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        await pilot.press("U")
        await settle(pilot, count=len(unread))
        assert "unread only" in status(app)
        lines = [line for line in shown(app) if line.strip()]
        assert all(line.startswith(UNREAD_MARK) for line in lines)
        assert shown_stories(app) == [story_at(k) for k in unread[:len(lines)]]
        await pilot.press("G")
        await settle(pilot, count=len(unread))
        assert cursor_story(app) == story_at(unread[-1])
        await pilot.press("U")
        await settle(pilot, count=TOTAL)
        assert "unread only" not in status(app)


async def test_starred_view_and_back(scale_library: Library) -> None:
    starred = sorted(order(f, e) for f, e in all_stories() if is_starred(f, e))
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        await pilot.press("S")
        await settle(pilot, count=len(starred))
        lines = [line for line in shown(app) if line.strip()]
        assert all(STAR_MARK in line[:4] for line in lines)
        assert shown_stories(app) == [story_at(k) for k in starred[:len(lines)]]
        await pilot.press("S")
        await settle(pilot, count=TOTAL)
        assert shown_stories(app)[0] == story_at(0)


async def test_unread_only_and_search_together(scale_library: Library) -> None:
    wanted = sorted(order(f, e) for f, e in all_stories()
                    if is_rare(f, e) and not is_read(f, e))
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        await pilot.press("U")
        await settle(pilot, count=TOTAL // 2)
        await pilot.press("slash", *RARE, "enter")
        await settle(pilot, count=len(wanted))
        lines = [line for line in shown(app) if line.strip()]
        assert all(line.startswith(UNREAD_MARK) and RARE in line for line in lines)
        assert shown_stories(app) == [story_at(k) for k in wanted[:len(lines)]]


async def sort_by(pilot: object, app: ReaderApp, name: str) -> None:
    """Sort the list ``name`` ("by feed", "oldest first", ...): with t when it cycles
    there, else as the command palette does."""
    for _ in range(4):
        if order_shown(app) == name:
            return
        await pilot.press("t")  # type: ignore[attr-defined]
        await settle(pilot, count=TOTAL)
    order = {"newest first": "newest", "oldest first": "oldest", "by feed": "feed",
             "by title": "title"}[name]
    app.action_sort_by(order)
    await settle(pilot, count=TOTAL)
    assert order_shown(app) == name


def order_shown(app: ReaderApp) -> str:
    """The order the status line names; the default, newest first, goes unsaid."""
    text = status(app)
    return next((name for name in ("oldest first", "by feed", "by title", "newest first")
                 if name in text), "newest first")


async def test_sort_by_feed_by_title_and_by_date(scale_library: Library) -> None:
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        await pilot.press("t")  # t changes the order; the cursor stays on its article
        await settle(pilot, count=TOTAL)
        assert order_shown(app) != "newest first"
        assert cursor_story(app) == story_at(0)

        await sort_by(pilot, app, "by feed")
        await pilot.press("g")
        await settle(pilot, count=TOTAL)
        stories = shown_stories(app)
        assert stories == [(0, e) for e in range(len(stories))]  # "Feed 00", newest first
        await pilot.press("G")
        await settle(pilot, count=TOTAL)
        assert cursor_story(app) == (FEEDS - 1, STORIES - 1)

        await sort_by(pilot, app, "by title")
        await pilot.press("g")
        await settle(pilot, count=TOTAL)
        titles = sorted((title(f, e) for f, e in all_stories()), key=str.casefold)
        stories = shown_stories(app)
        assert stories == [tuple(int(n) for n in ROW.match(t).groups())  # type: ignore[union-attr]
                           for t in titles[:len(stories)]]

        await sort_by(pilot, app, "oldest first")
        await pilot.press("g")
        await settle(pilot, count=TOTAL)
        stories = shown_stories(app)
        assert stories == [story_at(TOTAL - 1 - k) for k in range(len(stories))]
        await pilot.press("G")
        await settle(pilot, count=TOTAL)
        assert cursor_story(app) == story_at(0)

        await sort_by(pilot, app, "newest first")
        await pilot.press("g")
        await settle(pilot, count=TOTAL)
        assert shown_stories(app)[0] == story_at(0)


async def test_one_feed_chosen_in_the_feeds_pane(scale_library: Library) -> None:
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        await pilot.press("h")  # the feeds pane: All articles, Starred, Feed 00, Feed 01, ...
        await pilot.press(*["j"] * 9, "enter")  # Feed 07
        await settle(pilot, count=STORIES)
        assert "Feed 07" in status(app)
        assert shown_stories(app) == [(7, e) for e in range(len(shown_stories(app)))]
        article_list(app).focus()
        await pilot.press("G")
        await settle(pilot, count=STORIES)
        assert cursor_story(app) == (7, STORIES - 1)


async def test_a_date_range_in_the_filter_line(scale_library: Library) -> None:
    # story k of the date order was published k minutes before BASE; the filter's days are
    # the local calendar's
    start = datetime(2026, 2, 20).astimezone()
    end = datetime(2026, 2, 24).astimezone()  # until:2026-02-23 takes in all of the 23rd

    def published(k: int) -> datetime:
        return BASE - timedelta(minutes=k)

    wanted = [k for k in range(TOTAL) if start <= published(k) < end]
    rare = [k for k in wanted if is_rare(*story_at(k))]
    assert 1000 < len(wanted) < TOTAL and rare
    app = make_app(scale_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, count=TOTAL)
        await pilot.press("slash", *"since:2026-02-20 until:2026-02-23")
        await settle(pilot, count=len(wanted))
        assert shown_stories(app)[:5] == [story_at(k) for k in wanted[:5]]
        await pilot.press("enter", "G")
        await settle(pilot, count=len(wanted))
        assert cursor_story(app) == story_at(wanted[-1])
        await pilot.press("slash", *f" {RARE}")  # a word as well: both narrow the list
        await settle(pilot, count=len(rare))
        on_screen = shown_stories(app)
        assert on_screen and on_screen == [story_at(k) for k in rare[:len(on_screen)]]
        assert f"filter: since:2026-02-20 until:2026-02-23 {RARE}" in status(app)
        await pilot.press("escape")
        await settle(pilot, count=TOTAL)
