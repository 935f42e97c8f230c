"""The article list: rows cut to the cell, fetched on demand, and a 20,000-article library."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from support.pilot import settle
from textual import events
from textual.app import App, ComposeResult
from textual.message import Message

from reader.core.config import Config
from reader.core.models import Article, ArticleRow
from reader.library import Library
from reader.storage.sqlite import SqliteStorage
from reader.tui.app import ReaderApp
from reader.tui.widgets.article_list import ArticleList, Columns, fit, row_cells

BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LARGE = 20_000


def row(article_id: int, title: str | None = "", **fields: Any) -> ArticleRow:
    values: dict[str, Any] = {
        "id": article_id, "feed_id": 1, "title": title if title != "" else f"Title {article_id}",
        "feed_name": "Feed", "published": BASE, "read": False, "starred": False, "words": 460,
    }
    values.update(fields)
    return ArticleRow(**values)


# -- the text of a row -------------------------------------------------------------------------


@pytest.mark.parametrize("width", [30, 59, 60, 69, 70, 89, 90, 140])
def test_rows_fill_the_width_exactly(width: int) -> None:
    for title in ("short", "a much longer title " * 10, "宽字符的标题" * 8, None, "[/] [@click=x]"):
        cells = row_cells(row(1, title, feed_name="名前" * 20), width)
        assert sum(cell_len(text) for text, _ in cells) == width


def test_row_columns_by_width() -> None:
    assert Columns.for_width(120).feed and Columns.for_width(120).time
    assert Columns.for_width(100).feed and not Columns.for_width(100).time
    assert Columns.for_width(60).feed and Columns.for_width(60).date
    assert not Columns.for_width(55).feed and Columns.for_width(55).date
    text = "".join(t for t, _ in row_cells(row(7, "Hello", starred=True), 120))
    assert text.startswith("\u25cf \u2605 Hello")
    assert "Feed" in text and "2026-03-01" in text and "2 min" in text


@pytest.mark.parametrize("width", [99, 120, 160])  # 99: the list of a 100-column screen
def test_from_a_hundred_columns_a_title_of_69_shows_whole_with_feed_and_date(
        width: int) -> None:
    title = "Night trains return between Vienna and the Adriatic after eight years"
    assert len(title) == 69
    text = "".join(t for t, _ in row_cells(row(7, title, feed_name="The World Desk"), width))
    assert title in text and "The World Desk" in text and "2026-03-01" in text
    assert text.index(title) < text.index("The World Desk") < text.index("2026-03-01")
    read = "".join(t for t, _ in row_cells(row(7, None, read=True, published=None), 100))
    assert read.startswith("    (untitled)")


def test_row_text_is_sanitised() -> None:
    text = "".join(t for t, _ in row_cells(row(1, "\x1b[2Jclear\x07 [b]x[/b]\u202e"), 80))
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\u241b[2Jclear [b]x[/b]" in text


def test_fit_marks_what_it_cuts() -> None:
    assert fit("abcdef", 4) == "abc\u2026"
    assert fit("ab", 4) == "ab  "
    assert fit("宽宽宽", 4) == "宽 \u2026" or cell_len(fit("宽宽宽", 4)) == 4
    assert fit("x", 0) == ""


# -- the widget on its own, fed from memory ---------------------------------------------------


class ListApp(App[None]):
    """The list alone; rows come from a dict, as the reader's app serves them from SQLite."""

    def __init__(self, rows: dict[int, ArticleRow]) -> None:
        super().__init__()
        self.rows = rows
        self.wanted: list[tuple[int, ...]] = []
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ArticleList()

    def on_article_list_rows_wanted(self, message: ArticleList.RowsWanted) -> None:
        self.wanted.append(message.ids)
        self.query_one(ArticleList).add_rows(
            [self.rows[i] for i in message.ids if i in self.rows], requested=message.ids)

    def on_article_list_selected(self, message: ArticleList.Selected) -> None:
        self.messages.append(message)

    def on_article_list_highlighted(self, message: ArticleList.Highlighted) -> None:
        self.messages.append(message)


def lines(articles: ArticleList) -> list[str]:
    return [articles.render_line(y).text for y in range(articles.size.height)]


