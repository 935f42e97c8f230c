"""The article list: a Line-API widget whose cost does not grow with the library.

It holds only the ordered article ids of the current view. Rows are fetched by id, a page at a
time, when they come into sight, and kept in an LRU cache (toolong's ``log_lines.py`` does the
same for log lines). The widget does no I/O itself: it posts :class:`ArticleList.RowsWanted`
and whoever owns the library answers with :meth:`ArticleList.add_rows`.
"""

from __future__ import annotations

import textwrap
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.core.config import DEFAULT_KEYS
from reader.core.models import ArticleRow
from reader.core.sanitize import clean_line
from reader.core.words import reading_minutes

PAGE = 64  # rows fetched per request, and the margin fetched around the visible rows
CACHE_ROWS = 4096
STRIP_CACHE = 512  # drawn lines: a few screens' worth
TITLE_MAX = 80  # cells: wider, a title column only pushes the feed and date out of sight

UNREAD_MARK = "\u25cf"  # ●
STAR_MARK = "\u2605"  # ★
ELLIPSIS = "\u2026"
LOADING = ELLIPSIS  # a row not fetched yet


@dataclass(frozen=True, slots=True)
class Columns:
    """Which optional columns fit in a given width, and how wide each is."""

    feed: int
    date: int
    time: int

    @classmethod
    def for_width(cls, width: int) -> Columns:
        # The title comes first and takes what is left: from 96 cells it is whole up to
        # ~65-70 characters, beside the feed and the date; the reading time only fits on
        # a wide list; below 60 the feed goes too.
        if width >= 110:
            return cls(feed=18, date=10, time=6)
        if width >= 76:
            return cls(feed=14, date=10, time=0)
        if width >= 60:
            return cls(feed=12, date=10, time=0)
        return cls(feed=0, date=10, time=0)


