"""HTML → readable Markdown, for the HTML inside feed entries and for extracted articles.

One walker renders both ordinary HTML and trafilatura's internal XML (``head``, ``list``/
``item``, ``quote``, ``hi``, ``ref``, ``graphic``, ``row``/``cell``, ``lb``), so an extracted
article and a feed entry come out in the same style.

The output is meant to be read as much as rendered: prose is left as written (no backslash
escaping) but for a ``<`` that would open raw HTML, written ``\\<`` so that a Markdown renderer
shows text that reads ``<script>`` and never runs it; links are inline ``[text](url)`` only
when the URL passes the allow-list, and images become their alt text. Nothing here fetches
anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from typing import NamedTuple
from urllib.parse import quote

import lxml.etree as etree
import lxml.html

from reader.cleaning.inline import BLANK_RUNS as _BLANK_RUNS
from reader.cleaning.inline import EMPHASIS as _EMPHASIS_MARK
from reader.cleaning.inline import HARD_BREAK as _HARD_BREAK
from reader.cleaning.inline import TEXT_STAR as _TEXT_STAR
from reader.cleaning.inline import (
    as_text,
    resolve_emphasis,
    shown_as_text,
    without_marks,
    written,
)
from reader.cleaning.inline import finish_inline as _finish_inline
from reader.cleaning.inline import squash as _squash
from reader.core.sanitize import escape_raw_html, safe_url, strip_controls, without_userinfo

__all__ = [
    "ParsedHtml",
    "close_hidden_elements",
    "flatten_nesting",
    "html_to_markdown",
    "is_hidden",
    "html_to_text",
    "parse_html",
    "render_blocks",
    "render_element",
    "visible_text",
]

# Never shown, with everything inside them.
_SKIP = frozenset(
    {
        "script", "style", "noscript", "iframe", "object", "embed", "template", "svg",
        "annotation", "annotation-xml", "form", "button", "input", "select", "textarea",
        "canvas", "video",
        "audio", "title", "meta", "link", "base", "map", "dialog", "frame",
        "frameset", "applet", "param", "source", "track",
    }
)  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LISTS = frozenset({"ul", "ol", "list", "menu", "dir"})
_LIST_ITEMS = frozenset({"li", "item"})
_QUOTES = frozenset({"blockquote", "quote"})
_CONTAINERS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "nav",
        "address", "center", "figure", "figcaption", "details", "summary", "fieldset",
        "legend", "body", "html", "hgroup", "dl", "dt", "dd", "caption", "doc", "tbody",
        "thead", "tfoot", "picture", "li", "item",
    }
)  # fmt: skip
_TABLES = frozenset({"table"})
_BLOCKS = (
    _CONTAINERS
    | _LISTS
    | _QUOTES
    | _TABLES
    | frozenset(_HEADINGS)
    | {"head", "pre", "hr", "tr", "td", "th", "row", "cell"}
)
_EMPHASIS = {"em": "*", "i": "*", "cite": "*", "strong": "**", "b": "**"}
_TRAFILATURA_EMPHASIS = {"#i": "*", "#b": "**"}

# Past this depth the rest of a subtree is rendered as flat text: Python's recursion limit
# must never be reached, whatever the parser let through.
_MAX_DEPTH = 120
_ABSOLUTE_HTTP = re.compile(r"https?://", re.I)
_LIST_MARKER = re.compile(r"(?:- |\d+\. )")


def html_to_markdown(fragment: str, *, base_url: str | None = None) -> str:
    """Render an HTML fragment (feed entry content or summary) as Markdown.

    Paragraphs, headings (``#``), lists (``-`` / ``1.``), block quotes (``> ``), code
    blocks, pipe tables, inline links (only http/https after resolving against
    ``base_url``; otherwise just the text), images as ``[image: alt]``, ``<br>`` as a line
    break. Scripts, styles, forms, embeds and comments never show, and never take the text
    after them along. Paragraphs are separated by exactly one blank line; prose is not
    escaped but for a ``<`` that would open raw HTML (``\\<``); control characters are
    removed. Never raises on arbitrary input.
    """
    try:
        root = parse_html(fragment).root
        if root is None:
            return ""
        body = root.find("body")
        return render_element(body if body is not None else root, base_url=base_url)
    except Exception:  # noqa: BLE001 - promised never to raise; the text is still shown
        return escape_raw_html(_squash(strip_controls(re.sub(r"<[^>]*>", " ", str(fragment)))))


def html_to_text(fragment: str) -> str:
    """The text an HTML fragment shows, on one line: for titles and names.

    What a browser would show of it: tags gone (however many ``<`` their attributes
    hold), entities decoded, scripts, styles and the other hidden elements gone with their
    content, images and line breaks as spaces. Never raises.
    """
    if "<" not in fragment:
        return _squash(unescape(fragment)) if "&" in fragment else _squash(fragment)
    try:
        root = parse_html(fragment).root
        if root is None:
            return ""
        body = root.find("body")
        return _squash(" ".join(_visible_text(body if body is not None else root, spaced=True)))
    except Exception:  # noqa: BLE001 - promised never to raise; no tag gets through either
        return _squash(re.sub(r"<[^>]*>?", " ", str(fragment)).replace("<", " "))


# The "(url)" after a link's "]"; URLs written by this module have no spaces or parentheses.
_LINK_TARGET = re.compile(r"\]\([^()\s]*\)")


# The backslash before a page's own "*" or "_" that would otherwise pair into emphasis.
_ESCAPED_MARK = re.compile(r"\\([*_])")


def visible_text(markdown: str) -> str:
    """What a reader sees of this module's Markdown: link targets removed, and the
    backslashes that keep a page's "*" and "_" from reading as emphasis ("\\_\\_init\\_\\_"
    is "__init__", one word), the rest as is.

    For word counts, search indexes and scoring against plain-text references.
    """
    text = _LINK_TARGET.sub("]", markdown)
    return _ESCAPED_MARK.sub(r"\1", text) if "\\" in text else text


class ParsedHtml(NamedTuple):
    root: lxml.html.HtmlElement | None
    flattened: bool  # nesting was too deep and excess wrappers were removed before parsing
    truncated: bool  # nesting was too deep even so: libxml2 dropped content


def parse_html(html: str | bytes) -> ParsedHtml:
    """Parse HTML leniently, recovering from libxml2's depth limit where possible.

    libxml2 silently drops everything nested deeper than 256 elements. When its error log
    says so, the excess wrapper tags are removed (their text stays) and the page is parsed
    again; ``truncated`` says whether content was still lost. Input is normalised to UTF-8
    bytes first, so lone surrogates, NULs and control characters never make the parser raise.
    Elements the renderer hides (embeds, objects, frames...) never take what follows them
    with them: see :func:`close_hidden_elements` and :func:`_unnest_void`.
    """
    data = close_hidden_elements(_to_utf8(html))
    root, too_deep = _parse_once(data)
    flattened = too_deep
    if too_deep:
        flat = flatten_nesting(data.decode("utf-8")).encode("utf-8")
        root, too_deep = _parse_once(flat)
    if root is not None:
        _unnest_void(root)
    return ParsedHtml(root, flattened=flattened, truncated=too_deep)


# lxml.html's parser asks a Python method for the class of each element Python touches
# (600,000 times over 181 news pages, trafilatura's copies included: 5% of an extraction).
# This lookup gives the same classes from C but lxml.html's form classes (FormElement,
# InputElement...), which neither this package nor trafilatura uses.
_HTML_CLASSES = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def _parse_once(data: bytes) -> tuple[lxml.html.HtmlElement | None, bool]:
    # lxml.html's parser makes HtmlElement trees, which trafilatura takes without re-parsing.
    parser = lxml.html.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        recover=True,
    )
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        root = None
    # libxml2 reports the cut-off as a resource-limit error and carries on without the rest.
    too_deep = any(
        entry.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in entry.message
        for entry in parser.error_log
    )
    return root, too_deep


# -- the element model: nothing after a hidden element is lost --------------------------
#
# The renderer hides some elements with all they hold (_SKIP). libxml2 makes two kinds of
# them swallow what follows: void elements it does not know as void (embed, source, track,
# wbr...) get the following siblings as children, and an element never closed (an
# <object>, <noscript> or <form> left open, an <iframe> or <textarea> whose end tag never
# comes) holds the rest of its parent, or the rest of the document as raw text. So
# "<p>Watch:</p><embed src=x.swf><p>Long paragraph</p>" showed only "Watch:".

# HTML's void elements, and the obsolete ones browsers treat the same way.
_VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr basefont "
    "bgsound frame image isindex".split()
)
# Elements whose content libxml2 reads as raw text up to their end tag.
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes".split())
# Of those, the ones whose content is code: an unclosed one ends where markup resumes.
_CODE = frozenset({"script", "style"})
_HIDDEN_CONTAINERS = (_SKIP | _RAW_TEXT) - _VOID_ELEMENTS
_HIDDEN_TAGS = re.compile(
    rb"<!--.*?(?:-->|\Z)"
    # the first letters first: most tags (div, li, p...) fail there, not after 24 names
    rb"|<(/?)(?=[" + "".join(sorted({name[0] for name in _HIDDEN_CONTAINERS})).encode() + rb"])"
    rb"(" + "|".join(sorted(_HIDDEN_CONTAINERS)).encode() + rb")(?=[\s/>])[^<>]*>",
    re.S | re.I,
)
_MARKUP_RESUMES = re.compile(rb"<(?:[A-Za-z][A-Za-z0-9:-]*[\s/>]|/[A-Za-z]|!--)")
_RAW_END = {name: re.compile(rb"</" + name.encode() + rb"\s*>", re.I) for name in _RAW_TEXT}


def close_hidden_elements(html: bytes) -> bytes:
    """Give every hidden element the document leaves open an end tag right after its start.

    An element the document closes keeps its content (hidden, as the document says); one it
    never closes is taken as empty, so what follows it is read as the document's own text,
    as a reader expects. An unclosed script or style ends where markup resumes. One linear
    pass over the tags of those elements; a document without them is returned as is.
    """
    inserts: list[tuple[int, bytes]] = []
    open_tags: list[tuple[str, int]] = []  # (name, end of its start tag)
    no_end_after: dict[str, int] = {}  # a raw-text end tag searched for in vain from here
    pos = 0
    while (match := _HIDDEN_TAGS.search(html, pos)) is not None:
        pos = match.end()
        if match.group(2) is None:  # a comment
            continue
        name = match.group(2).decode("ascii").lower()
        if match.group(1):  # an end tag: closes the innermost open one of its name
            for index in range(len(open_tags) - 1, -1, -1):
                if open_tags[index][0] == name:
                    inserts += [(end, b"</%s>" % n.encode()) for n, end in open_tags[index + 1:]]
                    del open_tags[index:]
                    break
            continue
        if html[match.end() - 2 : match.end() - 1] == b"/":  # <iframe ... />: already empty
            continue
        if name not in _RAW_TEXT:
            open_tags.append((name, match.end()))
            continue
        found = None if no_end_after.get(name, len(html) + 1) <= pos else (
            _RAW_END[name].search(html, pos))
        if found is not None:
            pos = found.end()  # its content is text, not tags
            continue
        no_end_after[name] = min(no_end_after.get(name, pos), pos)
        where = match.end()
        if name in _CODE:
            resumes = _MARKUP_RESUMES.search(html, where)
            if resumes is None:
                continue  # code to the end: nothing after it to lose
            where = resumes.start()
        inserts.append((where, b"</%s>" % name.encode()))
    inserts += [(end, b"</%s>" % name.encode()) for name, end in open_tags]
    if not inserts:
        return html
    inserts.sort(key=lambda insert: insert[0])
    parts: list[bytes] = []
    last = 0
    for where, tag in inserts:
        parts += [html[last:where], tag]
        last = where
    parts.append(html[last:])
    return b"".join(parts)


def _unnest_void(root: etree._Element) -> None:
    """Move what libxml2 nested inside a void element back after it, in order."""
    for element in [e for e in root.iter(*_VOID_ELEMENTS) if len(e) or e.text]:
        parent = element.getparent()
        if parent is None:
            continue
        text, element.text = element.text, None
        children = list(element)
        at = parent.index(element)
        for offset, child in enumerate(children, start=1):
            parent.insert(at + offset, child)  # moves it, with its tail
        tail = element.tail or ""
        if children:
            children[-1].tail = (children[-1].tail or "") + tail
            element.tail = text
        else:
            element.tail = (text or "") + tail


# Past _FLAT_DEPTH only the tags that carry meaning are kept (wrappers go), and past
# _FLAT_DEPTH_MAX none, so the result stays well under libxml2's limit of 256.
_FLAT_DEPTH = 64
_FLAT_DEPTH_MAX = 128
_MEANINGFUL = frozenset(
    "p h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre code table thead tbody tfoot tr td "
    "th caption a b strong i em article main figure figcaption".split()
)
_VOID = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr".split()
)
# Elements a new sibling closes implicitly; without this, unclosed <p>/<li> would look deep.
_IMPLIED_END = {"p": {"p"}, "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"},
                "tr": {"tr", "td", "th"}, "td": {"td", "th"}, "th": {"td", "th"},
                "option": {"option"}}  # fmt: skip
_TOKENS = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|textarea|title|xmp)\b[^>]*>.*?(?:</\1\s*>|\Z)"
    r"|<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^>]*?(/?)>",
    re.S | re.I,
)


def flatten_nesting(html: str) -> str:
    """Drop start/end tags nested too deep, keeping all text, in one linear pass."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag name, kept in the output)
    open_names: dict[str, int] = {}
    kept = 0
    pos = 0

    def pop() -> bool:
        nonlocal kept
        name, was_kept = stack.pop()
        open_names[name] -= 1
        kept -= was_kept
        return was_kept

    for match in _TOKENS.finditer(html):
        raw_name = match.group(3)
        if raw_name is None:  # comment or raw-text element: copied as is
            continue
        name = raw_name.lower()
        out.append(html[pos : match.start()])
        pos = match.end()
        tag = match.group(0)
        if match.group(2):  # end tag
            if not open_names.get(name):
                out.append(tag)  # stray: harmless, the parser ignores it
                continue
            while stack:
                top = stack[-1][0]
                was_kept = pop()
                if top == name:
                    if was_kept:
                        out.append(tag)
                    break
            continue
        if name in _VOID or match.group(4):
            out.append(tag)
            continue
        if stack and stack[-1][0] in _IMPLIED_END.get(name, ()):
            pop()
        keep = kept < _FLAT_DEPTH or (name in _MEANINGFUL and kept < _FLAT_DEPTH_MAX)
        if keep:
            out.append(tag)
        stack.append((name, keep))
        open_names[name] = open_names.get(name, 0) + 1
        kept += keep
    out.append(html[pos:])
    return "".join(out)


