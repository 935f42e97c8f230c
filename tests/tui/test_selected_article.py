"""The one selected article: the pane follows the cursor, every action applies to the article
under it, and an article counts as read on Enter or after being shown a while."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.builders import FeedSpec, fill_storage, make_article
from support.pilot import make_app, settle

from reader.library import Library
from reader.storage.sqlite import SqliteStorage
from reader.tui.app import FOLLOW_DELAY
from reader.tui.browser import BrowserCommand, browser_command
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.widgets.article_list import ArticleList

SIZE = (200, 50)


@pytest.fixture
def two_feeds(storage: SqliteStorage) -> dict[str, int]:
    return fill_storage(storage, [FeedSpec("Alpha", 6), FeedSpec("Beta", 4, offset=50)])


def _row(app, article_id):  # type: ignore[no-untyped-def]
    return app.query_one(ArticleList).cached_row(article_id)


async def test_the_pane_follows_the_cursor_and_actions_apply_to_it(
        library: Library, two_feeds: dict[str, int], tmp_path: Path) -> None:
    app = make_app(library, tmp_path, mark_read_after=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(FOLLOW_DELAY + 0.2)
        await settle(pilot)
        articles = app.query_one(ArticleList)
        first = articles.article_id
        assert app.pane.article_id == first  # shown at start, not read
        assert first is not None and not library.get(first).read  # type: ignore[union-attr]
        await pilot.press("enter")
        await settle(pilot)
        assert library.get(first).read  # type: ignore[union-attr]
        await pilot.press("j", "j", "j")  # held: nothing rendered on the way
        await pilot.pause(FOLLOW_DELAY + 0.2)
        await settle(pilot)
        fourth = articles.article_id
        assert fourth != first and app.pane.article_id == fourth
        assert "Alpha article 3" in app.pane.plain
        await pilot.press("s", "m")  # star and mark: the article shown, under the cursor
        await settle(pilot)
        stored = library.get(fourth)  # type: ignore[arg-type]
        assert stored is not None and stored.starred and stored.read
        assert not library.get(first).starred  # type: ignore[union-attr]
        # f pressed before the pane caught up still applies to the cursor's article
        await pilot.press("j", "f")
        await settle(pilot)
        assert app.pane.article_id == articles.article_id != fourth


async def test_y_e_o_and_links_apply_to_the_cursors_article_before_the_pane_catches_up(
        library: Library, two_feeds: dict[str, int], tmp_path: Path) -> None:
    """Open one, press j, then act at once: the action is for the row under the cursor, not
    for the article the pane still shows."""
    app = make_app(library, tmp_path, mark_read_after=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        articles = app.query_one(ArticleList)
        opened = app.pane.article_id
        await pilot.press("j", "y")
        cursor = articles.article_id
        assert cursor != opened
        url = library.get(cursor).article.url  # type: ignore[arg-type, union-attr]
        assert app.notes[-1][0] == f"Copied {url}"
        await pilot.press("e")
        await settle(pilot)
        title = library.get(cursor).article.title  # type: ignore[arg-type, union-attr]
        assert [p.stem for p in (tmp_path / "saved").iterdir()] == [
            title.lower().replace(" ", "-")]  # type: ignore[union-attr]
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen._subject == url
        await pilot.press("escape")
        await pilot.press("k", "1")  # a numbered link: the cursor's article is shown first
        await settle(pilot)
        assert app.pane.article_id == articles.article_id == opened


async def test_shown_for_a_while_it_counts_as_read(
        library: Library, two_feeds: dict[str, int], tmp_path: Path) -> None:
    app = make_app(library, tmp_path, mark_read_after=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(1.5)  # the article the app opened on is not read by waiting
        await settle(pilot)
        articles = app.query_one(ArticleList)
        first = articles.article_id
        assert first is not None and not library.get(first).read  # type: ignore[union-attr]
        await pilot.press("j")
        second = articles.article_id
        await pilot.press("j")  # passed over: not read
        third = articles.article_id
        await pilot.pause(FOLLOW_DELAY + 1.3)
        await settle(pilot)
        assert app.pane.article_id == third
        assert library.get(third).read  # type: ignore[arg-type, union-attr]
        assert not library.get(second).read  # type: ignore[arg-type, union-attr]
        assert _row(app, third).read


async def test_mark_read_after_zero_leaves_reading_to_enter(
        library: Library, two_feeds: dict[str, int], tmp_path: Path) -> None:
    app = make_app(library, tmp_path, mark_read_after=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await pilot.pause(FOLLOW_DELAY + 0.5)
        await settle(pilot)
        shown = app.query_one(ArticleList).article_id
        assert app.pane.article_id == shown
        assert not library.get(shown).read  # type: ignore[arg-type, union-attr]


async def test_an_empty_view_shows_no_article_and_its_keys_say_so(
        library: Library, two_feeds: dict[str, int], tmp_path: Path) -> None:
    """A filter that matches nothing (or an empty Starred view) leaves no article under the
    cursor: the pane shows none rather than one the keys cannot reach, every key for an
    article says the same thing, nothing is changed, and Esc comes back to the article."""
    app = make_app(library, tmp_path, mark_read_after=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        articles = app.query_one(ArticleList)
        opened = app.pane.article_id
        assert opened is not None and opened == articles.article_id
        await pilot.press("slash", *"zqxw", "enter")
        await settle(pilot)
        assert articles.article_id is None
        assert app.pane.article_id is None and app.pane.plain == ""
        app.notes.clear()
        await pilot.press("o", "y", "e", "s", "m", "f", "v", "1")
        await settle(pilot)
        assert [message for message, _ in app.notes] == ["No article here."] * 8
        stored = library.get(opened)
        assert stored is not None and not stored.starred and stored.read
        assert not (tmp_path / "saved").exists()
        await pilot.press("escape")
        await pilot.pause(FOLLOW_DELAY + 0.2)
        await settle(pilot)
        assert articles.article_id == opened and app.pane.article_id == opened


# --- external programs --------------------------------------------------------------------


def _program(folder: Path, name: str, log: Path) -> Path:
    path = folder / name
    path.write_text(f'#!/bin/sh\necho "some output of {name}"\nprintf "%s\\n" "$@" >> {log}\n')
    path.chmod(0o755)
    return path


def test_browser_is_read_as_webbrowser_reads_it(tmp_path: Path) -> None:
    log = tmp_path / "log"
    for name in ("lynx", "firefox", "xdg-open", "w3m"):
        _program(tmp_path, name, log)
    url = "https://example.org/a b?c=1&d"
    path = str(tmp_path)
    # a program name: the URL is its one argument; console or not by the program and display
    assert browser_command(url, {"BROWSER": "lynx", "PATH": path}) == BrowserCommand(
        ("lynx", url), console=True)
    assert browser_command(url, {"BROWSER": "firefox", "PATH": path,
                                 "DISPLAY": ":0"}) == BrowserCommand(("firefox", url), False)
    assert browser_command(url, {"BROWSER": "lynx", "PATH": path,
                                 "DISPLAY": ":0"}).console  # type: ignore[union-attr]
    # with no display, anything runs in the terminal
    assert browser_command(url, {"BROWSER": "firefox", "PATH": path}).console  # type: ignore[union-attr]
    # %s: split like a shell (never run by one), the URL in its place; a last & dropped
    command = browser_command(url, {"BROWSER": "firefox --new-tab '%s' &", "PATH": path,
                                    "DISPLAY": ":0"})
    assert command == BrowserCommand(("firefox", "--new-tab", url), console=False)
    # the first that exists, across os.pathsep
    listed = os.pathsep.join(["no-such-browser %s", "w3m"])
    assert browser_command(url, {"BROWSER": listed, "PATH": path}) == BrowserCommand(
        ("w3m", url), console=True)
    # no $BROWSER: xdg-open on a display, else the first console browser found
    assert browser_command(url, {"PATH": path, "WAYLAND_DISPLAY": "w"}) == BrowserCommand(
        (str(tmp_path / "xdg-open"), url), console=False)
    assert browser_command(url, {"PATH": path}) == BrowserCommand(
        (str(tmp_path / "lynx"), url), console=True)
    assert browser_command(url, {"PATH": str(tmp_path / "empty")}) is None
    assert browser_command(url, {"BROWSER": "lynx '%s", "PATH": path}) is not None  # falls on
    # a URL that looks like shell syntax stays one argument
    nasty = "https://example.org/$(touch x);rm -rf ~"
    assert browser_command(nasty, {"BROWSER": "lynx %s", "PATH": path}) == BrowserCommand(
        ("lynx", nasty), console=True)


async def test_o_with_a_console_browser_suspends_the_app(
        library: Library, storage: SqliteStorage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "opened.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _program(bin_dir, "lynx", log)
    monkeypatch.setenv("BROWSER", "lynx")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    url = "https://example.org/feed.xml"
    feed = storage.upsert_feed(url, title="Feed", subscribed=True)
    storage.upsert_articles(feed, [make_article(url, 0, title="One",
                                                url="https://example.org/story",
                                                body="See [two](https://example.org/two).")])
    app = make_app(library, tmp_path)
    events: list[str] = []

    @contextlib.contextmanager
    def suspend() -> Iterator[None]:  # the headless driver cannot suspend: record instead
        events.append("suspended")
        yield
        events.append(f"resumed: {log.read_text().split()}")

    monkeypatch.setattr(app, "suspend", suspend)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert events == ["suspended", "resumed: ['https://example.org/story']"]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("1", "y")  # a numbered link goes the same way
        await settle(pilot)
        await asyncio.sleep(0)
        assert events[-1] == "resumed: ['https://example.org/story', 'https://example.org/two']"
        assert app.is_running
        assert not app.noted("Could not open")
        # a browser that fails said why on the screen it took with it: the reader says it
        failing = bin_dir / "lynx"
        failing.write_text("#!/bin/sh\necho 'lynx: cannot access startfile' >&2\nexit 3\n")
        await pilot.press("o", "y")
        await settle(pilot)
        assert app.notes[-1] == (
            "Could not open https://example.org/story with lynx: it exited with status 3",
            {"severity": "error", "markup": False})


# --- the feeds pane ---------------------------------------------------------------------


async def test_a_folders_feed_files_are_listed_under_it_and_sorted_by(
        library: Library, tmp_path: Path) -> None:
    from support.paths import SAMPLES

    from reader.tui.widgets.feeds_pane import FeedList, FeedsPane

    app = make_app(library, tmp_path, app_kwargs={"sources": [str(SAMPLES)]})
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, rounds=6)
        feeds = app.query_one(FeedList)
        names = [entry.name for entry in feeds.lines]
        assert "sample_feeds" in names
        for member in ("The World Desk", "Science Notes"):  # the feed files inside it
            assert member in names and names.index(member) > names.index("sample_feeds")
        assert app.query_one(FeedsPane).display  # more than one source: shown
        await app.run_action("sort_by('feed')")
        await settle(pilot)
        shown = [app.query_one(ArticleList).cached_row(i) for i in app.query_one(ArticleList).ids]
        order = [row.feed_name for row in shown if row is not None]
        assert order == sorted(order, key=str.casefold)  # grouped by the name each row shows
        feeds.focus()
        feeds.move_to_selection(next(e.selection for e in feeds.lines
                                     if e.name == "Science Notes"))
        await pilot.press("enter")
        await settle(pilot)
        rows = [app.query_one(ArticleList).cached_row(i) for i in app.query_one(ArticleList).ids]
        assert rows and {row.feed_name for row in rows if row} == {"Science Notes"}
        await pilot.press("H")  # hidden whatever the width, and back
        await pilot.pause()
        assert not app.query_one(FeedsPane).display
        await pilot.press("H")
        await pilot.pause()
        assert app.query_one(FeedsPane).display


async def test_one_source_hides_the_feeds_pane(library: Library, storage: SqliteStorage,
                                               tmp_path: Path) -> None:
    from reader.tui.widgets.feeds_pane import FeedsPane

    fill_storage(storage, [FeedSpec("Only", 3)])
    app = make_app(library, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert not app.query_one(FeedsPane).display
        await pilot.press("h")  # opened for a choice, and closed once it is made
        await pilot.pause()
        assert app.query_one(FeedsPane).display
        await pilot.press("enter")
        await settle(pilot)
        assert not app.query_one(FeedsPane).display


def test_a_console_browser_on_a_real_terminal_leaves_nothing_behind(tmp_path: Path) -> None:
    """On a pseudo-terminal: `o`, yes; the browser (a fake lynx: $BROWSER, no display) writes
    over the screen and exits; the reader takes the terminal back and draws itself whole,
    key bar included, on the alternate screen where nothing of the browser's is."""
    from support.isolated import isolated_env
    from support.terminal import run_reader_in_pty

    log = tmp_path / "opened.log"
    browser = tmp_path / "bin" / "fakelynx"
    browser.parent.mkdir()
    browser.write_text("#!/bin/sh\nprintf '\\033[2J\\033[H'\n"
                       "for n in 1 2 3 4 5; do echo \"BROWSER JUNK $n $1\"; done\n"
                       f"printf '%s\\n' \"$1\" >> {log}\nsleep 0.3\n")
    browser.chmod(0o755)
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
                    "<item><title>Night trains return</title>"
                    "<link>https://example.org/night-trains</link><guid>a</guid>"
                    "<description>Trains again, at night.</description></item>"
                    "</channel></rss>", encoding="utf-8")
    (tmp_path / "home").mkdir()
    env = isolated_env(tmp_path / "home")
    env.update({"TERM": "xterm-256color", "BROWSER": f"{browser} %s"})
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TEXTUAL", "NO_COLOR"):
        env.pop(name, None)
    output, status = run_reader_in_pty([str(feed)], env, size=(100, 30), ready=b"Quit",
                                       keys=["j", "k", "o", "y", "", "", "", "q"], pause=0.6)
    assert status == 0
    assert log.read_text().split() == ["https://example.org/night-trains"]
    after = output[output.rindex(b"BROWSER JUNK 5"):]
    # back on the alternate screen, then the whole screen drawn again, key bar included
    assert b"\x1b[?1049h" in after
    assert b"Night trains return" in after and b"Quit" in after


