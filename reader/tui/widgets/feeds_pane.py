"""The feeds pane: "All articles", "Starred", then folders and feeds with unread counts.

A Line-API list like the article list (a thousand feeds cost what the visible ones cost;
Textual's ``Tree`` measured 0.5 s to build and lay out 1,000 nodes here). A feed whose last
fetch failed carries a ⚠ mark; the error of the highlighted feed is shown under the list.
Every name comes from data: it becomes Segments or ``Content``, never markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from reader.core.models import FeedInfo
from reader.core.sanitize import clean_line
from reader.tui.widgets.article_list import fit, set_row_count

WARNING_MARK = "\u26a0"  # ⚠
OPEN_MARK = "\u25bc "  # ▼
CLOSED_MARK = "\u25b6 "  # ▶
_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[str | int, ...]:
    """Sort "Feed 2" before "Feed 10": digit runs compare as numbers."""
    parts = _DIGITS.split(name.casefold())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


class ViewKind(StrEnum):
    ALL = "all"
    STARRED = "starred"
    FOLDER = "folder"
    FEED = "feed"


@dataclass(frozen=True, slots=True)
class Selection:
    """What the feeds pane points at; the list shows the articles it selects."""

    kind: ViewKind = ViewKind.ALL
    feed_id: int | None = None
    folder: str | None = None
    name: str = "All articles"
    member: str | None = None  # a feed file inside a folder source, by its title

    @property
    def key(self) -> tuple[ViewKind, int | None, str | None, str | None]:
        """Identity without the (changeable) display name."""
        return (self.kind, self.feed_id, self.folder, self.member)


ALL = Selection()
STARRED = Selection(ViewKind.STARRED, name="Starred")


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the pane."""

    selection: Selection
    name: str
    unread: int = 0
    error: str | None = None
    depth: int = 0
    folder: bool = False


def entries_for(feeds: Sequence[FeedInfo]) -> list[Entry]:
    """The lines for these feeds: the two views, then folders (sorted) with their feeds."""
    entries = [Entry(ALL, ALL.name, sum(feed.unread for feed in feeds)),
               Entry(STARRED, STARRED.name)]
    by_folder: dict[str, list[FeedInfo]] = {}
    loose: list[FeedInfo] = []
    for feed in feeds:
        (by_folder.setdefault(feed.folder, []) if feed.folder else loose).append(feed)

    def feed_entries(feed: FeedInfo, depth: int) -> list[Entry]:
        name = clean_line(feed.name) or "(untitled)"
        found = [Entry(Selection(ViewKind.FEED, feed_id=feed.id, name=name), name, feed.unread,
                       clean_line(feed.last_error), depth)]
        for member in feed.members:  # the feed files of a folder source, under it
            title = clean_line(member.title) or "(untitled)"
            found.append(Entry(Selection(ViewKind.FEED, feed_id=feed.id, name=title,
                                         member=member.title), title, member.unread, None,
                               depth + 1))
        return found

    for folder in sorted(by_folder, key=natural_key):
        members = sorted(by_folder[folder], key=lambda f: natural_key(f.name))
        name = clean_line(folder) or "(folder)"
        entries.append(Entry(Selection(ViewKind.FOLDER, folder=folder, name=name), name,
                             sum(feed.unread for feed in members), None, 0, folder=True))
        for feed in members:
            entries.extend(feed_entries(feed, 1))
    for feed in sorted(loose, key=lambda f: natural_key(f.name)):
        entries.extend(feed_entries(feed, 0))
    return entries


def entry_cells(entry: Entry) -> int:
    """The cells ``entry``'s line needs to show its name whole, its count included (as
    ``FeedList._segments`` lays it out: indent, marks, name, a space, the count)."""
    marks = (len(OPEN_MARK) if entry.folder else 0) + (2 if entry.error else 0)
    count = len(f" {entry.unread}") if entry.unread else 0
    return 2 * entry.depth + marks + cell_len(entry.name) + count + 1