def fit(text: str, width: int) -> str:
    """``text`` cropped (with an ellipsis) or padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + ELLIPSIS
    return set_cell_size(text, width)


def row_cells(row: ArticleRow, width: int, *, feed: bool = True) -> list[tuple[str, str]]:
    """The text of one row, cell-exact to ``width``, as (text, part) pairs.

    ``part`` names the component style of the piece: mark, star, title, meta. The text is
    plain data: it becomes Segments, never markup. Without ``feed`` (a view of one feed's
    articles, where every row would name it) the title has the feed column's room.
    """
    columns = Columns.for_width(width)
    if not feed:
        columns = replace(columns, feed=0)
    title = clean_line(row.title) or "(untitled)"
    pieces: list[tuple[str, str]] = [
        (UNREAD_MARK + " " if not row.read else "  ", "mark"),
        (STAR_MARK + " " if row.starred else "  ", "star"),
    ]
    tail: list[tuple[str, str]] = []
    if columns.feed:
        tail.append((" " + fit(clean_line(row.feed_name) or "", columns.feed), "meta"))
    if columns.date:
        date = row.published.strftime("%Y-%m-%d") if row.published else ""
        tail.append((" " + fit(date, columns.date), "meta"))
    if columns.time:
        minutes = reading_minutes(row.words)
        tail.append((" " + (f"{minutes:>3} min" if minutes else "").rjust(columns.time), "meta"))
    room = max(0, width - sum(cell_len(text) for text, _ in pieces + tail))
    pieces.append((fit(title, min(room, TITLE_MAX)), "title"))
    if room > TITLE_MAX:
        # a very wide list keeps the feed and the date by the title, not at the far edge
        tail.append((" " * (room - TITLE_MAX), "meta"))
    return pieces + tail


def find_index(ids: Sequence[int], article_id: int) -> int | None:
    """Where ``article_id`` is in ``ids`` (a linear scan in C for an array: ~1 ms at 100k)."""
    try:
        return ids.index(article_id)
    except ValueError:
        return None


def set_row_count(view: ScrollView, count: int) -> None:
    """Give a Line-API list ``count`` rows.

    Assigning ``virtual_size`` lays out the whole screen (~10 ms at 120x40, and again for the
    scrollbar's own size); only a scrollbar that appears or goes away needs that. Otherwise
    the new size is set quietly and only the scrollbar is updated.
    """
    size = Size(view.scrollable_content_region.width, count)
    height = view.container_size.height
    if height and (view.virtual_size.height > height) == (count > height):
        view.set_reactive(ScrollView.virtual_size, size)
        view._scroll_update(size)
    else:
        view.virtual_size = size


class ArticleList(ScrollView, can_focus=True, inherit_bindings=False):
    """The ordered ids of a view, drawn a line at a time; the cursor is an index into them."""

    # The app binds these keys too (for the other panes); here they are handled where the
    # key lands, without bubbling through every container first. Same ids: a keymap that
    # remaps the app's keys remaps these.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(DEFAULT_KEYS[action], action, show=False, id=action)
        for action in ("cursor_down", "cursor_up", "first", "last")
    ]

    DEFAULT_CSS = """
    ArticleList {
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        background: $surface;
        & > .article-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .article-list--cursor-blurred {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        & > .article-list--unread { text-style: bold; }
        & > .article-list--read { color: $text-muted; }
        & > .article-list--mark { color: $accent; }
        & > .article-list--star { color: $warning; }
        & > .article-list--meta { color: $text-muted; }
        & > .article-list--placeholder { color: $text-disabled; }
    }
    """

    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--cursor-blurred",
        "article-list--unread",
        "article-list--read",
        "article-list--mark",
        "article-list--star",
        "article-list--meta",
        "article-list--placeholder",
    }

    class Highlighted(Message):
        """The cursor is on another article (None: the list is empty); ``by_user``: moved
        by a key or a click, not by a new view."""

        def __init__(self, article_id: int | None, *, by_user: bool = False) -> None:
            self.article_id = article_id
            self.by_user = by_user
            super().__init__()

    class Selected(Message):
        """The user asked to open the article under the cursor (Enter or a click)."""

        def __init__(self, article_id: int) -> None:
            self.article_id = article_id
            super().__init__()

    class RowsWanted(Message):
        """These ids are (nearly) on screen and not cached: answer with ``add_rows``."""

        def __init__(self, ids: tuple[int, ...]) -> None:
            self.ids = ids
            super().__init__()

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._ids: Sequence[int] = ()
        self._cursor = 0
        self._rows: OrderedDict[int, ArticleRow] = OrderedDict()
        self._pending: set[int] = set()
        self._missing: set[int] = set()  # asked for and not found (deleted meanwhile)
        self._stale: set[int] = set()  # cached, shown, but to be fetched again
        self._fetch_scheduled = False
        self._placeholder = ""
        self._placeholder_lines: tuple[int, tuple[str, ...]] = (0, ())  # (width, lines)
        self._base_style: Style | None = None
        self._part_styles: dict[tuple[str, bool], Style] = {}
        # drawn lines by (row, width, cursor state): a changed row is a new key
        self._strips: LRUCache[tuple[ArticleRow, int, int], Strip] = LRUCache(STRIP_CACHE)
        self._feed_column = True

    # -- what the owner calls -------------------------------------------------------------

    @property
    def ids(self) -> Sequence[int]:
        return self._ids

    @property
    def cursor(self) -> int:
        """Index of the cursor row (0 when the list is empty)."""
        return self._cursor

    @property
    def article_id(self) -> int | None:
        """The article under the cursor."""
        return self._ids[self._cursor] if self._ids else None

    def visible_ids(self) -> Sequence[int]:
        top = self.scroll_offset.y
        return self._ids[top: top + self.scrollable_content_region.height]

    def cached_row(self, article_id: int) -> ArticleRow | None:
        return self._rows.get(article_id)

    def set_ids(self, ids: Sequence[int], *, keep: int | None = None) -> None:
        """Show another view; the cursor stays on ``keep`` if it is in it, else (``keep`` the
        article under it, gone from the view) on its nearest neighbour, else at the top."""
        before = self.article_id
        screen_row = self._cursor - self.scroll_offset.y
        cursor = find_index(ids, keep) if keep is not None else None
        if cursor is None and keep is not None and keep == before:
            # the article left the view (U on a read one): its nearest neighbour that
            # stays, after it first, keeps the user's place
            cursor = self._neighbour_in(ids)
        self._ids = ids
        self._cursor = cursor if cursor is not None else 0
        set_row_count(self, len(ids))
        if cursor is not None and 0 <= screen_row < self.scrollable_content_region.height:
            # the kept article stays on the line where the eye is (rows may have come in
            # above it while a folder loads)
            self.scroll_to(y=max(0, cursor - screen_row), animate=False, immediate=True)
        else:
            self._scroll_to_cursor(center=cursor is not None)
        self.refresh()
        if self.article_id != before:
            self.post_message(self.Highlighted(self.article_id))

    def _neighbour_in(self, ids: Sequence[int]) -> int | None:
        """Where in ``ids`` the cursor's nearest neighbour in the current list is: the first
        article after it that ``ids`` holds, else the last one before it (None: neither)."""
        if not ids or not self._ids:
            return None
        kept = set(ids)
        old, at = self._ids, self._cursor
        found = next((old[i] for i in range(at + 1, len(old)) if old[i] in kept), None)
        if found is None:
            found = next((old[i] for i in range(at - 1, -1, -1) if old[i] in kept), None)
        return find_index(ids, found) if found is not None else None

    def show_feed_column(self, shown: bool) -> None:
        """Show the feed column, or give its room to the titles."""
        if shown != self._feed_column:
            self._feed_column = shown
            self._strips.clear()
            self.refresh()

    def set_placeholder(self, text: str) -> None:
        """Lines shown while the list is empty (how to add feeds, "no matches", ...)."""
        self._placeholder = text
        self._placeholder_lines = (0, ())
        if not self._ids:
            self.refresh()

    def add_rows(self, rows: Iterable[ArticleRow], *, requested: Iterable[int] = ()) -> None:
        """Rows fetched for ``RowsWanted`` (or changed): cache them and redraw.

        Requested ids that did not come back are shown as unavailable, never asked again
        until :meth:`invalidate`.
        """
        self._pending.difference_update(requested)
        self._stale.difference_update(requested)
        self._missing.update(requested)
        for row in rows:
            self._pending.discard(row.id)
            self._missing.discard(row.id)
            self._stale.discard(row.id)
            self._rows[row.id] = row
            self._rows.move_to_end(row.id)
        while len(self._rows) > CACHE_ROWS:
            self._rows.popitem(last=False)
        self.refresh()
        self._schedule_fetch()

    def update_rows(self, ids: Iterable[int], *, read: bool | None = None,
                    starred: bool | None = None) -> None:
        """Change the state of cached rows in place (after mark read, star, ...)."""
        for article_id in ids:
            row = self._rows.get(article_id)
            if row is None:
                continue
            if read is not None:
                row = replace(row, read=read)
            if starred is not None:
                row = replace(row, starred=starred)
            self._rows[article_id] = row
        self.refresh()

    def invalidate(self) -> None:
        """Forget every cached row (their state changed in bulk).

        The visible ones stay on screen, marked stale, until their fresh copies arrive: no
        flash of empty rows.
        """
        visible = set(self.visible_ids())
        self._rows = OrderedDict((i, r) for i, r in self._rows.items() if i in visible)
        self._stale = set(self._rows)
        self._pending.clear()
        self._missing.clear()
        self._schedule_fetch()

    def index_of(self, article_id: int) -> int | None:
        """Where ``article_id`` is in the view (a linear scan in C: ~1 ms at 100k)."""
        if self.article_id == article_id:
            return self._cursor
        return find_index(self._ids, article_id)

    def move_to(self, index: int) -> None:
        if not self._ids:
            return
        index = max(0, min(index, len(self._ids) - 1))
        if index == self._cursor:
            return
        previous = self._cursor
        self._cursor = index
        self._scroll_to_cursor()
        self.refresh_line(previous)
        self.refresh_line(index)
        self.post_message(self.Highlighted(self.article_id, by_user=True))

    def move_by(self, delta: int) -> None:
        self.move_to(self._cursor + delta)

    def first(self) -> None:
        self.move_to(0)

    def last(self) -> None:
        self.move_to(len(self._ids) - 1)

    def action_cursor_down(self) -> None:
        self.move_by(1)

    def action_cursor_up(self) -> None:
        self.move_by(-1)

    def action_first(self) -> None:
        self.first()

    def action_last(self) -> None:
        self.last()

    def page(self, direction: int) -> None:
        self.move_by(direction * max(1, self.scrollable_content_region.height - 1))

    def select(self) -> None:
        if (article_id := self.article_id) is not None:
            self.post_message(self.Selected(article_id))

    def find_cached_unread(self, direction: int) -> tuple[int | None, int | None]:
        """The next unread row in ``direction`` (+1/-1) from the cursor, from cached rows only.

        Returns (index, None) when found; (None, index) when an uncached row was reached (the
        owner asks the library from there on); (None, None) at the end of the list.
        """
        index = self._cursor + direction
        while 0 <= index < len(self._ids):
            row = self._rows.get(self._ids[index])
            if row is None:
                return None, index
            if not row.read:
                return index, None
            index += direction
        return None, None

    # -- drawing ----------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # the base style walks every ancestor (~0.5 ms): computed again only when styles change
        if self._base_style is None:
            self._base_style = self.rich_style
        return super().render_lines(crop)

    def notify_style_update(self) -> None:
        self._base_style = None
        self._strips.clear()
        self._part_styles.clear()
        super().notify_style_update()

    def _style(self, part: str) -> Style:
        """A component's own style, laid over the line's (partial: no background of its own)."""
        return self._component(f"article-list--{part}", partial=True)

    def _cursor_style(self) -> Style:
        # a full style: the blurred cursor's translucent background is blended only this way
        return self._component(
            "article-list--cursor" if self.has_focus else "article-list--cursor-blurred")

    def _component(self, name: str, *, partial: bool = False) -> Style:
        # resolving a component style walks the stylesheet (~0.2 ms): once per theme change
        key = (name, partial)
        style = self._part_styles.get(key)
        if style is None:
            style = self._part_styles[key] = self.get_component_rich_style(
                name, partial=partial)
        return style

    def _wrapped_placeholder(self, width: int) -> tuple[str, ...]:
        """The placeholder's lines wrapped to the list's width (guidance cut at the pane's
        edge read "or fr…"); an indented line keeps its indent when it wraps."""
        if self._placeholder_lines[0] != width:
            room = max(10, width - 2)  # the leading space, and a cell to spare
            lines: list[str] = []
            for line in self._placeholder.splitlines() or [""]:
                indent = line[: len(line) - len(line.lstrip())]
                lines += textwrap.wrap(line, room, subsequent_indent=indent,
                                       break_on_hyphens=False) or [""]
            self._placeholder_lines = (width, tuple(lines))
        return self._placeholder_lines[1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        base = self._base_style or self.rich_style
        if not self._ids:
            lines = self._wrapped_placeholder(width)
            text = lines[y] if y < len(lines) else ""
            return Strip([Segment(fit(" " + text, width), base + self._style("placeholder"))],
                         width)
        if index >= len(self._ids):
            return Strip.blank(width, base)
        article_id = self._ids[index]
        row = self._rows.get(article_id)
        cursor = index == self._cursor
        line = base + self._cursor_style() if cursor else base
        if row is None:
            style = line + self._style("placeholder")
            if article_id in self._missing:
                return Strip([Segment(fit("    (unavailable)", width), style)], width)
            self._schedule_fetch()
            return Strip([Segment(fit("    " + LOADING, width), style)], width)
        self._rows.move_to_end(article_id)
        # scrolling by one row redraws every line: all but one come from here
        state = (1 if self.has_focus else 2) if cursor else 0
        key = (row, width, state)
        strip = self._strips.get(key)
        if strip is None:
            strip = Strip(self._segments(row, width, line, cursor), width)
            self._strips.set(key, strip)
        return strip

    def _segments(self, row: ArticleRow, width: int, line: Style, cursor: bool) -> list[Segment]:
        # on the cursor line only the title's weight changes: colours would fight the highlight
        state = self._style("read" if row.read else "unread")
        segments = []
        for text, part in row_cells(row, width, feed=self._feed_column):
            if part == "title":
                style = line + Style(bold=not row.read) if cursor else line + state
            else:
                style = line if cursor else line + self._style(part)
            segments.append(Segment(text, style))
        return segments

    # -- fetching -------------------------------------------------------------------------------

    def _schedule_fetch(self) -> None:
        if not self._fetch_scheduled:
            self._fetch_scheduled = True
            self.call_later(self._request_missing)

    def _request_missing(self) -> None:
        self._fetch_scheduled = False
        if self._pending or not self._ids:
            return  # one request in flight at a time; add_rows asks again
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        start = max(0, top - PAGE // 2)
        stop = min(len(self._ids), top + height + PAGE // 2)
        missing = tuple(
            article_id for article_id in self._ids[start:stop]
            if (article_id not in self._rows or article_id in self._stale)
            and article_id not in self._missing
        )
        if missing:
            self._pending.update(missing)
            self.post_message(self.RowsWanted(missing))

    # -- scrolling and events -------------------------------------------------------------------

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = self.scroll_offset.y
        if top <= self._cursor < top + height and not center:
            return
        # Stepping off the screen scrolls half a page, not one line (as mutt does): a scroll
        # redraws the whole list (~2x the CPU of a move within it, measured), so row by row
        # only one press in height/2 pays for it, and the cursor keeps context around it.
        step_off = top - 1 <= self._cursor <= top + height
        if center or not step_off:
            target = self._cursor - height // 2
        elif self._cursor < top:
            target = self._cursor - (height - 1) // 2
        else:
            target = self._cursor - height // 2
        self.scroll_to(y=max(0, target), animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._ids))
        self._scroll_to_cursor()

    def on_focus(self, event: events.Focus) -> None:
        self._base_style = None
        self._strips.clear()
        self.refresh_line(self._cursor)

    def on_blur(self, event: events.Blur) -> None:
        self._base_style = None
        self._strips.clear()
        self.refresh_line(self._cursor)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self._ids:
            return
        index = self.scroll_offset.y + offset.y
        if index < len(self._ids):
            self.move_to(index)
            self.select()
