"""How an article reads: Markdown body plus metadata, turned into one styled ``rich.text.Text``.

Domain side: imports Rich and markdown-it-py, never Textual, so it can run in a thread worker
and in tests without an app.

Safety: every character of the output comes either from this module's own constants or from
the article's data appended with ``Text.append``-style plain strings. Nothing is ever parsed as
console markup, and the only style metadata attached is ``LINK_META_KEY`` with an integer this
module assigns (no ``@click`` actions), so data can never become an action.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import islice

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from rich.cells import cell_len
from rich.style import Style
from rich.text import Span, Text

from reader.core.commonmark import commonmark_parser
from reader.core.sanitize import MAX_URL, clean_line, redact_password, safe_url, strip_controls
from reader.core.words import count_words, reading_minutes

__all__ = [
    "LINK_META_KEY",
    "MAX_BODY_CHARS",
    "MAX_BODY_LINES",
    "MAX_HIGHLIGHTS",
    "RenderedArticle",
    "link_number_at",
    "render_article",
    "render_raw",
]

# Past these, the body is cut for display with a visible note. markdown-it-py costs ~0.6 µs a
# character on prose but ~200 µs a list item or table row, and the pane lays out and paints
# everything on the UI thread. 200k characters is ~30k words, longer than nearly any article.
MAX_BODY_CHARS = 200_000
MAX_BODY_LINES = 8_000
# markdown-it's inline parser spends 20-100 µs on each of these characters (link and emphasis
# attempts) against <1 µs on a letter. Past this many in one article, the remaining
# paragraphs are shown as written rather than parsed, so hostile input stays within seconds.
_INLINE_BUDGET = 20_000
_INLINE_COSTLY = "[]*_!&<`"
# A paragraph with none of these is one text run: no need to run the inline parser at all.
_INLINE_SPECIAL = re.compile(r"[\\\[\]*_!&<>`\n~]")
# A one-letter search term could otherwise add a span per letter of the article.
MAX_HIGHLIGHTS = 2_000
# The raw view shows the dump's lines within the article's budget (the pane lays them out
# on the UI thread too: 50,000 lines held the interface 12 s), a single huge line (a
# minified dump) cut shorter.
MAX_RAW_LINE = 4_000
MAX_RAW_LINES = MAX_BODY_LINES
# Style meta key carrying a link's number on its "[n]" reference, so a widget can map a click
# to a link. The key has no "@" prefix: Textual only runs actions for "@"-keys.
LINK_META_KEY = "reader_link"

# --- styles (Rich colour names, so Textual's ANSI theme maps them on light and dark) --------
_TITLE = Style(bold=True, color="bright_cyan")
_META = Style(dim=True)
_META_SEP = Style(dim=True)
_BADGE = Style(reverse=True, bold=True)
_URL = Style(dim=True, underline=True)
_RULE = Style(dim=True)
_H1 = Style(bold=True, underline=True, color="bright_cyan")
_H2 = Style(bold=True, color="bright_cyan")
_H3 = Style(bold=True)
_QUOTE_GUTTER = Style(color="bright_black", dim=True)
_QUOTE_TEXT = Style(italic=True, dim=True)
_BULLET = Style(color="bright_cyan")
_CODE_INLINE = Style(color="bright_green")
_CODE_BLOCK = Style(color="green")
_EMPH = Style(italic=True)
_STRONG = Style(bold=True)
_STRIKE = Style(strike=True)
_LINK_TEXT = Style(underline=True)
_IMAGE = Style(dim=True, italic=True)
_TABLE_HEAD = Style(bold=True)
_TABLE_RULE = Style(dim=True)
_SECTION = Style(bold=True, underline=True)
_HIGHLIGHT = Style(reverse=True, color="yellow")
_RAW_REMOVED = Style(dim=True, strike=True)
_RAW_GUTTER_REMOVED = Style(color="red", dim=True)
_RAW_GUTTER_KEPT = Style(dim=True)

_BULLETS = ("•", "◦", "▪")
_QUOTE_MARK = "▌ "
_CODE_INDENT = "    "
# The header rule is capped so it never wraps in a narrow pane (the widget wraps, we don't).
_RULE_MAX = 40
_TAB = "    "

_ESC_VISIBLE = "\u241b"
# HTML compares tag names in ASCII only: a Unicode case-blind match takes "<ſcript" (long
# s) or a Kelvin sign for "<script" and "<style", which HTML does not.
_HTML_HIDDEN = re.compile(r"<(script|style)\b|<!--", re.IGNORECASE | re.ASCII)
_HTML_HIDDEN_END = {
    "<!--": re.compile("-->"),
    "script": re.compile("</script", re.IGNORECASE | re.ASCII),
    "style": re.compile("</style", re.IGNORECASE | re.ASCII),
}
# "[^<>]" rather than "[^>]": a run of "<" without ">" must not make the scan quadratic.
_HTML_TAG = re.compile(r"<[^<>]*>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


@lru_cache(maxsize=4096)  # the same URL is checked at parse time and again when numbered
def _checked_url(url: str) -> str | None:
    # strip_controls turned any ESC into a visible U+241B, which safe_url (rightly) sees as a
    # printable symbol; in a link it can only be the trace of an escape sequence, so refuse.
    return None if _ESC_VISIBLE in url else safe_url(url)


@lru_cache(maxsize=4096)
def _ref_style(number: int) -> Style:
    """The style of a "[n]" reference: visible, plus the link number for click mapping."""
    return Style(bold=True, color="bright_blue", meta={LINK_META_KEY: number})


@dataclass(frozen=True, slots=True)
class RenderedArticle:
    """An article ready for the reading pane.

    ``text`` is the whole pane content (header, body, link list), never markup-parsed.
    ``links[0]`` is the URL of reference ``[1]``; every URL in it passed ``safe_url``.
    ``hanging`` says how to wrap nicely: for line ``index`` of ``text``, a line wrapped onto
    the next row continues after ``prefix`` (a list item's indentation, a quote's gutter).
    A plain wrap of ``text`` is still correct, only less pretty.
    """

    text: Text
    links: tuple[str, ...]
    words: int
    minutes: int
    hanging: tuple[tuple[int, Text], ...] = ()


# --- building text without markup ----------------------------------------------------------


def _clean(text: str) -> str:
    """Defence in depth: data is cleaned at ingestion, but markdown-it decodes entities."""
    text = strip_controls(text)
    return text.replace("\t", _TAB) if "\t" in text else text


class _Builder:
    """Accumulates plain chunks and spans; one ``Text`` at the end (cheaper than many appends)."""

    __slots__ = ("_chunks", "_spans", "pos")

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._spans: list[Span] = []
        self.pos = 0

    def write(self, text: str, style: Style | None = None) -> None:
        if not text:
            return
        self._chunks.append(text)
        end = self.pos + len(text)
        if style is not None:
            self._spans.append(Span(self.pos, end, style))
        self.pos = end

    def write_text(self, text: Text) -> None:
        offset = self.pos
        self._chunks.append(text.plain)
        self._spans.extend(Span(s + offset, e + offset, st) for s, e, st in text.spans)
        self.pos += len(text.plain)

    def stylize(self, start: int, style: Style) -> None:
        if self.pos > start:
            self._spans.append(Span(start, self.pos, style))

    def to_text(self) -> Text:
        return Text("".join(self._chunks), spans=self._spans, end="")


# --- links ---------------------------------------------------------------------------------


class _LinkTable:
    """Numbers safe URLs in order of first appearance; the same URL keeps its number."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self._numbers: dict[str, int] = {}

    def number(self, url: str | None) -> int | None:
        checked = _checked_url(url) if url else None
        if checked is None:
            return None
        number = self._numbers.get(checked)
        if number is None:
            self.urls.append(checked)
            number = self._numbers[checked] = len(self.urls)
        return number


