"""What kind of input is this? Decided from the content; the name and type only break ties.

A feed saved as ``.txt`` is still a feed and a PNG renamed ``.md`` is still binary,
so content signals come first. Only the head of the data is examined.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from reader.core.models import SourceKind
from reader.sources.decode import signature_encoding

SNIFF_BYTES = 64 * 1024  # what is looked at: a longer file is sniffed as its first bytes
# Controls that never occur in real text (TAB, LF, CR, FF and ESC do: ESC in
# terminal captures, which are text we show inert).
_BINARY_CONTROLS = bytes([*range(0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_BINARY_SHARE = 0.05

# Every pattern here runs on untrusted input: none nests quantifiers or lets a lazy
# match run unbounded, so none can backtrack quadratically (the prolog is scanned
# by hand in _skip_prolog for that reason).
_SUBSET_END = re.compile(r"\][ \t\r\n]*>")
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_FEED_ROOTS = frozenset({"rss", "rdf", "feed", "channel"})
_HTML_TAGS = re.compile(
    r"<(?:html|head|body|title|meta|div|p|article|section|h[1-6]|br|table|script|style)\b",
    re.IGNORECASE,
)
_HTML_DOCTYPE = re.compile(r"<!DOCTYPE\s+html\b", re.IGNORECASE)
_JSON_FEED_VERSION = re.compile(r'"version"\s*:\s*"https?://jsonfeed\.org/version/', re.IGNORECASE)
# JSON data opens as no prose does: an object's first key, or an array's first value and
# a comma or its close (a dump may open with "[Home] [News]", "[1] Link", "[[a wiki link]]"
# or, from a text browser, "[[1]Docs] [[2]txt|[3]pdf]": not these).
_JSON_SCALAR = (r'(?:"(?:[^"\\\n]|\\.){0,300}"|-?\d{1,30}(?:\.\d{1,30})?(?:[eE][+-]?\d{1,30})?'
                r'|true|false|null)')
_JSON_OPENING = re.compile(
    r'\{\s*"(?:[^"\\\n]|\\.){0,300}"\s*:'
    r'|\[\s*(?:\{\s*["}]'
    r'|\[\s*(?:' + _JSON_SCALAR + r'\s*(?:,|\]\s*[,\]])|[\[{]|\]\s*[,\]])'
    r'|' + _JSON_SCALAR + r'\s*,)'
    r'|(?:\{\s*\}|\[\s*\])\s*\Z'
)

_MARKUP_KINDS = frozenset({SourceKind.FEED, SourceKind.OPML, SourceKind.HTML, SourceKind.JSON_FEED})
_MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mdwn"})
_HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
_TEXT_EXTENSIONS = frozenset({".txt", ".text"})
# Signs of Markdown written as such: front matter, ATX headings, fenced code,
# inline links, emphasis, lists. Two different signs are needed to call it Markdown.
_MD_SIGNS = (
    re.compile(r"\A---\n(?:[^\n]*\n){0,40}?---\n"),
    re.compile(r"^#{1,6} \S", re.MULTILINE),
    re.compile(r"^```", re.MULTILINE),
    re.compile(r"\[[^\]\n]{1,300}\]\([^)\s]{1,500}\)"),
    re.compile(r"(?:\*\*|__)\S[^\n]{0,200}?\S(?:\*\*|__)"),
    re.compile(r"^(?:[-*+]|\d+\.) \S(?:.*\n(?:[-*+]|\d+\.) \S){1}", re.MULTILINE),
)


def sniff(data: bytes, *, name: str | None = None, content_type: str | None = None) -> SourceKind:
    """Classify ``data``; never raises."""
    if not data.strip():
        return SourceKind.EMPTY
    head_bytes = data[:SNIFF_BYTES]
    bom = signature_encoding(head_bytes)
    if bom is not None:
        encoding, size = bom
        head = head_bytes[size:].decode(encoding, errors="replace")
        if "\x00" in head:
            return SourceKind.BINARY
    else:
        # Counted by deleting them: one C pass, a fifth of a regex's time.
        controls = len(head_bytes) - len(head_bytes.translate(None, _BINARY_CONTROLS))
        if controls > len(head_bytes) * _BINARY_SHARE:
            return SourceKind.BINARY
        head = head_bytes.decode("utf-8", errors="replace")
        if "\x00" in head:
            # A few stray NULs in an otherwise well-formed markup document (a feed
            # with NUL in a title) are stripped later; NULs anywhere else mean binary.
            kind = _sniff_text(head.replace("\x00", ""), "", "")
            return kind if kind in _MARKUP_KINDS else SourceKind.BINARY
    return _sniff_text(head, _extension(name), (content_type or "").lower())


def _extension(name: str | None) -> str:
    if not name:
        return ""
    path = PurePath(name)
    suffix = path.suffix.lower()
    if suffix == ".gz":
        suffix = PurePath(path.stem).suffix.lower()
    return suffix


def _sniff_text(head: str, ext: str, content_type: str) -> SourceKind:
    stripped = head.lstrip("\ufeff \t\n")
    if stripped.startswith(("{", "[")):
        if _JSON_FEED_VERSION.search(head):
            return SourceKind.JSON_FEED
        if _JSON_OPENING.match(stripped):
            return SourceKind.JSON
        return SourceKind.TEXT
    if stripped.startswith("<"):
        rest = stripped[_skip_prolog(stripped, keep_doctype=True) :]
        if _HTML_DOCTYPE.match(rest):
            return SourceKind.HTML
        root = _root_element(stripped)
        if root in _FEED_ROOTS:
            return SourceKind.FEED
        if root == "opml":
            return SourceKind.OPML
        if root is not None and (root == "html" or _HTML_TAGS.search(stripped)):
            return SourceKind.HTML
    if ext in _HTML_EXTENSIONS or "html" in content_type:
        if _HTML_TAGS.search(head):
            return SourceKind.HTML
    if ext in _MARKDOWN_EXTENSIONS or "markdown" in content_type:
        return SourceKind.MARKDOWN
    if ext not in _TEXT_EXTENSIONS and _markdown_signs(head) >= 2:
        return SourceKind.MARKDOWN
    return SourceKind.TEXT


def _skip_prolog(text: str, *, keep_doctype: bool = False) -> int:
    """Index after the XML declaration, PIs, comments, whitespace (and the DOCTYPE)."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("<?", i):
            end = text.find("?>", i + 2)
            i = n if end < 0 else end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            i = n if end < 0 else end + 3
        elif text[i : i + 9].upper() == "<!DOCTYPE" and not keep_doctype:
            i = _doctype_end(text, i)
        else:
            break
    return i


def _doctype_end(text: str, start: int) -> int:
    close = text.find(">", start)
    bracket = text.find("[", start)
    if close < 0:
        return len(text)
    if bracket < 0 or close < bracket:
        return close + 1
    end = _SUBSET_END.search(text, bracket)
    return len(text) if end is None else end.end()


def _root_element(text: str) -> str | None:
    match = _ROOT.match(text, _skip_prolog(text))
    if match is None:
        return None
    # rdf:RDF -> rdf; atom:feed -> feed
    name = match.group(1).lower()
    local = name.rsplit(":", 1)[-1]
    return "rdf" if local == "rdf" else local


def _markdown_signs(head: str) -> int:
    return sum(1 for sign in _MD_SIGNS if sign.search(head))
