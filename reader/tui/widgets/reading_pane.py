"""The reading pane: one article as a centred column of styled text that scrolls.

The article arrives already rendered (``reader.render.render_article``, which the app runs in
a thread worker); this widget only shows it, scrolls, turns typed digits and clicks on "[n]"
references into ``LinkOpenRequested``, and reports the reading position (debounced).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.reactive import reactive
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.timer import Timer
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from reader.core.sanitize import strip_controls

if TYPE_CHECKING:
    from reader.render import RenderedArticle

__all__ = ["ReadingPane"]

# Below this many cells for the text itself, a hanging indent costs more than it gives.
_MIN_HANGING_WIDTH = 16
# a line that is a rule and nothing else
_RULE_LINE = re.compile(r"^\u2500+$", re.MULTILINE)


class _HangingContent(Visual):
    """Content whose chosen lines wrap under a prefix: list items under their text, quotes
    keeping their gutter.

    Textual wraps Content flat; this lays the long prefixed lines out itself for the given
    width (cached), then lets plain Content render the result, so styles, link meta and
    text selection behave as with any Content.
    """

    def __init__(self, content: Content, hanging: Mapping[int, Content]) -> None:
        self._content = content
        self._hanging = hanging
        self._line_starts: list[int] | None = None
        self._laid_out: tuple[int, Content] | None = None

    def laid_out(self, width: int) -> Content:
        """The content with its too-long prefixed lines split into rows for ``width``."""
        if self._laid_out is not None and self._laid_out[0] == width:
            return self._laid_out[1]
        plain = self._content.plain
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in re.finditer("\n", plain))]
        starts = self._line_starts
        # (start, end) of each prefixed line too wide for the width; found on the plain text
        # so a text without any costs no Content slicing at all.
        bounds = (
            (y, starts[y], starts[y + 1] - 1 if y + 1 < len(starts) else len(plain))
            for y in sorted(self._hanging)
            if y < len(starts)
        )
        wide = [(y, a, b) for y, a, b in bounds if cell_len(plain[a:b]) > width]
        # a rule (the line under the header) wider than the column is cut to it: wrapped,
        # its last cells made a second, stray line
        rules = [(a, b) for a, b in (m.span() for m in _RULE_LINE.finditer(plain))
                 if b - a > width]
        result = self._content
        if wide or rules:
            # Cut only at the lines' edges: pieces alternate kept text / wide line.
            spans = sorted([(a, b, y) for y, a, b in wide] + [(a, b, None) for a, b in rules])
            pieces = self._content.divide([edge for a, b, _ in spans for edge in (a, b)])
            for index, (_, _, y) in enumerate(spans):
                line = pieces[2 * index + 1]
                if y is None:
                    pieces[2 * index + 1] = line[:max(1, width)]
                    continue
                rows = _wrap_hanging(line, self._hanging[y], width)
                pieces[2 * index + 1] = Content("\n").join(rows)
            result = Content("").join(pieces)
        self._laid_out = (width, result)
        return result

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.laid_out(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self._content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self._content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.laid_out(width).get_height(rules, width)


def _wrap_hanging(line: Content, prefix: Content, width: int) -> list[Content]:
    """The first row at full width; the rest wrapped narrower and started with ``prefix``."""
    inner = width - prefix.cell_length
    if inner < _MIN_HANGING_WIDTH:
        return [line]
    first = line.wrap(width)[0]
    rest = line[len(first.plain) :]
    rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")) :]
    return [first, *(prefix + row for row in rest.wrap(inner))]


class _Body(Static):
    """The pane's text. Selection reads the laid-out rows, as they are shown."""

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        visual = self.visual
        if isinstance(visual, _HangingContent) and self.size.width:
            return selection.extract(visual.laid_out(self.content_size.width).plain), "\n"
        return super().get_selection(selection)


# the digits of a link's number ("٣" is a digit too, but not one we number)
_LINK_DIGITS = frozenset("0123456789")