def _make_parser() -> MarkdownIt:
    md = commonmark_parser()
    # Accept every destination at parse time so an unsafe link still renders its text alone
    # (markdown-it would otherwise print the raw "[text](javascript:...)"); safety is decided
    # by safe_url on the destination as written, before markdown-it percent-encodes it (an ESC
    # would become an innocent-looking "%1B").
    normalize = md.normalizeLink
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.normalizeLink = (  # type: ignore[method-assign]
        lambda url: normalize(url) if _checked_url(url) is not None else ""
    )
    md.core.ruler.at("inline", _inline_within_budget)
    return md


def _inline_within_budget(state: StateCore) -> None:
    """markdown-it's own "inline" core rule, with a cap on the costly characters parsed."""
    budget = _INLINE_BUDGET
    for token in state.tokens:
        if token.type != "inline":
            continue
        token.children = []
        if _INLINE_SPECIAL.search(token.content) is None:  # most prose: just text
            token.children.append(Token("text", "", 0, content=token.content))
            continue
        cost = sum(map(token.content.count, _INLINE_COSTLY))
        if cost <= budget:
            budget -= cost
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        else:  # shown as written: still all there and readable, only not styled
            token.children.append(Token("text", "", 0, content=token.content.replace("\n", " ")))


_PARSER = _make_parser()