async def test_fetches_only_what_is_visible_and_shows_gaps() -> None:
    rows = {i: row(i) for i in range(1000) if i != 3}  # 3 vanished from the library
    app = ListApp(rows)
    async with app.run_test(size=(80, 12)) as pilot:
        articles = app.query_one(ArticleList)
        articles.set_ids(list(range(1000)))
        await pilot.pause()
        await pilot.pause()
        fetched = {i for ids in app.wanted for i in ids}
        assert 0 in fetched and 11 in fetched and len(fetched) < 100
        shown = lines(articles)
        assert "Title 0" in shown[0] and "(unavailable)" in shown[3]
        wanted_before = len(app.wanted)
        await pilot.pause()
        assert len(app.wanted) == wanted_before  # a missing row is not asked for again
        articles.last()
        await pilot.pause()
        await pilot.pause()
        assert "Title 999" in lines(articles)[-1]
        assert len({i for ids in app.wanted for i in ids}) < 250


async def test_cursor_keeps_its_article_across_views_and_updates() -> None:
    app = ListApp({i: row(i) for i in range(100)})
    async with app.run_test(size=(80, 12)) as pilot:
        articles = app.query_one(ArticleList)
        articles.set_ids(list(range(100)))
        await pilot.pause()
        articles.move_to(40)
        articles.set_ids(list(range(30, 60)), keep=40)
        assert articles.article_id == 40 and articles.cursor == 10
        articles.set_ids(list(range(50, 60)), keep=40)
        assert articles.cursor == 0 and articles.article_id == 50
        await pilot.pause()
        articles.update_rows([50], read=True, starred=True)
        cached = articles.cached_row(50)
        assert cached is not None and cached.read and cached.starred
        assert lines(articles)[0].startswith("  \u2605")
        articles.set_ids([])
        articles.set_placeholder("Nothing [b]here[/b]")
        await pilot.pause()
        assert "Nothing [b]here[/b]" in lines(articles)[0]
        assert articles.article_id is None


async def test_rows_arriving_above_keep_the_cursor_on_its_screen_line() -> None:
    """A folder loading adds rows above the cursor: its article stays where the eye is."""
    app = ListApp({i: row(i) for i in range(-500, 1000)})
    async with app.run_test(size=(80, 12)) as pilot:
        articles = app.query_one(ArticleList)
        articles.set_ids(list(range(1000)))
        await pilot.pause()
        articles.move_to(4)
        await pilot.pause()
        line = lines(articles).index(next(t for t in lines(articles) if "Title 4 " in t))
        articles.set_ids(list(range(-300, 1000)), keep=4)  # 300 newer rows came in
        await pilot.pause()
        await pilot.pause()
        assert articles.article_id == 4 and articles.cursor == 304
        assert "Title 4 " in lines(articles)[line]


async def test_unread_search_in_cached_rows() -> None:
    rows = {i: row(i, read=i not in (5, 60)) for i in range(100)}
    app = ListApp(rows)
    async with app.run_test(size=(80, 12)) as pilot:
        articles = app.query_one(ArticleList)
        articles.set_ids(list(range(100)))
        await pilot.pause()
        await pilot.pause()
        assert articles.find_cached_unread(1) == (5, None)
        articles.move_to(6)
        found, resume = articles.find_cached_unread(1)
        assert found is None and resume is not None and resume > 6  # the owner asks from there
        assert articles.find_cached_unread(-1) == (5, None)
        articles.move_to(0)
        assert articles.find_cached_unread(-1) == (None, None)


async def test_click_selects_and_wheel_scrolls() -> None:
    app = ListApp({i: row(i) for i in range(200)})
    async with app.run_test(size=(80, 12)) as pilot:
        articles = app.query_one(ArticleList)
        articles.set_ids(list(range(200)))
        await pilot.pause()
        await pilot.click(ArticleList, offset=(5, 4))
        await pilot.pause()
        selected = [m for m in app.messages if isinstance(m, ArticleList.Selected)]
        assert [m.article_id for m in selected] == [4]
        assert articles.cursor == 4
        await pilot._post_mouse_events([events.MouseScrollDown], ArticleList, offset=(5, 5))
        await pilot.pause()
        assert articles.scroll_offset.y > 0
        await pilot.pause()
        assert "Title" in lines(articles)[0]


