"""The reader's Textual app: feeds pane, article list and reading pane over a ``Library``.

Handlers only show things. Everything that touches the library, the network, files or the
renderer runs in ``@work(thread=True, exit_on_error=False)`` workers that post the messages of
``reader.tui.messages`` back; ``on_worker_state_changed`` turns any failure into a notification.
Every string that comes from data reaches the screen as ``Content``/``Text`` or with
``markup=False``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import os
import signal
import subprocess
import sys
import threading
import time
import webbrowser
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.cells import cell_len, set_cell_size
from textual import events, on, work
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.timer import Timer
from textual.widgets import Input, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from reader.core import words
from reader.core.aio import run_sync, stop_when
from reader.core.config import ACTIONS, Config, Layout, config_path, load_config, save_setting
from reader.core.errors import (
    ReaderError,
    about,
    log_unexpected,
    one_line,
    shown_errors_log,
    shown_path,
)
from reader.core.filters import parse_filter
from reader.core.limits import MAX_FILE_BYTES
from reader.core.models import (
    ArticleQuery,
    BodyState,
    FeedInfo,
    Sort,
    SourceKind,
    SourceOutcome,
    StoredArticle,
)
from reader.core.sanitize import clean_line, display_name, is_web_url, safe_url
from reader.library import Change, Library
from reader.tui.browser import BrowserCommand, browser_command
from reader.tui.messages import (
    ArticleReady,
    FeedsLoaded,
    LoadingFinished,
    LoadingProgress,
    RawReady,
    SourceDone,
    StateChanged,
    UnreadFound,
    ViewLoaded,
)
from reader.tui.opening import FIRST_PAGE
from reader.tui.palette import ActionsProvider
from reader.tui.screens.main import MainScreen
from reader.tui.widgets.article_list import ArticleList, find_index
from reader.tui.widgets.feeds_pane import (
    ALL,
    STARRED,
    FeedList,
    FeedsPane,
    Selection,
    ViewKind,
)
from reader.tui.widgets.key_bar import KeyBar
from reader.tui.widgets.reading_pane import ReadingPane
from reader.tui.widgets.search_bar import SearchBar

# (the dialogs, reader.tui.screens.*, are imported when first opened: not on every start)

if TYPE_CHECKING:
    from reader.core.models import FeedProgress, PrimedFolders
    from reader.render import RenderedArticle
    from reader.tui.opening import FirstScreen, Opening

T = TypeVar("T")

# Layouts by width (layout = "auto"). The list needs ~100 columns for a row to show a title
# of ~70 characters with its feed and date; the reading pane 83 for its 80-column measure.
SIDE_BY_SIDE_MIN = 178  # list beside the article: a list of ~95 (a 65-character title) + 83
FEEDS_MIN = 120  # the feeds pane (20, its border included) beside a list of ~100
FEEDS_WIDTH = 20  # as reader.tcss gives it: the least, and the width the layout is chosen by
# The pane widens to show its longest name whole, up to FEEDS_MAX, into room the list can
# give: the list keeps LIST_KEEPS columns (a title of ~55 characters beside feed and date),
# and the article beside it its measure.
FEEDS_MAX = 32
LIST_KEEPS = 85
# opened for a choice on a narrow screen (h), the names matter more than the titles for a
# while: the list keeps a title of ~30 characters
LIST_KEEPS_CHOOSING = 48
ARTICLE_MEASURE = 83  # as reader.tcss gives #pane's max-width beside the list
PREFETCH = 3  # summary-only entries after the opened one whose full text is fetched ahead
# The reading pane shows the article under the cursor once the cursor has rested this long:
# holding j moves the cursor at the key repeat's speed and renders nothing on the way.
FOLLOW_DELAY = 0.15
STATUS_NOTE_SECONDS = 8
UNREAD_SCAN_CHUNK = 512
VIEW_RELOAD_DELAY = 0.3  # while sources load, reload the view at most this often
PAINT_WAIT = 0.5  # seconds the whole list waits for its first page to be painted
# seconds the first unread counts wait for the first whole list: on two cores they would
# otherwise take the CPU from it, and from a search typed as soon as the screen shows
COUNTS_WAIT = 2.0
# A folder opened before is on screen from the library; walking 20,000 files for changes is
# 0.3 s of the interpreter, which waits this long so that the list paints first.
CACHED_FOLDER_HEAD_START = 0.3
# The key bar shows these, with short labels (the help screen and palette use the long ones).
FOOTER_LABELS: Mapping[str, str] = {
    "open": "Open", "next_unread": "Next unread", "search": "Search", "star": "Star",
    "reload": "Refresh", "help": "Help", "quit": "Quit", "command_palette": "Palette",
}
# On a narrow screen these go first; Help and Quit stay whatever the width.
FOOTER_DROPPED_FIRST = ("Palette", "Refresh", "Star", "Next unread", "Search", "Open")
# With the focus in the feeds pane or the article, the key bar names the keys that work
# there (the pane's own, fixed, keys first); in the search bar, only those that are not typed.
FEEDS_FOOTER: Mapping[str, str] = {
    "toggle_feeds": "Hide", "add_feed": "Add", "remove_feed": "Remove",
    "switch_focus": "List", "help": "Help", "quit": "Quit",
}
FEEDS_DROPPED_FIRST = ("Hide", "Remove", "Add", "List", "Fold", "Show")
PANE_FOOTER: Mapping[str, str] = {
    "page_down": "Page down", "open_browser": "Browser", "toggle_full": "Full text",
    "save_markdown": "Save", "star": "Star", "switch_focus": "Next", "help": "Help",
    "quit": "Quit",
}
PANE_DROPPED_FIRST = ("Next", "Save", "Full text", "Star", "Links", "Browser", "Page down")
# Checked before the focused widget's own keys: the palette, and Tab (which Textual's Screen
# binds to focus_next, ahead of any App binding). Also every key that moves the focus or
# opens a dialog: a key bound lower down is only seen once it has bubbled back up to the
# app, after the keys typed behind it were already given to the old focus ("/harbour"
# typed at once lost its "ha" to the list).
PRIORITY_ACTIONS = frozenset({"command_palette", "switch_focus", "search", "focus_feeds",
                              "add_feed", "remove_feed", "help"})
# priority actions that still run while the user types into a field
_OVER_INPUT = frozenset({"command_palette", "switch_focus"})
MAX_WARNING_LINES = 8
# Orders of the list: the library sorts; "oldest" is the date order read backwards.
ORDERS: Mapping[str, tuple[Sort, bool]] = {
    "newest": (Sort.DATE, False), "oldest": (Sort.DATE, True),
    "feed": (Sort.FEED, False), "title": (Sort.TITLE, False),
}
ORDER_NAMES = {"newest": "newest first", "oldest": "oldest first", "feed": "by feed",
               "title": "by title"}
# An empty library: the list says so in a line, the reading pane (which has the room, wraps
# and scrolls) how to fill it; a list of a few rows cut the guidance short.
EMPTY_LIBRARY = "Your library is empty."
ADD_GUIDANCE = """\
Press {add} to add a feed by its URL, or from a shell:
  reader add https://example.org/feed.xml
  reader import subscriptions.opml
