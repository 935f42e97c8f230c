"""The command palette offers every action of the keymap, plus the sort orders."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from reader.core.config import ACTIONS

# Palette-only commands: (action, description). Every ACTIONS entry is offered as well.
EXTRA_COMMANDS: tuple[tuple[str, str], ...] = (
    ("sort_by('newest')", "Sort by date, newest first"),
    ("sort_by('oldest')", "Sort by date, oldest first"),
    ("sort_by('feed')", "Sort by feed"),
    ("sort_by('title')", "Sort by title"),
)
# The palette opening itself again is of no use.
_SKIPPED = frozenset({"command_palette"})
# The palette parses help text as markup; key names come from the user's config file, so
# anything that could be markup ("[", "$", "\\") is left out rather than escaped.
_PLAIN_KEYS = re.compile(r"[^\[\]$\\]*")


def _help(keys: str) -> str | None:
    return keys if keys and _PLAIN_KEYS.fullmatch(keys) else None


class ActionsProvider(Provider):
    """Every action the reader has, with the key it is bound to now."""

    def _commands(self) -> Iterator[tuple[str, str, str]]:
        keys = getattr(self.app, "keys_for", None)
        for action, (_default, description) in ACTIONS.items():
            if action in _SKIPPED:
                continue
            bound = keys(action) if callable(keys) else ""
            yield action, description, bound
        for action, description in EXTRA_COMMANDS:
            yield action, description, ""

    def _run(self, action: str) -> Callable[[], Awaitable[bool]]:
        return partial(self.app.run_action, action)

    async def discover(self) -> Hits:
        for action, description, keys in self._commands():
            yield DiscoveryHit(Content(description), self._run(action), text=description,
                               help=_help(keys))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, description, keys in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), self._run(action),
                          text=description, help=_help(keys))
