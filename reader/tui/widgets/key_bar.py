"""The bottom line: the main keys as they are bound now.

A single ``Static`` instead of Textual's ``Footer``: the Footer rebuilds a widget per key on
every focus change (about 0.15 s of CPU per Tab with our bindings, measured), this costs one
line of text, rebuilt only when the keymap changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static


def key_hints(hints: Sequence[tuple[str, str]]) -> Content:
    """``(keys, label)`` pairs as one line: the keys stand out, the labels are plain text."""
    parts: list[str | tuple[str, str]] = []
    for keys, label in hints:
        parts.append((f" {keys} ", "bold $footer-key-foreground"))
        parts.append((f"{label} ", "$footer-description-foreground"))
    return Content.assemble(*parts)


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def show_hints(self, hints: Sequence[tuple[str, str]]) -> None:
        self.update(key_hints(hints))
