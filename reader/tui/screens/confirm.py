"""Yes/no questions: removing a feed, opening a link in the browser."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from reader.tui.screens.dialog import Dialog


class ConfirmScreen(Dialog[bool]):
    """Ask ``question`` about ``subject`` (data: shown as plain text). y/Enter yes, n/Esc no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, subject: str, *, yes: str = "Yes", no: str = "No",
                 hint: str = "y: yes, n or Esc: no") -> None:
        super().__init__()
        self._question = question
        self._subject = subject
        self._yes = yes
        self._no = no
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-body"):
            yield Static(Content(self._question), classes="dialog-question")
            yield Static(Content(self._subject), classes="dialog-subject")
            with Horizontal(classes="dialog-buttons"):
                # the keys, as the add dialog says its own (y and n were bound unsaid)
                yield Static(Content(self._hint), classes="dialog-hint")
                yield Button(Content(self._yes), variant="primary", id="yes")
                yield Button(Content(self._no), id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def confirm_link(url: str) -> ConfirmScreen:
    """The question asked before a URL from an article goes to the browser."""
    from reader.core.sanitize import display_name

    # the address as a person reads it (no password); the browser is given it whole
    return ConfirmScreen("Open this link in your browser?", display_name(url), yes="Open",
                         no="Cancel",
                         hint="y opens, n or Esc cancels")


def confirm_remove(name: str) -> ConfirmScreen:
    return ConfirmScreen("Unsubscribe from this feed?", name,
                         yes="Unsubscribe", no="Keep", hint="y removes, n or Esc keeps")