# Bytes XML cannot hold (below 0x20 they never occur inside a multi-byte UTF-8 sequence),
# and U+FFFE/U+FFFF; the other controls are removed from the rendered text.
_XML_INVALID_BYTES = bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def _to_utf8(html: str | bytes) -> bytes:
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    data = text.encode("utf-8", "replace")  # "replace" only ever meets lone surrogates
    # bytes.translate and "in" are single C passes; a regex over a whole page is 5x slower.
    data = data.translate(None, _XML_INVALID_BYTES)
    # Asked of the text, not the bytes: a str search knows the text's widest character,
    # so on a page with none beyond U+00FF it answers at once, and otherwise it is still
    # about half the time of searching the bytes.
    if "\ufffe" in text or "\uffff" in text:
        for noncharacter in _NONCHARACTERS:
            data = data.replace(noncharacter, b"")
    return data


def render_element(element: etree._Element, *, base_url: str | None = None) -> str:
    """Render a parsed element (HTML or trafilatura XML) and its children as Markdown."""
    return "\n\n".join(render_blocks(element, base_url=base_url))


def render_blocks(element: etree._Element, *, base_url: str | None = None) -> list[str]:
    """The Markdown blocks (paragraphs, headings, whole lists, tables...) of an element."""
    renderer = _Renderer(base_url)
    blocks = (
        _BLANK_RUNS.sub("\n\n", strip_controls(written(b))).strip("\n")
        for b in renderer.blocks(element, 0)
    )
    return [block for block in blocks if block.strip()]