Or open files, folders and feeds once: reader PATH-OR-URL..."""
SELECT_HINT = "Select an article and press Enter to read it."
FIT_DELAY = 0.2  # seconds after the last resize: the article laid out for the new measure
NO_ARTICLE = "No article here."  # an article's key in an empty view


def _while_shown(callback: Callable[[], object], app: ReaderApp) -> Callable[[], None]:
    def run() -> None:
        if app._showing():
            callback()

    return run


H = TypeVar("H", bound=Callable[..., None])


def on_main_screen(handler: H) -> H:
    """For the handlers of what workers report: once the main screen is gone (the app is
    closing) the message is dropped, not shown in widgets that were removed."""
    @wraps(handler)
    def guarded(self: ReaderApp, *args: Any, **kwargs: Any) -> None:
        if self._showing():
            handler(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


def make_bindings() -> list[BindingType]:
    """Bindings from ``reader.core.config.ACTIONS``; each carries its action id for ``[keys]``."""
    bindings: list[BindingType] = [
        Binding(keys, action, description, id=action, show=False,
                priority=action in PRIORITY_ACTIONS)
        for action, (keys, description) in ACTIONS.items()
    ]
    bindings += [
        Binding(str(digit), f"type_link_digit('{digit}')", "Open a numbered link",
                show=False)
        for digit in range(10)
    ]
    bindings.append(Binding("escape", "clear_filter", "Clear the filter, close the feeds",
                            show=False))
    # as in a shell (newsboat, lazygit): the terminal in raw mode made Ctrl+Z a key, unbound
    bindings.append(Binding("ctrl+z", "suspend_process", "Suspend", show=False))
    # Enter in the search bar is the app's (see action_submit_search): "/word Enter Enter"
    # typed at once opens the first match (the bar, had it taken the first Enter, would have
    # been given the second too)
    bindings.append(Binding("enter", "submit_search", "Back to the list", show=False,
                            priority=True))
    return bindings


def _fit_status(view: str, news: str, width: int) -> str:
    """The status line in ``width`` cells: what is new (a refresh's summary, its errors)
    whole at the end, the view's description cut short before it when both do not fit
    (at 80 columns a filter, an order and "unread only" pushed the summary off the line)."""
    line = f"{view} \u00b7 {news}" if news else view
    if not news or width <= 0 or cell_len(line) <= width:
        return line
    room = width - cell_len(f" \u00b7 {news}")
    if room < 2:
        return news
    return f"{set_cell_size(view, room - 1).rstrip()}\u2026 \u00b7 {news}"


def _sources(feeds: Sequence[FeedInfo]) -> int:
    """How many entries the feeds pane lists: sources, and the feed files in folders."""
    return sum(1 + len(feed.members) for feed in feeds)


def search_terms(text: str) -> tuple[str, ...]:
    """The words and phrases of a filter line's search, for highlighting in the pane."""
    return tuple(words.search_terms(parse_filter(text).text))


@dataclass(frozen=True, slots=True)
class _Write:
    description: str
    call: Callable[[], object]
    then: Callable[[object], None] | None


class WriteFailed(ReaderError):
    """A queued library write failed; ``description`` says what it was doing."""

    def __init__(self, description: str, cause: BaseException) -> None:
        super().__init__(f"{description}: {one_line(cause)}")
        self.description = description
        self.cause = cause


class ReaderApp(App[int]):
    """The reader. ``sources`` given: those sources only; none: the subscribed library."""

    CSS_PATH = Path(__file__).with_name("reader.tcss")
    TITLE = "reader"
    BINDINGS: ClassVar[list[BindingType]] = make_bindings()
    COMMANDS = App.COMMANDS | {ActionsProvider}

    def __init__(
        self,
        *,
        library: Library,
        config: Config | None = None,
        config_file: Path | None = None,
        sources: Sequence[str] = (),
        notices: Sequence[str] = (),
        config_problems: Sequence[str] = (),
        stdin_data: bytes | None = None,
        primed: PrimedFolders | None = None,
        first_screen: FirstScreen | None = None,
    ) -> None:
        super().__init__()
        # the library's first screen, read while the interface imported (reader.tui.opening)
        self._first_screen = first_screen
        self._first_view_pending = first_screen is not None
        self.primed = primed  # new folders' first files, cleaned while we started
        self.library = library
        self.config = config or Config()
        self.config_file = config_file
        self.sources = tuple(sources)
        # the config file's problems are one toast (one each would stack over the article)
        self._notices = (*((_config_notice(config_problems),) if config_problems else ()),
                         *notices)
        self.stdin_data = stdin_data  # "-" among the sources: what was piped in, read up front
        self._user_keys: Mapping[str, str] = dict(self.config.keys)
        self._session_feeds: set[int] = set()
        self._feeds: Sequence[FeedInfo] = ()
        self._feeds_known = False  # _feeds holds the sources (not the empty start)
        self._counts_known = False  # and their unread counts (the names come first)
        self._feeds_requested = False
        self._list_complete = threading.Event()  # a whole view (not only its first page) shown
        self._first_page_shown: ArticleQuery | None = None  # its full list is on its way
        # a view asked for from its top (a search) is not shown yet; Enter waits for it
        self._awaiting_top = False
        self._open_when_shown = False
        self._selection: Selection = ALL
        # the view S left for the starred one, and the article the cursor was on there, to
        # come back to with S (not when that view is chosen in the feeds pane)
        self._before_starred: tuple[Selection, int | None] = (ALL, None)
        self._back_from_starred = False
        self._cursor_back: int | None = None
        self._unread_only = False
        self._order = "newest"
        self._search = ""
        self._query: ArticleQuery | None = None
        self._opened: StoredArticle | None = None
        self._opening: int | None = None
        self._last_shown: int | None = None  # kept while an empty view shows none: Esc
        self._opened_full = False
        self._laid_for: int | None = None  # the measure the article shown was laid out for
        self._fit_timer: Timer | None = None
        self._feed_settings_applied = False
        self._raw = False
        self._loading: tuple[int, int, str] | None = None
        self._view_reload_pending = False
        self._writes: deque[_Write] = deque()
        self._writes_lock = threading.Lock()
        self._writer_busy = False
        self._feeds_wanted: bool | None = None  # H: shown or hidden whatever the width
        self._follow_timer: Timer | None = None
        self._highlights = 0  # cursor moves so far: a later one replaces a pending follow
        self._status_note: str | None = None  # a refresh's summary, said for a while
        self._status_timer: Timer | None = None
        self._status_text = ""
        self._read_ahead = True
        self._read_timer: Timer | None = None
        # an action waiting for the pane to show the cursor's article (f, v, 0-9 pressed
        # while the pane still showed the article the cursor left)
        self._when_shown: tuple[int, Callable[[], None]] | None = None

    # -- layout -------------------------------------------------------------------------------

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    def compose(self) -> ComposeResult:
        # The layout's classes from the start: changing them later restyles the whole
        # screen (~40 ms).
        feeds, side = self._layout_for(self.size.width, sources=self._source_count())
        # The feeds pane is docked on the left of the same container, not in one more
        # around it: Textual draws every container whole, even under its children.
        classes = ("-side" if side else "-stacked") + ("" if feeds else " -feeds-hidden")
        with Container(id="main", classes=classes):
            yield FeedsPane(id="feeds")
            with Vertical(id="list-column"):
                yield SearchBar(id="search")
                yield ArticleList(id="articles")
            yield ReadingPane(id="pane")
        with Horizontal(id="statusbar"):
            yield Static(Content(""), id="status")
            # the progress bar is mounted when something first loads (see _progress_bar)
        yield KeyBar(id="keys")

    @property
    def articles(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def pane(self) -> ReadingPane:
        return self.query_one(ReadingPane)

    @property
    def feeds_pane(self) -> FeedsPane:
        return self.query_one(FeedsPane)

    @property
    def session(self) -> bool:
        """True when showing sources opened on the command line, not the library."""
        return bool(self.sources)

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver":  # (elsewhere, Windows: Textual's own)
            from reader.tui.terminal import TerminalDriver

            return TerminalDriver
        return driver

    def on_mount(self) -> None:
        # Everything loaded so far (Textual, the reader, their caches) lives as long as the
        # app: out of the collector's sight, a full collection no longer walks it, which
        # took ~70 ms in the middle of a paint.
        gc.freeze()
        gc.enable()  # the command line turned it off for the start-up
        self._end_on_signals()
        # back from Ctrl+Z (fg): drawn whole, as after a console browser; the screen came back
        # blank, its rows drawn only as they changed
        self.app_resume_signal.subscribe(self, self._redraw_all)
        self.set_keymap(dict(self._user_keys))
        self._show_key_hints()
        self.watch(self.screen, "focused", self._show_key_hints, init=False)
        self.query_one("#search", SearchBar).show_key(self.key_of("search"))
        self._apply_theme()
        self.pane.reading_width = self.config.reading_width
        self._apply_layout(self.size.width)
        self._fit_columns()
        self.screen.set_focus(self.articles)  # now, so no later deferred focus beats "/"
        for notice in self._notices:
            self.notify(notice, severity="warning", markup=False, timeout=10)
        self._library_notices()
        if self.session:
            self.articles.set_placeholder("Loading\u2026")
            self.pane.show_message("Loading the sources\u2026")
            self.load_sources(self.sources)
        else:
            self.pane.show_message(SELECT_HINT)
            if self._first_screen is not None:
                self._feeds_requested = True  # their names are here: the counts follow,
                self.post_message(FeedsLoaded(self._first_screen.feeds, counts=False))
                # once the first screen is painted (a thread started now takes the
                # interpreter from that paint)
                self.call_after_refresh(self.load_feeds)
            else:
                self.load_feeds()
            if self.config.refresh_on_start:
                self.refresh_feeds()
            if self.config.refresh_interval_minutes > 0:
                self.articles.set_interval(self.config.refresh_interval_minutes * 60,
                                           self._periodic_refresh)
        self.reload_view()

    def _end_on_signals(self) -> None:
        """``kill`` (SIGTERM) and a closed terminal (SIGHUP) quit as ``q`` does: the terminal
        is given back (main screen, no mouse reporting, the cursor shown) and the library
        closed. Python's default ended the process there and then, in the alternate screen,
        with the mouse still reported as escape sequences typed into the shell."""
        if self.is_headless:
            return  # under a test: the test runner's own signals stay as they were
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue  # ignored by whoever started us (nohup): left so
            try:
                loop.add_signal_handler(signum, self._end_by_signal, signum)
            except (NotImplementedError, RuntimeError, ValueError, AttributeError):
                pass  # no such signal here (Windows), or not the main thread

    def _redraw_all(self, _app: object = None) -> None:
        self.refresh(layout=True, repaint=True)
        self.screen.refresh(layout=True, repaint=True)

    def _end_by_signal(self, signum: int) -> None:
        self.exit(128 + signum)  # the status a shell gives a process the signal ended

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size.width)
        # once the resizes of a drag have settled and the pane has its new size
        if self._fit_timer is not None:
            self._fit_timer.stop()
        self._fit_timer = self._later(FIT_DELAY, self._fit_article)

    def _fit_article(self) -> None:
        """The article shown laid out again when the pane's measure changed with the size
        of the terminal (its place in it kept); the status line fitted to its new width."""
        self._show_status()
        opened = self._opened
        if opened is None or self._raw or self._laid_for in (None, self._measure()):
            return
        self.open_article(opened.id, full=self._opened_full, mark_read=False,
                          position=self.pane.position, read_ahead=False)

    def _apply_layout(self, width: int | None = None) -> None:
        """Feeds pane or not, then the list beside the article or above it, by the width.

        The feeds pane shows from FEEDS_MIN columns when there is more than one source
        (``H`` shows or hides it whatever the width; ``h`` opens it for a choice); the list
        goes beside the article when what is left holds both at their measure.
        """
        width = self.size.width if width is None else width
        main = self.query_one("#main")
        shown, side = self._layout_for(width, sources=self._source_count(),
                                       opened=main.has_class("-feeds-open"))
        feeds = self.feeds_pane
        if shown:
            wanted = self._feeds_width(width, side, choosing=main.has_class("-feeds-open"))
            if feeds.styles.width is None or feeds.styles.width.cells != wanted:
                feeds.styles.width = wanted
        changed = main.has_class("-feeds-hidden") == shown or main.has_class("-side") != side
        if not changed:
            return
        # the classes first, then one restyle (each class change alone restyles the screen)
        (main.remove_class if shown else main.add_class)("-feeds-hidden", update=False)
        (main.add_class if side else main.remove_class)("-side", update=False)
        (main.remove_class if side else main.add_class)("-stacked", update=False)
        main.update_node_styles()

    def _feeds_width(self, width: int, side: bool, *, choosing: bool = False) -> int:
        """The feeds pane's width: its longest name whole, within what the list can give."""
        keeps = LIST_KEEPS_CHOOSING if choosing else LIST_KEEPS
        room = width - keeps - (ARTICLE_MEASURE if side else 0)
        most = max(FEEDS_WIDTH, min(FEEDS_MAX, room))
        return max(FEEDS_WIDTH, min(most, self.feeds_pane.wanted_width))

    def _source_count(self) -> int:
        """How many entries the feeds pane lists; until the feeds are known, those of the
        first screen, else a guess (more than one, unless one source was named): a guess
        changed later restyles and lays out the whole screen twice."""
        if self._feeds_known:
            return _sources(self._feeds)
        if self._first_screen is not None:
            return _sources(self._first_screen.feeds)
        return 2 if not self.session or len(self.sources) > 1 else 1

    def _layout_for(self, width: int, *, sources: int, opened: bool = False) -> tuple[bool, bool]:
        """(feeds pane shown, list beside the article) for a screen ``width`` wide."""
        shown = self._feeds_wanted
        if shown is None:
            shown = width >= FEEDS_MIN and sources > 1
        shown = shown or opened
        room = width - (FEEDS_WIDTH if shown else 0)
        layout = self.config.layout
        side = layout is Layout.WIDE or (layout is Layout.AUTO and room >= SIDE_BY_SIDE_MIN)
        return shown, side

    def _apply_theme(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            self.notify(f"Unknown theme {self.config.theme!r} in the config; using the default.",
                        severity="warning", markup=False)
        self.watch(self, "theme", self._theme_chosen, init=False)

    def _theme_chosen(self, theme: str) -> None:
        if self.config_file is not None and theme != self.config.theme:
            self._enqueue("save the theme", lambda: self._save_theme(theme))

    def _save_theme(self, theme: str) -> None:
        assert self.config_file is not None
        save_setting(self.config_file, "ui", "theme", theme)

    # -- keys -----------------------------------------------------------------------------------

    def _bound_keys(self, action: str) -> list[str]:
        """The keys bound to ``action`` now (the user's ``[keys]`` over the defaults), as
        shown."""
        keys = self._user_keys.get(action) or ACTIONS[action][0]
        return [self.get_key_display(Binding(key.strip(), action))
                for key in keys.split(",") if key.strip()]

    def keys_for(self, action: str) -> str:
        """The keys bound to ``action`` now, as shown, joined."""
        return ", ".join(self._bound_keys(action))

    def key_of(self, action: str) -> str:
        """The first key bound to ``action`` now, as shown (the user's ``[keys]`` first):
        the guidance that names a key names the one that does it."""
        keys = self._bound_keys(action)
        return keys[0] if keys else ""

    def key_hints(self) -> list[tuple[str, str]]:
        """The main keys for the bottom line, first key of each, as bound now."""
        return [(self.key_of(action), label) for action, label in FOOTER_LABELS.items()]

    def _focus_hints(self, focused: object) -> tuple[list[tuple[str, str]], Sequence[str]]:
        """The key bar's hints, and the labels that go first on a narrow screen, for the
        widget that has the focus: the list's by default."""
        def bound(labels: Mapping[str, str]) -> list[tuple[str, str]]:
            return [(self.key_of(action), label) for action, label in labels.items()
                    if self.key_of(action)]

        if isinstance(focused, SearchBar):
            fixed = [(self.get_key_display(Binding(key, "")), label)
                     for key, label in (("enter", "List"), ("escape", "Clear"))]
            return fixed + bound({"command_palette": "Palette"}), ("Palette",)
        if isinstance(focused, FeedList):
            hints = [(self.get_key_display(Binding("enter", "")), "Show")]
            if any(entry.folder for entry in focused.lines):
                hints.append((self.get_key_display(Binding("space", "")), "Fold"))
            labels = dict(FEEDS_FOOTER)
            if self.session:  # sources opened on the command line are not subscriptions
                del labels["add_feed"], labels["remove_feed"]
            return hints + bound(labels), FEEDS_DROPPED_FIRST
        if isinstance(focused, ReadingPane):
            hints = bound(PANE_FOOTER)
            hints.insert(1, ("0-9", "Links"))
            return hints, PANE_DROPPED_FIRST
        return self.key_hints(), FOOTER_DROPPED_FIRST

    def _show_key_hints(self, focused: object = None) -> None:
        self.query_one(KeyBar).show_hints(*self._focus_hints(focused))

    def help_rows(self) -> list[tuple[str, str]]:
        from reader.core.config import FIXED_KEYS

        rows = [(self.keys_for(action), description)
                for action, (_keys, description) in ACTIONS.items()]
        # shown as the other rows are ("esc", "^z"), not by their names ("escape")
        rows += [(key if key == "0-9" else self.get_key_display(Binding(key, "")), description)
                 for key, description in FIXED_KEYS.items()]
        return rows

    # -- the view -------------------------------------------------------------------------------

    def current_query(self) -> ArticleQuery:
        selection = self._selection
        feed_ids: tuple[int, ...] | None = None
        if selection.kind is ViewKind.FEED and selection.feed_id is not None:
            feed_ids = (selection.feed_id,)
        elif self.session:
            feed_ids = tuple(sorted(self._session_feeds))
        wanted = parse_filter(self._search)
        return ArticleQuery(
            feed_ids=feed_ids,
            folder=selection.folder if selection.kind is ViewKind.FOLDER else None,
            member=selection.member,
            subscribed_only=not self.session and selection.kind is ViewKind.ALL,
            unread_only=self._unread_only,
            starred_only=selection.kind is ViewKind.STARRED,
            text=wanted.text or None,
            prefix=bool(wanted.text),
            since=wanted.since,
            until=wanted.until,
            sort=ORDERS[self._order][0],
        )

    def reload_view(self, *, top: bool = False, keep: int | None = None) -> None:
        """Load the current view; the cursor stays on its article unless ``top`` (or goes
        to ``keep`` when that is in the view)."""
        self._query = self.current_query()
        # before the first layout the list has no height yet: the screen's is a fair guess
        height = self.articles.scrollable_content_region.height or self.size.height
        if keep is None:
            keep = None if top else self.articles.article_id
        else:
            top = False
        self._awaiting_top = self._awaiting_top or top
        first = self._first_screen if self._first_view_pending else None
        self._first_view_pending = False
        if first is not None and first.query == self._query and keep is None:
            # read while the interface imported: shown now, the whole list follows
            painted = threading.Event()
            self.post_message(ViewLoaded(self._query, first.ids, None, first.rows,
                                         first_page=not first.complete, painted=painted))
            if not first.complete:
                self.call_after_refresh(self._whole_first_view, self._query, height, painted)
            return
        self.load_view(self._query, ORDERS[self._order][1], keep, height)

    def _whole_first_view(self, query: ArticleQuery, height: int,
                          painted: threading.Event) -> None:
        """The rest of the first view, listed once its first page is painted (a worker
        started before that paint took the interpreter from it); not if another view
        (a search typed at once) has replaced it meanwhile."""
        if query == self._query:
            self.load_view(query, ORDERS[self._order][1], None, height, painted=painted)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False, name="load the list")
    def load_view(self, query: ArticleQuery, backwards: bool, keep: int | None,
                  height: int, painted: threading.Event | None = None) -> None:
        """``painted``: the view's first page is shown already (the first screen); only
        the whole list, once that page is painted."""
        worker = get_current_worker()

        def cancelled() -> bool:  # the next keystroke's search has replaced this one
            return worker.is_cancelled

        if painted is not None:
            painted.wait(PAINT_WAIT)
        elif keep is None and not backwards:
            # A new view from its top (the first one, a search): listing 100,000 ids takes
            # ~100 ms, 80,000 search hits as long; the first screenful takes a few ms.
            # Show that at once, then the whole list.
            page = self.library.view(replace(query, limit=FIRST_PAGE), cancelled=cancelled)
            if cancelled():
                return
            rows = self.library.rows(page[:height + 1])
            complete = len(page) < FIRST_PAGE
            painted = threading.Event()
            if not cancelled():
                self.post_message(ViewLoaded(query, page, None, rows, first_page=not complete,
                                             painted=painted))
            if complete:
                return
            # The whole list is built in Python (~60 ms of the GIL for 100,000 ids): only
            # once the first page is on screen, or it would hold that paint back.
            painted.wait(PAINT_WAIT)
        ids = self.library.view(query, cancelled=cancelled)
        if backwards:
            ids = ids[::-1]
        if cancelled():
            return
        # the rows that will be on screen come along: one round trip, one paint
        anchor = (find_index(ids, keep) if keep is not None else None) or 0
        first = max(0, anchor - height)
        rows = self.library.rows(ids[first: anchor + height + 1])
        if not cancelled():
            self.post_message(ViewLoaded(query, ids, keep, rows, backwards))

    @on_main_screen
    def on_view_loaded(self, message: ViewLoaded) -> None:
        if message.query != self._query or message.backwards != ORDERS[self._order][1]:
            if message.painted is not None:
                message.painted.set()
            return
        self.articles.set_placeholder(self._placeholder())
        keep = message.keep
        if keep is not None or self._first_page_shown is message.query:
            # The cursor stays on the article it is on now: the user may have moved it
            # while this view loaded (a folder reloads its view every 0.3 s).
            # (not when coming back from the starred view: the cursor on a starred article
            # there would take the place of the article it was on before)
            if keep is None or keep != self._cursor_back:
                keep = self.articles.article_id if self.articles.article_id is not None else keep
        self._cursor_back = None
        self._first_page_shown = message.query if message.first_page else None
        self.articles.set_ids(message.ids, keep=keep)
        self.articles.add_rows(message.rows)
        if not message.ids:
            self._show_no_article()
        self._awaiting_top = False
        if self._open_when_shown:
            self._open_when_shown = False
            self.articles.select()
        self._show_status()
        if not message.first_page:
            self._list_complete.set()
        if message.painted is not None:
            self.call_after_refresh(message.painted.set)

    @property
    def add_guidance(self) -> str:
        """What the reading pane says of an empty library."""
        return ADD_GUIDANCE.format(add=self.key_of("add_feed"))

    def _placeholder(self) -> str:
        if self._search:
            return f"No articles match \u201c{self._search}\u201d. Esc clears the filter."
        show_all = f"Press {self.key_of('toggle_unread_only')} to show all."
        if self._selection.kind is ViewKind.STARRED:
            if self._unread_only:
                return f"No unread starred articles. {show_all}"
            return f"No starred articles. Press {self.key_of('star')} on an article to star it."
        if self._unread_only:
            return f"No unread articles here. {show_all}"
        if self.session:
            return "Loading\u2026" if self._loading else "No articles in these sources."
        if not self._feeds:
            return EMPTY_LIBRARY
        return f"No articles here yet. Press {self.key_of('reload')} to refresh."

    def _schedule_view_reload(self) -> None:
        if not self._view_reload_pending:
            self._view_reload_pending = True
            self._later(VIEW_RELOAD_DELAY, self._delayed_view_reload)

    def _delayed_view_reload(self) -> None:
        self._view_reload_pending = False
        self._reload_as_sources_load()

    def _reload_as_sources_load(self) -> None:
        # Articles come in while sources load, newer ones above those shown: a cursor still
        # on the first row stays there, on the newest; one the user moved stays on its article.
        self.reload_view(top=self.articles.cursor == 0)

    def _later(self, delay: float, callback: Callable[[], object]) -> Timer:
        """A timer of the main screen: the list's, so it goes with the list when the app
        closes, and it does nothing once the main screen is gone (an App timer outlived
        the screen and fired into widgets that were already removed)."""
        return self.articles.set_timer(delay, _while_shown(callback, self))

    def _showing(self) -> bool:
        """The main screen is up: the app is not closing and its widgets are mounted."""
        if self._exit or not self.is_running:
            return False
        try:
            return self.articles.is_attached and self.pane.is_attached
        except NoMatches:
            return False

    def _flash(self, text: str) -> None:
        """Say ``text`` on the status line for STATUS_NOTE_SECONDS."""
        self._status_note = text
        self._show_status()
        if self._status_timer is not None:
            self._status_timer.stop()
        self._status_timer = self._later(STATUS_NOTE_SECONDS, self._end_flash)

    def _end_flash(self) -> None:
        self._status_note = None
        self._status_timer = None
        self._show_status()

    @property
    def status_text(self) -> str:
        """What the status line says now."""
        return self._status_text

    def _show_status(self) -> None:
        parts = [clean_line(self._selection.name) or ""]
        count = len(self.articles.ids)
        more = "+" if self._first_page_shown is not None else ""  # still counting
        articles = f"{count:,}{more} article{'s' if count != 1 else ''}"
        # the unread count the feeds pane shows, also when it is hidden; a filter's or an
        # unread-only view's is not counted there
        # nor before the counts are read (the names come first: every count 0 till then)
        unread = (None if self._search or self._unread_only or more or not self._counts_known
                  else self.feeds_pane.unread_of(self._selection))
        parts.append(articles if unread is None else f"{articles}, {unread:,} unread")
        if self._unread_only:
            parts.append("unread only")
        if self._order != "newest":
            parts.append(ORDER_NAMES[self._order])
        if self._search:
            parts.append(f"filter: {self._search}")
            left_out = parse_filter(self._search).unreadable
            if left_out:  # said, as `reader search` says it, not silently ignored
                parts.append(f"not a date, left out: {', '.join(left_out)}")
        news = ""  # the progress, or what a refresh found: said whole, whatever the width
        if self._loading is not None:
            done, total, label = self._loading
            news = f"{label} {done}/{total}\u2026" if total else f"{label}\u2026"
        elif self._status_note:
            news = self._status_note
        view = " \u00b7 ".join(parts)
        self._status_text = f"{view} \u00b7 {news}" if news else view
        status = self.query_one("#status", Static)
        # fixed size: no layout pass (a layout of the whole screen costs tens of ms)
        status.update(Content(_fit_status(view, news, status.content_region.width)),
                      layout=False)
        self.sub_title = clean_line(self._selection.name) or ""

    # -- feeds ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False,
          name="load the feeds")
    def load_feeds(self) -> None:
        worker = get_current_worker()
        if not self._feed_settings_applied and self.config.feeds and not self.session:
            # the config's display names from the start, not from the first refresh on
            # (with refresh.on_start off, the old name stayed until r)
            self._feed_settings_applied = True
            with contextlib.suppress(ReaderError):
                self.library.apply_feed_settings(self.config.feeds)
        if not self._feeds_requested:
            # the first time, their names at once; the unread counts read the whole
            # article index (~100 ms at 100,000 articles) and follow
            self._feeds_requested = True
            names = self._wanted_feeds(counts=False)
            if not worker.is_cancelled:
                self.post_message(FeedsLoaded(names, counts=False))
            deadline = time.monotonic() + COUNTS_WAIT
            while not (self._list_complete.wait(0.05) or worker.is_cancelled
                       or time.monotonic() > deadline):
                pass  # polled, so that quitting at once is not held up
        feeds = self._wanted_feeds(counts=True)
        if not worker.is_cancelled:
            self.post_message(FeedsLoaded(feeds))

    def _wanted_feeds(self, *, counts: bool) -> list[FeedInfo]:
        if self.session:
            wanted = set(self._session_feeds)
            return [feed for feed in self.library.feeds(counts=counts) if feed.id in wanted]
        return self.library.feeds(subscribed_only=True, counts=counts)

    @on_main_screen
    def on_feeds_loaded(self, message: FeedsLoaded) -> None:
        one_source = self._source_count() <= 1
        self._feeds = message.feeds
        self._feeds_known = True
        self._counts_known = message.counts
        self.feeds_pane.set_feeds(message.feeds)
        if one_source != (_sources(message.feeds) <= 1) or self._feeds_visible():
            self._apply_layout()  # (and the pane's width, for the names it now shows)
        self._show_status()  # with the view's unread count
        self._fit_columns()
        if not self.articles.ids:
            self.articles.set_placeholder(self._placeholder())
        # the pane's message, while no article is shown: how to fill an empty library
        guidance = self.add_guidance
        wanted = guidance if not self.session and not message.feeds else SELECT_HINT
        if self.pane.plain in (guidance, SELECT_HINT) and self.pane.plain != wanted:
            self.pane.show_message(wanted)

    @on(FeedsPane.Changed)
    def _feed_chosen(self, message: FeedsPane.Changed) -> None:
        if message.selection.key != self._selection.key:
            self._selection = message.selection
            back, self._back_from_starred = self._back_from_starred, False
            view, article = self._before_starred
            if back and view.key == message.selection.key and article is not None:
                self._cursor_back = article
                self.reload_view(keep=article)
            else:
                self.reload_view(top=True)
            self._show_status()
            self._fit_columns()
        if message.chosen:
            self._close_feeds()
            if not isinstance(self.focused, SearchBar):  # never take the keys of a search
                self.articles.focus()

    def _fit_columns(self) -> None:
        """A view of one feed's articles shows no feed column, where every row would name
        it ("text_dumps" beside each of a folder's dumps): the titles have its room."""
        selection = self._selection
        single = False
        if selection.kind is ViewKind.FEED and selection.feed_id is not None:
            feed = self.feeds_pane.feed(selection.feed_id)
            single = selection.member is not None or (feed is not None and not feed.members)
        elif selection.kind is ViewKind.ALL:
            single = self._source_count() == 1
        self.articles.show_feed_column(not single)

    # -- loading sources and refreshing ---------------------------------------------------

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False,
          name="load the sources")
    def load_sources(self, specs: Sequence[str], *, said: bool = False) -> None:
        """Read the sources opened on the command line (``said``: again, asked for with r:
        the status line then says so even when none failed)."""
        worker = get_current_worker()
        total = len(specs)
        done: set[str] = set()
        self.post_message(LoadingProgress(0, total, "Loading"))

        def on_result(outcome: SourceOutcome) -> None:
            if outcome.done:
                done.add(outcome.spec)
            self.post_message(SourceDone(
                source=outcome.spec, feed_id=outcome.feed_id, error=outcome.error,
                warnings=outcome.warnings, finished=outcome.done))
            self.post_message(LoadingProgress(min(len(done), total), total, "Loading"))

        stdin = io.BytesIO(self.stdin_data) if self.stdin_data is not None else None
        outcomes: Sequence[SourceOutcome] = ()
        with self._stopped_when_quitting():  # a web page still coming, too
            outcomes = self.library.open_sources(
                specs, on_result=on_result, cancelled=lambda: worker.is_cancelled,
                stdin=stdin, primed=self.primed, head_start=CACHED_FOLDER_HEAD_START)
        failed = sum(1 for outcome in outcomes if outcome.error and outcome.done)
        summary = f"{total - failed} of {total} sources loaded" if failed else ""
        if said and not failed:
            summary = f"{total} source{'' if total == 1 else 's'} loaded"
        self.post_message(LoadingFinished(summary))

    @on_main_screen
    def on_source_done(self, message: SourceDone) -> None:
        if message.feed_id is not None:
            self._session_feeds.add(message.feed_id)
        if message.error:
            error = about(display_name(message.source), message.error)
            self.notify(error, title="Could not load", severity="error", markup=False,
                        timeout=10)
        if message.warnings:
            # one toast per source: a folder of binaries must not bury the screen in toasts
            shown = list(message.warnings[:MAX_WARNING_LINES])
            if len(message.warnings) > MAX_WARNING_LINES:
                shown.append(f"… and {len(message.warnings) - MAX_WARNING_LINES} more")
            self.notify("\n".join(shown), severity="warning", markup=False,
                        timeout=5 + len(shown))
        self.load_feeds()
        if self.articles.ids:
            self._schedule_view_reload()
        else:
            self.reload_view()  # the first rows of a folder: no reason to wait

    @on_main_screen
    def on_loading_progress(self, message: LoadingProgress) -> None:
        self._loading = (message.done, message.total, message.label)
        if message.changed:  # articles appear as their feed finishes
            self.load_feeds()
            self._schedule_view_reload()
        progress = self._progress_bar()
        if not progress.display:
            progress.display = True
            self.call_after_refresh(self._show_status)  # fitted to the room the bar leaves
        progress.update(total=message.total or None, progress=message.done)
        self._show_status()

    @on_main_screen
    def on_loading_finished(self, message: LoadingFinished) -> None:
        self._loading_over()
        self._library_notices()
        if message.summary:
            # on the status line, where it covers nothing of the article (a toast did at 80x24)
            self._flash(message.summary)
        self.load_feeds()
        self.articles.invalidate()
        self._reload_as_sources_load()

    def _progress_bar(self) -> ProgressBar:
        """The status line's progress bar, mounted the first time something loads: a
        start with nothing to load (most) composes, styles and lays out none."""
        try:
            return self.query_one("#progress", ProgressBar)
        except NoMatches:
            pass
        progress = ProgressBar(id="progress", show_eta=False, show_percentage=False)
        self.query_one("#statusbar").mount(progress)
        return progress

    def _loading_over(self) -> None:
        self._loading = None
        for progress in self.query("#progress").results(ProgressBar):
            progress.display = False
        self._show_status()
        self.call_after_refresh(self._show_status)  # fitted to the room the bar has left
        if self.session and self.pane.article_id is None and self._opening is None:
            # none to select: the list says why it is empty (articles still on their
            # way are shown as they come, the first under the cursor)
            self.pane.show_message(SELECT_HINT if self.articles.ids else "")

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False,
          name="refresh the feeds")
    def refresh_feeds(self, said: bool = False) -> None:
        """Refresh the subscriptions and sync the feed server accounts (``said``: asked for
        with r, so "nothing to refresh" is worth saying)."""
        with self._stopped_when_quitting():
            self._refresh_feeds(said)

    def _stopped_when_quitting(self) -> AbstractContextManager[None]:
        """The fetches run inside a worker stop when the app quits (the exit waited for the
        slowest feed, 40 s and more on a blank screen); a worker of an exclusive group
        replaced meanwhile lets its fetch finish, as before."""
        return stop_when(lambda: not self.is_running)

    def _refresh_feeds(self, said: bool) -> None:
        if not self.library.feeds(subscribed_only=True) and not self.library.accounts():
            if said:
                self.call_from_thread(self.notify, "No subscriptions to refresh. Press "
                                      f"{self.key_of('add_feed')} to add a feed.", markup=False)
            return
        self.post_message(LoadingProgress(0, 0, "Refreshing"))
        self.library.apply_feed_settings(self.config.feeds)

        def progress(feed: FeedProgress) -> None:
            changed = bool(feed.new) or feed.error is not None
            self.post_message(LoadingProgress(feed.done, feed.total, "Refreshing", changed))

        summary = run_sync(lambda: self.library.refresh(progress=progress))
        self.post_message(LoadingFinished(summary.line()))
        for report in summary.synced:  # a feed's error is in the feeds pane; an account's here
            if report.error is not None:
                self.call_from_thread(self.notify, report.line(), title="Could not sync",
                                      severity="error", markup=False, timeout=10)
        # "always fetch full text" feeds: after the refresh has reported, not part of it
        fetched, failed = run_sync(lambda: self.library.fetch_pending_full_texts())
        if fetched or failed:
            self.call_from_thread(
                self.notify, f"Full text: {fetched} articles fetched, {failed} failed",
                markup=False, timeout=4,
            )

    def _periodic_refresh(self) -> None:
        if self._loading is None:
            self.refresh_feeds()

    # -- rows of the list -----------------------------------------------------------------------

    def on_article_list_rows_wanted(self, message: ArticleList.RowsWanted) -> None:
        self.fetch_rows(message.ids)

    @work(thread=True, group="rows", exit_on_error=False, name="load the list's rows")
    def fetch_rows(self, ids: tuple[int, ...]) -> None:
        try:
            rows = self.library.rows(ids)
        except Exception:
            # the list must stop waiting for these ids (they show as unavailable)
            self.call_from_thread(self.articles.add_rows, [], requested=ids)
            raise
        self.call_from_thread(self.articles.add_rows, rows, requested=ids)

    # -- opening an article ---------------------------------------------------------------------

    def on_article_list_selected(self, message: ArticleList.Selected) -> None:
        self._stop_timers()
        self.open_article(message.article_id)

    def on_article_list_highlighted(self, message: ArticleList.Highlighted) -> None:
        """The pane follows the cursor: the article under it shows once the cursor rests."""
        self._stop_timers()
        article_id = message.article_id
        if article_id is None:
            return
        by_user = message.by_user
        self._highlights += 1
        if by_user:
            self._follow_timer = self._later(
                FOLLOW_DELAY, lambda: self._follow(article_id, by_user=True))
            return
        # A new view's first row: its article is rendered only once the list is painted
        # (rendering took the interpreter from the first paint of the reader).
        seen = self._highlights

        def follow_later() -> None:
            if seen == self._highlights:
                self._follow_timer = self._later(
                    FOLLOW_DELAY, lambda: self._follow(article_id, by_user=False))

        self.call_after_refresh(follow_later)

    def _stop_timers(self) -> None:
        for timer in (self._follow_timer, self._read_timer):
            if timer is not None:
                timer.stop()
        self._follow_timer = self._read_timer = None

    def _follow(self, article_id: int, *, by_user: bool) -> None:
        if self.articles.article_id != article_id:
            return
        if self._opening != article_id:
            self.open_article(article_id, mark_read=False, read_ahead=by_user)
        # Shown for a while after the user moved to it, it counts as read (never one that
        # only came under the cursor with a new view: opening the app reads nothing).
        if by_user and self.config.mark_read_after > 0:
            self._read_timer = self._later(
                self.config.mark_read_after, lambda: self._read_after_a_while(article_id))

    def _read_after_a_while(self, article_id: int) -> None:
        row = self.articles.cached_row(article_id)
        if (self.pane.article_id != article_id or self.articles.article_id != article_id
                or row is None or row.read):
            return
        self.articles.update_rows([article_id], read=True)
        self.feeds_pane.adjust_unread(row.feed_id, -1, member=row.feed_name)
        self._show_status()
        self._enqueue("mark the article read", lambda: self.library.mark_read([article_id]))

    def _show_no_article(self) -> None:
        """An empty view has no article under the cursor, so the pane shows none: an article
        left there from before was one the keys could not act on. The list says why it is
        empty; Esc after a filter still comes back to the article that was shown."""
        self._stop_timers()
        self._when_shown = None
        if self.pane.article_id is None and self._opening is None:
            return  # nothing shown yet (the sources are loading) or already cleared
        self._opened = None
        self._opening = None
        self._raw = False
        self.pane.show_message("")

    def _cursor_article(self) -> int | None:
        """The article under the cursor, which every key for an article acts on; in an empty
        view, None, and each of those keys says so in the same words."""
        article_id = self.articles.article_id
        if article_id is None:
            self.notify(NO_ARTICLE, markup=False)
        return article_id

    def _on_cursor_article(self, action: Callable[[], None], *, after: bool = False) -> None:
        """Run ``action`` now if the pane shows the article under the cursor; else show that
        article first and run it then (``after`` the action already waiting for it, as a
        link number's second digit follows its first; else in its place, as a second f
        while the article loads is the same wish)."""
        article_id = self._cursor_article()
        if article_id is None:
            return
        if self._opened is not None and self._opened.id == article_id:
            action()
        elif after and self._when_shown is not None and self._when_shown[0] == article_id:
            earlier = self._when_shown[1]

            def both() -> None:
                earlier()
                action()

            self._when_shown = (article_id, both)
        else:
            self._stop_timers()
            self._when_shown = (article_id, action)
            self.open_article(article_id, mark_read=False)

    def open_article(self, article_id: int, *, full: bool | None = None,
                     mark_read: bool = True, position: float | None = None,
                     read_ahead: bool = True) -> None:
        """Show the article in the pane; ``read_ahead``: then fetch the full text of the
        summary-only entries after it (not for one that only came under the cursor)."""
        self._opening = article_id
        self._read_ahead = read_ahead
        self._raw = False
        self.load_article(article_id, full=full, mark_read=mark_read, position=position,
                          terms=search_terms(self._search))

    @work(thread=True, exclusive=True, group="article", exit_on_error=False,
          name="open the article")
    def load_article(self, article_id: int, *, full: bool | None, mark_read: bool,
                     position: float | None, terms: tuple[str, ...]) -> None:
        stored = self.library.get(article_id)
        if stored is None:
            raise ReaderError("it is no longer in the library")
        marked = False
        if mark_read and not stored.read:
            self.library.mark_read([article_id])
            marked = True
        show_full = stored.full_body is not None if full is None else full
        show_full = show_full and stored.full_body is not None
        if position is not None:
            stored = replace(stored, read_position=position)
        if get_current_worker().is_cancelled:
            rendered = None  # another article was asked for meanwhile: only the mark counts
        else:
            rendered = self.render_stored(stored, full=show_full, terms=terms)
        self.post_message(ArticleReady(stored, rendered, marked, show_full))

    def render_stored(self, stored: StoredArticle, *, full: bool,
                      terms: Sequence[str] = ()) -> RenderedArticle:
        """Render off the UI thread: the body shown is the full text when ``full``."""
        article = stored.article
        body = stored.full_body if full and stored.full_body else article.body
        badge = None
        if full and stored.full_body:
            badge = "full text"
        elif article.body_state is BodyState.SUMMARY:
            badge = "summary"
        # imported here, not at start-up: the first paint does not render an article
        from reader.render import render_article

        return render_article(
            title=article.title, source=stored.feed_name or article.feed_title or article.source,
            author=article.author, published=article.published, url=article.url, body=body,
            badge=badge, width=self._laid_for_measure(), highlight=terms,
            enclosures=article.enclosures)

    def _laid_for_measure(self) -> int:
        self._laid_for = self._measure()
        return self._laid_for

    def _measure(self) -> int:
        """The column the article is laid out for: the reading measure, or the pane's
        width when narrower (the header's parts, laid out for 80 cells, broke inside
        "1 min read" on a 40-column terminal)."""
        room = self.pane.size.width - self.pane.styles.gutter.width - 2  # the scrollbar
        if room < 20:  # not laid out yet, or too narrow to matter
            return self.config.reading_width
        return min(self.config.reading_width, room)

    @on_main_screen
    def on_article_ready(self, message: ArticleReady) -> None:
        stored = message.article
        if message.marked_read:
            self.articles.update_rows([stored.id], read=True)
            self.feeds_pane.adjust_unread(stored.feed_id, -1,
                                          member=stored.article.feed_title)
            self._show_status()
        if stored.id != self._opening or message.rendered is None:
            return
        self._opened = stored
        self._last_shown = stored.id
        self._opened_full = message.full
        self.pane.show_article(stored.id, message.rendered, position=stored.read_position)
        if self._read_ahead:
            self._prefetch_after(stored.id)
        if self._when_shown is not None and self._when_shown[0] == stored.id:
            _, action = self._when_shown
            self._when_shown = None
            action()

    def _prefetch_after(self, article_id: int) -> None:
        index = self.articles.index_of(article_id)
        if index is None:
            return
        following = tuple(self.articles.ids[index + 1: index + 1 + PREFETCH])
        if following:
            self.prefetch_full_text(following)

    @work(thread=True, exclusive=True, group="prefetch", exit_on_error=False,
          name="fetch full text ahead")
    def prefetch_full_text(self, ids: tuple[int, ...]) -> None:
        worker = get_current_worker()
        for article_id in ids:
            if worker.is_cancelled:
                return
            stored = self.library.get(article_id)
            if (stored is None or stored.full_body is not None
                    or stored.article.body_state is not BodyState.SUMMARY
                    or safe_url(stored.article.url) is None):
                continue
            try:
                with self._stopped_when_quitting():
                    run_sync(partial(self.library.full_text, article_id))
            except ReaderError:
                continue  # read ahead quietly; opening it will say what is wrong

    # -- the reading pane -----------------------------------------------------------------------

    def on_reading_pane_position_changed(self, message: ReadingPane.PositionChanged) -> None:
        article_id, position = message.article_id, message.position
        self._enqueue("save the reading position",
                      lambda: self.library.set_read_position(article_id, position))

    def on_reading_pane_link_open_requested(self, message: ReadingPane.LinkOpenRequested) -> None:
        self.ask_to_open(message.url)

    def ask_to_open(self, url: str | None) -> None:
        checked = safe_url(url)
        if checked is None:
            self.notify("Only http and https links can be opened.", severity="warning",
                        markup=False)
            return

        from reader.tui.screens.confirm import confirm_link

        def answered(yes: bool | None) -> None:
            if yes:
                self.open_in_browser(checked)

        self.push_screen(confirm_link(checked), answered)

    def open_in_browser(self, url: str) -> None:
        """Open a checked http(s) URL: a console browser with the app suspended, a graphical
        one detached (see reader.tui.browser). Never through a shell."""
        command = browser_command(url)
        if command is None:
            self.notify("No browser found: set $BROWSER (for example BROWSER=lynx).",
                        severity="warning", markup=False)
        elif command.console:
            self._run_console_browser(command, url)
        else:
            self.notify(f"Opening {display_name(url)}", markup=False)
            self.run_worker(lambda: _start_detached(command, url), thread=True,
                            exit_on_error=False, name="open the browser", group="browser")

    def _run_console_browser(self, command: BrowserCommand, url: str) -> None:
        # The browser owns the terminal until it exits; then the screen is drawn anew, so
        # nothing it left there stays.
        try:
            with self.suspend():
                status = subprocess.run(command.argv, check=False).returncode
            if status != 0:  # its own words went with its screen: say that it failed
                why = (f"it exited with status {status}" if status > 0
                       else f"it was stopped by signal {-status}")
                self.notify(f"Could not open {display_name(url)} with "
                            f"{os.path.basename(command.argv[0])}: {why}",
                            severity="error", markup=False)
        except SuspendNotSupported:
            self.notify("This terminal cannot be handed to a console browser; set $BROWSER "
                        "to a graphical one.", severity="warning", markup=False)
        except OSError as error:
            self.notify(f"Could not start {command.argv[0]}: {one_line(error)}",
                        severity="error", markup=False)
        self.refresh(layout=True, repaint=True)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False,
          name="fetch the full article")
    def fetch_full_text(self, article_id: int, terms: tuple[str, ...]) -> None:
        # (a resize lays the article out again in a worker that replaces this one: the
        # full text still shows when it comes)
        with self._stopped_when_quitting():
            stored = run_sync(lambda: self.library.full_text(article_id))
        if not self.is_running:
            return
        if not stored.full_body:
            raise ReaderError("no readable article found at its link")
        rendered = self.render_stored(stored, full=True, terms=terms)
        self.post_message(ArticleReady(stored, rendered, False, True))

    @work(thread=True, exclusive=True, group="article", exit_on_error=False,
          name="show the raw text")
    def load_raw(self, stored: StoredArticle) -> None:
        dump = self.library.raw_dump(stored.id)
        from reader.render import render_raw

        self.post_message(RawReady(stored.id, render_raw(dump.lines, dump.kept)))

    @on_main_screen
    def on_raw_ready(self, message: RawReady) -> None:
        if self._opened is not None and message.article_id == self._opened.id:
            self._raw = True
            self.pane.show_text(message.text)

    # -- state changes --------------------------------------------------------------------------

    def _enqueue(self, description: str, call: Callable[[], object],
                 then: Callable[[object], None] | None = None) -> None:
        """Library writes run one at a time, in the order they were asked for."""
        with self._writes_lock:
            self._writes.append(_Write(description, call, then))
            if self._writer_busy:
                return
            self._writer_busy = True
        self.drain_writes()

    def _next_write(self) -> _Write | None:
        with self._writes_lock:
            if self._writes:
                return self._writes.popleft()
            self._writer_busy = False
            return None

    @work(thread=True, group="writes", exit_on_error=False, name="save")
    def drain_writes(self) -> None:
        while (write := self._next_write()) is not None:
            try:
                result = write.call()
            except Exception as error:
                raise WriteFailed(write.description, error) from error
            if write.then is not None:
                self.call_from_thread(write.then, result)

    @on_main_screen
    def on_state_changed(self, message: StateChanged) -> None:
        if message.notice:
            self.notify(message.notice, markup=False)
        self._library_notices()
        self.articles.invalidate()
        self.load_feeds()
        self.reload_view()

    def _library_notices(self) -> None:
        """The library's notices that came while it worked (a subscriptions.opml it could
        not write), each a toast once; those of its opening were shown with the config's."""
        taken, self.library.messages = self.library.messages, []
        for notice in taken:
            if notice not in self._notices:
                self.notify(notice, severity="warning", markup=False, timeout=10)

    # -- failures -------------------------------------------------------------------------------

    @on_main_screen
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        cause = error.cause if isinstance(error, WriteFailed) else error
        if cause is not None and not isinstance(cause, (ReaderError, OSError)):
            # a bug, not bad input or the system's refusal: its traceback goes to the errors
            # log to be reported, written off the UI thread
            doing = error.description if isinstance(error, WriteFailed) else worker.name
            self.run_worker(partial(log_unexpected, cause, doing or "worker"), thread=True,
                            group="errors log", exit_on_error=False)
            message = (f"Could not {doing}: a bug ({type(cause).__name__}; details in "
                       f"{shown_errors_log()})")
        elif isinstance(error, WriteFailed):
            message = f"Could not {error}"
        else:
            message = f"Could not {worker.name}: {one_line(error)}"
        self.notify(message, severity="error", markup=False, timeout=10)
        if worker.group == "writes":
            with self._writes_lock:
                restart = bool(self._writes)
                self._writer_busy = restart
            if restart:
                self.drain_writes()
            # the rows and counts were changed before the write was made: show again what
            # the library holds (a row marked read whose write failed was left shown read)
            self.articles.invalidate()
            self.load_feeds()
            self.reload_view()
        elif worker.group in ("sources", "refresh"):
            self._loading_over()
            self.reload_view()
        elif worker.group == "view" and not any(
                other is not worker and other.group == "view" and not other.is_finished
                for other in self.workers):
            # no view is coming: the list stays as it was, and Enter opens from it
            self._awaiting_top = self._open_when_shown = False

    # -- actions: moving ------------------------------------------------------------------------

    def _feeds_focused(self) -> FeedList | None:
        focused = self.focused
        return focused if isinstance(focused, FeedList) else None

    def action_cursor_down(self) -> None:
        if feeds := self._feeds_focused():
            feeds.action_move(1)
        else:
            self.articles.move_by(1)

    def action_cursor_up(self) -> None:
        if feeds := self._feeds_focused():
            feeds.action_move(-1)
        else:
            self.articles.move_by(-1)

    def action_first(self) -> None:
        if feeds := self._feeds_focused():
            feeds.action_move_to(0)
        else:
            self.articles.first()

    def action_last(self) -> None:
        if feeds := self._feeds_focused():
            feeds.action_move_to(-1)
        else:
            self.articles.last()

    def action_open(self) -> None:
        if self._awaiting_top:
            # a new list is on its way (a search just submitted): Enter opens what will be
            # under the cursor then, not a row of the list it replaces
            self._open_when_shown = True
            return
        self.articles.select()

    def action_next_unread(self) -> None:
        self._seek_unread(1)

    def action_previous_unread(self) -> None:
        self._seek_unread(-1)

    def _seek_unread(self, direction: int) -> None:
        found, resume = self.articles.find_cached_unread(direction)
        if found is not None:
            self._go_to(found)
        elif resume is None:
            self._no_unread(direction)
        else:
            self.find_unread(self.articles.ids, resume, direction)

    def _go_to(self, index: int) -> None:
        self.articles.move_to(index)
        self.articles.select()

    @work(thread=True, exclusive=True, group="unread", exit_on_error=False,
          name="find the next unread article")
    def find_unread(self, ids: Sequence[int], start: int, direction: int) -> None:
        worker = get_current_worker()
        index = start
        while 0 <= index < len(ids) and not worker.is_cancelled:
            if direction > 0:
                chunk = ids[index: index + UNREAD_SCAN_CHUNK]
            else:
                chunk = ids[max(0, index - UNREAD_SCAN_CHUNK + 1): index + 1]
            states = {row.id: row.read for row in self.library.rows(chunk)}
            ordered = range(len(chunk)) if direction > 0 else range(len(chunk) - 1, -1, -1)
            base = index if direction > 0 else max(0, index - UNREAD_SCAN_CHUNK + 1)
            for offset in ordered:
                if states.get(chunk[offset]) is False:
                    self.post_message(UnreadFound(ids, base + offset, direction))
                    return
            index = index + len(chunk) if direction > 0 else base - 1
        if not worker.is_cancelled:
            self.post_message(UnreadFound(ids, None, direction))

    @on_main_screen
    def on_unread_found(self, message: UnreadFound) -> None:
        if message.ids is not self.articles.ids:
            return
        if message.index is None:
            self._no_unread(message.direction)
        else:
            self._go_to(message.index)

    def _no_unread(self, direction: int) -> None:
        # which way: "No more unread articles." at the last unread one hid those above it
        self.notify(f"No unread articles {'below' if direction > 0 else 'above'}.",
                    markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PRIORITY_ACTIONS and action != "command_palette":
            # priority bindings reach the app even over a dialog, and before a text field
            # sees its keys: there they are not ours to run (the key goes on to the field)
            if len(self.screen_stack) > 1:
                return False
            if action not in _OVER_INPUT and isinstance(self.focused, Input):
                return False
        if action == "submit_search":  # anywhere but in the search bar, Enter is not this
            return len(self.screen_stack) == 1 and isinstance(self.focused, SearchBar)
        return True

    def action_switch_focus(self) -> None:
        order: list[Any] = [self.articles, self.pane]
        if self._feeds_visible():
            order.insert(0, self.feeds_pane.feed_list)
        focused = self.focused
        index = next((i for i, widget in enumerate(order) if widget is focused), None)
        following = order[(index + 1) % len(order)] if index is not None else self.articles
        if following is not self.feeds_pane.feed_list:
            self._close_feeds()
        following.focus()

    def _feeds_visible(self) -> bool:
        return not self.query_one("#main").has_class("-feeds-hidden")

    def action_focus_feeds(self) -> None:
        main = self.query_one("#main")
        if main.has_class("-feeds-hidden"):
            main.add_class("-feeds-open")  # shown for a choice; it goes once one is made
            self._apply_layout()
        self.feeds_pane.feed_list.focus()

    def _close_feeds(self) -> None:
        main = self.query_one("#main")
        if main.has_class("-feeds-open"):
            main.remove_class("-feeds-open")
            self._apply_layout()

    def action_toggle_feeds(self) -> None:
        shown = not self._feeds_visible()
        self._feeds_wanted = shown
        self.query_one("#main").remove_class("-feeds-open")
        self._apply_layout()
        if not shown and self.feeds_pane.feed_list.has_focus:
            self.articles.focus()

    def action_page_down(self) -> None:
        self.pane.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.pane.scroll_page_up(animate=False)

    # -- actions: the list ----------------------------------------------------------------------

    def action_search(self) -> None:
        # The bar is always on screen, so "/" changes no layout (a layout of the whole
        # screen cost ~50 ms before the first letter was even drawn). set_focus, not
        # focus(): focus() is deferred, and the keys typed right after "/" are the search.
        self.screen.set_focus(self.query_one("#search", SearchBar))

    def action_submit_search(self) -> None:
        # This Enter reaches the app before the keys typed ahead of it reach the bar: the
        # submit waits behind them in the bar's queue. A second Enter typed at once queues
        # behind the first, finds the list focused, and opens the first match.
        bar = self.query_one("#search", SearchBar)
        bar.call_later(self._search_submitted, bar)

    def _search_submitted(self, bar: SearchBar) -> None:
        if self.focused is bar:  # (has_focus follows later, with the Blur event)
            self._search_for(bar.value.strip())
            self.screen.set_focus(self.articles)
        else:
            self.action_open()

    @on(SearchBar.Search)
    def _search_changed(self, message: SearchBar.Search) -> None:
        self._search_for(message.text)

    def _search_for(self, text: str) -> None:
        if text != self._search:
            self._search = text
            if text:
                self.reload_view(top=True)
            else:  # the filter cleared: back on the article being read, in the whole list
                self.reload_view(keep=self._last_shown or self.articles.article_id)

    @on(SearchBar.Cleared)
    def _search_cleared(self, message: SearchBar.Cleared) -> None:
        self.articles.focus()

    def action_clear_filter(self) -> None:
        bar = self.query_one("#search", SearchBar)
        # a feeds pane opened for a choice closes first
        if self.query_one("#main").has_class("-feeds-open"):
            self._close_feeds()
            self.articles.focus()
        elif self._search or bar.has_focus:
            bar.action_clear_search()

    def action_toggle_unread_only(self) -> None:
        self._unread_only = not self._unread_only
        self.reload_view()
        self._show_status()

    def action_starred_view(self) -> None:
        if self._selection.kind is ViewKind.STARRED:
            self._back_from_starred = True
            self.feeds_pane.select(self._before_starred[0])
        else:
            self._before_starred = (self._selection, self.articles.article_id)
            self.feeds_pane.select(STARRED)

    def action_sort(self) -> None:
        """Cycle newest first → by feed → by title → oldest first (each also in the palette)."""
        cycle = ("newest", "feed", "title", "oldest")
        self.action_sort_by(cycle[(cycle.index(self._order) + 1) % len(cycle)])

    def action_sort_by(self, order: str) -> None:
        if order not in ORDERS:
            return
        self._order = order
        self.reload_view()
        self._show_status()
        self.notify(f"Sorted {ORDER_NAMES[order]}", markup=False, timeout=2)

    def action_reload(self) -> None:
        if self._loading is not None:
            self.notify("Already loading.", markup=False)
        elif self.session:
            self.load_sources(self.sources, said=True)
        else:
            self.refresh_feeds(said=True)

    # -- actions: the article -------------------------------------------------------------------

    def _current_row_url(self) -> str | None:
        if self._opened is not None and self._opened.id == self.articles.article_id:
            return self._opened.article.url
        article_id = self.articles.article_id
        row = self.articles.cached_row(article_id) if article_id is not None else None
        return row.url if row is not None else None

    def action_toggle_raw(self) -> None:
        self._on_cursor_article(self._toggle_raw)

    def _toggle_raw(self) -> None:
        stored = self._opened
        if stored is None:
            return
        if self._raw:
            self.open_article(stored.id, full=self._opened_full, mark_read=False,
                              position=0.0)
        elif stored.article.kind is SourceKind.TEXT and not is_web_url(stored.article.source):
            self.load_raw(stored)
        else:
            self.notify("The raw view is for plain-text files.", markup=False)

    def action_toggle_full(self) -> None:
        self._on_cursor_article(self._toggle_full)

    def _toggle_full(self) -> None:
        stored = self._opened
        if stored is None:
            return
        if self._opened_full:
            self.open_article(stored.id, full=False, mark_read=False, position=self.pane.position)
        elif stored.full_body:
            self.open_article(stored.id, full=True, mark_read=False, position=self.pane.position)
        elif safe_url(stored.article.url) is None:
            self.notify("This article has no web link to fetch the full text from.",
                        markup=False)
        else:
            self.notify("Fetching the full article\u2026", markup=False, timeout=3)
            self._opening = stored.id
            self.fetch_full_text(stored.id, search_terms(self._search))

    def action_open_browser(self) -> None:
        if self._cursor_article() is None:
            return
        url = safe_url(self._current_row_url())
        if url is None:
            self.notify("This article has no http(s) link.", severity="warning", markup=False)
        else:
            self.ask_to_open(url)  # as the numbered links: the address first, then the browser

    def action_type_link_digit(self, digit: str) -> None:
        """A digit of a numbered link typed with the focus off the article: the pane
        gathers the digits, as when it has the focus."""
        self._on_cursor_article(lambda: self.pane.type_digit(digit), after=True)

    def action_copy_url(self) -> None:
        if self._cursor_article() is None:
            return
        url = safe_url(self._current_row_url())
        if url is None:
            self.notify("This article has no http(s) link.", severity="warning", markup=False)
            return
        self.copy_to_clipboard(url)
        self.notify(f"Copied {display_name(url)}", markup=False)

    def action_save_markdown(self) -> None:
        article_id = self._cursor_article()
        if article_id is None:
            return
        full = self._opened_full and self._opened is not None and self._opened.id == article_id
        self.save_markdown(article_id, full=full, folder=self.config.download_dir)

    @work(thread=True, group="save", exit_on_error=False, name="save the article")
    def save_markdown(self, article_id: int, *, full: bool, folder: Path) -> None:
        path, before = self.library.save_markdown(article_id, folder, full=full)
        self.notify(f"{'Saved already' if before else 'Saved'}: {shown_path(path)}", markup=False)

    # -- actions: read state --------------------------------------------------------------------

    def action_star(self) -> None:
        article_id = self._cursor_article()
        row = self.articles.cached_row(article_id) if article_id is not None else None
        if row is None:
            return
        starred = not row.starred
        self.articles.update_rows([row.id], starred=starred)
        self._enqueue("star the article", lambda: self.library.star([row.id], starred))

    def action_toggle_read(self) -> None:
        article_id = self._cursor_article()
        row = self.articles.cached_row(article_id) if article_id is not None else None
        if row is None:
            return
        read = not row.read
        self.articles.update_rows([row.id], read=read)
        self.feeds_pane.adjust_unread(row.feed_id, -1 if read else 1, member=row.feed_name)
        self._show_status()
        self._enqueue("mark the article", lambda: self.library.mark_read([row.id], read=read))

    def action_mark_all_read(self) -> None:
        ids = self.articles.ids
        if not ids:
            return
        selection = self._selection
        plain = not self._search and not self._unread_only
        name = clean_line(selection.name) or "these articles"
        if self._search:  # only what the filter found: not the whole feed the name says
            name = f"the {len(ids):,} article{'s' if len(ids) != 1 else ''} found"
        call: Callable[[], object]
        if selection.kind is ViewKind.FEED and plain and selection.feed_id is not None:
            feed_id = selection.feed_id
            call = lambda: self.library.mark_all_read(feed_id)  # noqa: E731
        elif selection.kind is ViewKind.ALL and plain and not self.session:
            # the view's articles: a removed feed's, or a file's once opened, are not in it
            call = lambda: self.library.mark_all_read(  # noqa: E731
                None, subscribed_only=True)
        else:
            call = lambda: self.library.mark_read(ids)  # noqa: E731
        self.articles.update_rows(self.articles.visible_ids(), read=True)

        def done(_: object) -> None:
            self.post_message(StateChanged(f"Marked {name} read ({self.key_of('undo')} undoes)"))

        self._enqueue(f"mark {name} read", call, done)

    def action_undo(self) -> None:
        def done(undone: object) -> None:
            # says which change: the automatic mark-read of an article rested on counts
            # too, so the last change is not always the last key pressed
            text = _undone_text(undone) if isinstance(undone, Change) else "Nothing to undo"
            self.post_message(StateChanged(text))

        self._enqueue("undo", self.library.undo, done)

    # -- actions: subscriptions -----------------------------------------------------------------

    def action_add_feed(self) -> None:
        from reader.tui.screens.add_feed import AddFeedScreen

        def added(spec: str | None) -> None:
            if spec:
                self.notify(f"Adding {display_name(spec)}\u2026", markup=False, timeout=3)
                self.add_feed(spec)

        self.push_screen(AddFeedScreen(), added)

    @work(thread=True, group="subscriptions", exit_on_error=False, name="add the feed")
    def add_feed(self, spec: str) -> None:
        outcomes: list[SourceOutcome] = []
        with self._stopped_when_quitting():
            outcomes = self.library.add([spec])
        for outcome in outcomes:
            if outcome.error:
                self.notify(about(display_name(outcome.spec), outcome.error),
                            title="Could not add",
                            severity="error", markup=False, timeout=10)
            elif outcome.subscribed_before:
                self.notify("Already subscribed to "
                            f"{outcome.title or display_name(outcome.spec)}",
                            markup=False)
            else:
                self.notify(f"Added {outcome.title or display_name(outcome.spec)}", markup=False)
        self.post_message(StateChanged())

    def action_remove_feed(self) -> None:
        selection = self._selection
        feed = self.feeds_pane.feed(selection.feed_id) if selection.feed_id is not None else None
        if selection.kind is not ViewKind.FEED or feed is None:
            self.notify("Select a feed in the feeds pane first "
                        f"({self.key_of('focus_feeds')} goes there).", markup=False)
            return
        if self.session:
            self.notify("Sources opened on the command line are not subscriptions.",
                        markup=False)
            return

        from reader.tui.screens.confirm import confirm_remove

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_feed(feed.id, feed.name)

        self.push_screen(confirm_remove(feed.name), answered)

    @work(thread=True, group="subscriptions", exit_on_error=False, name="remove the feed")
    def remove_feed(self, feed_id: int, name: str) -> None:
        feed = self.library.feed(feed_id)
        if feed is None or not feed.subscribed:
            # removed meanwhile by another reader (reader remove): the pane catches up
            self.post_message(StateChanged(f"{name} was removed already"))
            return
        self.library.remove([feed_id])
        self.post_message(StateChanged(f"Removed {name}"))

    # -- actions: the app -----------------------------------------------------------------------

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.help_rows()))

    def action_quit(self) -> None:  # type: ignore[override]
        self.exit(0)


