"""``a``: ask for a feed URL (or a path) to subscribe to."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from reader.tui.screens.dialog import Dialog


class AddFeedScreen(Dialog[str | None]):
    """Returns the text typed (stripped), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            yield Static(Content("Add a feed: its URL, a web page that links to one, or a "
                                 "local file or folder."), classes="dialog-question")
            yield Input(placeholder="https://example.org/feed.xml", id="feed-url")
            yield Static(Content("Enter adds, Esc cancels"), classes="dialog-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