# --- the body ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Container:
    """A block that prefixes each of its lines: a list item's marker, a quote's gutter."""

    first: str  # on the container's first line (a list marker)
    rest: str  # on every later line (the hanging indentation, the gutter)
    style: Style | None
    tight: bool  # blocks inside are separated by a newline only (a tight list's items)
    pending_first: bool = True


@dataclass(slots=True)
class _ListInfo:
    tight: bool
    ordered: bool
    next_number: int
    marker_width: int
    depth: int


@dataclass(slots=True)
class _TableInfo:
    aligns: list[str] = field(default_factory=list)
    header: list[Text] = field(default_factory=list)
    rows: list[list[Text]] = field(default_factory=list)
    row: list[Text] = field(default_factory=list)
    in_head: bool = False


def _list_shapes(tokens: Sequence[Token]) -> dict[int, tuple[bool, int]]:
    """For each list-open token index: (tight, item count), in one pass.

    markdown-it marks a tight list by hiding its items' paragraphs, which we only see after
    the list opens; the renderer needs to know at the opening.
    """
    shapes: dict[int, tuple[bool, int]] = {}
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            stack.append(index)
            shapes[index] = (True, 0)
        elif token.type in ("bullet_list_close", "ordered_list_close") and stack:
            stack.pop()
        elif not stack:
            continue
        elif token.type == "list_item_open" and token.level == tokens[stack[-1]].level + 1:
            tight, count = shapes[stack[-1]]
            shapes[stack[-1]] = (tight, count + 1)
        elif token.type == "paragraph_open" and token.level == tokens[stack[-1]].level + 2:
            tight, count = shapes[stack[-1]]
            shapes[stack[-1]] = (tight and token.hidden, count)
    return shapes