class ReadingPane(VerticalScroll, can_focus=True):
    """Shows a ``RenderedArticle`` (or a plain message) in a column of ``reading_width`` cells.

    Keys: space/page down, shift+space/page up, home, end, arrows scroll; digits open the
    numbered link ("12" typed quickly opens link 12). Mouse: wheel scrolls, a click on a
    "[n]" reference opens link n. Opening means posting ``LinkOpenRequested``: the app checks
    the URL again, shows it and opens it.
    """

    DEFAULT_CSS = """
    ReadingPane {
        align-horizontal: center;
        padding: 0 1;
    }
    ReadingPane > .reading-pane--body {
        width: 80;
        max-width: 100%;
        height: auto;
        padding-bottom: 1;
    }
    ReadingPane > .reading-pane--body.-message {
        color: $text-muted;
        text-style: italic;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "page_down", "Page down", show=False, id="reading_pane.page_down"),
        Binding("shift+space", "page_up", "Page up", show=False, id="reading_pane.page_up"),
    ]

    # Multi-digit link numbers: "1" then "2" within this many seconds opens link 12.
    DIGIT_TIMEOUT: ClassVar[float] = 0.6
    # Scrolling settles before the position is reported, so the app writes once, not per line.
    POSITION_DEBOUNCE: ClassVar[float] = 0.5

    reading_width: reactive[int] = reactive(80)
    """The reading measure in cells; the column is min(reading_width, available width)."""

    @dataclass
    class LinkOpenRequested(Message):
        """The user asked to open numbered link ``number`` (``url`` passed ``safe_url``)."""

        pane: ReadingPane
        number: int
        url: str

        @property
        def control(self) -> ReadingPane:
            return self.pane

    @dataclass
    class PositionChanged(Message):
        """The reading position of ``article_id`` settled at ``position`` (0..1 of the scroll)."""

        pane: ReadingPane
        article_id: int
        position: float

        @property
        def control(self) -> ReadingPane:
            return self.pane

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        # a message until an article is shown: the class from the start, not a restyle
        self._body = _Body(Text(""), classes="reading-pane--body -message")
        self._article_id: int | None = None
        self._links: tuple[str, ...] = ()
        self._plain = ""
        self._digits = ""
        self._digit_timer: Timer | None = None
        self._position_timer: Timer | None = None
        self._reported_position: float | None = None
        self._fraction = 0.0  # where the reader is, kept across re-wraps (resize, width)
        self._restore_token = 0  # the pending restore; 0 when none

    # public API

    @property
    def article_id(self) -> int | None:
        """The article shown, or None for a message or a raw text."""
        return self._article_id

    @property
    def links(self) -> tuple[str, ...]:
        """The numbered links of what is shown: ``links[0]`` is "[1]"."""
        return self._links

    @property
    def plain(self) -> str:
        """The text shown, without styles and before wrapping (for tests and copying)."""
        return self._plain

    @property
    def position(self) -> float:
        """The scroll position as a fraction: 0 at the top, 1 at the bottom."""
        return self.scroll_y / self.max_scroll_y if self.max_scroll_y else 0.0

    def show_article(
        self, article_id: int, rendered: RenderedArticle, *, position: float = 0.0
    ) -> None:
        """Show a rendered article and scroll to ``position`` (a fraction, as reported)."""
        self._leave_current()
        self._article_id = article_id
        self._links = rendered.links
        self._reported_position = position
        self._set_body(rendered.text, message=False, hanging=rendered.hanging)
        self._restore(position, from_top=True)

    def type_digit(self, digit: str) -> None:
        """A digit of a link's number typed (``"0"``-``"9"``), wherever the focus is: "12"
        opens link 12, and a number no longer one starts opens at once."""
        if not self._links:
            if digit != "0":
                self._request_link(int(digit))  # says there is no such link
            return
        self._cancel_digits()
        self._digits = (self._digits + digit).lstrip("0")
        if not self._digits:
            return
        number = int(self._digits)
        if number * 10 > len(self._links):
            # No longer number starts with these digits: open now rather than make them wait.
            self._open_typed()
        else:
            self._digit_timer = self.set_timer(self.DIGIT_TIMEOUT, self._open_typed)

    def show_text(self, text: Text) -> None:
        """Show an already-safe Text (the raw view); it has no links and no position."""
        self._leave_current()
        self._links = ()
        self._set_body(text, message=False)
        self._restore(0.0, from_top=True)

    def show_message(self, message: str) -> None:
        """Show a message such as "No article selected". Plain text, never markup."""
        self._leave_current()
        self._links = ()
        self._set_body(Text(strip_controls(message)), message=True)
        self._restore(0.0, from_top=True)

    # internals

    def compose(self) -> ComposeResult:
        yield self._body

    def on_mount(self) -> None:
        self.watch(self, "scroll_y", self._scrolled, init=False)

    def watch_reading_width(self, width: int) -> None:
        # max-width: 100% in the CSS makes the column min(reading_width, available).
        self._body.styles.width = max(20, width)
        self._restore(self._fraction)

    def on_resize(self, event: events.Resize) -> None:
        # The text re-wraps to a new height; stay at the same place in the article.
        self._restore(self._fraction)

    def _set_body(
        self, text: Text, *, message: bool, hanging: tuple[tuple[int, Text], ...] = ()
    ) -> None:
        # Content.from_rich_text copies text and spans without parsing anything (a str would
        # be parsed as markup by Static: never pass one).
        self._plain = text.plain
        console = self.app.console
        content = Content.from_rich_text(text, console=console)
        if hanging or (not message and "\u2500" in self._plain):
            prefixes = {y: Content.from_rich_text(p, console=console) for y, p in hanging}
            self._body.update(_HangingContent(content, prefixes))
        else:
            self._body.update(content)
        self._body.set_class(message, "-message")

    def _leave_current(self) -> None:
        """Report the outgoing article's position now, so a quick switch loses nothing."""
        self._cancel_digits()
        self._digits = ""
        if self._position_timer is not None:
            self._position_timer.stop()
            self._position_timer = None
            self._report_position()
        self._article_id = None

    def _restore(self, position: float, *, from_top: bool = False) -> None:
        """Scroll to ``position`` once the text is laid out (only then is max_scroll_y known).

        Scrolls caused by the layout or by restoring are not the reader's: not reported.
        """
        self._fraction = position
        self._restore_token += 1
        token = self._restore_token
        if from_top:  # a new text: never show it at the old one's offset
            self.scroll_to(y=0, animate=False, immediate=True)

        def restore() -> None:
            if token != self._restore_token:  # a later restore superseded this one
                return
            self.scroll_to(y=round(position * self.max_scroll_y), animate=False, immediate=True)
            self._restore_token = 0

        self.call_after_refresh(restore)

    def _scrolled(self, _old: float, _new: float) -> None:
        if self._restore_token or self._article_id is None:
            return
        self._fraction = self.position
        if self._position_timer is not None:
            self._position_timer.stop()
        self._position_timer = self.set_timer(self.POSITION_DEBOUNCE, self._report_position)

    def _report_position(self) -> None:
        self._position_timer = None
        if self._article_id is None:
            return
        position = round(self.position, 4)
        if position != self._reported_position:
            self._reported_position = position
            self.post_message(self.PositionChanged(self, self._article_id, position))

    # links

    def on_key(self, event: events.Key) -> None:
        if event.character not in _LINK_DIGITS or not self._links:
            return
        event.stop()
        event.prevent_default()
        self.type_digit(event.character)

    def _cancel_digits(self) -> None:
        if self._digit_timer is not None:
            self._digit_timer.stop()
            self._digit_timer = None

    def _open_typed(self) -> None:
        self._digit_timer = None
        digits, self._digits = self._digits, ""
        if digits:
            self._request_link(int(digits))

    def _request_link(self, number: int) -> None:
        if 1 <= number <= len(self._links):
            self.post_message(self.LinkOpenRequested(self, number, self._links[number - 1]))
        else:
            self.notify(f"No link [{number}] in this article.", severity="warning", markup=False)

    def on_click(self, event: events.Click) -> None:
        # The "[n]" reference carries its number in style meta that render_article set from
        # its own counter (never from data, and not an "@click" action).
        from reader.render import LINK_META_KEY  # loaded by the time an article is shown

        number = event.style.meta.get(LINK_META_KEY) if event.style.meta else None
        if isinstance(number, int):
            event.stop()
            self._request_link(number)
