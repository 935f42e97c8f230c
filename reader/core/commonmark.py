"""The CommonMark parser the reader reads Markdown with: markdown-it's, with tables, and
with the lines nested past its depth limit kept.

Past maxNesting (20 levels: a mail thread quoted 20 deep, a list 10 deep) markdown-it skips
the rest of the block: the reading pane dropped those lines from the article without a
word, and the check for raw HTML in saved Markdown never saw them (a renderer that nests
deeper then ran their ``<script>``). The limit guards against recursion, so those lines are
not parsed as blocks: each becomes a paragraph of its own, as written.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock


def commonmark_parser() -> MarkdownIt:
    """A new CommonMark parser (with tables) that keeps the lines nested past its limit."""
    md = MarkdownIt("commonmark").enable("table")
    nested = md.block.tokenize

    def tokenize(state: StateBlock, start: int, end: int) -> None:
        if state.level >= md.options["maxNesting"]:
            _flat(state, start, end)
        else:
            nested(state, start, end)

    md.block.tokenize = tokenize  # type: ignore[method-assign,assignment]
    return md


def _flat(state: StateBlock, start: int, end: int) -> None:
    """The block's lines, one paragraph each, as written."""
    for line in range(start, end):
        text = state.getLines(line, line + 1, state.blkIndent, False).strip()
        if not text:
            continue
        state.push("paragraph_open", "p", 1).map = [line, line + 1]
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = text, [line, line + 1], []
        state.push("paragraph_close", "p", -1)
    state.line = end
