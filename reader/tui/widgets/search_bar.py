"""The filter line: search as you type, debounced; Esc clears it, Enter goes back to the list."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

# Seconds of quiet typing before the search runs. Short: results must show within 100 ms of
# the last key, and a stale query costs little (the view worker is exclusive, and its query
# stops when cancelled). Keys pasted or sent together still make one search.
DEBOUNCE = 0.008


class SearchBar(Input):
    """An Input that posts :class:`SearchBar.Search` 8 ms after the last keystroke."""

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

    class Search(Message):
        """Filter the list by ``text`` (empty: no filter)."""

        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    class Closed(Message):
        """The user is done with the bar (``cleared``: by Esc, the filter is gone)."""

        def __init__(self, *, cleared: bool) -> None:
            self.cleared = cleared
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="/ to search titles and text (Esc clears, Enter: list)",
                         id=id, select_on_focus=False)
        self._debounce: Timer | None = None

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE, self._emit)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._emit()
        self.post_message(self.Closed(cleared=False))

    def _emit(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self.post_message(self.Search(self.value.strip()))

    def action_clear_search(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        with self.prevent(Input.Changed):
            self.value = ""
        self.post_message(self.Search(""))
        self.post_message(self.Closed(cleared=True))