class _BodyRenderer:
    """Walks markdown-it's token stream and writes prefixed, styled lines.

    Lines are never hard-wrapped: the widget wraps to its width. Each block starts by ending
    the previous line (and adding a blank one unless inside a tight list); each new line starts
    with the prefixes of the enclosing containers.
    """

    def __init__(self, links: _LinkTable, width: int) -> None:
        self.out = _Builder()
        self._links = links
        self._width = width
        self._containers: list[_Container] = []
        self._lists: list[_ListInfo] = []
        self._line_open = False  # the current line's prefixes are written
        self._started = False  # a block was written
        self._fresh = False  # a container just began: its first block needs no separator
        self._block_starts: list[int] = []
        self._table: _TableInfo | None = None
        # (offset of a line's start, its continuation prefix), for RenderedArticle.hanging
        self.hanging: list[tuple[int, Text]] = []
        self._continuation: Text | None = None  # cached while the container stack is unchanged

    # lines and blocks

    def _prefixes_width(self) -> int:
        return sum(cell_len(c.rest) for c in self._containers)

    def _open_line(self) -> None:
        if self._line_open:
            return
        if self._containers:
            self.hanging.append((self.out.pos, self._continuation_prefix()))
        for container in self._containers:
            mark = container.first if container.pending_first else container.rest
            container.pending_first = False
            self.out.write(mark, container.style)
        self._line_open = True

    def _push(self, container: _Container) -> None:
        self._containers.append(container)
        self._continuation = None

    def _pop(self) -> None:
        self._containers.pop()
        self._continuation = None

    def _continuation_prefix(self) -> Text:
        if self._continuation is None:
            prefix = Text(end="")
            for container in self._containers:
                prefix.append(container.rest, container.style)
            self._continuation = prefix
        return self._continuation

    def _newline(self) -> None:
        self._open_line()
        self.out.write("\n")
        self._line_open = False

    def _blank_line(self) -> None:
        # Only the gutters (a quote's bar) show on a blank line; indentation would be noise.
        for container in self._containers:
            gutter = container.rest.rstrip()
            if gutter:
                self.out.write(gutter, container.style)
        self.out.write("\n")

    def _begin_block(self, tight: bool | None = None) -> None:
        if self._fresh:
            self._fresh = False
            return
        if not self._started:
            self._started = True
            return
        self._newline()
        if tight is None:
            tight = bool(self._containers) and self._containers[-1].tight
        if not tight:
            self._blank_line()

    def _write(self, text: str, style: Style | None = None) -> None:
        """Write data that may span lines; each new line gets its prefixes."""
        first = True
        for line in text.split("\n"):
            if not first:
                self._newline()
            first = False
            if line:
                self._open_line()
                self.out.write(line, style)

    # the token walk

    def render(self, tokens: Sequence[Token]) -> Text:
        shapes = _list_shapes(tokens)
        for index, token in enumerate(tokens):
            handler = self._HANDLERS.get(token.type)
            if handler is not None:
                handler(self, token, shapes.get(index))
        return self.out.to_text()

    def _paragraph_open(self, token: Token, _: object) -> None:
        if self._table is None:
            self._begin_block()

    def _heading_open(self, token: Token, _: object) -> None:
        self._begin_block(tight=False)
        self._block_starts.append(self.out.pos)

    def _heading_close(self, token: Token, _: object) -> None:
        style = {"h1": _H1, "h2": _H2}.get(token.tag, _H3)
        self.out.stylize(self._block_starts.pop(), style)

    def _blockquote_open(self, token: Token, _: object) -> None:
        self._begin_block()
        self._push(_Container(_QUOTE_MARK, _QUOTE_MARK, _QUOTE_GUTTER, False))
        self._fresh = True
        self._block_starts.append(self.out.pos)

    def _blockquote_close(self, token: Token, _: object) -> None:
        self._pop()
        self._fresh = False  # an empty quote must not swallow the next block's separator
        self.out.stylize(self._block_starts.pop(), _QUOTE_TEXT)

    def _list_open(self, token: Token, shape: tuple[bool, int] | None) -> None:
        tight, count = shape or (True, 0)
        self._begin_block()
        self._fresh = True
        ordered = token.type == "ordered_list_open"
        start = int(token.attrGet("start") or 1) if ordered else 1
        # Right-align numbers so "9." and "10." items start their text in the same column.
        width = len(f"{start + max(count, 1) - 1}.") + 1 if ordered else 2
        depth = sum(1 for info in self._lists if not info.ordered)
        self._lists.append(_ListInfo(tight, ordered, start, width, depth))

    def _list_close(self, token: Token, _: object) -> None:
        self._lists.pop()
        self._fresh = False

    def _list_item_open(self, token: Token, _: object) -> None:
        info = self._lists[-1]
        self._begin_block(tight=info.tight)
        if info.ordered:
            marker = f"{info.next_number}.".rjust(info.marker_width - 1) + " "
            info.next_number += 1
        else:
            marker = _BULLETS[info.depth % len(_BULLETS)] + " "
        self._push(_Container(marker, " " * len(marker), _BULLET, info.tight))
        self._fresh = True

    def _list_item_close(self, token: Token, _: object) -> None:
        if self._containers[-1].pending_first:  # an empty item still shows its marker
            self._open_line()
        self._pop()
        self._fresh = False

    def _code(self, token: Token, _: object) -> None:
        self._begin_block()
        self._push(_Container(_CODE_INDENT, _CODE_INDENT, None, True))
        self._write(_clean(token.content.rstrip("\n")), _CODE_BLOCK)
        self._open_line()
        self._pop()

    def _hr(self, token: Token, _: object) -> None:
        self._begin_block()
        self._open_line()
        mark = "*   *   *"
        self.out.write(" " * max(0, (self._width - self._prefixes_width() - len(mark)) // 2))
        self.out.write(mark, _RULE)

    def _html_block(self, token: Token, _: object) -> None:
        text = _HTML_TAG.sub("", _BR.sub("\n", _drop_hidden_html(token.content))).strip()
        if text:
            self._begin_block()
            self._write(_clean(text))

    def _inline(self, token: Token, _: object) -> None:
        if self._table is not None:
            cell = _Builder()
            saved, self.out = self.out, cell
            self._inline_children(token.children or (), in_table=True)
            self.out = saved
            table = self._table
            (table.header if table.in_head else table.row).append(cell.to_text())
            return
        self._open_line()
        self._inline_children(token.children or (), in_table=False)

    # tables

    def _table_open(self, token: Token, _: object) -> None:
        self._table = _TableInfo()

    def _thead_open(self, token: Token, _: object) -> None:
        if self._table is not None:
            self._table.in_head = True

    def _thead_close(self, token: Token, _: object) -> None:
        if self._table is not None:
            self._table.in_head = False

    def _cell_open(self, token: Token, _: object) -> None:
        if self._table is not None and self._table.in_head:
            match = _ALIGN.search(str(token.attrGet("style") or ""))
            self._table.aligns.append(match.group(1) if match else "left")

    def _tr_close(self, token: Token, _: object) -> None:
        if self._table is not None and not self._table.in_head:
            self._table.rows.append(self._table.row)
            self._table.row = []

    def _table_close(self, token: Token, _: object) -> None:
        table, self._table = self._table, None
        if table is not None:
            self._begin_block()
            self._write_table(table)

    def _write_table(self, table: _TableInfo) -> None:
        columns = max([len(table.header), *(len(row) for row in table.rows)])
        header = table.header + [Text()] * (columns - len(table.header))
        rows = [row + [Text()] * (columns - len(row)) for row in table.rows]
        aligns = table.aligns + ["left"] * (columns - len(table.aligns))
        widths = [max(cell_len(r[i].plain) for r in [header, *rows]) for i in range(columns)]
        if sum(widths) + 3 * (columns - 1) + self._prefixes_width() > self._width:
            self._write_table_stacked(header, rows)
            return
        self._write_row(header, widths, aligns, _TABLE_HEAD)
        self._newline()
        self._open_line()
        self.out.write("─┼─".join("─" * w for w in widths), _TABLE_RULE)
        for row in rows:
            self._newline()
            self._write_row(row, widths, aligns, None)

    def _write_row(
        self, cells: list[Text], widths: list[int], aligns: list[str], style: Style | None
    ) -> None:
        self._open_line()
        for index, (cell, width, align) in enumerate(zip(cells, widths, aligns, strict=True)):
            if index:
                self.out.write(" │ ", _TABLE_RULE)
            pad = width - cell_len(cell.plain)
            before = {"right": pad, "center": pad // 2}.get(align, 0)
            self.out.write(" " * before)
            start = self.out.pos
            self.out.write_text(cell)
            if style is not None:
                self.out.stylize(start, style)
            if index < len(cells) - 1:  # no trailing spaces at the end of a line
                self.out.write(" " * (pad - before))

    def _write_table_stacked(self, header: list[Text], rows: list[list[Text]]) -> None:
        """Too wide for the measure: one "Header: value" line per cell, a blank between rows."""
        for row_index, row in enumerate(rows):
            if row_index:
                self._newline()
                self._blank_line()
            for cell_index, (name, cell) in enumerate(zip(header, row, strict=True)):
                if cell_index:
                    self._newline()
                self._open_line()
                if name.plain:
                    start = self.out.pos
                    self.out.write_text(name)
                    self.out.write(": ")
                    self.out.stylize(start, _TABLE_HEAD)
                self.out.write_text(cell)

    # inline content

    def _inline_children(self, children: Iterable[Token], *, in_table: bool) -> None:
        out = self.out
        opened: list[tuple[int, Style | int | None]] = []
        for child in children:
            kind = child.type
            if kind == "text":
                out.write(_clean(child.content))
            elif kind == "softbreak":
                out.write(" ")
            elif kind == "hardbreak":
                self._inline_break(in_table)
            elif kind == "code_inline":
                out.write(_clean(child.content), _CODE_INLINE)
            elif kind in _INLINE_STYLES:
                opened.append((out.pos, _INLINE_STYLES[kind]))
            elif kind == "link_open":
                opened.append((out.pos, self._links.number(str(child.attrGet("href") or ""))))
            elif kind.endswith("_close") and opened:
                start, what = opened.pop()
                self._close_inline(start, what, link=kind == "link_close")
            elif kind == "image":
                alt = _clean(child.content).strip()
                out.write(f"[image: {alt}]" if alt else "[image]", _IMAGE)
            elif kind == "html_inline" and _BR.fullmatch(child.content.strip()):
                self._inline_break(in_table)

    def _close_inline(self, start: int, what: Style | int | None, *, link: bool) -> None:
        if isinstance(what, Style):
            self.out.stylize(start, what)
        elif link and what is not None:
            self.out.stylize(start, _LINK_TEXT)
            self.out.write(f"[{what}]", _ref_style(what))

    def _inline_break(self, in_table: bool) -> None:
        if in_table:
            self.out.write(" ")
        else:
            self._newline()
            self._open_line()

    _HANDLERS = {
        "paragraph_open": _paragraph_open,
        "heading_open": _heading_open,
        "heading_close": _heading_close,
        "blockquote_open": _blockquote_open,
        "blockquote_close": _blockquote_close,
        "bullet_list_open": _list_open,
        "ordered_list_open": _list_open,
        "bullet_list_close": _list_close,
        "ordered_list_close": _list_close,
        "list_item_open": _list_item_open,
        "list_item_close": _list_item_close,
        "fence": _code,
        "code_block": _code,
        "hr": _hr,
        "html_block": _html_block,
        "inline": _inline,
        "table_open": _table_open,
        "table_close": _table_close,
        "thead_open": _thead_open,
        "thead_close": _thead_close,
        "th_open": _cell_open,
        "tr_close": _tr_close,
    }


_INLINE_STYLES = {"em_open": _EMPH, "strong_open": _STRONG, "s_open": _STRIKE}


def _drop_hidden_html(html: str) -> str:
    """Remove comments, scripts and styles (with their content) from raw HTML, linearly."""
    kept: list[str] = []
    position = 0
    while (match := _HTML_HIDDEN.search(html, position)) is not None:
        kept.append(html[position : match.start()])
        opener = match.group(1).lower() if match.group(1) else match.group()
        closer = _HTML_HIDDEN_END[opener]
        # searched in the HTML itself: its lowered copy is longer where it holds an "İ"
        # (two characters lowered), and positions found there cut the text after it
        found = closer.search(html, match.end())
        if found is None:  # unclosed: everything after it is hidden
            return "".join(kept)
        position = found.end()
        if opener != "<!--":
            close_end = html.find(">", position)
            position = len(html) if close_end < 0 else close_end + 1
    kept.append(html[position:])
    return "".join(kept)


def _render_body(body: str, links: _LinkTable, width: int) -> tuple[Text, list[tuple[int, Text]]]:
    """The body's Text and its hanging prefixes keyed by character offset of the line start."""
    body, cut = _truncate(body)
    tokens = _PARSER.parse(strip_controls(body))
    renderer = _BodyRenderer(links, width)
    text = renderer.render(tokens)
    if cut:
        text.append(f"\n\n[… {cut:,} more characters not shown: too long to display]", _META)
    return text, renderer.hanging


def _truncate(body: str) -> tuple[str, int]:
    """The body within MAX_BODY_CHARS and MAX_BODY_LINES, and how many characters were cut."""
    end = min(len(body), MAX_BODY_CHARS)
    if body.count("\n", 0, end) > MAX_BODY_LINES:
        end = 0
        for _ in range(MAX_BODY_LINES):
            end = body.index("\n", end) + 1
    if end >= len(body):
        return body, 0
    # Cut at a paragraph (else line) break when there is one in the second half, so the
    # last thing shown is whole.
    for separator in ("\n\n", "\n"):
        found = body.rfind(separator, 0, end)
        if found > end // 2:
            end = found
            break
    return body[:end], len(body) - end


def _offsets_to_lines(
    plain: str, base: int, hanging: Iterable[tuple[int, Text]]
) -> list[tuple[int, Text]]:
    """Turn (character offset from ``base``, prefix) into (line index, prefix), in one pass."""
    lines: list[tuple[int, Text]] = []
    line, counted_to = 0, 0
    for offset, prefix in hanging:
        line += plain.count("\n", counted_to, base + offset)
        counted_to = base + offset
        lines.append((line, prefix))
    return lines


# --- header and link list ------------------------------------------------------------------


def _format_date(value: datetime) -> str:
    text = f"{value.day} {value:%b %Y}"
    if (value.hour, value.minute) != (0, 0):
        text += f" {value:%H:%M}"
    return text


def _header(
    *,
    title: Text,
    source: str | None,
    author: str | None,
    published: datetime | None,
    url: str | None,
    words: int,
    minutes: int,
    badge: str | None,
    width: int,
) -> Text:
    out = Text(end="")
    out.append_text(title)
    out.append("\n")
    badge_text = clean_line(badge)
    column = 0
    if badge_text:
        # First on the line: a wrapping pane then never splits the badge from itself.
        out.append(f" {badge_text} ", _BADGE)
        out.append("  ")
        column = cell_len(badge_text) + 4
    parts = [clean_line(redact_password(source or "")), clean_line(author)]
    parts.append(_format_date(published) if published is not None else None)
    parts.append(f"{words:,} word" + ("" if words == 1 else "s"))
    if minutes:
        parts.append(f"{minutes} min read")
    for index, part in enumerate(p for p in parts if p):
        if index and column + 3 + cell_len(part) > width:
            # a line too long for the measure breaks between its parts, not in "2 min read"
            out.append("\n")
            column = 0
        elif index:
            out.append(" · ", _META_SEP)
            column += 3
        out.append(part, _META)
        column += cell_len(part)
    shown_url = clean_line(redact_password(url or ""), limit=MAX_URL)
    if shown_url:
        out.append("\n")
        out.append(shown_url, _URL)
    out.append("\n")
    out.append("─" * max(1, min(width, _RULE_MAX)), _RULE)
    return out


def _append_link_section(
    out: Text,
    heading: str,
    entries: Iterable[tuple[int | None, str]],
    hanging: list[tuple[int, Text]],
) -> None:
    """Append "heading" and one "[n] url" line per entry; long URLs wrap under the URL."""
    out.append("\n\n")
    line = out.plain.count("\n")
    out.append(heading, _SECTION)
    for number, url in entries:
        out.append("\n")
        line += 1
        if number is None:  # refused (not http/https): shown, never numbered
            out.append(url, _META)
            continue
        reference = f"[{number}]"
        out.append(reference, _ref_style(number))
        out.append(" ")
        out.append(url, _URL)
        hanging.append((line, Text(" " * (len(reference) + 1), end="")))


class _Folded(dict[int, str]):
    """A character -> the letter it is without case, accent or width ("É", "ｅ" -> "e"),
    one character for one, so that a match in the folded text stands where it does in the
    text: the search index compares words so (unicode61, remove_diacritics)."""

    def __missing__(self, code: int) -> str:
        if len(self) >= 65536:  # a text of every character there is stays cheap to hold
            self.clear()
        char = chr(code)
        # NFKD: the full-width "ｉ" is "i" too, as the index reads it
        decomposed = unicodedata.normalize("NFKD", char)
        base = decomposed[0].lower() if len(decomposed) == 1 or unicodedata.combining(
            decomposed[1]) else char
        folded = self[code] = base if len(base) == 1 else char
        return folded


_FOLDED = _Folded()


def _highlight(text: Text, terms: Sequence[str]) -> None:
    """Mark the first MAX_HIGHLIGHTS matches of any term, case and accents aside."""
    words = sorted({t for t in (clean_line(term) for term in terms) if t}, key=len, reverse=True)
    if not words:
        return
    pattern = re.compile("|".join(re.escape(word.translate(_FOLDED)) for word in words))
    for match in islice(pattern.finditer(text.plain.translate(_FOLDED)), MAX_HIGHLIGHTS):
        text.stylize(_HIGHLIGHT, match.start(), match.end())


def render_article(
    *,
    title: str | None,
    source: str | None,
    author: str | None,
    published: datetime | None,
    url: str | None,
    body: str,
    badge: str | None = None,
    width: int = 80,
    highlight: Sequence[str] = (),
    enclosures: Sequence[str] = (),
) -> RenderedArticle:
    """Render an article for the reading pane. Pure and thread-safe; call it off the UI thread.

    ``width`` is the reading measure the widget will use; lines are not hard-wrapped to it
    (the widget wraps), it only decides how wide tables and rules may be.
    ``highlight`` terms are marked case-insensitively in the title and the body.
    """
    links = _LinkTable()
    body_text, body_hanging = _render_body(body, links, width)
    words = count_words(body)
    minutes = reading_minutes(words)
    title_text = Text(clean_line(title) or "(untitled)", _TITLE, end="")
    _highlight(title_text, highlight)
    _highlight(body_text, highlight)

    out = _header(
        title=title_text, source=source, author=author, published=published, url=url,
        words=words, minutes=minutes, badge=badge, width=width,
    )
    hanging: list[tuple[int, Text]] = []
    if body_text.plain:
        out.append("\n\n")
        hanging = _offsets_to_lines(out.plain + body_text.plain, len(out.plain), body_hanging)
        out.append_text(body_text)
    body_links = len(links.urls)
    attachments = [
        (links.number(enclosure), clean_line(enclosure, limit=MAX_URL) or "")
        for enclosure in enclosures
    ]
    if body_links:
        _append_link_section(out, "Links", enumerate(links.urls[:body_links], 1), hanging)
    if attachments:
        _append_link_section(out, "Attachments", attachments, hanging)
    return RenderedArticle(
        text=out, links=tuple(links.urls), words=words, minutes=minutes, hanging=tuple(hanging)
    )


def link_number_at(text: Text, offset: int) -> int | None:
    """The link number whose "[n]" reference covers character ``offset`` of ``text``, if any."""
    for start, end, style in text.spans:
        if start <= offset < end and isinstance(style, Style) and style.meta:
            number = style.meta.get(LINK_META_KEY)
            if isinstance(number, int):
                return number
    return None


# --- the raw view --------------------------------------------------------------------------


def render_raw(lines: Sequence[str], kept: Sequence[bool]) -> Text:
    """The source text with what the cleaner removed shown dim and struck through.

    Each line gets a gutter: "  " when kept, "− " when removed, so the difference survives
    terminals without strike-through. Lines beyond ``kept`` count as kept. Huge lines and
    line counts are cut with a visible note (see ``MAX_RAW_LINE``).
    """
    out = _Builder()
    shown = 0
    characters = 0
    for index, line in enumerate(lines[:MAX_RAW_LINES]):
        if characters > MAX_BODY_CHARS:
            break
        shown = index + 1
        characters += min(len(line), MAX_RAW_LINE) + 3
        if index:
            out.write("\n")
        is_kept = kept[index] if index < len(kept) else True
        content = _clean(line[:MAX_RAW_LINE]).replace("\n", " ")
        if is_kept:
            out.write("  ", _RAW_GUTTER_KEPT)
            out.write(content)
        else:
            out.write("− ", _RAW_GUTTER_REMOVED)
            out.write(content, _RAW_REMOVED)
        if len(line) > MAX_RAW_LINE:
            out.write(f" [… {len(line) - MAX_RAW_LINE:,} more characters]", _META)
    if len(lines) > shown:
        out.write(f"\n[… {len(lines) - shown:,} more lines not shown]", _META)
    return out.to_text()