class FeedList(ScrollView, can_focus=True, inherit_bindings=False):
    """The lines of the feeds pane, with a cursor; folders fold with space, left and right."""

    DEFAULT_CSS = """
    FeedList {
        overflow-x: hidden;
        overflow-y: scroll;
        background: $surface;
        & > .feed-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .feed-list--cursor-blurred { background: $block-cursor-blurred-background; }
        & > .feed-list--count { color: $text-muted; }
        & > .feed-list--error { color: $warning; }
        & > .feed-list--unread { text-style: bold; }
        & > .feed-list--folder { color: $text-accent; }
    }
    """

    COMPONENT_CLASSES = {
        "feed-list--cursor", "feed-list--cursor-blurred", "feed-list--count",
        "feed-list--error", "feed-list--unread", "feed-list--folder",
    }

    BINDINGS = [
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("home", "move_to(0)", show=False),
        Binding("end", "move_to(-1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("enter", "choose", show=False),
        Binding("space", "fold", show=False),
        Binding("left", "fold(False)", show=False),
        Binding("right", "fold(True)", show=False),
    ]

    class Highlighted(Message):
        def __init__(self, selection: Selection) -> None:
            self.selection = selection
            super().__init__()

    class Chosen(Message):
        def __init__(self, selection: Selection) -> None:
            self.selection = selection
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: list[Entry] = []
        self._folded: set[str] = set()
        self._lines: list[Entry] = []
        self._cursor = 0
        self._base_style: Style | None = None

    @property
    def lines(self) -> Sequence[Entry]:
        """The entries shown (folded folders hide their feeds)."""
        return self._lines

    @property
    def highlighted(self) -> Selection | None:
        return self._lines[self._cursor].selection if self._lines else None

    @property
    def entries(self) -> Sequence[Entry]:
        """Every entry, those of folded folders too."""
        return self._entries

    @property
    def wanted_width(self) -> int:
        """The width that shows every name whole, scrollbar included."""
        cells = max((entry_cells(entry) for entry in self._entries), default=0)
        return cells + self.styles.scrollbar_size_vertical

    def set_entries(self, entries: list[Entry], *, keep: Selection) -> None:
        self._entries = entries
        self._relayout(keep)

    def move_to_selection(self, selection: Selection) -> bool:
        for index, entry in enumerate(self._lines):
            if entry.selection.key == selection.key:
                self._move(index)
                return True
        return False

    def _relayout(self, keep: Selection | None) -> None:
        lines: list[Entry] = []
        folded = False
        for entry in self._entries:
            if entry.folder:
                folded = entry.selection.folder in self._folded
            elif entry.depth and folded:
                continue
            lines.append(entry)
        self._lines = lines
        set_row_count(self, len(lines))
        if keep is not None:
            index = next((i for i, entry in enumerate(lines)
                          if entry.selection.key == keep.key), None)
            # gone (the feed removed): the line that took its place, as a list does
            self._cursor = index if index is not None else self._cursor
        self._cursor = max(0, min(self._cursor, len(lines) - 1))
        self.refresh()

    def _move(self, index: int) -> None:
        if not self._lines:
            return
        index = index % len(self._lines) if index < 0 else min(index, len(self._lines) - 1)
        if index == self._cursor:
            return
        previous, self._cursor = self._cursor, index
        height = self.scrollable_content_region.height
        if index < self.scroll_offset.y:
            self.scroll_to(y=index, animate=False)
        elif height and index >= self.scroll_offset.y + height:
            self.scroll_to(y=index - height + 1, animate=False)
        self.refresh_line(previous)
        self.refresh_line(index)
        self.post_message(self.Highlighted(self._lines[index].selection))

    def action_move(self, delta: int) -> None:
        self._move(self._cursor + delta)

    def action_move_to(self, index: int) -> None:
        self._move(index)

    def action_page(self, direction: int) -> None:
        self._move(max(0, self._cursor + direction * max(1, self.size.height - 1)))

    def action_choose(self) -> None:
        if self._lines:
            self.post_message(self.Chosen(self._lines[self._cursor].selection))

    def action_fold(self, expand: bool | None = None) -> None:
        if not self._lines:
            return
        entry = self._lines[self._cursor]
        if not entry.folder or entry.selection.folder is None:
            return
        folder = entry.selection.folder
        if expand is None:
            expand = folder in self._folded
        if expand:
            self._folded.discard(folder)
        else:
            self._folded.add(folder)
        self._relayout(entry.selection)

    def render_lines(self, crop: Region) -> list[Strip]:
        # the base style walks every ancestor (~0.5 ms): computed again only when styles change
        if self._base_style is None:
            self._base_style = self.rich_style
        return super().render_lines(crop)

    def notify_style_update(self) -> None:
        self._base_style = None
        super().notify_style_update()

    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"feed-list--{part}", partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        base = self._base_style or self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        line = base
        if index == self._cursor:
            # a full style: the blurred cursor's translucent background is blended only so
            line += self.get_component_rich_style(
                "feed-list--cursor" if self.has_focus else "feed-list--cursor-blurred")
        return Strip(self._segments(self._lines[index], width, line), width)

    def _segments(self, entry: Entry, width: int, line: Style) -> list[Segment]:
        parts: list[tuple[str, Style]] = [("  " * entry.depth, line)]
        if entry.folder:
            mark = CLOSED_MARK if entry.selection.folder in self._folded else OPEN_MARK
            parts.append((mark, line + self._style("folder")))
        if entry.error:
            parts.append((WARNING_MARK + " ", line + self._style("error")))
        count = f" {entry.unread}" if entry.unread else ""
        used = sum(cell_len(text) for text, _ in parts) + len(count)
        name_style = line + self._style("unread") if entry.unread else line
        parts.append((fit(entry.name, max(1, width - used - 1)).rstrip(), name_style))
        parts.append((count, line + self._style("count")))
        segments = [Segment(text, style) for text, style in parts if text]
        filled = sum(segment.cell_length for segment in segments)
        if filled < width:
            segments.append(Segment(" " * (width - filled), line))
        return segments

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._lines))

    def on_focus(self, event: events.Focus) -> None:
        self._base_style = None
        self.refresh_line(self._cursor)

    def on_blur(self, event: events.Blur) -> None:
        self._base_style = None
        self.refresh_line(self._cursor)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if index < len(self._lines):
            self._move(index)
            self.action_choose()


