"""The bottom line: the main keys as they are bound now.

A single ``Static`` instead of Textual's ``Footer``: the Footer rebuilds a widget per key on
every focus change (about 0.15 s of CPU per Tab with our bindings, measured), this costs one
line of text, rebuilt only when the keymap changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.widgets import Static


def key_hints(hints: Sequence[tuple[str, str]]) -> Content:
    """``(keys, label)`` pairs as one line: the keys stand out, the labels are plain text."""
    parts: list[str | tuple[str, str]] = []
    for keys, label in hints:
        parts.append((f" {keys} ", "bold $footer-key-foreground"))
        parts.append((f"{label} ", "$footer-description-foreground"))
    return Content.assemble(*parts)


def fitting(hints: Sequence[tuple[str, str]], width: int,
            dropped_first: Sequence[str]) -> list[tuple[str, str]]:
    """The hints that fit in ``width`` cells, in their order: when they do not all fit, the
    labels of ``dropped_first`` go, in that order, before any hint is cut in the middle."""
    shown = list(hints)
    for label in dropped_first:
        if key_hints(shown).cell_length <= width:
            break
        shown = [hint for hint in shown if hint[1] != label]
    return shown


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._hints: Sequence[tuple[str, str]] = ()
        self._dropped_first: Sequence[str] = ()

    def show_hints(self, hints: Sequence[tuple[str, str]],
                   dropped_first: Sequence[str] = ()) -> None:
        """Show ``(keys, label)`` pairs; on a narrow screen the labels of ``dropped_first``
        go first (the others stay whole)."""
        self._hints = hints
        self._dropped_first = dropped_first
        self._show()

    def on_resize(self, event: events.Resize) -> None:
        self._show()

    def _show(self) -> None:
        width = self.size.width or self.app.size.width
        self.update(key_hints(fitting(self._hints, width, self._dropped_first)), layout=False)
