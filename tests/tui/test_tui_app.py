"""The whole app driven by Pilot: keys pressed, what the list, the pane and the toasts show."""

from __future__ import annotations

import webbrowser
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from support.builders import FeedSpec, fill_storage, make_article, write_feed
from support.pilot import RecordingApp, make_app, settle
from textual.widgets import Input

import reader.tui.app as tui_app
from reader.core.config import Config, Layout, load_config
from reader.core.errors import FetchError, SourceError
from reader.core.models import SourceKind, StoredArticle
from reader.library import Library
from reader.storage.sqlite import SqliteStorage
from reader.tui.app import ReaderApp
from reader.tui.browser import BrowserCommand
from reader.tui.screens.add_feed import AddFeedScreen
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.widgets.article_list import ArticleList
from reader.tui.widgets.feeds_pane import ALL, FeedList, FeedsPane
from reader.tui.widgets.key_bar import KeyBar
from reader.tui.widgets.reading_pane import ReadingPane
from reader.tui.widgets.search_bar import SearchBar

WIDE = (200, 50)  # the list beside the article


def shown_rows(app: ReaderApp) -> list[str]:
    articles = app.query_one(ArticleList)
    return [articles.render_line(y).text for y in range(articles.scrollable_content_region.height)]


def shown_feeds(app: ReaderApp) -> list[str]:
    feeds = app.query_one(FeedList)
    return [feeds.render_line(y).text.rstrip()
            for y in range(min(len(feeds.lines), feeds.scrollable_content_region.height))]


def cursor_title(app: ReaderApp) -> str:
    articles = app.query_one(ArticleList)
    assert articles.article_id is not None
    row = articles.cached_row(articles.article_id)
    assert row is not None and row.title is not None
    return row.title


@pytest.fixture
def three_feeds(library: Library, storage: SqliteStorage) -> dict[str, int]:
    return fill_storage(storage, [
        FeedSpec("Alpha", 30, folder="News"),
        FeedSpec("Beta", 20, offset=100, error="HTTP 500 [/] [@click=app.quit]"),
        FeedSpec("Gamma", 5, offset=200),
    ])