class FeedsPane(Vertical):
    """Posts :class:`FeedsPane.Changed` when another feed, folder or view is highlighted."""

    DEFAULT_CSS = """
    FeedsPane {
        & > FeedList { height: 1fr; }
        & > #feed-status { height: auto; max-height: 4; color: $warning; padding: 0 1; }
    }
    """

    class Changed(Message):
        """Another view was highlighted (``chosen``: the user pressed Enter or clicked on it)."""

        def __init__(self, selection: Selection, *, chosen: bool = False) -> None:
            self.selection = selection
            self.chosen = chosen
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._feeds: dict[int, FeedInfo] = {}
        self._current: Selection = ALL
        self._shown_error: str | None = ""  # (not None: the first _show_status sets the line)

    def compose(self) -> ComposeResult:
        yield FeedList(id="feed-list")
        yield Static(Content(""), id="feed-status")

    @property
    def selection(self) -> Selection:
        return self._current

    @property
    def feed_list(self) -> FeedList:
        return self.query_one(FeedList)

    @property
    def wanted_width(self) -> int:
        """The pane's width that shows every name whole, its border included."""
        return self.feed_list.wanted_width + self.styles.gutter.width

    def feed(self, feed_id: int) -> FeedInfo | None:
        return self._feeds.get(feed_id)

    def unread_of(self, selection: Selection) -> int | None:
        """The unread count the pane shows for ``selection`` (None for the starred, which
        it does not count, and before the feeds are known)."""
        if selection.kind is ViewKind.STARRED:
            return None
        return next((entry.unread for entry in self.feed_list.entries
                     if entry.selection.key == selection.key), None)

    def on_mount(self) -> None:
        self._show()

    def set_feeds(self, feeds: Sequence[FeedInfo]) -> None:
        """Show these feeds (counts, errors, names); the cursor stays where it was."""
        self._feeds = {feed.id: feed for feed in feeds}
        self._show()
        highlighted = self.feed_list.highlighted
        if highlighted is not None and highlighted.key != self._current.key:
            # the selected feed is gone: back to everything
            self._current = highlighted
            self.post_message(self.Changed(highlighted))

    def select(self, selection: Selection) -> None:
        """Move the cursor to ``selection`` (posts ``Changed`` if it is another view)."""
        self.feed_list.move_to_selection(selection)

    def adjust_unread(self, feed_id: int, delta: int, *, member: str | None = None) -> None:
        """Change one feed's count right away (the next ``set_feeds`` brings the truth),
        and that of its feed file ``member`` (the article's feed title) in a folder."""
        feed = self._feeds.get(feed_id)
        if feed is None or delta == 0:
            return
        members = tuple(replace(m, unread=max(0, m.unread + delta)) if m.title == member
                        else m for m in feed.members)
        self._feeds[feed_id] = replace(feed, unread=max(0, feed.unread + delta),
                                       members=members)
        self._show()

    def _show(self) -> None:
        self.feed_list.set_entries(entries_for(list(self._feeds.values())), keep=self._current)
        self._show_status()

    def _show_status(self) -> None:
        status = self.query_one("#feed-status", Static)
        feed = self._feeds.get(self._current.feed_id) if self._current.feed_id else None
        error = clean_line(feed.last_error) if feed else None
        if error == self._shown_error:
            return  # the line has its height from its text: an update lays the screen out
        self._shown_error = error
        status.update(Content(f"{WARNING_MARK} {error}") if error else Content(""))
        status.display = bool(error)

    def on_feed_list_highlighted(self, message: FeedList.Highlighted) -> None:
        message.stop()
        if message.selection.key != self._current.key:
            self._current = message.selection
            self._show_status()
            self.post_message(self.Changed(message.selection))

    def on_feed_list_chosen(self, message: FeedList.Chosen) -> None:
        message.stop()
        self._current = message.selection
        self._show_status()
        self.post_message(self.Changed(message.selection, chosen=True))