# -- the app on a generated library of 20,000 articles ----------------------------------------


@pytest.fixture(scope="session")
def large_library_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "library.sqlite"
    storage, _ = SqliteStorage.open(path)
    batches = []
    for feed in range(20):
        url = f"https://example.org/{feed}.xml"
        feed_id = storage.upsert_feed(url, title=f"Feed {feed}", subscribed=True)
        batches.append((feed_id, [
            Article(source=url, key=str(n), title=f"Feed {feed} item {n}",
                    published=BASE - timedelta(minutes=20 * n + feed), body="")
            for n in range(LARGE // 20)]))
    storage.upsert_many(batches)
    storage.close()
    return path


@pytest.fixture
def large_library(large_library_file: Path) -> Iterator[Library]:
    library = Library.open(large_library_file)
    yield library
    library.close()


def shown(app: ReaderApp) -> list[str]:
    return lines(app.query_one(ArticleList))


def title_at(library: Library, ids: Sequence[int], index: int) -> str:
    rows = library.rows([ids[index]])
    assert rows and rows[0].title
    return rows[0].title


async def test_large_library_scrolls_and_jumps(large_library: Library) -> None:
    app = ReaderApp(library=large_library, config=Config(refresh_on_start=False,
                                                         refresh_interval_minutes=0))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        ids = articles.ids
        assert len(ids) == LARGE
        assert "Feed 0 item 0" in shown(app)[0]
        await pilot.press("G")
        await settle(pilot)
        assert articles.cursor == LARGE - 1
        assert title_at(large_library, ids, LARGE - 1) in shown(app)[-1]
        assert all("\u2026" not in line[:6] for line in shown(app))  # every row loaded
        await pilot.press("k", "k", "k")
        assert articles.cursor == LARGE - 4
        await pilot.press("g")
        await settle(pilot)
        assert articles.cursor == 0 and "Feed 0 item 0" in shown(app)[0]
        articles.move_to(LARGE // 2)
        await settle(pilot)
        middle = title_at(large_library, ids, LARGE // 2)
        assert any(middle in line for line in shown(app))
        for _ in range(30):
            await pilot.press("j")
        await settle(pilot)
        assert articles.cursor == LARGE // 2 + 30
        assert any(title_at(large_library, ids, LARGE // 2 + 30) in line for line in shown(app))
        await pilot.press("slash", *"item 999")
        await pilot.pause(0.1)
        await settle(pilot)
        assert len(articles.ids) == 20  # one "item 999" in each feed
        assert all("item 999" in line for line in shown(app)[:20])
        await pilot.press("escape")
        await settle(pilot)
        assert len(articles.ids) == LARGE


async def test_stepping_off_the_screen_scrolls_half_a_page() -> None:
    app = ListApp({i: row(i) for i in range(100)})
    async with app.run_test(size=(80, 12)) as pilot:
        articles = app.query_one(ArticleList)
        articles.set_ids(list(range(100)))
        await pilot.pause()
        for _ in range(11):
            articles.move_by(1)
        assert articles.scroll_offset.y == 0  # still on screen: no scroll
        articles.move_by(1)  # the row below the last: half a page, the cursor mid-screen
        await pilot.pause()
        assert articles.scroll_offset.y == 6 and articles.cursor == 12
        assert "Title 12" in lines(articles)[6]
        for _ in range(7):
            articles.move_by(-1)  # cursor 5: one above the top row
        await pilot.pause()
        assert articles.scroll_offset.y == 0
        articles.move_to(80)  # a jump: the cursor lands mid-screen
        await pilot.pause()
        assert articles.scroll_offset.y == 74


async def test_a_theme_change_redraws_the_cursor_in_the_new_theme() -> None:
    app = ListApp({i: row(i) for i in range(10)})
    async with app.run_test(size=(80, 12)) as pilot:
        articles = app.query_one(ArticleList)
        articles.set_ids(list(range(10)))
        articles.focus()
        await pilot.pause()
        app.theme = "textual-dark"
        await pilot.pause()
        dark = articles._cursor_style()
        app.theme = "textual-light"
        await pilot.pause()
        light = articles._cursor_style()
        assert dark != light  # resolved again, not served from before the change
        assert articles.get_component_rich_style("article-list--cursor") == light