def _undone_text(change: Change) -> str:
    """'Undone: marking 3 articles read', 'Undone: starring 1 article'."""
    count = len(change.ids)
    articles = f"{count} article" + ("" if count == 1 else "s")
    if change.column == "read":
        return f"Undone: marking {articles} {'read' if change.value else 'unread'}"
    return f"Undone: {'starring' if change.value else 'unstarring'} {articles}"


def _start_detached(command: BrowserCommand, url: str) -> None:
    """A graphical browser, on its own: no terminal, its own session, not waited for."""
    if not command.argv:
        webbrowser.open(url)
        return
    subprocess.Popen(command.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


def read_piped_stdin() -> bytes:
    """Read what was piped in for "-", then give the keyboard back to the app.

    Textual reads keys from file descriptor 0; once the pipe is drained, the controlling
    terminal takes its place (when there is one).
    """
    _say_if_stdin_is_slow()
    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if not sys.stdin.isatty():
        try:
            terminal = os.open("/dev/tty", os.O_RDONLY)
        except OSError:
            return data
        os.dup2(terminal, 0)
        os.close(terminal)
    return data


#: a pipe with nothing to read after this long is said to be waited for (``curl ... |
#: reader -``), so that the blank terminal before the screen does not look like a hang
STDIN_NOTICE_SECONDS = 0.5


def _say_if_stdin_is_slow() -> None:
    import select

    try:
        ready, _, _ = select.select([sys.stdin.buffer], [], [], STDIN_NOTICE_SECONDS)
    except (OSError, ValueError, TypeError):  # not a file descriptor (tests, odd shells)
        return
    if not ready:
        sys.stderr.write("reader: waiting for standard input (Ctrl+C stops)\n")
        sys.stderr.flush()


#: a config toast lists this many problems at most; the rest are counted
_CONFIG_PROBLEMS_SHOWN = 4


def _config_notice(problems: Sequence[str]) -> str:
    """The config file's problems as one toast, a few lines high however many there are."""
    if len(problems) <= _CONFIG_PROBLEMS_SHOWN:
        return "\n".join(problems)
    shown = _CONFIG_PROBLEMS_SHOWN - 1
    return "\n".join([*problems[:shown],
                      f"… and {len(problems) - shown} more: `reader config` lists them all"])


def run_tui(*, sources: Sequence[str], db: Path | None, config: Path | None,
            primed: PrimedFolders | None = None, opening: Opening | None = None) -> int:
    """Open the config and the library (``opening``: being opened already), then run the
    reader until the user quits."""
    path = config_path(config)
    settings, messages = load_config(path)
    stdin_data = read_piped_stdin() if "-" in sources else None
    first: FirstScreen | None = None
    if opening is not None:
        library, first = opening.result()
        library.retention_days = settings.retention_days
    else:
        library = Library.open(db, retention_days=settings.retention_days)
    app = ReaderApp(library=library, config=settings, config_file=path, sources=sources,
                    config_problems=messages, notices=library.messages,
                    stdin_data=stdin_data, primed=primed, first_screen=first)
    try:
        result = app.run()
    finally:
        library.close()
        if primed is not None:
            primed.close()
    return result or 0