async def test_moves_with_j_k_g_G(library: Library, three_feeds: dict[str, int],
                                  tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert len(articles.ids) == 55
        assert cursor_title(app) == "Alpha article 0"
        await pilot.press("j", "j", "down")
        assert articles.cursor == 3
        await pilot.press("k")
        assert articles.cursor == 2
        assert cursor_title(app) == "Alpha article 2"
        await pilot.press("G")
        await settle(pilot)
        assert articles.cursor == 54
        assert cursor_title(app) == "Gamma article 4"
        assert any("Gamma article 4" in line for line in shown_rows(app))
        await pilot.press("g")
        assert articles.cursor == 0
        assert "Alpha article 0" in shown_rows(app)[0]


async def test_enter_opens_and_marks_read(library: Library, three_feeds: dict[str, int],
                                          tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert shown_rows(app)[1].startswith("\u25cf")  # the unread mark
        await pilot.press("j", "enter")
        await settle(pilot)
        assert "Alpha article 1" in app.pane.plain
        assert "Paragraph one of article 1." in app.pane.plain
        articles = app.query_one(ArticleList)
        assert articles.article_id is not None
        stored = library.get(articles.article_id)
        assert stored is not None and stored.read
        assert not shown_rows(app)[1].startswith("\u25cf")


async def test_click_opens_an_article(library: Library, three_feeds: dict[str, int],
                                      tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.click(ArticleList, offset=(10, 3))
        await settle(pilot)
        assert app.query_one(ArticleList).cursor == 3
        assert "Alpha article 3" in app.pane.plain


async def test_next_and_previous_unread(library: Library, three_feeds: dict[str, int],
                                        tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    ids = library.view(app.current_query())
    library.mark_read(list(ids[1:40]))  # 0 unread, 1..39 read, 40.. unread
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("n")  # beyond the cached rows: asks the library
        await settle(pilot)
        assert articles.cursor == 40
        assert app.pane.article_id == ids[40]
        await pilot.press("p")
        await settle(pilot)
        assert articles.cursor == 0
        await pilot.press("p")
        await settle(pilot)
        # which way there is none: "No more unread articles." at the last unread one hid
        # the unread articles above it
        assert app.notes[-1][0] == "No unread articles above."
        await pilot.press("G")  # 54: unread
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.notes[-1][0] == "No unread articles below."
        assert articles.cursor == 54


async def test_no_unread_above_said_when_the_library_was_asked(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    fill_storage(storage, [FeedSpec("Big", 1500)])
    app = make_app(library, tmp_path)
    ids = library.view(app.current_query())
    library.mark_read(list(ids[1:]))  # only the first unread, far above the last rows
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("G")
        await settle(pilot)
        assert articles.find_cached_unread(-1)[1] is not None  # not all cached: asks
        await pilot.press("p")
        await settle(pilot)
        assert articles.cursor == 0
        await pilot.press("G")  # p opened it, so now none is unread
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert articles.cursor == 1499
        assert app.notes[-1][0] == "No unread articles above."


async def test_tab_switches_focus_and_space_scrolls_the_pane(
        library: Library, storage: SqliteStorage, three_feeds: dict[str, int],
        tmp_path: Path) -> None:
    long_body = "\n\n".join(f"Paragraph {n} of a long one." for n in range(200))
    feed = storage.upsert_feed("https://example.org/long.xml", title="Long",
                                       subscribed=True)
    storage.upsert_articles(feed, [make_article("https://example.org/long.xml", 0,
                                                        title="Long read", body=long_body,
                                                        hours=-5)])
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert cursor_title(app) == "Long read"
        await pilot.press("enter")
        await settle(pilot)
        assert app.pane.scroll_y == 0
        await pilot.press("space")
        await pilot.pause()
        assert app.pane.scroll_y > 0
        assert app.focused is app.query_one(ArticleList)
        await pilot.press("tab")
        assert app.focused is app.pane
        await pilot.press("tab")
        assert app.focused is app.query_one(FeedList)
        await pilot.press("tab")
        assert app.focused is app.query_one(ArticleList)


async def test_reading_position_is_kept(
        library: Library, storage: SqliteStorage, three_feeds: dict[str, int],
        tmp_path: Path) -> None:
    body = "\n\n".join(f"Paragraph {n}." for n in range(300))
    feed = storage.upsert_feed("https://example.org/p.xml", title="P", subscribed=True)
    storage.upsert_articles(feed, [make_article("https://example.org/p.xml", 0,
                                                        title="Position", body=body, hours=-5)])
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("space", "space")
        await pilot.pause(0.7)  # the pane reports the position once scrolling settles
        await settle(pilot)
        article_id = app.pane.article_id
        assert article_id is not None
        stored = library.get(article_id)
        assert stored is not None and stored.read_position > 0


async def test_search_narrows_and_escape_clears(library: Library,
                                                three_feeds: dict[str, int],
                                                tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"gamma")
        await pilot.pause(0.1)  # debounced
        await settle(pilot)
        assert len(articles.ids) == 5
        assert all("Gamma" in line for line in shown_rows(app)[:5])
        await pilot.press("enter")  # back to the list, the filter stays
        assert app.focused is articles
        await pilot.press("enter")
        await settle(pilot)
        assert "Gamma article 0" in app.pane.plain
        await pilot.press("escape")
        await settle(pilot)
        assert len(articles.ids) == 55


async def test_keys_typed_at_once_after_slash_all_reach_the_search(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    """A terminal delivers "/gamma" in one burst: the driver queues every key before the
    first is handled. None may go to the list on the way (h, a, d, ... are its keys)."""
    from textual import events

    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for character in "/hadgamma":
            key = "slash" if character == "/" else character
            app.post_message(events.Key(key, character))  # no pause between them
        await pilot.pause(0.2)
        await settle(pilot)
        bar = app.query_one("#search", Input)
        assert bar.value == "hadgamma"
        assert len(app.screen_stack) == 1  # "a" and "d" opened no dialog
        # and the same keys typed into the field do not run the list's actions
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 55


async def test_the_search_follows_each_key_and_a_burst_makes_one_search(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    from textual import events

    app = make_app(library, tmp_path)
    searched: list[str] = []
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        reload_view = app.reload_view

        def spy(**kwargs: bool) -> None:
            searched.append(app._search)
            reload_view(**kwargs)

        app.reload_view = spy  # type: ignore[method-assign]
        await pilot.press("slash")
        for key in "gam":  # typed: each key searches at once, no timer in between
            await pilot.press(key)
            await pilot.pause()
        assert searched == ["g", "ga", "gam"]
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 5
        searched.clear()
        for key in "ma":  # arriving together (a paste, a fast typist): one search
            app.post_message(events.Key(key, key))
        await pilot.pause(0.1)
        await settle(pilot)
        assert searched == ["gamma"]
        assert len(app.query_one(ArticleList).ids) == 5


async def test_search_then_enter_enter_typed_at_once_opens_the_first_match(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    """"/gamma", Enter, Enter in one burst: the first Enter takes the focus to the list before
    the second is handed on, and the second opens the first match once it is listed."""
    from textual import events

    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert "Gamma" not in shown_rows(app)[0]
        for character in "/gamma\r\r":
            key = {"/": "slash", "\r": "enter"}.get(character, character)
            app.post_message(events.Key(key, character))  # no pause between them
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.focused is app.query_one(ArticleList)
        assert len(app.query_one(ArticleList).ids) == 5
        assert "Gamma article 0" in app.pane.plain
        assert app.query_one("#search", Input).value == "gamma"


async def test_enter_waits_for_a_new_list_even_when_another_reload_overtakes_it(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        app._search = "gamma"
        # with no pause between them (the view workers cannot answer in between):
        app.reload_view(top=True)  # a search: Enter waits for its list ...
        app.action_open()
        app.reload_view()  # ... which a reload (a folder loading) replaces before it comes
        await settle(pilot)
        assert len(articles.ids) == 5
        assert "Gamma article 0" in app.pane.plain
        # a reload that keeps the cursor does not hold Enter back
        app.reload_view()
        await pilot.press("j", "enter")
        await settle(pilot)
        assert "Gamma article 1" in app.pane.plain


async def test_a_view_that_arrives_late_keeps_the_cursor_where_the_user_moved_it(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    from reader.tui.messages import ViewLoaded

    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        started_on = articles.article_id  # a reload starts here (keep = this article) ...
        await pilot.press("j", "j")  # ... and the user moves on before it arrives
        moved_to = articles.article_id
        assert moved_to != started_on
        app.post_message(ViewLoaded(app._query, articles.ids, started_on))
        await settle(pilot)
        assert articles.article_id == moved_to and articles.cursor == 2


async def test_search_prefix_and_no_match(library: Library, three_feeds: dict[str, int],
                                          tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"gam")
        await pilot.pause(0.1)
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 5
        await pilot.press(*"zzz")
        await pilot.pause(0.1)
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 0
        assert "No articles match" in shown_rows(app)[0]
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 55


async def test_the_article_is_laid_out_for_a_narrow_pane_and_again_when_it_grows(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # laid out for the 80-cell measure on a 40-column terminal, the header's line of parts
    # broke inside "1 min read" and the rule under it wrapped into a stray second line
    import re

    from textual.strip import Strip

    def rows(pane: ReadingPane) -> list[str]:
        body = pane.query_one(".reading-pane--body")
        strips: list[Strip] = [body.render_line(y) for y in range(body.size.height)]
        return [strip.text.rstrip() for strip in strips]

    app = make_app(library, tmp_path, layout=Layout.STACKED)
    async with app.run_test(size=(40, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pane = app.query_one(ReadingPane)
        shown = rows(pane)
        rule = next(i for i, row in enumerate(shown) if row.strip().startswith("\u2500"))
        assert not shown[rule + 1].strip()  # the rule is one line, then the body
        assert all(len(row) <= pane.size.width for row in shown)
        header = " / ".join(shown[:rule])
        assert re.search(r"(^| / )\d+ min read( / |$)", header), header  # not "1 / min read"
        await pilot.resize_terminal(120, 40)
        await pilot.pause(tui_app.FIT_DELAY + 0.1)
        await settle(pilot)
        meta = [row for row in rows(pane) if "word" in row]
        assert meta and "\u00b7" in meta[0] and "min read" in meta[0]  # one line again


async def test_a_wide_layout_asked_for_on_a_narrow_terminal_keeps_the_list_readable(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # layout = "wide" at 100 columns left the list 16 cells (dates only), and with the feeds
    # pane shown, none: the article kept its full 83
    from textual.widget import Widget

    app = make_app(library, tmp_path, layout=Layout.WIDE)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        column = app.query_one("#list-column", Widget)
        pane = app.query_one(ReadingPane)
        for feeds_shown in (False, True):  # (H shows the pane, then hides it)
            assert column.outer_size.width >= 30, (feeds_shown, column.outer_size)
            assert pane.size.width >= 40, (feeds_shown, pane.size)
            assert column.region.right <= pane.region.x  # side by side
            await pilot.press("H")
            await settle(pilot)
    app = make_app(library, tmp_path, layout=Layout.WIDE)
    async with app.run_test(size=(200, 30)) as pilot:  # room: the article at its measure
        await settle(pilot)
        assert app.query_one(ReadingPane).outer_size.width == 83


async def test_saving_an_article_twice_keeps_one_copy(library: Library,
                                                     three_feeds: dict[str, int],
                                                     tmp_path: Path) -> None:
    # `e` pressed again wrote name-2.md, name-3.md, ... of the same text
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("e")
            await settle(pilot)
    saved = list((tmp_path / "saved").iterdir())
    assert len(saved) == 1
    said = [message for message, _ in app.notes if message.startswith("Saved")]
    assert said == [f"Saved: {saved[0]}"] + [f"Saved already: {saved[0]}"] * 2


async def test_the_search_hint_names_the_search_key_as_bound(library: Library,
                                                           three_feeds: dict[str, int],
                                                           tmp_path: Path) -> None:
    # [keys] search = "f" left the hint saying "/ to search", a key that no longer did
    app = make_app(library, tmp_path, keys={"search": "f", "toggle_full": "F", "star": "x",
                                            "undo": "z"})
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        bar = app.query_one(SearchBar)
        assert str(bar.placeholder).startswith("f to search titles and text")
        await pilot.press("S")  # the other guidance names the keys as bound too
        await settle(pilot)
        assert shown_rows(app)[0].strip() == (
            "No starred articles. Press x on an article to star it.")
        await pilot.press("S", "A")
        await settle(pilot)
        assert app.noted("Marked All articles read (z undoes)")
        await pilot.press("f", *"gamma")
        await pilot.pause(0.1)
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 5
    app = make_app(library, tmp_path)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        assert app.query_one(SearchBar).placeholder == "/ to search (Esc clears)"


async def test_a_date_bound_that_is_no_date_is_said_not_silently_dropped(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # `reader search since:2026-13` refuses it; the filter line left it out without a word,
    # so the whole list looked like the range's
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"gamma since:2026-13")
        await pilot.pause(0.1)
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 5  # the word still narrows
        assert "not a date, left out: since:2026-13" in app.status_text
        await pilot.press("backspace", "backspace", "backspace")  # since:2026: a year
        await pilot.pause(0.1)
        await settle(pilot)
        assert "not a date" not in app.status_text


async def test_star_toggle_read_mark_all_and_undo(library: Library,
                                                  three_feeds: dict[str, int],
                                                  tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        first = articles.article_id
        assert first is not None
        await pilot.press("s")
        await settle(pilot)
        assert "\u2605" in shown_rows(app)[0]
        stored = library.get(first)
        assert stored is not None and stored.starred
        await pilot.press("m")
        await settle(pilot)
        stored = library.get(first)
        assert stored is not None and stored.read
        await pilot.press("u")  # undoes the read
        await settle(pilot)
        stored = library.get(first)
        assert stored is not None and not stored.read and stored.starred
        assert app.noted("Undone: marking 1 article read")
        await pilot.press("A")  # all articles: everything read
        await settle(pilot)
        assert all(not line.startswith("\u25cf") for line in shown_rows(app))
        assert library.feeds()[0].unread == 0
        assert app.noted("Marked All articles read")
        await pilot.press("u")
        await settle(pilot)
        assert sum(feed.unread for feed in library.feeds()) == 55
        assert app.noted("Undone: marking 55 articles read")
        await pilot.press("u")  # the star
        await settle(pilot)
        assert app.noted("Undone: starring 1 article")


async def test_a_failed_write_shows_the_rows_as_the_library_holds_them(
        library: Library, three_feeds: dict[str, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a library locked by another process: the row was drawn read (and starred) before the
    # write, and stayed so after "Could not mark the article" until something reloaded it
    from reader.core.errors import StorageError

    def locked(*_args: Any, **_kwargs: Any) -> None:
        raise StorageError("library database: database is locked")

    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(library, "mark_read", locked)
        monkeypatch.setattr(library, "star", locked)
        unread = sum(feed.unread for feed in library.feeds())
        await pilot.press("m", "s")
        await pilot.pause(0.2)
        await settle(pilot)
        assert app.noted("Could not mark the article")
        assert app.noted("Could not star the article")
        first = shown_rows(app)[0]
        assert first.startswith("\u25cf") and "\u2605" not in first  # unread, unstarred
        assert sum(feed.unread for feed in library.feeds()) == unread
        alpha = next(line for line in shown_feeds(app) if "Alpha" in line)
        assert alpha.split()[-1] == "30"  # its unread count, as before


async def test_unread_only_starred_view_and_sort(library: Library,
                                                 three_feeds: dict[str, int],
                                                 tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    ids = library.view(app.current_query())
    library.mark_read(list(ids[:50]))
    library.star([ids[3], ids[7]])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press("U")
        await settle(pilot)
        assert len(articles.ids) == 5
        await pilot.press("U", "S")
        await settle(pilot)
        assert list(articles.ids) == [ids[3], ids[7]]
        await pilot.press("S")
        await settle(pilot)
        assert len(articles.ids) == 55
        await pilot.press("t")  # by feed
        await settle(pilot)
        assert "by feed" in str(app.query_one("#status").render())
        await pilot.press("t")  # by title
        await settle(pilot)
        assert "by title" in str(app.query_one("#status").render())
        await pilot.press("t", "g")  # oldest first
        await settle(pilot)
        assert cursor_title(app) == "Gamma article 4"
        assert "oldest first" in str(app.query_one("#status").render())
        await pilot.press("t", "g")  # newest first again
        await settle(pilot)
        assert cursor_title(app) == "Alpha article 0"
        await app.run_action("sort_by('title')")  # by title and by feed: the palette
        await settle(pilot)
        titles = shown_rows(app)[:3]
        assert "Alpha article 0" in titles[0] and "Alpha article 1" in titles[1]
        assert "Alpha article 10" in titles[2]
        await app.run_action("sort_by('feed')")
        await settle(pilot)
        assert "by feed" in str(app.query_one("#status").render())
        assert "Alpha article 0" in shown_rows(app)[0]
        assert "Beta article 0" in shown_rows(app)[30]


async def test_feeds_pane_selects_a_feed_and_shows_its_error(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        tree = app.query_one(FeedList)
        labels = [line.strip() for line in shown_feeds(app)]
        assert labels[:2] == ["All articles 55", "Starred"]
        assert "\u26a0 Beta 20" in labels
        await pilot.press("h")
        assert app.focused is tree
        beta = labels.index("\u26a0 Beta 20")
        for _ in range(beta):
            await pilot.press("down")
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 20
        status = app.query_one(FeedsPane).query_one("#feed-status")
        assert "HTTP 500 [/] [@click=app.quit]" in str(status.render())
        await pilot.press("enter")
        assert app.focused is app.query_one(ArticleList)


def _app_with_keys(library: Library, storage: SqliteStorage, tmp_path: Path,
                   config_text: str) -> RecordingApp:
    """The app over one feed of five articles, with ``config_text`` as its config file."""
    config = tmp_path / "custom.toml"
    config.write_text(config_text, encoding="utf-8")
    settings, messages = load_config(config)
    assert messages == []
    fill_storage(storage, [FeedSpec("Alpha", 5)])
    return RecordingApp(library=library, config=replace(settings, refresh_on_start=False),
                        config_file=config)


async def test_help_lists_bindings_as_configured(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    app = _app_with_keys(library, storage, tmp_path, '[keys]\ncursor_down = "x"\nquit = "ctrl+q"\n')
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        assert app.query_one(ArticleList).cursor == 1
        await pilot.press("j")  # no longer bound
        assert app.query_one(ArticleList).cursor == 1
        await pilot.press("q")  # remapped away: nothing happens
        assert app.is_running
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = dict((description, keys) for keys, description in app.help_rows())
        assert rows["Move down"] == "x"
        assert rows["Quit"] == "^q"
        # the fixed keys shown as the others are, not by their names ("escape", "ctrl+z")
        assert rows["Clear the filter, close a dialog"] == "esc"
        assert rows["Suspend to the shell (fg comes back)"] == "^z"
        table = app.screen.query_one("#help-table").render()
        assert "Move down" in str(table) or rows  # the table is a Rich renderable
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+q")
    assert app.return_value == 0


async def test_q_quits(library: Library, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running
    assert app.return_value == 0


HOSTILE_TITLES = (
    "[@click=app.quit]Click me",
    "stray [/] closer",
    "\x1b[2Jclear \x1b]52;c;aGk=\x07 osc",
    "[link='https://evil']bank[/link] $variable \\",
)


async def test_hostile_titles_show_verbatim(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    url = "https://example.org/hostile.xml"
    feed = storage.upsert_feed(url, title="[b]Feed[/b] \x1b[31m", subscribed=True,
                                       folder="[@click=app.quit]")
    storage.upsert_articles(feed, [
        make_article(url, n, title=title, hours=n, body=f"Body {title} [red]x[/red]")
        for n, title in enumerate(HOSTILE_TITLES)])
    app = make_app(library, tmp_path)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        rows = shown_rows(app)
        assert "[@click=app.quit]Click me" in rows[0]
        assert "stray [/] closer" in rows[1]
        assert "\x1b" not in "".join(rows)
        assert "\u241b[2Jclear" in rows[2]
        for _ in HOSTILE_TITLES:
            await pilot.press("enter", "j")
            await settle(pilot)
        await pilot.click(ArticleList, offset=(20, 0))  # a click on the title runs nothing
        await settle(pilot)
        assert app.is_running
        assert "[@click=app.quit]Click me" in app.pane.plain
        await pilot.press("h")  # one source: its pane shows for a choice
        await settle(pilot)
        labels = shown_feeds(app)  # a narrow pane: long names end in an ellipsis
        assert any("[@click=app" in label for label in labels)
        assert any("[b]Feed[/b]" in label for label in labels)
        for _ in range(4):
            await pilot.press("down")
        await settle(pilot)
        assert app.is_running


async def test_sources_load_and_a_failing_one_is_reported(library: Library,
                                                          tmp_path: Path) -> None:
    good = write_feed(tmp_path / "good.xml", "Good", 3)
    text = tmp_path / "note.txt"
    text.write_text("A note\n\nIt has a body that is long enough to be read as an article "
                    "by the cleaner, with sentences.\n", encoding="utf-8")
    missing = str(tmp_path / "missing [/] file.txt")
    app = make_app(library, tmp_path, app_kwargs={"sources": [str(good), missing, str(text)]})
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, rounds=5)
        articles = app.query_one(ArticleList)
        assert len(articles.ids) == 4
        errors = [(message, kw) for message, kw in app.notes if kw.get("severity") == "error"]
        assert len(errors) == 1
        message, kwargs = errors[0]
        assert "missing [/] file.txt" in message and kwargs.get("markup") is False
        assert "no such file" in message
        assert app._loading is None  # the progress went away


async def test_raw_view_of_a_text_file(library: Library, tmp_path: Path) -> None:
    text = tmp_path / "dump.txt"
    text.write_text("Share on facebook\n\nThe title of it\n\n"
                    + "A long paragraph of the article body, written in sentences. " * 6
                    + "\n\nCopyright 2024 Example\n", encoding="utf-8")
    app = make_app(library, tmp_path, app_kwargs={"sources": [str(text)]})
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, rounds=5)
        await pilot.press("enter")
        await settle(pilot)
        clean = app.pane.plain
        assert "A long paragraph" in clean
        await pilot.press("v")
        await settle(pilot)
        assert "Share on facebook" in app.pane.plain
        await pilot.press("v")
        await settle(pilot)
        assert app.pane.plain == clean


async def test_full_text_toggle_and_failure(
        library: Library, storage: SqliteStorage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://example.org/summaries.xml"
    feed = storage.upsert_feed(url, title="Summaries", subscribed=True)
    storage.upsert_articles(feed, [
        make_article(url, n, title=f"Summary {n}", body=f"Just the summary {n}.",
                     summary=True, hours=n) for n in range(2)])
    fetched: list[int] = []

    async def full_text(article_id: int, **_: object) -> StoredArticle:
        fetched.append(article_id)
        stored = library.get(article_id)
        assert stored is not None
        if stored.article.title == "Summary 1":
            raise FetchError("timed out after 30 s")
        storage.set_full_body(article_id, "The whole article, at last.")
        updated = library.get(article_id)
        assert updated is not None
        return updated

    monkeypatch.setattr(library, "full_text", full_text)
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "summary" in app.pane.plain and "Just the summary 0." in app.pane.plain
        await pilot.press("f")
        await settle(pilot)
        assert "The whole article, at last." in app.pane.plain
        assert "full text" in app.pane.plain
        await pilot.press("f")
        await settle(pilot)
        assert "Just the summary 0." in app.pane.plain
        await pilot.press("j", "enter", "f")
        await settle(pilot)
        assert "Just the summary 1." in app.pane.plain
        assert app.noted("timed out after 30 s")
        assert fetched.count(library.view(app.current_query())[1]) >= 1


async def test_links_browser_clipboard_and_save(
        library: Library, storage: SqliteStorage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    # a graphical session with no xdg-open: the URL goes to Python's webbrowser
    monkeypatch.setattr(tui_app, "browser_command",
                        lambda url: BrowserCommand((), console=False))
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    url = "https://example.org/links.xml"
    feed = storage.upsert_feed(url, title="Links", subscribed=True)
    storage.upsert_articles(feed, [
        make_article(url, 0, title="With: links / and [brackets]",
                     body="See [one](https://example.org/one) and [bad](javascript:alert(1))."),
        make_article(url, 1, title="Bad link", url="javascript:alert(1)", hours=1),
    ])
    app = make_app(library, tmp_path)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert opened == ["https://example.org/one"]
        await pilot.press("o")  # the article's own link: the address first, as for 1-9
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert opened[-1] == "https://example.org/0"
        await pilot.press("y")
        assert copied == ["https://example.org/0"]
        await pilot.press("e")
        await settle(pilot)
        saved = list((tmp_path / "saved").glob("*.md"))
        assert [path.name for path in saved] == ["with-links-and-brackets.md"]
        text = saved[0].read_text(encoding="utf-8")
        assert text.startswith("---\ntitle: \"With: links / and [brackets]\"")
        assert 'url: "https://example.org/0"' in text
        # the link the reader never opens is no link in the saved file either
        assert "[one](https://example.org/one) and [bad\\](javascript:alert(1))." in text
        await pilot.press("j", "o", "y")
        await settle(pilot)
        assert len(opened) == 2 and copied == ["https://example.org/0"]
        assert app.noted("no http(s) link")


async def test_add_and_remove_a_feed(library: Library, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "added.xml", "Added", 2)
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddFeedScreen)
        app.screen.query_one(Input).value = str(feed)
        await pilot.press("enter")
        await settle(pilot, rounds=5)
        assert [f.title for f in library.feeds(subscribed_only=True)] == ["Added"]
        assert len(app.query_one(ArticleList).ids) == 2
        assert app.noted("Added Added")
        await pilot.press("a")  # the same again: said to be there already
        await pilot.pause()
        app.screen.query_one(Input).value = str(feed)
        await pilot.press("enter")
        await settle(pilot, rounds=5)
        assert app.noted("Already subscribed to Added")
        assert len(library.feeds(subscribed_only=True)) == 1
        await pilot.press("d")
        assert app.noted("Select a feed")
        await pilot.press("h", "down", "down")
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert library.feeds(subscribed_only=True) == []


async def test_the_configs_display_name_shows_before_any_refresh(library: Library,
                                                                tmp_path: Path) -> None:
    # with refresh.on_start off the old name stayed until r applied the config
    from reader.core.config import FeedSettings

    feed = write_feed(tmp_path / "desk.xml", "Desk", 2)
    other = write_feed(tmp_path / "other.xml", "Other", 1)
    library.add([str(feed), str(other)])
    app = make_app(library, tmp_path,
                   feeds={str(feed): FeedSettings(display_name="My desk")})
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert any("My desk" in line for line in shown_feeds(app))
        assert not any(line.startswith("Desk") for line in shown_feeds(app))


async def test_removing_a_feed_another_reader_removed_says_so(library: Library,
                                                             tmp_path: Path) -> None:
    # `reader remove` in another shell while the pane still listed it: "Could not remove
    # the feed: not subscribed: 4", a bare id, and the pane kept the feed
    feed = write_feed(tmp_path / "gone.xml", "Gone", 2)
    library.add([str(feed)])
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("h", "down", "down")
        await settle(pilot)
        library.remove([str(feed)])  # elsewhere
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.noted("Gone was removed already")
        assert not any(message.startswith("Could not") for message, _ in app.notes)
        assert not any("Gone" in line for line in shown_feeds(app))
    with pytest.raises(SourceError, match=r"^not subscribed: Gone$"):
        library.remove([library.feeds()[0].id])  # named, not "not subscribed: 4"


async def test_command_palette_runs_actions(library: Library, three_feeds: dict[str, int],
                                            tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"star or")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert articles.article_id is not None
        stored = library.get(articles.article_id)
        assert stored is not None and stored.starred


async def test_theme_choice_is_saved(library: Library, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    settings, _ = load_config(tmp_path / "config.toml")
    assert settings.theme == "nord"


async def test_narrow_terminal_stacks_the_panes(library: Library, three_feeds: dict[str, int],
                                                tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        articles, pane = app.query_one(ArticleList), app.pane
        assert not app.query_one(FeedsPane).display
        assert articles.size.width >= 78 and articles.size.height >= 6
        assert pane.region.y > articles.region.y and pane.size.height >= 8
        await pilot.press("enter")
        await settle(pilot)
        assert "Alpha article 0" in app.pane.plain
        await pilot.press("h")
        await pilot.pause()
        assert app.query_one(FeedsPane).display and app.query_one(FeedsPane).size.height > 0
        assert app.focused is app.query_one(FeedList)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is articles
        assert not app.query_one(FeedsPane).display
        await pilot.resize_terminal(140, 30)  # the feeds pane beside the list over the article
        await pilot.pause()
        assert app.query_one(FeedsPane).display and app.query_one(FeedsPane).size.width > 0
        assert pane.region.y > articles.region.y and articles.region.x >= 20
        await pilot.resize_terminal(200, 40)  # the list beside the article
        await pilot.pause()
        assert pane.region.x > articles.region.x and articles.size.width >= 90


async def test_feeds_pane_widens_to_show_long_names_within_bounds(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    """A fixed 20 columns cut "Plain Text Engineering" to "Plain Text …" on any terminal;
    the pane widens for its longest name, as far as the list (and the article beside it)
    can give, and never narrower than 20."""
    long_name = "Plain Text Engineering"
    fill_storage(storage, [FeedSpec(long_name, 3, folder="Tech"), FeedSpec("Beta", 2)])
    app = make_app(library, tmp_path)
    async with app.run_test(size=(130, 30)) as pilot:
        await settle(pilot)
        feeds, articles = app.query_one(FeedsPane), app.query_one(ArticleList)
        assert any(line.strip() == f"{long_name} 3" for line in shown_feeds(app))
        assert 20 < feeds.outer_size.width <= 32 and articles.size.width >= 85
        await pilot.resize_terminal(200, 40)  # the list beside the article: it stays so
        await pilot.pause()
        assert app.pane.region.x > articles.region.x and articles.size.width >= 85
        assert any(line.strip() == f"{long_name} 3" for line in shown_feeds(app))
        await pilot.resize_terminal(80, 24)
        await pilot.press("h")  # opened for a choice on a narrow screen: names first
        await pilot.pause()
        assert any(line.strip() == f"{long_name} 3" for line in shown_feeds(app))
        assert articles.size.width >= 48
        await pilot.resize_terminal(60, 24)  # the least width, whatever the names
        await pilot.pause()
        assert feeds.outer_size.width == 20


async def test_configured_layout_overrides_auto(library: Library, tmp_path: Path) -> None:
    app = make_app(library, tmp_path, layout=Layout.STACKED)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.pane.region.y > app.query_one(ArticleList).region.y


def _ids(app: ReaderApp) -> Sequence[int]:
    return app.query_one(ArticleList).ids


async def test_plain_text_articles_have_no_summary_badge(library: Library, storage: SqliteStorage,
                                                         tmp_path: Path) -> None:
    url = "/tmp/some-folder"
    feed = storage.upsert_feed(url, title="Folder", subscribed=True)
    storage.upsert_articles(feed, [make_article(url, 0, title="File",
                                                        kind=SourceKind.TEXT)])
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter", "f")
        await settle(pilot)
        assert "summary" not in app.pane.plain.split("\n")[1]
        assert len(_ids(app)) == 1


async def test_refresh_on_start_r_and_full_text_from_a_farm(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    from support.farm import Farm

    with Farm(feeds=2, entries=4) as farm:
        for url in farm.urls:
            storage.upsert_feed(url, subscribed=True)
        app = RecordingApp(library=library,
                           config=Config(refresh_interval_minutes=0, download_dir=tmp_path),
                           config_file=tmp_path / "config.toml")
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot, rounds=6)  # refreshed on start
            articles = app.query_one(ArticleList)
            assert len(articles.ids) == 8
            assert "2 feeds, 8 new articles, 0 errors" in app.status_text
            assert any("Farm feed" in line for line in shown_feeds(app))
            await pilot.press("r")
            await settle(pilot, rounds=6)
            assert "2 feeds, 0 new articles" in app.status_text
            summary_only = next(i for i in articles.ids
                                if (s := library.get(i)) and s.article.body_state == "summary")
            articles.move_to(articles.index_of(summary_only) or 0)
            await pilot.press("enter")
            await settle(pilot)
            assert "summary" in app.pane.plain
            await pilot.press("f")
            await settle(pilot, rounds=5)
            assert "full text" in app.pane.plain
            stored = library.get(summary_only)
            assert stored is not None and stored.full_body


def test_run_tui_opens_config_and_library(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.tui.app as tui

    config = tmp_path / "config.toml"
    config.write_text('[ui]\ntheme = 12\n[refresh]\non_start = false\n', encoding="utf-8")
    seen: dict[str, Any] = {}

    def fake_run(self: ReaderApp) -> int:
        seen.update(notices=self._notices, config=self.config, library=self.library)
        return 0

    monkeypatch.setattr(tui.ReaderApp, "run", fake_run)
    assert tui.run_tui(sources=[], db=tmp_path / "lib.sqlite", config=config) == 0
    assert not seen["config"].refresh_on_start
    assert any("theme" in notice and "line 2" in notice for notice in seen["notices"])
    assert (tmp_path / "lib.sqlite").exists()


def test_piped_stdin_is_read_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import os
    import sys

    import reader.tui.app as tui

    class Piped(io.TextIOWrapper):
        def isatty(self) -> bool:
            return False

    def no_terminal(*_: object, **__: object) -> int:
        raise OSError("no controlling terminal")

    monkeypatch.setattr(sys, "stdin", Piped(io.BytesIO(b"piped text\n")))
    monkeypatch.setattr(os, "open", no_terminal)
    assert tui.read_piped_stdin() == b"piped text\n"


def test_a_slow_pipe_is_said_to_be_waited_for(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # "curl ... | reader -" showed a blank terminal until the download ended
    import io
    import os
    import sys
    import threading
    import time

    import reader.tui.app as tui

    class Piped(io.TextIOWrapper):
        def isatty(self) -> bool:
            return False

    def no_terminal(*_: object, **__: object) -> int:
        raise OSError("no controlling terminal")

    read_end, write_end = os.pipe()
    monkeypatch.setattr(tui, "STDIN_NOTICE_SECONDS", 0.05)
    monkeypatch.setattr(sys, "stdin", Piped(os.fdopen(read_end, "rb")))
    monkeypatch.setattr(os, "open", no_terminal)

    def write_late() -> None:
        try:
            time.sleep(0.3)
            os.write(write_end, b"late text\n")
        finally:  # the read ends whatever happens here
            os.close(write_end)

    threading.Thread(target=write_late, daemon=True).start()
    assert tui.read_piped_stdin() == b"late text\n"
    assert capsys.readouterr().err == "reader: waiting for standard input (Ctrl+C stops)\n"
    # a pipe that has its bytes at once says nothing
    monkeypatch.setattr(sys, "stdin", Piped(io.BytesIO(b"at once\n")))
    assert tui.read_piped_stdin() == b"at once\n"
    assert capsys.readouterr().err == ""


def _rss(path: Path, title: str, days: Sequence[int]) -> Path:
    items = "".join(
        f"<item><title>{title} {day}</title><guid>{title}-{day}</guid>"
        f"<pubDate>{day:02d} Nov 2026 10:00:00 +0000</pubDate><description>text</description>"
        "</item>" for day in days)
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
                    f"{items}</channel></rss>", encoding="utf-8")
    return path


async def test_while_sources_load_a_cursor_left_on_the_first_row_stays_on_the_newest(
        library: Library, tmp_path: Path) -> None:
    """`reader OLD NEW`: the old feed's rows show first; when the newer ones come in above
    them, the untouched cursor is on the newest article, not on the first one shown."""
    old = _rss(tmp_path / "old.xml", "Old", [1, 2, 3])
    new = _rss(tmp_path / "new.xml", "New", [20, 21, 22])
    app = make_app(library, tmp_path, app_kwargs={"sources": [str(old), str(new)]})
    async with app.run_test(size=WIDE) as pilot:
        for _ in range(20):
            await settle(pilot)
            if len(app.query_one(ArticleList).ids) == 6 and not app._loading:
                break
            await pilot.pause(0.1)
        await pilot.pause(0.5)  # the view reloaded after the last source
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert len(articles.ids) == 6
        assert articles.cursor == 0
        await pilot.press("enter")
        await settle(pilot)
        assert "New 22" in app.pane.plain


async def test_timers_and_late_messages_do_nothing_once_the_main_screen_is_gone(
        library: Library, three_feeds: dict[str, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A view reload or a status note due while the app closes found no list to query
    (NoMatches from a timer of the App, which outlived the screen)."""
    monkeypatch.setattr(tui_app, "VIEW_RELOAD_DELAY", 0.05)
    monkeypatch.setattr(tui_app, "STATUS_NOTE_SECONDS", 0.05)
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app._schedule_view_reload()
        app._flash("20 feeds, 3 new articles")
        ids = app.query_one(ArticleList).ids
        # the main screen's widgets go, as they do while the app shuts down
        await app.query_one("#main").remove()
        await app.query_one("#statusbar").remove()
        app.post_message(tui_app.ViewLoaded(app._query or app.current_query(), ids, None))
        app.post_message(tui_app.LoadingFinished("done"))
        await pilot.pause(0.3)
    assert app.return_code in (0, None)


async def test_messages_name_the_source_once_and_say_what_failed(
        library: Library, tmp_path: Path) -> None:
    """Not "Could not add URL: URL: connection failed"."""
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.add_feed("ftp://example.org/feed.xml")
        await settle(pilot)
        errors = [(message, kw) for message, kw in app.notes if kw.get("severity") == "error"]
        assert errors == [("ftp://example.org/feed.xml: not an http(s) URL",
                           {"title": "Could not add", "severity": "error", "markup": False,
                            "timeout": 10})]


async def test_a_bug_in_a_worker_is_one_toast_and_a_logged_traceback(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.core.paths import errors_log_path

    def broken(ids: object) -> None:
        raise KeyError("a bug in the rows query")

    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(library, "rows", broken)
        app.fetch_rows((1, 2))
        await settle(pilot)
        [message] = [m for m, kw in app.notes if kw.get("severity") == "error"]
        assert message.startswith("Could not load the list's rows: a bug (KeyError; details in ")
        await app.workers.wait_for_complete()
    assert "a bug in the rows query" in errors_log_path().read_text(encoding="utf-8")


async def test_a_system_refusal_in_a_worker_is_said_not_called_a_bug(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.core.paths import errors_log_path

    def refused(ids: object) -> None:
        raise PermissionError(13, "Permission denied")

    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(library, "rows", refused)
        app.fetch_rows((1,))
        await settle(pilot)
        [message] = [m for m, kw in app.notes if kw.get("severity") == "error"]
        assert message == "Could not load the list's rows: [Errno 13] Permission denied"
    assert not errors_log_path().exists()


async def test_an_empty_starred_view_says_so_and_guidance_wraps(library: Library,
                                                                 tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.xml", "Feed", 2)
    app = make_app(library, tmp_path, app_kwargs={"sources": [str(feed)]})
    async with app.run_test(size=(44, 24)) as pilot:
        await settle(pilot, rounds=5)
        await pilot.press("S")
        await settle(pilot)
        rows = [line.strip() for line in shown_rows(app) if line.strip()]
        # true of the view shown, and wrapped at the list's edge instead of cut there
        assert rows == ["No starred articles. Press s on an", "article to star it."]
        await pilot.press("U")
        await settle(pilot)
        assert shown_rows(app)[0].strip() == "No unread starred articles. Press U to"


async def test_an_empty_library_says_so_in_the_list_and_how_to_fill_it_in_the_pane(
        library: Library, tmp_path: Path) -> None:
    """At 80x10 the list has two rows: the guidance goes where there is room (and a
    scrollbar), the list says what is the matter in its first row."""
    app = make_app(library, tmp_path)
    async with app.run_test(size=(80, 10)) as pilot:
        await settle(pilot)
        assert [line.strip() for line in shown_rows(app) if line.strip()] == [
            "Your library is empty."]
        pane = app.query_one(ReadingPane)
        assert pane.plain == app.add_guidance
        assert "reader add" in pane.plain and "Press a" in pane.plain
        # all of it on screen: its four lines in the pane's four rows
        assert pane.virtual_size.height <= pane.scrollable_content_region.height
        app.add_feed(str(write_feed(tmp_path / "feed.xml", "Feed", 2)))
        await settle(pilot, rounds=5)
        assert pane.plain != app.add_guidance  # an article, or the hint to open one


@pytest.mark.parametrize("width", [30, 44, 57, 80])
async def test_the_search_hint_and_the_key_bar_fit_a_narrow_screen(
        library: Library, three_feeds: dict[str, int], tmp_path: Path, width: int) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        bar = app.query_one(SearchBar)
        assert len(bar.placeholder) <= bar.content_size.width
        assert bar.placeholder.startswith("/ ")
        keys = app.query_one(KeyBar).render_line(0).text
        assert len(keys.rstrip()) <= width
        # the hints that go are whole ones, and Help and Quit stay whatever the width
        assert "? Help" in keys and "q Quit" in keys
        assert (" ^p Palette" in keys) == (width >= 80)


async def test_the_first_screen_read_while_the_interface_imports_is_shown_then_the_rest(
        library: Library, three_feeds: dict[str, int], db_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.tui.opening import Opening

    monkeypatch.setattr(tui_app, "FIRST_PAGE", 20)
    opened, first = Opening(db_file, height=10, page=20).result()
    assert first is not None and len(first.ids) == 20 and not first.complete
    assert len(first.rows) == 11 and len(first.feeds) == 3
    app = make_app(opened, tmp_path, app_kwargs={"first_screen": first})
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        assert list(articles.ids[:20]) == list(first.ids) and len(articles.ids) == 55  # the rest
        assert cursor_title(app) == "Alpha article 0"
        assert len(shown_feeds(app)) >= 5  # All, Starred, the folder and its feeds
    opened.close()


def test_opening_a_library_that_cannot_be_opened_raises_in_the_caller(tmp_path: Path) -> None:
    from reader.core.errors import StorageError
    from reader.tui.opening import Opening

    opening = Opening(tmp_path / "no" / "such" / "library.sqlite", height=10)
    with pytest.raises(StorageError, match="no such folder"):
        opening.result()


async def test_help_scrolls_with_the_lists_keys_as_configured(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    # At 80x24 the help is taller than its box; j (the key the help itself lists for moving
    # down) did nothing there, only the arrows scrolled it.
    app = _app_with_keys(library, storage, tmp_path, '[keys]\ncursor_up = "x"\n')
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        cursor = app.query_one(ArticleList).cursor
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 3
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert body.scroll_y == 3
        await pilot.press("x")  # the user's key for "Move up"
        await pilot.pause()
        assert body.scroll_y == 2
        await pilot.press("G")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        await pilot.pause()
        assert body.scroll_y == 0
        await pilot.press("escape")
        # the list behind did not move
        assert app.query_one(ArticleList).cursor == cursor


async def test_two_digits_open_a_two_digit_link_from_the_list_too(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    # "1" opened link 1 at once with the list focused, so link 12 could not be reached
    # there; the pane waited for a second digit. Both wait now, from before the article
    # is shown too (the digits apply to the cursor's article, shown first).
    url = "https://example.org/links.xml"
    feed = storage.upsert_feed(url, title="Links", subscribed=True)
    body = " ".join(f"[link {n}](https://example.org/{n})." for n in range(1, 13))
    storage.upsert_articles(feed, [
        make_article(url, 0, title="Twelve links", body=body),
        make_article(url, 1, title="Other", body="Nothing to follow.", hours=1),
    ])
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.focused is app.query_one(ArticleList)
        await pilot.press("1", "2")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen._subject == "https://example.org/12"
        await pilot.press("escape")
        await pilot.press("j")  # the other article is under the cursor, not yet shown
        await pilot.press("k", "1", "0")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen._subject == "https://example.org/10"


async def test_a_missing_link_number_is_said_alike_from_the_list_and_the_pane(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    # "3" said "No link 3 in this article." (a notice) with the list focused and
    # "No link [3] in this article" (a warning) with the article focused.
    url = "https://example.org/links.xml"
    feed = storage.upsert_feed(url, title="Links", subscribed=True)
    storage.upsert_articles(feed, [
        make_article(url, 0, title="One link", body="See [one](https://example.org/one)."),
        make_article(url, 1, title="No link", body="Nothing to follow.", hours=1),
    ])
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        said: list[list[tuple[str, object]]] = []

        async def press_3() -> None:
            app.notes.clear()
            await pilot.press("3")
            await pilot.pause(ReadingPane.DIGIT_TIMEOUT + 0.1)
            said.append([(message, kwargs.get("severity")) for message, kwargs in app.notes])

        await press_3()  # the list focused
        await pilot.press("tab")
        assert app.focused is app.pane
        await press_3()  # the article focused
        await pilot.press("j")  # the article without links (the pane keeps the focus)
        await settle(pilot)
        await pilot.pause(0.3)
        assert "Nothing to follow." in app.pane.plain
        await press_3()
        assert said == [[("No link [3] in this article.", "warning")]] * 3


async def test_back_from_the_starred_view_the_cursor_is_where_it_was(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # S then S again put the cursor on the first row: an s pressed then starred another
    # article than the one left for the starred view.
    app = make_app(library, tmp_path)
    ids = library.view(app.current_query())
    library.star([ids[0]])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        for _ in range(30):
            await pilot.press("j")
        await settle(pilot)
        assert articles.cursor == 30
        await pilot.press("S")
        await settle(pilot)
        assert list(articles.ids) == [ids[0]]
        await pilot.press("S")
        await settle(pilot)
        assert articles.cursor == 30 and articles.article_id == ids[30]
        await pilot.pause(0.3)
        await settle(pilot)
        assert app.pane.article_id == ids[30]  # and the pane shows it
        assert any("Beta article" in line for line in shown_rows(app))  # scrolled to it
        # a feed chosen in the pane still starts at its top
        await pilot.press("S")
        await settle(pilot)
        app.query_one(FeedsPane).select(ALL)
        await settle(pilot)
        assert articles.cursor == 0


async def test_a_refresh_summary_is_shown_whole_on_a_full_status_line(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    # At 80 columns, with unread only, an order and a filter on, the status line ended
    # "· filter: village · 2": the refresh's summary (its errors too) was cut off.
    from support.farm import Farm

    with Farm(feeds=2, entries=4) as farm:
        for url in farm.urls:
            storage.upsert_feed(url, subscribed=True)
        app = make_app(library, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("r")
            await settle(pilot, rounds=6)
            await pilot.press("U", "t", "t", "slash", *"village", "enter")
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot, rounds=6)
            status = app.query_one("#status")
            shown = str(status.render())
            assert "2 feeds, 0 new articles, 0 errors" in app.status_text
            assert len(shown) <= status.content_region.width
            assert "2 feeds, 0 new articles, 0 errors" in shown
            assert shown.startswith("All articles")
            assert "\u2026" in shown  # the view's description gives way, and says so
            await pilot.resize_terminal(160, 45)
            await pilot.pause(tui_app.FIT_DELAY + 0.1)
            assert str(status.render()) == app.status_text  # room again: all of it


async def test_marking_a_filtered_view_read_says_how_many_not_all(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # "/gamma" then A marked the 5 articles found and said "Marked All articles read":
    # read as everything marked, with 50 articles still unread.
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"gamma", "enter")
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 5
        await pilot.press("A")
        await settle(pilot)
        assert sum(feed.unread for feed in library.feeds()) == 50
        assert app.notes[-1][0] == "Marked the 5 articles found read (u undoes)"
        assert not app.noted("Marked All articles")


async def test_sources_with_no_article_leave_no_select_hint(
        library: Library, tmp_path: Path) -> None:
    # `reader MISSING-FILE`: the list said "No articles in these sources." and the
    # reading pane "Select an article and press Enter to read it.", with none to select.
    missing = str(tmp_path / "nothing-here.txt")
    app = make_app(library, tmp_path, app_kwargs={"sources": [missing]})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, rounds=5)
        assert app.noted("nothing-here.txt")
        assert shown_rows(app)[0].strip() == "No articles in these sources."
        assert "Select an article" not in app.pane.plain
    feed = write_feed(tmp_path / "one.xml", "One", 2)
    app = make_app(library, tmp_path, app_kwargs={"sources": [str(feed), missing]})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, rounds=5)
        await pilot.pause(0.3)
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 2
        assert "One" in app.pane.plain or "Select an article" in app.pane.plain
        assert app.pane.plain.strip() != ""


async def test_the_help_closes_with_the_key_that_opened_it_as_remapped(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    # [keys] help = "f1": F1 opened the help and did nothing in it (only ?, q and Esc
    # closed it)
    app = _app_with_keys(library, storage, tmp_path, '[keys]\nhelp = "f1"\nquit = "ctrl+q"\n')
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for close in ("f1", "ctrl+q", "escape"):
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press(close)
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen), close
        assert app.is_running  # ctrl+q closed the help, not the app


async def test_q_while_opening_a_slow_url_stops_the_fetch(
        library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 'reader URL' and q while the page was still coming: 27 s on a blank screen
    import threading
    import time

    from support.farm import Farm

    ended = threading.Event()
    open_sources = Library.open_sources

    def watched(self: Library, *args: Any, **kwargs: Any) -> Any:
        try:
            return open_sources(self, *args, **kwargs)
        finally:
            ended.set()

    monkeypatch.setattr(Library, "open_sources", watched)
    with Farm(feeds=1, entries=2, latency_ms=60_000) as farm:
        app = make_app(library, tmp_path, app_kwargs={"sources": farm.urls})
        async with app.run_test(size=WIDE) as pilot:
            deadline = time.monotonic() + 10
            while "Loading" not in app.status_text and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert "Loading" in app.status_text
            await pilot.pause(0.5)  # the fetch is under way
            await pilot.press("q")
        assert ended.wait(5), "the fetch ran on after q"


async def test_q_during_a_slow_refresh_stops_the_refresh(
        library: Library, storage: SqliteStorage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # q while feeds were still being fetched left a blank screen for as long as the
    # slowest feed took (40 s and more): the refresh ran on and the exit waited for it
    import threading
    import time

    from support.farm import Farm

    ended = threading.Event()
    refresh = Library.refresh

    async def watched(self: Library, *args: Any, **kwargs: Any) -> Any:
        try:
            return await refresh(self, *args, **kwargs)
        finally:
            ended.set()

    monkeypatch.setattr(Library, "refresh", watched)
    with Farm(feeds=2, entries=2, latency_ms=60_000) as farm:
        for url in farm.urls:
            storage.upsert_feed(url, subscribed=True)
        app = make_app(library, tmp_path)
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("r")
            deadline = time.monotonic() + 10
            while "Refreshing" not in app.status_text and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert "Refreshing" in app.status_text
            await pilot.pause(0.5)  # the fetches are under way
            await pilot.press("q")
        assert ended.wait(5), "the refresh ran on after q"


async def test_a_nul_pasted_into_the_search_is_a_space(library: Library,
                                                       three_feeds: dict[str, int],
                                                       tmp_path: Path) -> None:
    # the library's error "unterminated string" came up instead of the articles found
    from textual import events

    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        app.focused.post_message(events.Paste("gamma\x00article"))  # type: ignore[union-attr]
        await pilot.pause(0.2)
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 5
        assert not any("unterminated" in message for message, _ in app.notes)


async def test_the_full_text_still_shows_when_a_resize_lays_the_article_out_again(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    import time

    from support.farm import Farm

    with Farm(feeds=1, entries=2) as farm:  # feed 0 carries summaries only
        library.add(farm.urls)
    with Farm(feeds=1, entries=2, latency_ms=1500) as slow:
        for feed in library.feeds():
            storage.upsert_feed(feed.url, subscribed=True)
        # the pages now come slowly from the second farm: their links point there
        conn = storage._conn()
        conn.execute("UPDATE articles SET url = replace(url, ?, ?)", (farm.base, slow.base))
        conn.commit()
        app = make_app(library, tmp_path)
        async with app.run_test(size=WIDE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert "summary" in app.pane.plain
            await pilot.press("f")
            await pilot.pause(0.3)
            await pilot.resize_terminal(150, 40)  # the article laid out again meanwhile
            deadline = time.monotonic() + 10
            while "full text" not in app.pane.plain and time.monotonic() < deadline:
                await pilot.pause(0.1)
            assert "full text" in app.pane.plain


async def test_unread_only_keeps_the_cursor_near_a_read_article_it_hides(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # U on a read article: it leaves the view, and the cursor went back to the top of the
    # list (the user's place lost); it goes to the next article that stays, as newsboat
    app = make_app(library, tmp_path)
    ids = library.view(app.current_query())
    library.mark_read([ids[5], ids[6]])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        articles = app.query_one(ArticleList)
        await pilot.press(*"jjjjj")
        await settle(pilot)
        assert articles.article_id == ids[5]
        await pilot.press("U")
        await settle(pilot)
        assert len(articles.ids) == len(ids) - 2
        assert articles.article_id == ids[7]
        await pilot.press("G", "m", "U", "U")  # the last one hidden: the one before it
        await settle(pilot)
        assert articles.article_id == ids[-2]


async def test_mark_all_read_leaves_the_articles_of_feeds_not_subscribed_unread(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # A on "All articles" marked every unread article the library stores read, those of a
    # removed feed and of files once opened on the command line too ("Undone: marking 161"
    # for a view of 120): they came back read when opened again
    library.remove([three_feeds["Gamma"]])
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 50
        await pilot.press("A")
        await settle(pilot)
        gamma = next(feed for feed in library.feeds() if feed.id == three_feeds["Gamma"])
        assert gamma.unread == 5
        await pilot.press("u")
        await settle(pilot)
        assert app.noted("Undone: marking 50 articles read")


async def test_removing_a_feed_leaves_the_cursor_on_the_feed_after_it(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # the cursor of the feeds pane jumped back to "All articles" at the top, the list with
    # it: a second feed to remove was to be looked for again from there
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        labels = [line.strip() for line in shown_feeds(app)]
        beta = next(i for i, label in enumerate(labels) if "Beta" in label)
        await pilot.press("h", *["down"] * beta)
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, rounds=5)
        assert app.noted("Removed Beta")
        highlighted = app.query_one(FeedList).highlighted
        assert highlighted is not None and highlighted.feed_id == three_feeds["Gamma"]
        assert cursor_title(app).startswith("Gamma article")
        assert len(app.query_one(ArticleList).ids) == 5


async def test_a_saved_article_is_named_from_the_home_folder(
        library: Library, three_feeds: dict[str, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # "Saved: /home/someone/Downloads/a-long-title.md" took three lines of the toast
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
    saved = next((tmp_path / "saved").iterdir())
    assert app.noted(f"Saved: ~/saved/{saved.name}")


async def test_the_key_bar_names_r_as_the_help_does(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # "r Reload" in the key bar, "Refresh the sources" in the help and the palette, "Press r
    # to refresh" in an empty list, `reader refresh`: one action, two names
    app = make_app(library, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = app.query_one(KeyBar).render_line(0).text
        assert "r Refresh" in keys and "Reload" not in keys
        assert "^p Palette" in keys


async def test_r_in_a_session_says_the_sources_were_loaded_again(
        library: Library, tmp_path: Path) -> None:
    # r over files opened on the command line showed nothing once they were read again: the
    # key seemed to do nothing (a refresh of the library says what it did)
    good = write_feed(tmp_path / "good.xml", "Good", 3)
    app = make_app(library, tmp_path, app_kwargs={"sources": [str(good)]})
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, rounds=5)
        assert "loaded" not in str(app.query_one("#status").render())  # not on its own
        await pilot.press("r")
        await settle(pilot, rounds=5)
        assert "1 source loaded" in str(app.query_one("#status").render())


async def test_a_question_says_its_keys_as_the_add_dialog_does(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    # "Open this link?" showed two buttons; y and n answered it but nothing said so
    app = make_app(library, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.ask_to_open("https://example.org/a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        hint = app.screen.query_one(".dialog-hint")
        assert "y opens, n or Esc cancels" in str(hint.render())
        assert hint.region.y == app.screen.query_one("#yes").region.y  # beside the buttons
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_a_subscription_list_that_cannot_be_written_is_a_toast(
        library: Library, tmp_path: Path) -> None:
    # the library's notice that its subscriptions.opml could not be written (a full disk)
    # after a was kept and never shown: the list a damaged library is rebuilt from went
    # stale in silence
    from reader.core.paths import subscriptions_path

    target = subscriptions_path(library.path)
    target.unlink(missing_ok=True)
    target.mkdir()  # os.replace() onto it fails
    app = make_app(library, tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.add_feed(str(write_feed(tmp_path / "feed.xml", "Feed", 2)))
        await settle(pilot, rounds=5)
        warned = [m for m, kw in app.notes if kw.get("severity") == "warning"]
        assert any(m.startswith(f"could not write {target.name}") for m in warned), app.notes


async def test_a_toast_leaves_the_status_line_and_key_bar_whole(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    """A toast stood over the end of the status line ("… · unread only · by fe▌"); it is
    drawn above the status line and the key bar."""
    from textual.widgets._toast import Toast

    app = make_app(library, tmp_path)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("t")  # "Sorted by feed", said in a toast for 2 s
        await pilot.pause()
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        assert toasts
        status, keys = app.query_one("#status"), app.query_one(KeyBar)
        for toast in toasts:
            assert not toast.region.overlaps(status.region)
            assert not toast.region.overlaps(keys.region)
            assert toast.region.bottom == status.region.y  # right above it


async def test_the_key_bar_names_the_keys_of_the_focused_pane(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    """The key bar said "q Quit" while q was typed into the search, and "⏎ Open" with the
    feeds pane focused, where Enter shows a feed: it names what works where the focus is."""
    app = make_app(library, tmp_path)

    def keys() -> str:
        return app.query_one(KeyBar).render_line(0).text

    async with app.run_test(size=(130, 30)) as pilot:
        await settle(pilot)
        assert "⏎ Open" in keys() and "n Next unread" in keys()
        await pilot.press("/")
        await pilot.pause()
        assert "⏎ List" in keys() and "esc Clear" in keys()
        assert "q Quit" not in keys() and "n Next unread" not in keys()
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is app.query_one(ArticleList) and "⏎ Open" in keys()
        await pilot.press("h")
        await pilot.pause()
        assert app.focused is app.query_one(FeedList)
        assert "⏎ Show" in keys() and "space Fold" in keys() and "d Remove" in keys()
        assert "⏎ Open" not in keys()
        await pilot.press("tab", "tab")  # the list, then the article
        await pilot.pause()
        assert app.focused is app.pane
        assert "space Page down" in keys() and "0-9 Links" in keys() and "? Help" in keys()
        await pilot.resize_terminal(40, 20)  # narrow: Help and Quit stay
        await pilot.pause()
        assert "? Help" in keys() and "q Quit" in keys() and len(keys().rstrip()) <= 40


async def test_the_focused_article_is_tinted_as_a_focused_list_is(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    """Tab to the article changed nothing on it (only the list's cursor dimmed): it gets
    the tint Textual gives a focused list, and loses it with the focus."""
    app = make_app(library, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)

        def shade() -> object:
            return app.pane.rich_style.bgcolor

        unfocused = shade()
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is app.pane and shade() != unfocused
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is app.query_one(ArticleList) and shade() == unfocused


async def test_the_progress_bar_leaves_the_status_its_words_on_a_narrow_screen(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    """At 80 columns a progress bar of 30 cut "filter: alpha" to "fi…" while a folder
    loaded: the bar takes a quarter of the line at most, 30 columns where there is room."""
    from textual.widgets import ProgressBar, Static

    from reader.tui.messages import LoadingProgress

    app = make_app(library, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("/", *"alpha", "enter")
        await settle(pilot)
        app.post_message(LoadingProgress(0, 1, "Loading"))  # as a folder's loading says
        await pilot.pause()
        await pilot.pause()
        bar = app.query_one(ProgressBar)
        status = str(app.query_one("#status", Static).render())
        assert "filter: alpha · Loading 0/1…" in status
        assert app.query_one(ProgressBar).outer_size.width <= 20
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert bar.outer_size.width == 30


async def test_the_status_line_counts_the_views_unread_articles(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    """Under 120 columns (no feeds pane) nothing said how many articles were unread, as
    newsboat's "(12 unread, 45 total)" does: the status line says it, and follows m."""
    from textual.widgets import Static

    app = make_app(library, tmp_path)

    def status() -> str:
        return str(app.query_one("#status", Static).render())

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert status().startswith("All articles · 55 articles, 55 unread")
        await pilot.press("m")  # the cursor's article read
        await settle(pilot)
        assert "55 articles, 54 unread" in status()
        await pilot.press("m")
        await settle(pilot)
        assert "55 articles, 55 unread" in status()
        await pilot.press("/", *"alpha", "enter")  # a filter's unread are not counted
        await settle(pilot)
        assert "unread" not in status() and "filter: alpha" in status()



async def test_the_status_line_counts_no_unread_before_the_counts_are_read(
        library: Library, three_feeds: dict[str, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The feeds' names come first and their unread counts follow (up to two seconds at
    100,000 articles): the status line said "100,000 articles, 0 unread" meanwhile."""
    import threading

    from textual.widgets import Static

    counted = threading.Event()
    feeds = Library.feeds

    def slow_counts(self: Library, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("counts"):
            counted.wait(10)  # the counts take their time, as over a big library
        return feeds(self, *args, **kwargs)

    monkeypatch.setattr(Library, "feeds", slow_counts)
    app = make_app(library, tmp_path)

    def status() -> str:
        return str(app.query_one("#status", Static).render())

    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(20):
            await pilot.pause(0.02)
        assert status().startswith("All articles · 55 articles")
        assert "unread" not in status()
        counted.set()
        await settle(pilot)
        assert status().startswith("All articles · 55 articles, 55 unread")


async def test_a_view_of_one_feed_gives_the_feed_column_to_the_titles(
        library: Library, three_feeds: dict[str, int], tmp_path: Path) -> None:
    """A folder of dumps opened alone showed its name ("mydumps") on every row, cutting
    the titles short for it: a view of one feed's articles shows no feed column."""
    folder = tmp_path / "mydumps"
    folder.mkdir()
    long_title = "A title long enough to be cut short when the feed column takes its room"
    for number in range(3):
        (folder / f"{number}.txt").write_text(
            f"{long_title} {number}\n\n" + "Some words of the article body here. " * 30)
    app = make_app(library, tmp_path, app_kwargs={"sources": [str(folder)]})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, rounds=6)
        rows = [row for row in shown_rows(app) if "A title" in row]
        assert len(rows) == 3
        assert all("mydumps" not in row and long_title in row for row in rows)

    app = make_app(library, tmp_path)  # the library's three feeds: each row names its own
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any(row.count("Alpha") == 2 for row in shown_rows(app))  # title and feed
        feeds = app.query_one(FeedList)
        feeds.focus()
        feeds.move_to_selection(next(e.selection for e in feeds.lines if e.name == "Alpha"))
        await pilot.press("enter")
        await settle(pilot)
        alpha = [row for row in shown_rows(app) if "Alpha" in row]
        assert alpha and all(row.count("Alpha") == 1 for row in alpha)
