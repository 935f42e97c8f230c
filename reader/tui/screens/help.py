"""``?``: every binding as configured (defaults overlaid with the user's ``[keys]``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# What the filter line (/) takes besides words; see reader.core.filters
FILTER_HELP = (
    ("harbour \"city council\"", "Filter: articles with every word and phrase"),
    ("since:7d  until:2026-11", "Filter: a date range (a day, month or year, today, "
                                 "yesterday, or 12h/7d/2w ago)"),
)


def bindings_table(rows: Sequence[tuple[str, str]]) -> Table:
    """A two-column table of (keys, what they do); every cell is plain Text."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for keys, description in rows:
        table.add_row(Text(keys), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    """A scrollable list of keys; Esc, or the keys of help and quit (? and q unless
    remapped), closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen #help-body {
        width: 76;
        max-width: 95%;
        height: 80%;
        padding: 0 1;
        background: $panel;
        border: thick $primary;
    }
    """

    # The list's moving keys scroll the help, under the app's binding ids so that a key the
    # user remapped in [keys] does here what the help says it does (a modal screen keeps
    # the app's own bindings from the keys: j did nothing, though the help lists it).
    BINDINGS = [
        Binding("escape", "dismiss_help", "Close", show=False),
        # the keys of help and quit as the user bound them close it too
        Binding("question_mark", "dismiss_help", "Close", show=False, id="help"),
        Binding("q", "dismiss_help", "Close", show=False, id="quit"),
        Binding("j,down", "scroll_help('down')", show=False, id="cursor_down"),
        Binding("k,up", "scroll_help('up')", show=False, id="cursor_up"),
        Binding("g,home", "scroll_help('home')", show=False, id="first"),
        Binding("G,end", "scroll_help('end')", show=False, id="last"),
        Binding("space,pagedown", "scroll_help('page_down')", show=False, id="page_down"),
        Binding("pageup", "scroll_help('page_up')", show=False, id="page_up"),
    ]

    def __init__(self, rows: Sequence[tuple[str, str]]) -> None:
        super().__init__(id="help")
        self._rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = "Esc closes"
            yield Static(bindings_table([*self._rows, *FILTER_HELP]), id="help-table")

    def action_scroll_help(self, where: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        getattr(body, f"scroll_{where}")(animate=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