def _one_feed_on_a_terminal(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A feed of one article, and the environment of a reader on a colour terminal with a
    home of its own: for the tests that run the reader on a pseudo-terminal."""
    from support.isolated import isolated_env

    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
                    "<item><title>Night trains return</title><guid>a</guid>"
                    "<description>Trains again, at night.</description></item>"
                    "</channel></rss>", encoding="utf-8")
    (tmp_path / "home").mkdir()
    env = isolated_env(tmp_path / "home")
    env["TERM"] = "xterm-256color"
    for name in ("TEXTUAL", "NO_COLOR"):
        env.pop(name, None)
    return feed, env


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_kill_or_a_closed_terminal_gives_the_terminal_back(tmp_path: Path,
                                                           signum: int) -> None:
    """`kill PID` (or the terminal's hangup) quits as q does: the alternate screen left, mouse
    reporting off, the cursor shown, the status a shell expects. Python's default ended the
    process in the alternate screen with the mouse on, its reports typed into the shell."""
    from support.terminal import run_reader_in_pty

    feed, env = _one_feed_on_a_terminal(tmp_path)
    output, status = run_reader_in_pty([str(feed)], env, size=(100, 30), ready=b"Quit",
                                       keys=["j"], then_signal=signum)
    assert status == 128 + signum
    entered = output.index(b"\x1b[?1049h")
    after = output[entered:]
    assert b"\x1b[?1049l" in after  # the main screen back
    assert b"\x1b[?1000l" in after  # the mouse no longer reported
    assert b"\x1b[?25h" in after  # the cursor shown


def test_a_hangup_ignored_by_nohup_stays_ignored(tmp_path: Path) -> None:
    """Started by nohup (SIGHUP ignored), the reader keeps that choice: a hangup does not
    end it, q still does."""
    from support.terminal import run_reader_in_pty

    feed, env = _one_feed_on_a_terminal(tmp_path)
    output, status = run_reader_in_pty([str(feed)], env, size=(100, 30), ready=b"Quit",
                                       keys=["j", signal.SIGHUP, "", "q"],
                                       ignored=(signal.SIGHUP,))
    assert status == 0  # quit by q, not ended by the hangup (129)


@pytest.mark.parametrize("redirected", [1, 2, (1, 2)])
def test_the_interface_draws_on_the_terminal_when_stdout_or_stderr_is_redirected(
        tmp_path: Path, redirected: int | tuple[int, int]) -> None:
    """`reader 2>err.log` drew the whole interface into the log (the terminal stayed blank,
    the keys worked blind); `reader > out` drew 80x24 on any terminal: Textual draws on
    stderr and takes the size from stdout."""
    import re

    from support.terminal import run_reader_in_pty

    feed, env = _one_feed_on_a_terminal(tmp_path)
    for name in ("COLUMNS", "LINES"):
        env.pop(name, None)
    targets = redirected if isinstance(redirected, tuple) else (redirected,)
    files = {fd: str(tmp_path / f"fd{fd}.log") for fd in targets}
    output, status = run_reader_in_pty([str(feed)], env, size=(100, 30), ready=b"Quit",
                                       keys=["j", "q"], redirect=files)
    assert status == 0
    assert b"Night trains return" in output and b"Quit" in output  # drawn on the terminal
    for path in files.values():
        assert "\x1b" not in Path(path).read_text(errors="replace")  # not into the file
    rows = [int(row) for row in re.findall(rb"\x1b\[(\d+);\d+H", output)]
    assert max(rows) == 30  # the terminal's 30 lines, not 24
    rules = re.findall("\u2581+", output.decode("utf-8", errors="replace"))
    # the rule under the list: the terminal's 100 columns, never 80
    assert {len(rule) for rule in rules if len(rule) > 10} == {100}


def test_ctrl_z_suspends_and_fg_draws_the_screen_whole(tmp_path: Path) -> None:
    """Ctrl+Z was a key nothing was bound to (the terminal is in raw mode); bound, the
    reader stops with the terminal given back, and on SIGCONT (fg) draws its whole screen
    again, not only the rows that change."""
    from support.terminal import run_reader_in_pty

    feed, env = _one_feed_on_a_terminal(tmp_path)
    output, status = run_reader_in_pty([str(feed)], env, size=(100, 30), ready=b"Quit",
                                       keys=["\x1a", "", "", signal.SIGCONT, "", "", "q"],
                                       pause=0.5)
    assert status == 0
    suspended = output.index(b"\x1b[?1049l")  # the terminal given back on Ctrl+Z
    resumed = output.index(b"\x1b[?1049h", suspended)
    after = output[resumed:]
    assert b"Night trains return" in after and b"Quit" in after  # the whole screen again


async def test_a_feed_files_unread_count_follows_m(library: Library, tmp_path: Path) -> None:
    # in the view of a folder's feed file, m changed the folder's count but not the file's:
    # its line in the pane and the status line's "N unread" stayed as they were
    from support.paths import SAMPLES
    from textual.widgets import Static

    from reader.tui.widgets.feeds_pane import FeedList

    app = make_app(library, tmp_path, app_kwargs={"sources": [str(SAMPLES)]})
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, rounds=6)
        feeds = app.query_one(FeedList)

        def unread(name: str) -> int:
            return next(e.unread for e in feeds.lines if e.name == name)

        before = unread("Science Notes")
        assert before > 0
        feeds.focus()
        feeds.move_to_selection(next(e.selection for e in feeds.lines
                                     if e.name == "Science Notes"))
        await pilot.press("enter")
        await settle(pilot)
        app.query_one(ArticleList).focus()
        await pilot.press("m")
        await settle(pilot)
        assert unread("Science Notes") == before - 1
        status = str(app.query_one("#status", Static).render())
        assert f"{before - 1:,} unread" in status, status
