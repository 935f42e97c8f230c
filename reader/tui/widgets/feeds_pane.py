"""The feeds pane: "All articles", "Starred", then folders and feeds with unread counts.

A feed whose last fetch failed carries a ⚠ mark; the error of the highlighted feed is shown
under the tree. Every name comes from data, so labels are ``rich.text.Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from reader.sanitize import clean_line
from reader.storage.base import FeedInfo

WARNING_MARK = "\u26a0"  # ⚠


class ViewKind(StrEnum):
    ALL = "all"
    STARRED = "starred"
    FOLDER = "folder"
    FEED = "feed"


@dataclass(frozen=True, slots=True)
class Selection:
    """What the feeds pane points at; the list shows the articles it selects."""

    kind: ViewKind = ViewKind.ALL
    feed_id: int | None = None
    folder: str | None = None
    name: str = "All articles"

    @property
    def key(self) -> tuple[ViewKind, int | None, str | None]:
        """Identity without the (changeable) display name."""
        return (self.kind, self.feed_id, self.folder)


ALL = Selection()
STARRED = Selection(ViewKind.STARRED, name="Starred")


def feed_label(name: str, unread: int, error: str | None) -> Text:
    """One line: an error mark, the name, the unread count (dim)."""
    label = Text(no_wrap=True, overflow="ellipsis")
    if error:
        label.append(WARNING_MARK + " ", style="bold yellow")
    label.append(clean_line(name) or "(untitled)", style="bold" if unread else "")
    if unread:
        label.append(f" {unread}", style="dim")
    return label


class FeedTree(Tree[Selection]):
    """The tree itself; its cursor is the pane's selection."""

    def __init__(self) -> None:
        super().__init__(Text("Feeds"), data=ALL, id="feed-tree")
        self.show_root = False
        self.guide_depth = 2


class FeedsPane(Vertical):
    """Posts :class:`FeedsPane.Changed` when another feed, folder or view is highlighted."""

    DEFAULT_CSS = """
    FeedsPane {
        & > FeedTree { height: 1fr; background: $surface; }
        & > #feed-status { height: auto; max-height: 4; color: $warning; padding: 0 1; }
    }
    """

    class Changed(Message):
        """Another view was highlighted (``chosen``: the user pressed Enter or clicked on it)."""

        def __init__(self, selection: Selection, *, chosen: bool = False) -> None:
            self.selection = selection
            self.chosen = chosen
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._feeds: dict[int, FeedInfo] = {}
        self._tree_nodes: dict[Selection, TreeNode[Selection]] = {}
        self._shape: tuple[object, ...] = ()
        self._current: Selection = ALL

    def compose(self) -> ComposeResult:
        yield FeedTree()
        yield Static(Content(""), id="feed-status")

    @property
    def selection(self) -> Selection:
        return self._current

    @property
    def tree(self) -> FeedTree:
        return self.query_one(FeedTree)

    def select(self, selection: Selection) -> None:
        """Move the cursor to ``selection`` (posts ``Changed`` if it is another view)."""
        node = self._node_for(selection)
        if node is not None:
            self.tree.move_cursor(node)

    def feed(self, feed_id: int) -> FeedInfo | None:
        return self._feeds.get(feed_id)

    def set_feeds(self, feeds: Sequence[FeedInfo]) -> None:
        """Show these feeds; the tree is rebuilt only when feeds or folders changed."""
        self._feeds = {feed.id: feed for feed in feeds}
        shape = tuple((feed.id, feed.folder) for feed in feeds)
        if shape != self._shape:
            self._shape = shape
            self._rebuild(feeds)
        else:
            self._relabel(feeds)
        self._show_status()

    def adjust_unread(self, feed_id: int, delta: int) -> None:
        """Change one feed's count right away (the next ``set_feeds`` brings the truth)."""
        feed = self._feeds.get(feed_id)
        if feed is None or delta == 0:
            return
        self._feeds[feed_id] = replace(feed, unread=max(0, feed.unread + delta))
        self._relabel(list(self._feeds.values()))

    def _rebuild(self, feeds: Sequence[FeedInfo]) -> None:
        tree = self.tree
        current = self._current
        tree.clear()
        self._tree_nodes = {}
        for selection in (ALL, STARRED):
            self._tree_nodes[selection] = tree.root.add_leaf(Text(selection.name), data=selection)
        folders: dict[str, TreeNode[Selection]] = {}
        for feed in sorted(feeds, key=lambda f: ((f.folder or "").casefold(), f.name.casefold())):
            parent = tree.root
            if feed.folder:
                if feed.folder not in folders:
                    selection = Selection(ViewKind.FOLDER, folder=feed.folder, name=feed.folder)
                    folders[feed.folder] = tree.root.add(
                        Text(feed.folder), data=selection, expand=True)
                    self._tree_nodes[selection] = folders[feed.folder]
                parent = folders[feed.folder]
            selection = Selection(ViewKind.FEED, feed_id=feed.id, name=feed.name)
            self._tree_nodes[selection] = parent.add_leaf(Text(feed.name), data=selection)
        self._relabel(feeds)
        # node lines are laid out on the next refresh; only then can the cursor go back
        self.call_after_refresh(self._restore_cursor, current)

    def _restore_cursor(self, selection: Selection) -> None:
        node = self._node_for(selection) or self._tree_nodes.get(ALL)
        if node is not None:
            self.tree.move_cursor(node)

    def _relabel(self, feeds: Sequence[FeedInfo]) -> None:
        folder_unread: dict[str, int] = {}
        for feed in feeds:
            if feed.folder:
                folder_unread[feed.folder] = folder_unread.get(feed.folder, 0) + feed.unread
        for selection, node in self._tree_nodes.items():
            if selection.kind is ViewKind.FEED and selection.feed_id is not None:
                info = self._feeds.get(selection.feed_id)
                if info is not None:
                    node.set_label(feed_label(info.name, info.unread, info.last_error))
            elif selection.kind is ViewKind.FOLDER and selection.folder is not None:
                node.set_label(feed_label(selection.folder, folder_unread.get(selection.folder, 0),
                                          None))
            elif selection.kind is ViewKind.ALL:
                node.set_label(feed_label(selection.name, sum(f.unread for f in feeds), None))

    def _node_for(self, selection: Selection) -> TreeNode[Selection] | None:
        for candidate, node in self._tree_nodes.items():
            if candidate.key == selection.key:
                return node
        return None

    def _show_status(self) -> None:
        status = self.query_one("#feed-status", Static)
        feed = self._feeds.get(self._current.feed_id) if self._current.feed_id else None
        error = feed.last_error if feed else None
        status.update(Content(f"{WARNING_MARK} {clean_line(error)}") if error else Content(""))
        status.display = bool(error)
        self.tree.tooltip = Text(clean_line(error) or "") if error else None

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Selection]) -> None:
        event.stop()
        selection = event.node.data
        if selection is None or selection.key == self._current.key:
            return
        self._current = selection
        self._show_status()
        self.post_message(self.Changed(selection))

    def on_tree_node_selected(self, event: Tree.NodeSelected[Selection]) -> None:
        event.stop()
        if event.node.data is not None:
            self._current = event.node.data
            self.post_message(self.Changed(event.node.data, chosen=True))
