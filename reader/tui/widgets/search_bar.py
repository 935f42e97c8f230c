"""The filter line: search as you type; Esc clears it. (Enter, back to the list, is the app's:
see ReaderApp.action_submit_search.)"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input


class SearchBar(Input):
    """An Input that posts :class:`SearchBar.Search` as the user types.

    No timer: results must show within 100 ms of the last key, and a search overtaken by the
    next key costs little (the view worker is exclusive, and its query stops when
    cancelled). Keys that arrive together (pasted, or typed faster than the interface
    reads them) still make one search: the search is posted behind the keys already queued.
    """

    DEFAULT_CSS = """
    SearchBar {
        height: 1;
        border: none;
        padding: 0 1;
        &:focus { border: none; }
        &:blur { color: $text-muted; }
    }
    """

    BINDINGS = [Binding("escape", "clear_search", "Clear the filter", show=False)]

    # Input sets its virtual size (the width of its text) on every key, and Widget's reactive
    # then lays out the whole screen: 10 ms at 120x40, which the search results waited for.
    # The bar's own size never depends on its text, so a repaint is enough.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    class Search(Message):
        """Filter the list by ``text`` (empty: no filter)."""

        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    class Cleared(Message):
        """Esc: the filter is gone and the user is done with the bar."""

    # The hint, longest first: the bar shows the first that fits its width. {key}: the key
    # that opens the bar, as bound ([keys] search = "f" made "/ to search" wrong).
    HINTS: ClassVar[tuple[str, ...]] = (
        "{key} to search titles and text (Esc clears, Enter: list)",
        "{key} to search titles and text (Esc clears)",
        "{key} to search (Esc clears)",
        "{key} to search",
        "{key} search",
    )

    def __init__(self, *, id: str | None = None) -> None:
        self._key = "/"
        super().__init__(placeholder=self._hints()[0], id=id, select_on_focus=False)
        self._emit_queued = False

    def _hints(self) -> list[str]:
        return [hint.format(key=self._key) for hint in self.HINTS]

    def show_key(self, key: str) -> None:
        """Name ``key`` (as displayed) in the hint as the key that opens the bar."""
        self._key = key
        self._fit_hint()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_hint()

    def _fit_hint(self) -> None:
        hints = self._hints()
        room = self.size.width - self.styles.gutter.width
        if room <= 0:
            self.placeholder = hints[0]
            return
        self.placeholder = next((hint for hint in hints if len(hint) <= room), hints[-1])

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if not self._emit_queued:
            self._emit_queued = True
            self.call_later(self._emit_queued_search)

    def _emit_queued_search(self) -> None:
        if self._emit_queued:
            self._emit_queued = False
            self.post_message(self.Search(self.value.strip()))

    def action_clear_search(self) -> None:
        self._emit_queued = False
        with self.prevent(Input.Changed):
            self.value = ""
        self.post_message(self.Search(""))
        self.post_message(self.Cleared())
