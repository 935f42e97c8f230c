"""The look shared by the small dialogs (``a``, the yes/no questions)."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

R = TypeVar("R")


class Dialog(ModalScreen[R]):
    """A box in the middle of the screen. Its CSS is here rather than in reader.tcss so
    that it is parsed when a dialog is first opened, not at every start."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    Dialog .dialog-body {
        width: 70;
        max-width: 90%;
        height: auto;
        padding: 1 2;
        background: $panel;
        border: thick $primary;
    }
    Dialog .dialog-question {
        text-style: bold;
        margin-bottom: 1;
    }
    Dialog .dialog-subject {
        color: $text-accent;
        margin-bottom: 1;
    }
    Dialog .dialog-hint {
        color: $text-muted;
    }
    Dialog .dialog-buttons {
        height: auto;
        align-horizontal: right;
    }
    Dialog .dialog-buttons > Button {
        margin-left: 2;
    }
    Dialog .dialog-buttons > .dialog-hint {
        width: 1fr;
        height: 3;
        content-align: left middle;
    }
    """