def _tag(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # comments, processing instructions, entities
        return ""
    return tag.rsplit("}", 1)[-1].lower()


class _Renderer:
    """Walks a tree once, turning block elements into Markdown blocks (list of strings)."""

    def __init__(self, base_url: str | None) -> None:
        # a page fetched with a password in its address links to pages without it
        self.base_url = without_userinfo(base_url) if safe_url(base_url) else None

    # -- blocks -------------------------------------------------------------------------

    def blocks(self, element: etree._Element, depth: int) -> list[str]:
        """The Markdown blocks for the children of ``element`` (its own tag is ignored)."""
        if depth > _MAX_DEPTH:
            flat = resolve_emphasis(_text(_squash(" ".join(_visible_text(element)))))
            return [flat] if flat else []
        out: list[str] = []
        inline: list[str] = []
        if element.text:
            inline.append(_text(element.text))
        for child in element:
            tag = _tag(child)
            if _shown(child, tag):
                if self._is_block(child, tag):
                    self._flush(inline, out)
                    out.extend(self.block(child, tag, depth + 1))
                else:
                    inline.append(self.inline(child, tag, depth + 1))
            if child.tail:
                inline.append(_text(child.tail))
        self._flush(inline, out)
        return out

    def _is_block(self, element: etree._Element, tag: str) -> bool:
        if tag in _BLOCKS:
            return True
        # trafilatura's <code> is a block; so is a bare <code> holding several lines.
        return tag == "code" and "\n" in "".join(element.itertext()).strip()

    @staticmethod
    def _flush(inline: list[str], out: list[str]) -> None:
        if inline:
            paragraph = resolve_emphasis(_finish_inline("".join(inline)))
            if paragraph:
                out.append(shown_as_text(paragraph))
            inline.clear()

    def block(self, element: etree._Element, tag: str, depth: int) -> list[str]:
        if tag in _HEADINGS or tag == "head":
            return self._heading(element, tag, depth)
        if tag in _LISTS:
            return self._list(element, tag, depth)
        if tag in _QUOTES:
            inner = self.blocks(element, depth)
            return ["\n".join(_prefix_lines("\n\n".join(inner), "> ", ">"))] if inner else []
        if tag in ("pre", "code"):
            return self._code(element)
        if tag in _TABLES:
            return self._table(element, depth)
        if tag == "hr":
            return ["---"]
        return self.blocks(element, depth)

    def _heading(self, element: etree._Element, tag: str, depth: int) -> list[str]:
        if tag == "head":
            rend = element.get("rend") or "h2"
            level = _HEADINGS.get(rend.lower(), 2)
        else:
            level = _HEADINGS[tag]
        text = _squash(self.inline_children(element, depth).replace(_HARD_BREAK, " "))
        text = resolve_emphasis(text)
        return [f"{'#' * level} {text}"] if text else []

    def _list(self, element: etree._Element, tag: str, depth: int) -> list[str]:
        ordered = tag == "ol" or (element.get("rend") or "").lower() == "ol"
        start = _int_attr(element.get("start"), 1) if ordered else 1
        items: list[str] = []
        number = start
        for child in element:
            child_tag = _tag(child)
            if not _shown(child, child_tag):
                continue
            if child_tag in _LIST_ITEMS:
                content = _join_item_blocks(self.blocks(child, depth + 1))
            else:  # stray content directly inside the list
                content = _join_item_blocks(self.block(child, child_tag, depth + 1))
            if not content.strip():
                continue
            marker = f"{number}. " if ordered else "- "
            number += 1
            lines = _prefix_lines(content, " " * len(marker), "")
            lines[0] = marker + lines[0].lstrip()
            items.append("\n".join(lines))
        # A list of one-line items stays tight; items holding paragraphs are spaced out.
        loose = any("\n\n" in item for item in items)
        return ["\n\n".join(items) if loose else "\n".join(items)] if items else []

    def _code(self, element: etree._Element) -> list[str]:
        code = without_marks("".join(_visible_text(element))).strip("\n")
        if not code.strip():
            return []
        fence = "```"
        while fence in code:
            fence += "`"
        return [f"{fence}\n{code}\n{fence}"]

    def _table(self, element: etree._Element, depth: int) -> list[str]:
        rows = [row for row in element.iter("tr", "row") if _nearest_table(row) is element]
        grid: list[list[etree._Element]] = [
            [cell for cell in row if _tag(cell) in ("td", "th", "cell")] for row in rows
        ]
        grid = [cells for cells in grid if cells]
        width = max((len(cells) for cells in grid), default=0)
        if width <= 1 or any(_is_layout_cell(cell) for cells in grid for cell in cells):
            # A layout table: its cells are just blocks of the page.
            return [b for cells in grid for cell in cells for b in self.blocks(cell, depth + 1)]
        texts = [[self._cell_text(cell, depth) for cell in cells] for cells in grid]
        texts = [row + [""] * (width - len(row)) for row in texts if any(row)]
        if not texts:
            return []
        lines = ["| " + " | ".join(texts[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(row) + " |" for row in texts[1:]]
        return ["\n".join(lines)]

    def _cell_text(self, cell: etree._Element, depth: int) -> str:
        text = " ".join(self.blocks(cell, depth + 1))
        # A pipe would end the cell; a slash reads the same and needs no backslash.
        return _squash(text.replace(_HARD_BREAK, " ").replace("|", "/"))

    # -- inline -------------------------------------------------------------------------

    def inline_children(self, element: etree._Element, depth: int) -> str:
        # Text is written as text: a "<" that would open raw HTML is escaped.
        parts: list[str] = [_text(element.text or "")]
        for child in element:
            tag = _tag(child)
            if _shown(child, tag):
                parts.append(self.inline(child, tag, depth + 1))
            parts.append(_text(child.tail or ""))
        return "".join(parts)

    def inline(self, element: etree._Element, tag: str, depth: int) -> str:
        if depth > _MAX_DEPTH:
            return _text(" ".join(_visible_text(element)))
        if tag in ("br", "lb"):
            return _HARD_BREAK
        if tag in ("img", "graphic"):
            alt = _text(_squash(element.get("alt") or element.get("title") or ""))
            return f" [image: {alt}] " if alt else ""
        if tag in ("a", "ref"):
            return self._link(element, tag, depth)
        if tag in ("code", "kbd", "samp", "tt"):
            return _code_span(_squash(without_marks("".join(_visible_text(element)))))
        text = self.inline_children(element, depth)
        marker = _EMPHASIS.get(tag)
        if tag == "hi":
            marker = _TRAFILATURA_EMPHASIS.get(element.get("rend") or "")
        return _emphasise(text, marker) if marker else text

    def _resolve(self, href: str) -> str | None:
        # An absolute http(s) URL needs no base: skipping it spares re-checking the base
        # for every link, and the result is the same.
        if _ABSOLUTE_HTTP.match(href.lstrip()):
            return safe_url(href)
        return safe_url(href, base=self.base_url)

    def _link(self, element: etree._Element, tag: str, depth: int) -> str:
        text = self.inline_children(element, depth)
        href = element.get("href" if tag == "a" else "target")
        url = self._resolve(href) if href else None
        label = _squash(text.replace(_HARD_BREAK, " "))
        if url is None or not label or "[" in label or "]" in label:
            return text
        lead = " " if text[:1].isspace() else ""
        trail = " " if text[-1:].isspace() else ""
        return f"{lead}[{label}]({_markdown_url(url)}){trail}"


def _visible_text(element: etree._Element, *, spaced: bool = False) -> Iterable[str]:
    """Text of a subtree without skipped elements (scripts, styles...) or comments.

    ``spaced``: a space around each block and image, so words in different blocks stay
    apart when the pieces are joined. Iterative on purpose: it is what renders subtrees
    below the depth cut-off, which can be arbitrarily deep.
    """
    stack: list[etree._Element | str] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
            continue
        if item.text:
            yield item.text
        for child in reversed(item):
            if child.tail:
                stack.append(child.tail)
            tag = _tag(child)
            if tag in ("br", "lb"):
                stack.append("\n")
            elif tag and tag not in _SKIP and not (spaced and is_hidden(child)):
                if spaced and (tag in _BLOCKS or tag in ("img", "graphic")):
                    stack += [" ", child, " "]
                else:
                    stack.append(child)


def _shown(element: etree._Element, tag: str) -> bool:
    if not tag or tag in _SKIP or is_hidden(element):
        return False
    # <head> is a document's head in HTML but a heading in trafilatura's XML.
    return tag != "head" or _tag(element.getparent()) != "html"


def is_hidden(element: etree._Element) -> bool:
    """Hidden by the page's markup: the ``hidden`` attribute or an inline ``display: none``."""
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return bool(style) and "display:none" in style.replace(" ", "").lower()


def _nearest_table(element: etree._Element) -> etree._Element | None:
    for ancestor in element.iterancestors():
        if _tag(ancestor) == "table":
            return ancestor
    return None


def _is_layout_cell(cell: etree._Element) -> bool:
    for child in cell.iterdescendants():
        tag = _tag(child)
        if tag in ("table", "p", "ul", "ol", "list", "blockquote", "quote", "pre", "h1", "h2"):
            return True
    return False


def _join_item_blocks(blocks: list[str]) -> str:
    """Join the blocks of one list item; a nested list follows its text line directly."""
    out = ""
    for block in blocks:
        if out:
            out += "\n" if _LIST_MARKER.match(block) else "\n\n"
        out += block
    return out


def _prefix_lines(text: str, prefix: str, empty_prefix: str) -> list[str]:
    return [prefix + line if line.strip() else empty_prefix for line in text.split("\n")]


def _emphasise(text: str, marker: str) -> str:
    core = text.strip()
    if not core or _HARD_BREAK in core or any(m in core for m in ("*", _TEXT_STAR, _EMPHASIS_MARK)):
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    mark = _EMPHASIS_MARK * len(marker)  # written as "*" by resolve_emphasis
    return f"{lead}{mark}{core}{mark}{trail}"


def _text(text: str) -> str:
    """A page's text in a paragraph: a "<" that would open raw HTML escaped, its "*" and
    "_" held apart from the renderer's emphasis until the paragraph is whole."""
    return as_text(escape_raw_html(text))


def _code_span(code: str) -> str:
    if not code:
        return ""
    fence = "``" if "`" in code else "`"
    return f"{fence}{code}{fence}"


def _markdown_url(url: str) -> str:
    # Parentheses and angle brackets would end the link early; their escapes mean the same.
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def _int_attr(value: str | None, default: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if 0 <= number < 10**9 else default
